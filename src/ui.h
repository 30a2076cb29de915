/* ui.h - the explorer: an ncurses interface over a loader and a view.
 *
 * Only the UI thread calls these, and only the UI calls curses.
 */
#ifndef HEAPSIFT_UI_H
#define HEAPSIFT_UI_H

#include <stdbool.h>

#include "filter.h"
#include "group.h"
#include "loader.h"
#include "view.h"
#include "watch.h"

typedef enum ui_color {
    UI_COLOR_AUTO,   /* colours unless NO_COLOR is set or the terminal has none */
    UI_COLOR_NEVER,  /* no colours: bold and reverse only */
    UI_COLOR_ALWAYS, /* colours even when NO_COLOR is set */
} ui_color;

typedef struct ui_opts {
    ui_color color;
    group_by by;            /* initial grouping */
    group_sort_key sort;    /* initial sort */
    bool reverse;
    const obj_filter *filter;   /* initial filter, or NULL */
    view_tab tab;           /* the list shown first (Tab switches) */
    watch *watch;           /* --watch: the folder whose new dumps are added as
                               they arrive (not owned); NULL otherwise */
    const loader_opts *load; /* how to load the dumps (watch mode, the dumps pane) */
    const char *const *paths; /* without watch: the dumps given, oldest first */
    size_t npaths;
} ui_opts;

/* Runs the explorer on the terminal until the person quits. The loader
 * *l must have been started (or, with opts->watch, be NULL when the folder
 * has no dump yet); the explorer shows its progress, then the suspects (or
 * the groups, as opts->tab says). In watch mode the explorer replaces the
 * loader as dumps arrive: *l is then the one shown last (the caller frees
 * it; ui_run frees the others).
 * Returns the process exit status (0, 1 when loading failed, or 128 + the
 * signal that ended it). The terminal is restored on every path. */
int ui_run(loader **l, const ui_opts *opts);

#endif
