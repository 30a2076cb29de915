/* ui_help.c - the help pane: the keys of the list it was opened over, one
 * row per binding, generated from the key map (actions.h). */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <stdio.h>

static const key_binding help_bindings[] = {
    { ACT_QUIT, "close", "close help" },
    { ACT_HELP, NULL, "close help" },
    { ACT_CLOSE, NULL, "close help" },
    { ACT_ACCEPT, NULL, "close help" },
    { ACT_BACK, NULL, "close help" },
    { ACT_QUIT_NOW, NULL, NULL },
};
static const key_map help_map = KEY_MAP("help", help_bindings);

static void help_draw(ui *u)
{
    const key_map *km = ui_list_keys(u);
    int rows = (int)km->n;
    /* The title, then one row per binding: fits 80x24. */
    int h = rows + 2 < LINES - 2 ? rows + 2 : LINES - 2;
    int w = COLS - 4 < 86 ? COLS - 4 : 86;
    int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
    ui_pane(u, y0, x0, h, w, "heapsift keys");
    for (int k = 0; k + 1 < h && k < rows; k++) {
        char line[200];
        snprintf(line, sizeof line, "%-16s %s", action_keys(km->bindings[k].act), keymap_help(km, (size_t)k));
        ui_puts(stdscr, y0 + 1 + k, x0 + 2, line, w - 4, false);
    }
    attrset(A_NORMAL);
}

static void help_key(ui *u, action act, int key)
{
    (void)key;
    if (act == ACT_QUIT_NOW)
        u->quit = true;
    else if (act != ACT_NONE)
        u->mode = MODE_BROWSE;
}

static const key_map *help_keys(const ui *u)
{
    (void)u;
    return &help_map;
}

const ui_mode_ops ui_help_mode = { .over_list = true, .draw = help_draw, .key = help_key, .keys = help_keys, .maps = { &help_map } };
