/* ui_groups.c - the group list's heading and rows, drawn column by column
 * as columns.c defines them. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "columns.h"

static void heading(ui *u, int y)
{
    const group_set *s = u->view.set;
    char head[512];
    columns_heading_text(s, head, sizeof head);
    ui_fill(stdscr, y, 0, COLS, u->attr[PART_HEADING]);
    ui_puts(stdscr, y, 0, head, COLS, false);
    /* The column the list is sorted by is marked, as htop marks it. */
    column_id shown[COL_COUNT_ALL];
    size_t n = columns_shown(s, shown);
    int x = 0;
    for (size_t k = 0; k < n && x < COLS; k++) {
        int width = k + 1 == n ? COLS - x : column_width(s, shown[k]);
        if (column_is_sorted(s, shown[k])) {
            char text[64], padded[256];
            size_t len = column_heading(s, shown[k], text, sizeof text);
            size_t plen = column_padded(s, shown[k], text, len, padded, sizeof padded);
            attrset(u->attr[PART_HEADING] | A_UNDERLINE | A_REVERSE);
            ui_put(stdscr, y, x, padded, plen, width, false);
            attrset(u->attr[PART_HEADING]);
        }
        x += width + 1;
    }
}

static void row_draw(ui *u, int y, size_t row, bool selected)
{
    ui_draw_group(u, y, view_group_at(&u->view, row), selected, ui_row_attr(u, row, selected, u->attr[PART_NORMAL]));
}

void ui_draw_group(ui *u, int y, const group *g, bool selected, attr_t a)
{
    const group_set *s = u->view.set;
    ui_fill(stdscr, y, 0, COLS, a);
    column_id shown[COL_COUNT_ALL];
    size_t n = columns_shown(s, shown);
    int x = 0;
    for (size_t k = 0; k < n && x < COLS; k++) {
        char cell[2048];
        size_t len = column_cell(s, g, shown[k], u->utf8, cell, sizeof cell);
        int width = k + 1 == n ? COLS - x : column_width(s, shown[k]);
        switch (column_look_of(shown[k])) {
        case LOOK_TEXT: {
            char padded[256];
            size_t plen = column_padded(s, shown[k], cell, len, padded, sizeof padded);
            ui_put(stdscr, y, x, padded, plen, COLS - x, false);
            break;
        }
        case LOOK_GLYPHS:
            if (!selected)
                attrset(u->attr[PART_BAR]);
            /* Glyphs are ours, not the dump's: no escaping needed. */
            mvaddstr(y, x, cell);
            attrset(a);
            break;
        case LOOK_TAIL: {
            const char *by = group_by_name(s->by);
            bool path = s->by == GROUP_SITE || strcmp(by, "file") == 0 || strcmp(by, "method") == 0;
            ui_put_label(u, stdscr, y, x, cell, len, width, path);
            break;
        }
        }
        x += width + 1;
    }
}

/* The grouping, sort and filter in force. */
static void status(ui *u, char *buf, size_t size)
{
    const group_set *s = u->view.set;
    int len = snprintf(buf, size, "  by %s  sort %s%s%s", group_by_name(s->by), group_sort_name(s->sort),
                       s->reverse ? " (reversed)" : "",
                       (u->view.graph_pending && group_sort_needs(s->sort) == SORT_NEEDS_GRAPH) ||
                               (u->view.trends_pending && group_sort_needs(s->sort) == SORT_NEEDS_TRENDS)
                           ? " (count order for now)"
                           : "");
#define ADD(...)                                                        \
    do {                                                                \
        if (len >= 0 && (size_t)len < size)                             \
            len += snprintf(buf + len, size - (size_t)len, __VA_ARGS__); \
    } while (0)
    if (s->filter.include)
        ADD("  filter %s", s->filter.include);
    if (s->filter.exclude)
        ADD("  excluding %s", s->filter.exclude);
    if (s->filter.types_set)
        ADD("  types limited");
    if (s->filter.min_count > 1)
        ADD("  min %" PRIu64, s->filter.min_count);
#undef ADD
}

const ui_view_ops ui_groups_view = {
    .status = status,
    .heading = heading,
    .row = row_draw,
    .keys = &ui_groups_keys,
    .noun = "group",
    .empty = "No group: nothing retained, or the filter hides everything (f).",
};
