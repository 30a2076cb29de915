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

static int cursor; /* the highlighted sort key */

void ui_sort_open(ui *u)
{
    cursor = (int)view_sort_current(&u->view);
    u->mode = MODE_SORT;
}

static void sort_draw(ui *u)
{
    view *v = &u->view;
    int nkeys = (int)view_sort_count(v);
    int h = nkeys + 4 < LINES ? nkeys + 4 : LINES;
    int w = 44 < COLS ? 44 : COLS;
    int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
    ui_pane(u, y0, x0, h, w, v->tab == TAB_SUSPECTS ? "Sort suspects by" : "Sort groups by");
    for (int k = 0; k < nkeys && 2 + k < h; k++) {
        char line[80];
        snprintf(line, sizeof line, "%c %-9s %s", k == (int)view_sort_current(v) ? '*' : ' ',
                 view_sort_name(v, (size_t)k), view_sort_help(v, (size_t)k));
        attrset(k == cursor ? u->attr[PART_SELECTED] : (u->attr[PART_PANE] | A_REVERSE));
        ui_puts(stdscr, y0 + 2 + k, x0 + 2, line, w - 4, true);
    }
    attrset(u->attr[PART_PANE] | A_REVERSE);
    char foot[128];
    size_t len = keymap_bar(&sort_map, foot, sizeof foot);
    if (view_sort_reversed(v))
        snprintf(foot + len, sizeof foot - len, "  (reversed)");
    if (h > nkeys + 2)
        ui_puts(stdscr, y0 + h - 1, x0 + 1, foot, w - 3, false);
    attrset(A_NORMAL);
}

static void sort_key(ui *u, action act, int key)
{
    (void)key;
    view *v = &u->view;
    switch (act) {
    case ACT_DOWN:
        if (cursor + 1 < (int)view_sort_count(v))
            cursor++;
        break;
    case ACT_UP:
        if (cursor > 0)
            cursor--;
        break;
    case ACT_HOME: cursor = 0; break;
    case ACT_END: cursor = (int)view_sort_count(v) - 1; break;
    case ACT_ENTER:
        view_sort_by(v, (size_t)cursor);
        u->mode = MODE_BROWSE;
        break;
    case ACT_REVERSE: view_reverse(v); break;
    case ACT_CLOSE:
    case ACT_QUIT:
    case ACT_SORT:
    case ACT_BACK: u->mode = MODE_BROWSE; break;
    case ACT_QUIT_NOW: u->quit = true; break;
    default: break; /* not bound here */
    }
}

static const key_map *sort_keys(const ui *u)
{
    (void)u;
    return &sort_map;
}

const ui_mode_ops ui_sort_mode = { .over_list = true, .draw = sort_draw, .key = sort_key, .keys = sort_keys, .maps = { &sort_map } };
