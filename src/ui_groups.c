/* ui_groups.c - rows of the group list: count, bytesize, memsize, type,
 * the trend across dumps, and the group's key (the allocation site). */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void ui_groups_heading(ui *u, int y);
void ui_groups_row(ui *u, int y, size_t row, bool selected);

static bool has_trends(const view *v)
{
    return v->session->ndumps >= 3 && v->set->ngroups && v->set->groups[0].trend;
}

/* Cells of the trend column: a glyph per dump, at least the heading. */
static int trend_width(const view *v)
{
    return has_trends(v) ? (v->session->ndumps > 5 ? (int)v->session->ndumps : 5) + 1 : 0;
}

void ui_groups_heading(ui *u, int y)
{
    view *v = &u->view;
    char head[256];
    int tw = trend_width(v);
    snprintf(head, sizeof head, "%8s %9s %9s%s %-8s %-*s%s", "COUNT", "BYTESIZE", "MEMSIZE",
             v->set->has_retained ? "  RETAINED" : "", group_shows_type(v->set) ? "TYPE" : "", tw, tw ? "TREND" : "",
             v->set->by == GROUP_SITE ? "LOCATION" : group_by_name(v->set->by));
    ui_fill(stdscr, y, 0, COLS, u->attr[PART_HEADING]);
    ui_puts(stdscr, y, 0, head, COLS, false);
}

void ui_groups_row(ui *u, int y, size_t row, bool selected)
{
    view *v = &u->view;
    const group *g = view_group_at(v, row);
    attr_t a = selected ? u->attr[PART_SELECTED] : u->attr[PART_NORMAL];
    ui_fill(stdscr, y, 0, COLS, a);
    char bytes[16], mem[16], kept[32] = "", cols[128];
    units_bytes(g->bytesize, bytes, sizeof bytes);
    units_bytes(g->memsize, mem, sizeof mem);
    if (v->set->has_retained) {
        char r[16];
        units_bytes(g->retained, r, sizeof r);
        snprintf(kept, sizeof kept, " %9s", r);
    }
    snprintf(cols, sizeof cols, "%8" PRIu64 " %9s %9s%s %-8s ", g->count, bytes, mem, kept,
             group_type_name(v->set, g));
    int x = ui_puts(stdscr, y, 0, cols, COLS, false);
    if (has_trends(v)) {
        char trend[64];
        view_trend_glyphs(v, g, u->utf8, trend, sizeof trend);
        if (!selected)
            attrset(u->attr[PART_BAR]);
        /* Glyphs are ours, not the dump's: no escaping needed. */
        mvaddstr(y, x, trend);
        attrset(a);
        x += trend_width(v);
    }
    char label[2048];
    size_t len;
    group_label(v->set, g, label, sizeof label, &len);
    ui_put_tail(u, stdscr, y, x, label, len, COLS - x);
}
