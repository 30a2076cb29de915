/* ui_suspect.c - one suspect: its holders, its holder's root path and the
 * groups of what it holds, drawn as view_suspect.c lays them out. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "suspects_report.h"

static void heading(ui *u, int y)
{
    const view *v = &u->view;
    size_t r = view_top_c(v)->suspect;
    char head[64], desc[1024];
    snprintf(head, sizeof head, "Suspect %zu: ", r + 1);
    size_t len = suspects_describe(v->session, &v->sp, r, desc, sizeof desc);
    ui_fill(stdscr, y, 0, COLS, u->attr[PART_HEADING]);
    int x = ui_puts(stdscr, y, 0, head, COLS, false);
    ui_put(stdscr, y, x, desc, len, COLS - x, false);
}

static void row_draw(ui *u, int y, size_t row, bool selected)
{
    const view *v = &u->view;
    const orow *r = &view_top_c(v)->srows[row];
    char text[2048];
    size_t len = view_row_text(v, row, text, sizeof text);
    group g;
    if (view_suspect_group_row(v, row, &g)) {
        ui_draw_group(u, y, &g, selected, ui_row_attr(u, row, selected, u->attr[PART_NORMAL]));
        return;
    }
    bool head = (srow_kind)r->kind == SROW_HEADING;
    attr_t a = head && !selected ? u->attr[PART_HEADING] : ui_row_attr(u, row, selected, u->attr[PART_NORMAL]);
    ui_fill(stdscr, y, 0, COLS, a);
    ui_put_from(stdscr, y, 0, text, len, COLS, ui_hscroll(u));
}

/* What it holds, in short. */
static void status(ui *u, char *buf, size_t size)
{
    const view *v = &u->view;
    const suspect *s = &v->sp.rows[view_top_c(v)->suspect];
    snprintf(buf, size, "  holds %" PRIu64 " objects, %.1f%% of the bytes", s->count, s->share * 100);
}

const ui_view_ops ui_suspect_view = {
    .heading = heading,
    .row = row_draw,
    .keys = &ui_suspect_keys,
    .noun = "row",
    .empty = "Nothing here.",
    .status = status,
};
