/* ui_suspects.c - the Suspects list: what holds the retained objects, a
 * row per suspect with its share of the retained bytes as a bar; while the
 * graph is read, its progress, and that Tab shows the groups meanwhile. */
#define _GNU_SOURCE /* memrchr */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void heading(ui *u, int y)
{
    char head[256];
    view_suspects_heading(head, sizeof head);
    ui_fill(stdscr, y, 0, COLS, u->attr[PART_HEADING]);
    ui_puts(stdscr, y, 0, head, COLS, false);
}

static void row_draw(ui *u, int y, size_t row, bool selected)
{
    char text[2048];
    size_t len = view_suspects_row_text(&u->view, row, u->utf8, text, sizeof text);
    attr_t a = ui_row_attr(u, row, selected, u->attr[PART_NORMAL]);
    ui_fill(stdscr, y, 0, COLS, a);
    ui_put_from(stdscr, y, 0, text, len, COLS, ui_hscroll(u));
}

/* Until the suspects are found: why not yet, and what to do meanwhile. */
static void placeholder(ui *u, int y)
{
    const view *v = &u->view;
    char line[640];
    if (v->graph_pending) {
        int percent;
        if (ui_graph_progress(u, &percent))
            snprintf(line, sizeof line, "Finding what holds the retained objects: dump %zu's dominator tree...",
                     v->session->ndumps);
        else
            snprintf(line, sizeof line, "Finding what holds the retained objects: reading dump %zu's references %d%%",
                     v->session->ndumps, percent);
        mvaddstr(y, 2, line);
        mvaddstr(y + 2, 2, "Tab shows the groups (where they were allocated) meanwhile.");
        return;
    }
    const char *why = v->graph_error[0] ? v->graph_error : v->sp_error;
    if (why[0] || !v->session->graph)
        snprintf(line, sizeof line, "No suspects: %s", why[0] ? why : "the reference graph could not be read (see the status line)");
    else
        snprintf(line, sizeof line, "No suspect: nothing retained, or the filter hides everything (f).");
    /* Wrapped: a reason (out of memory, and how much was needed) is long. */
    int width = COLS - 4, rows = 0;
    for (size_t at = 0, len = strlen(line); at < len && rows < LINES - y - 5; rows++) {
        size_t n = ui_fit(line + at, len - at, width);
        if (at + n < len) {
            const char *space = memrchr(line + at, ' ', n);
            if (space && space > line + at)
                n = (size_t)(space - (line + at)) + 1;
        }
        ui_put(stdscr, y + rows, 2, line + at, n, width, false);
        at += n;
    }
    mvaddstr(y + rows + 1, 2, "Tab shows the groups.");
}

/* The sort in force. */
static void status(ui *u, char *buf, size_t size)
{
    const view *v = &u->view;
    snprintf(buf, size, "  sort %s%s", view_sort_name(v, view_sort_current(v)),
             view_sort_reversed(v) ? " (reversed)" : "");
}

const ui_view_ops ui_suspects_view = {
    .status = status,
    .heading = heading,
    .row = row_draw,
    .keys = &ui_suspects_keys,
    .noun = "suspect",
    .empty = "",
    .placeholder = placeholder,
};
