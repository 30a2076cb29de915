/* ui_internal.h - what the explorer's screens share. Each mode (a screen or
 * a pane) is a table of its draw and key functions and its key map, each
 * kind of list one of heading and row drawing; ui.c owns the terminal and
 * the loop and dispatches through the tables. UI thread only. */
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
    PART_MATCH,     /* rows that match the search in force */
    PART_COUNT
} ui_part;

/* The modes: what takes the keys and what is drawn now. X(ID, OPS): each
 * mode's file defines `const ui_mode_ops OPS` (its draw and key functions
 * and its key map); ui.c dispatches through the table. A new pane is its
 * file and one row here. */
#define UI_MODES(X)                                                          \
    X(MODE_WATCHING, ui_watching_mode) /* --watch: no dump yet (ui_watch.c) */ \
    X(MODE_LOADING, ui_loading_mode) /* the loader runs (ui_loading.c) */    \
    X(MODE_FAILED, ui_failed_mode)   /* loading failed (ui_loading.c) */     \
    X(MODE_BROWSE, ui_browse_mode)   /* the current list (ui_list.c) */      \
    X(MODE_SORT, ui_sort_mode)       /* the sort pane (ui_sort.c) */         \
    X(MODE_FILTER, ui_filter_mode)   /* the filter pane (ui_filter.c) */     \
    X(MODE_HELP, ui_help_mode)       /* the help pane (ui_help.c) */         \
    X(MODE_DUMPS, ui_dumps_mode)     /* the dumps pane (ui_dumps.c) */       \
    X(MODE_PROMPT, ui_prompt_mode)   /* a one-line prompt (ui_prompt.c) */   \
    X(MODE_TEXT, ui_text_mode)       /* a pane of text: why, problems (ui_pane.c) */

typedef enum ui_mode {
#define UI_MODE_ENUM(id, ops) id,
    UI_MODES(UI_MODE_ENUM)
#undef UI_MODE_ENUM
    MODE_COUNT
} ui_mode;

typedef struct ui ui;

typedef struct ui_mode_ops {
    bool over_list;                  /* drawn over the current list (a pane) */
    void (*draw)(ui *u);             /* draws the mode (after the list, when over it) */
    void (*key)(ui *u, action act, int key); /* a key; act is its action in the
                                                mode's key map (ACT_NONE when unbound) */
    const key_map *(*keys)(const ui *u); /* the key map in force */
    const key_map *maps[5];          /* every key map it uses (NULL-ended when fewer) */
} ui_mode_ops;

#define UI_MODE_DECL(id, ops) extern const ui_mode_ops ops;
UI_MODES(UI_MODE_DECL)
#undef UI_MODE_DECL

/* What the prompt asks for. */
typedef enum prompt_kind {
    PROMPT_SEARCH,         /* the search text */
    PROMPT_EXPORT,         /* the export file name */
    PROMPT_EXPORT_REPLACE, /* "replace it? (y/n)" */
} prompt_kind;

/* Fields of the filter pane, top to bottom. */
typedef enum filter_field {
    FF_INCLUDE, FF_EXCLUDE, FF_TYPES, FF_MIN_COUNT, FF_GROUP_BY, FF_COUNT
} filter_field;

/* What the explorer as a whole holds. Each pane keeps its own state in its
 * own file (the sort pane's cursor, the filter pane's fields, the prompt's
 * text, the text pane's lines); ui_release frees it. */
struct ui {
    loader *loader;            /* the load shown (owned by ui_run's caller, which
                                  gets back the one shown last; NULL while watch
                                  mode waits for a first dump) */
    loader *next;              /* the load that replaces loader once it has ended:
                                  of the dumps that arrived over loader's (watch
                                  mode, loader_start_more), or of the dumps from
                                  another first one (the dumps pane); owned; NULL
                                  when none runs */
    size_t first;              /* the dumps compared start at this index of
                                  ui_all_dumps (the dumps pane moves it) */
    size_t next_first;         /* ... and those of next */
    ui_opts opts;
    view view;                 /* valid once loaded */
    bool view_ready;
    ui_mode mode;
    bool utf8;                 /* the locale can show UTF-8 glyphs */
    attr_t attr[PART_COUNT];   /* the theme in force */
    bool quit;                 /* leave the loop */
    int exit_status;
    bool cancelled;            /* the person stopped the load (said on leaving) */
    view_tab tab;              /* the tab to show once loaded (Tab while loading) */
    int hscroll;               /* cells the rows of the list shown are scrolled
                                  sideways ([ and ]) */
    size_t hscroll_depth;      /* ... for the frame at this depth of this tab: */
    view_tab hscroll_tab;      /*     another list starts unscrolled */
    double last_progress;      /* when progress was last drawn (throttling) */
    double started;            /* when the explorer started (seconds) */
    char status[256];          /* a message for the status line */
};

/* How each kind of list is drawn: X-macro over view.h's VIEW_KINDS gives
 * one row per kind, defined in that kind's file (ui_groups.c ...). */
typedef struct ui_view_ops {
    void (*heading)(ui *u, int y);   /* the column headings, on row y */
    void (*row)(ui *u, int y, size_t row, bool selected); /* one row */
    const key_map *keys;             /* the key map while it is shown */
    const char *noun;                /* what a row is, for the status line */
    const char *empty;               /* what an empty list says */
    /* Draws what an empty list shows from row y instead (NULL: empty). */
    void (*placeholder)(ui *u, int y);
    /* What the status line adds after "noun N/M" (NULL: nothing). */
    void (*status)(ui *u, char *buf, size_t size);
} ui_view_ops;

#define UI_VIEW_DECL(id, name) extern const ui_view_ops ui_##name##_view;
VIEW_KINDS(UI_VIEW_DECL)
#undef UI_VIEW_DECL

/* ui_text.c: drawing text from dumps safely, and the theme. */
void ui_theme_init(ui *u);
/* Draws s[0..len) at (y, x), escaped (textsafe), clipped to width cells;
 * pads with spaces to width when pad. Returns the cells used. */
int ui_put(WINDOW *w, int y, int x, const char *s, size_t len, int width, bool pad);
int ui_puts(WINDOW *w, int y, int x, const char *s, int width, bool pad);
/* How many bytes of s[0..len) ui_put shows in width cells (whole
 * characters; at least one, so that wrapping always moves on). */
size_t ui_fit(const char *s, size_t len, int width);
/* ui_put without the first `skip` cells of the escaped text (a row
 * scrolled sideways). */
int ui_put_from(WINDOW *w, int y, int x, const char *s, size_t len, int width, int skip);
/* How far the list shown is scrolled sideways (0 for a list just opened). */
int ui_hscroll(ui *u);
/* Enter on a member of the object view: its whole value in a text pane. */
void ui_value_open(ui *u);
/* ui_put and ui_fit for text that is escaped already (a text pane's,
 * written by textsafe): drawn as it is, so its backslashes stay single. */
int ui_put_escaped(WINDOW *w, int y, int x, const char *s, size_t len, int width);
size_t ui_fit_escaped(const char *s, size_t len, int width);
/* Like ui_put, but when the text is wider than width its start is replaced
 * by an ellipsis, so the end (a file name and line) stays visible. */
int ui_put_tail(ui *u, WINDOW *w, int y, int x, const char *s, size_t len, int width);
/* A group's label in width cells: as ui_put_tail for a path (path true:
 * site, file and method groupings), but keeping a method's name ("call in
 * ...") and a gem's name and version ("rack-2.2.4/...utils.rb:12") in view;
 * other labels (a class, a gem) are cut at the end. */
int ui_put_label(ui *u, WINDOW *w, int y, int x, const char *s, size_t len, int width, bool path);
/* Draws an empty pane of h rows and w cells at (y0, x0) in the pane colours
 * with its title in bold on the first row, and leaves the pane attributes
 * set. Returns those attributes. */
attr_t ui_pane(ui *u, int y0, int x0, int h, int w, const char *title);
/* Draws a line of width spaces in attr. */
void ui_fill(WINDOW *w, int y, int x, int width, attr_t attr);

/* Panes: opening one switches the mode. */
void ui_sort_open(ui *u);
void ui_filter_open(ui *u);
void ui_why_open(ui *u);
void ui_problems_open(ui *u);
/* Starts writing a text pane: a stream for its text (NULL, with a status
 * message, when out of memory). ui_pane_show then opens it; `key`, the key
 * that opened it, closes it too. */
FILE *ui_pane_begin(ui *u);
void ui_pane_show(ui *u, FILE *text, const char *title, int key);
/* Drops what was written since ui_pane_begin: the pane shown stays. */
void ui_pane_cancel(FILE *text);

/* A pane that chooses a row (ui_pane.c): the sort pane, the dumps pane.
 * It sits in the middle of the screen over the list; a cursor moves over
 * its rows (Down, Up, Home, End), the cursor's row highlighted, Enter
 * picks that row, Esc, q, Back (h, Left, Backspace) and the key that
 * opened the pane close it, and Q leaves the explorer. Each pane keeps its
 * cursor, its key map (the same keys in its own words, and any key of its
 * own) and the drawing of one row. */

/* What a key did in a choice pane. */
typedef enum ui_choice_result {
    CHOICE_STAYS,  /* the cursor moved, or did not: the pane stays open */
    CHOICE_PICKED, /* Enter: the pane closed (MODE_BROWSE); the caller acts on
                      the row under the cursor */
    CHOICE_CLOSED, /* the pane closed choosing nothing, or the explorer is
                      leaving (u->quit; the mode stays) */
    CHOICE_OTHER,  /* not a key every choice pane has: the pane's own (r in
                      the sort pane), or one it does not bind */
} ui_choice_result;

/* Handles act (from the pane's key map) over nrows rows, moving *cursor;
 * opener is the action of the key that opened the pane (ACT_SORT,
 * ACT_DUMPS), which closes it too. */
ui_choice_result ui_choice_key(ui *u, size_t *cursor, size_t nrows, action opener, action act);
/* Draws the empty pane, h rows and w cells in the middle of the screen,
 * titled (ui_pane), and sets *y0 and *x0 to its top left corner. */
void ui_choice_frame(ui *u, int h, int w, const char *title, int *y0, int *x0);
/* Draws row k of a choice pane on line y from column x, in width cells,
 * in the attributes set for it (the cursor's row or another). */
typedef void ui_choice_row_fn(ui *u, int y, int x, int width, size_t k);
/* Draws the pane's rows (nrows of them) with row() on at most `lines` lines
 * from line y, scrolled so that the cursor's row is shown (on the last line
 * when it is below them), and leaves the pane's attributes set. */
void ui_choice_rows(ui *u, int y, int x, int width, int lines, size_t nrows, size_t cursor, ui_choice_row_fn *row);
/* Draws the pane's foot on line y from column x in width cells: the key
 * bar of keys, then `more`, in the pane's attributes, which stay set. */
void ui_choice_foot(ui *u, int y, int x, int width, const key_map *keys, const char *more);
void ui_prompt_open(ui *u, prompt_kind kind, const char *initial);
/* The export prompt for something other than the view: write(out, ctx)
 * writes it (to the file named, atomically, as report_atomic_write does);
 * name is the file proposed. Returns to the mode it was opened from. */
void ui_prompt_export(ui *u, const char *name, hs_status (*write)(FILE *out, void *ctx, hs_error *err), void *ctx);

/* y and o (ui_handoff.c): copy the selected row's address or location
 * with OSC 52; open its source file in $VISUAL or $EDITOR. */
void ui_copy(ui *u);
void ui_open_source(ui *u);

/* What the panes hold, for the tests. */
const char *ui_filter_text(filter_field k);
filter_field ui_filter_cursor(void);
bool ui_filter_error(void);
const char *ui_prompt_input(void);
prompt_kind ui_prompt_kind(void);

/* The attributes of a list row: selected, matching the search, or `plain`. */
attr_t ui_row_attr(ui *u, size_t row, bool selected, attr_t plain);

/* Draws "Suspects | Groups" at (y, x), the tab `shown` marked; returns the
 * cells used. */
int ui_draw_tabs(ui *u, int y, int x, view_tab shown);

/* Draws group g of the view's set on row y as the group list does, in a
 * (ui_groups.c): the suspect view's groups too. */
void ui_draw_group(ui *u, int y, const group *g, bool selected, attr_t a);

/* How far the graph pass is: the percent of the latest dump's references
 * read; true once they all are and the dominators are being computed. */
bool ui_graph_progress(const ui *u, int *percent);

/* The list of the current view: title, headings, rows, status, key bar. */
void ui_list_draw(ui *u);
/* A status message too long for the status line (an export's error with a
 * long path), whole, wrapped over the rows above it: drawn last, over any
 * pane, until the next key clears the message. */
void ui_list_draw_long_status(ui *u);
/* The key map of the list shown. */
const key_map *ui_list_keys(const ui *u);
/* The lists' key maps (ui_list.c), one per kind of list. */
extern const key_map ui_groups_keys, ui_objects_keys, ui_object_keys, ui_suspects_keys, ui_suspect_keys;
/* A mode's table (for the tests). */
const ui_mode_ops *ui_mode_of(ui_mode m);

/* Draws everything for the current mode (no refresh). */
void ui_draw(ui *u);
/* Handles one key in the current mode. */
void ui_key(ui *u, int key);
/* Sets up u for a finished loader: builds the view and enters MODE_BROWSE,
 * or MODE_FAILED. */
void ui_loaded(ui *u);
/* Attaches the latest dump's graph, or every dump's sites for the trends,
 * when the loader has them ready, or notes that they failed. */
void ui_graph_news(ui *u);
/* Watch mode and the dumps pane (ui_watch.c). On an event of the watched folder or its
 * timeout: takes the dumps that are complete, starts the first load or a
 * load of the new ones. */
void ui_watch_check(ui *u);
/* When the load of new dumps has ended: its view replaces the one shown
 * (in MODE_BROWSE only; else later), or its failure is said. True when
 * something changed. */
bool ui_watch_news(ui *u);
/* How long the loop may sleep for the watch (-1: until an event). */
int ui_watch_timeout_ms(const ui *u);
/* What the status line's right end says of the watch ("" when nothing). */
void ui_watch_status(const ui *u, char *buf, size_t size);

/* The dumps pane (ui_dumps.c): every dump given or arrived, n of them. */
const char *const *ui_all_dumps(const ui *u, size_t *n);
void ui_dumps_open(ui *u);
/* Takes the sizes of the dumps that arrived while the pane is open (watch
 * mode: called when the watch has news, never while drawing). */
void ui_dumps_arrived(ui *u);
/* Frees what the pane keeps (the sizes taken). */
void ui_dumps_release(void);
/* Loads the dumps from index k of ui_all_dumps on in the background, to
 * replace the comparison shown (ui_watch.c). */
void ui_compare_from(ui *u, size_t k);

/* Frees what the view and the panes hold. */
void ui_release(ui *u);
/* Each pane's share of ui_release. */
void ui_filter_release(void);
void ui_pane_release(void);

#endif
