/* ui_sort.c - the sort pane: pick the key the groups are sorted by; the
 * list re-sorts in place and keeps the selected group selected. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <stdio.h>
#include <string.h>

static const key_binding sort_bindings[] = {
    { ACT_DOWN, NULL, "next key" },
    { ACT_UP, NULL, "previous key" },
    { ACT_HOME, NULL, "the first key" },
    { ACT_END, NULL, "the last key" },
    { ACT_ENTER, "choose", "sort by the key under the cursor" },
    { ACT_REVERSE, "reverse", NULL },
    { ACT_CLOSE, "close", "close the pane" },
    { ACT_QUIT, NULL, "close the pane" },
    { ACT_SORT, NULL, "close the pane" },
    { ACT_BACK, NULL, "close the pane" },
    { ACT_QUIT_NOW, NULL, NULL },
};
static const key_map sort_map = KEY_MAP("sort pane", sort_bindings);

static size_t cursor; /* the highlighted sort key */

void ui_sort_open(ui *u)
{
    cursor = view_sort_current(&u->view);
    u->mode = MODE_SORT;
}

static void sort_row(ui *u, int y, int x, int width, size_t k)
{
    view *v = &u->view;
    char line[80];
    snprintf(line, sizeof line, "%c %-9s %s", k == view_sort_current(v) ? '*' : ' ', view_sort_name(v, k),
             view_sort_help(v, k));
    ui_puts(stdscr, y, x, line, width, true);
}

static void sort_draw(ui *u)
{
    view *v = &u->view;
    int nkeys = (int)view_sort_count(v);
    int h = nkeys + 4 < LINES ? nkeys + 4 : LINES;
    int w = 44 < COLS ? 44 : COLS;
    int y0, x0;
    ui_choice_frame(u, h, w, v->tab == TAB_SUSPECTS ? "Sort suspects by" : "Sort groups by", &y0, &x0);
    ui_choice_rows(u, y0 + 2, x0 + 2, w - 4, h - 2, (size_t)nkeys, cursor, sort_row);
    /* The foot, when the rows leave it a line. */
    if (h > nkeys + 2)
        ui_choice_foot(u, y0 + h - 1, x0 + 1, w - 3, &sort_map, view_sort_reversed(v) ? "  (reversed)" : "");
    attrset(A_NORMAL);
}

static void sort_key(ui *u, action act, int key)
{
    (void)key;
    view *v = &u->view;
    switch (ui_choice_key(u, &cursor, view_sort_count(v), ACT_SORT, act)) {
    case CHOICE_PICKED: view_sort_by(v, cursor); break;
    case CHOICE_OTHER:
        if (act == ACT_REVERSE)
            view_reverse(v);
        break;
    case CHOICE_STAYS:
    case CHOICE_CLOSED: break;
    }
}

static const key_map *sort_keys(const ui *u)
{
    (void)u;
    return &sort_map;
}

const ui_mode_ops ui_sort_mode = { .over_list = true, .draw = sort_draw, .key = sort_key, .keys = sort_keys, .maps = { &sort_map } };
