/* ui_internal.h - what the explorer's screens share. Each screen or pane has
 * a draw function and, when it takes keys of its own, a key function; ui.c
 * owns the terminal and the loop and dispatches to them. UI thread only. */
#ifndef HEAPSIFT_UI_INTERNAL_H
#define HEAPSIFT_UI_INTERNAL_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "actions.h"
#include "loader.h"
#include "ui.h"
#include "units.h"
#include "view.h"

/* Colour pairs / attributes of each part of the screen (themes are data). */
typedef enum ui_part {
    PART_TITLE,     /* the header line */
    PART_HEADING,   /* column headings, section titles */
    PART_NORMAL,    /* list rows */
    PART_SELECTED,  /* the selected row */
    PART_STATUS,    /* the status line */
    PART_KEYS,      /* the key hints line */
    PART_WARNING,   /* warnings (lines repaired, failures) */
    PART_BAR,       /* progress bars */
    PART_PANE,      /* sort, filter, help panes */
    PART_COUNT
} ui_part;

/* What takes the keys now. */
typedef enum ui_mode {
    MODE_LOADING, /* the loader runs */
    MODE_FAILED,  /* loading failed: the message, and how to leave */
    MODE_BROWSE,  /* a list of the view */
    MODE_SORT,    /* the sort pane over the list */
    MODE_FILTER,  /* the filter pane over the list */
    MODE_HELP,    /* the help pane */
    MODE_PROMPT,  /* a one-line prompt at the bottom (search, export) */
    MODE_TEXT,    /* a pane of text: why a group is retained, the dumps' problems */
} ui_mode;

typedef enum prompt_kind {
    PROMPT_SEARCH,         /* the search text */
    PROMPT_EXPORT,         /* the export file name */
    PROMPT_EXPORT_REPLACE, /* "replace it? (y/n)" */
} prompt_kind;

/* Fields of the obj_filter pane, top to bottom. */
typedef enum filter_field {
    FF_INCLUDE, FF_EXCLUDE, FF_TYPES, FF_MIN_COUNT, FF_GROUP_BY, FF_COUNT
} filter_field;

typedef struct ui {
    loader *loader;            /* the background load (owned by the caller) */
    ui_opts opts;
    view view;                 /* valid once loaded */
    bool view_ready;
    ui_mode mode;
    ui_mode return_mode;       /* where a prompt or pane returns to */
    bool utf8;                 /* the locale can show UTF-8 glyphs */
    attr_t attr[PART_COUNT];   /* the theme in force */
    bool quit;                 /* leave the loop */
    int exit_status;
    double last_progress;      /* when progress was last drawn (throttling) */
    double started;            /* when the explorer started (seconds) */
    char status[256];          /* a message for the status line */
    /* prompt */
    prompt_kind prompt;
    char input[512];           /* what is being typed */
    size_t input_len;
    /* sort pane */
    int sort_cursor;           /* highlighted sort key */
    /* filter pane */
    filter_field ff_cursor;
    char ff_text[FF_COUNT][256];  /* the text of each field as typed */
    obj_filter ff_saved;           /* the filter before the pane opened (Esc restores) */
    group_by ff_saved_by;
    bool ff_error;             /* the types field does not parse */
    /* text pane */
    char *pane_text;           /* what it shows, lines separated by '\n' (owned) */
    size_t pane_rows;          /* screen rows it takes, long lines wrapped
                                  (counted when it is drawn) */
    size_t pane_top;           /* first row shown */
    char pane_title[128];      /* its title */
    int pane_key;              /* the key that opened it, which also closes it */
    char *pane_next;           /* the text being written (ui_pane_begin's stream) */
    size_t pane_next_size;     /* its length, set when the stream is closed */
} ui;

/* ui_text.c: drawing text from dumps safely, and the theme. */
void ui_theme_init(ui *u);
/* Draws s[0..len) at (y, x), escaped (textsafe), clipped to width cells;
 * pads with spaces to width when pad. Returns the cells used. */
int ui_put(WINDOW *w, int y, int x, const char *s, size_t len, int width, bool pad);
int ui_puts(WINDOW *w, int y, int x, const char *s, int width, bool pad);
/* How many bytes of s[0..len) ui_put shows in width cells (whole
 * characters; at least one, so that wrapping always moves on). */
size_t ui_fit(const char *s, size_t len, int width);
/* Like ui_put, but when the text is wider than width its start is replaced
 * by an ellipsis, so the end (a file name and line) stays visible. */
int ui_put_tail(ui *u, WINDOW *w, int y, int x, const char *s, size_t len, int width);
/* Draws an empty pane of h rows and w cells at (y0, x0) in the pane colours
 * with its title in bold on the first row, and leaves the pane attributes
 * set. Returns those attributes. */
attr_t ui_pane(ui *u, int y0, int x0, int h, int w, const char *title);
/* Draws a line of width spaces in attr. */
void ui_fill(WINDOW *w, int y, int x, int width, attr_t attr);

/* Screens and panes. */
void ui_loading_draw(ui *u);
void ui_failed_draw(ui *u);
void ui_list_draw(ui *u);          /* groups, objects, object: the current view */
void ui_sort_draw(ui *u);
bool ui_sort_key(ui *u, int key);  /* true when the key was taken */
void ui_filter_open(ui *u);
void ui_filter_draw(ui *u);
bool ui_filter_key(ui *u, int key);
void ui_help_draw(ui *u);
void ui_why_open(ui *u);
void ui_problems_open(ui *u);
/* Starts writing a text pane: a stream for its text (NULL, with a status
 * message, when out of memory). ui_pane_show then opens it. */
FILE *ui_pane_begin(ui *u);
void ui_pane_show(ui *u, FILE *text, const char *title, int key);
void ui_pane_draw(ui *u);
bool ui_pane_key(ui *u, int key);
void ui_prompt_open(ui *u, prompt_kind kind, const char *initial);
void ui_prompt_draw(ui *u);
bool ui_prompt_key(ui *u, int key);

/* Draws everything for the current mode (no refresh). */
void ui_draw(ui *u);
/* Handles one key in the current mode. */
void ui_key(ui *u, int key);
/* Sets up u for a finished loader: builds the view and enters MODE_BROWSE,
 * or MODE_FAILED. */
void ui_loaded(ui *u);
/* Attaches the latest dump's graph when the loader has it ready, or notes that
 * it failed. */
void ui_graph_news(ui *u);

#endif
