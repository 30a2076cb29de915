/* ui_sort.c - the sort pane: pick the key the groups are sorted by; the
 * list re-sorts in place and keeps the selected group selected. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <stdio.h>

void ui_sort_draw(ui *u)
{
    view *v = &u->view;
    int h = SORT_KEY_COUNT + 4 < LINES ? SORT_KEY_COUNT + 4 : LINES;
    int w = 44 < COLS ? 44 : COLS;
    int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
    ui_pane(u, y0, x0, h, w, "Sort groups by");
    for (int k = 0; k < SORT_KEY_COUNT && 2 + k < h; k++) {
        char line[80];
        snprintf(line, sizeof line, "%c %-9s %s", k == (int)v->set->sort ? '*' : ' ',
                 group_sort_name((group_sort_key)k), group_sort_help((group_sort_key)k));
        attrset(k == u->sort_cursor ? u->attr[PART_SELECTED] : (u->attr[PART_PANE] | A_REVERSE));
        ui_puts(stdscr, y0 + 2 + k, x0 + 2, line, w - 4, true);
    }
    attrset(u->attr[PART_PANE] | A_REVERSE);
    char foot[80];
    snprintf(foot, sizeof foot, "Enter choose  r reverse%s  Esc close", v->set->reverse ? " (on)" : "");
    if (h > SORT_KEY_COUNT + 2)
        ui_puts(stdscr, y0 + h - 1, x0 + 2, foot, w - 4, false);
    attrset(A_NORMAL);
}

bool ui_sort_key(ui *u, int key)
{
    view *v = &u->view;
    switch (action_for_key(key)) {
    case ACT_DOWN:
        if (u->sort_cursor + 1 < SORT_KEY_COUNT)
            u->sort_cursor++;
        return true;
    case ACT_UP:
        if (u->sort_cursor > 0)
            u->sort_cursor--;
        return true;
    case ACT_ENTER:
        view_set_sort(v, (group_sort_key)u->sort_cursor);
        u->mode = MODE_BROWSE;
        return true;
    case ACT_REVERSE:
        view_toggle_reverse(v);
        return true;
    case ACT_QUIT:
    case ACT_SORT:
    case ACT_BACK:
        u->mode = MODE_BROWSE;
        return true;
    case ACT_QUIT_NOW:
        u->quit = true;
        return true;
    default:
        if (key == 27) {
            u->mode = MODE_BROWSE;
            return true;
        }
        return false;
    }
}
