/* ui_help.c - the help pane: the keys of the list it was opened over, one
 * row per binding, generated from the key map (actions.h). */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <stdio.h>

static void help_draw(ui *u)
{
    keymap km = ui_list_keys(u);
    int rows = (int)keymap_help_count(km);
    /* The title, then one row per binding: fits 80x24. */
    int h = rows + 2 < LINES - 2 ? rows + 2 : LINES - 2;
    int w = COLS - 4 < 86 ? COLS - 4 : 86;
    int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
    ui_pane(u, y0, x0, h, w, "heapsift keys");
    const char *keys, *help;
    for (int k = 0; k + 1 < h && keymap_help(km, (size_t)k, NULL, &keys, &help); k++) {
        char line[200];
        snprintf(line, sizeof line, "%-16s %s", keys, help);
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

static keymap help_keys(const ui *u)
{
    (void)u;
    return KM_HELP;
}

const ui_mode_ops ui_help_mode = { .over_list = true, .draw = help_draw, .key = help_key, .keys = help_keys };
