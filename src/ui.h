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
} ui_opts;

/* Runs the explorer on the terminal until the person quits. The loader
 * must have been started; the explorer shows its progress, then the
 * suspects (or the groups, as opts->tab says).
 * Returns the process exit status (0, 1 when loading failed, or 128 + the
 * signal that ended it). The terminal is restored on every path. */
int ui_run(loader *l, const ui_opts *opts);

#endif
