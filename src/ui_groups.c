/* ui_groups.c - the group list's heading and rows, drawn column by column
 * as columns.c defines them. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <stdio.h>
#include <string.h>

#include "columns.h"

void ui_groups_heading(ui *u, int y);
void ui_groups_row(ui *u, int y, size_t row, bool selected);

void ui_groups_heading(ui *u, int y)
{
    char head[512];
    columns_heading_text(u->view.set, head, sizeof head);
    ui_fill(stdscr, y, 0, COLS, u->attr[PART_HEADING]);
    ui_puts(stdscr, y, 0, head, COLS, false);
}

void ui_groups_row(ui *u, int y, size_t row, bool selected)
{
    const group_set *s = u->view.set;
    const group *g = view_group_at(&u->view, row);
    attr_t a = selected ? u->attr[PART_SELECTED] : u->attr[PART_NORMAL];
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
        case LOOK_TAIL:
            ui_put_tail(u, stdscr, y, x, cell, len, width);
            break;
        }
        x += width + 1;
    }
}
