/* ui_help.c - the help pane, generated from the action table. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <stdio.h>

void ui_help_draw(ui *u)
{
    /* The title, then one row per action: fits 80x24. */
    int h = ACT_COUNT + 1 < LINES - 2 ? ACT_COUNT + 1 : LINES - 2;
    int w = COLS - 4 < 86 ? COLS - 4 : 86;
    int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
    ui_pane(u, y0, x0, h, w, "heapsift keys");
    for (int a = 1; a < ACT_COUNT && a < h; a++) {
        char line[200];
        snprintf(line, sizeof line, "%-16s %s", action_keys((action)a), action_help((action)a));
        ui_puts(stdscr, y0 + a, x0 + 2, line, w - 4, false);
    }
    attrset(A_NORMAL);
}
