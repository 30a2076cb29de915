/* ui_help.c - the help pane: the keys of the list it was opened over, one
 * row per binding, generated from the key map (actions.h). */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <stdio.h>

static const key_binding help_bindings[] = {
    { ACT_DOWN, "scroll", "scroll down" },
    { ACT_UP, NULL, "scroll up" },
    { ACT_PAGE_DOWN, NULL, NULL },
    { ACT_PAGE_UP, NULL, NULL },
    { ACT_HOME, NULL, "the top" },
    { ACT_END, NULL, "the end" },
    { ACT_QUIT, "close", "close help" },
    { ACT_HELP, NULL, "close help" },
    { ACT_CLOSE, NULL, "close help" },
    { ACT_ACCEPT, NULL, "close help" },
    { ACT_BACK, NULL, "close help" },
    { ACT_QUIT_NOW, NULL, NULL },
};
static const key_map help_map = KEY_MAP("help", help_bindings);

/* The first binding shown, and how many fit (set when drawn). */
static size_t top, shown = 1;

/* The help of the list it is opened over: its key map, one row a binding.
 * It stays clear of the status and key lines, and scrolls when the
 * terminal is too short for it. */
static void help_draw(ui *u)
{
    const key_map *km = ui_list_keys(u);
    int rows = (int)km->n;
    int h = rows + 2 < LINES - 3 ? rows + 2 : LINES - 3;
    int w = COLS - 4 < 86 ? COLS : 86;
    int y0 = (LINES - h) / 2 < LINES - 2 - h ? (LINES - h) / 2 : LINES - 2 - h, x0 = (COLS - w) / 2;
    shown = (size_t)(h - 2 > 1 ? h - 2 : 1);
    if (top + shown > km->n)
        top = km->n > shown ? km->n - shown : 0;
    char title[64];
    snprintf(title, sizeof title, "heapsift keys%s", top + shown < km->n || top ? "  (j/k scroll)" : "");
    ui_pane(u, y0, x0, h, w, title);
    for (size_t k = top; k < km->n && k - top < shown; k++) {
        char line[200];
        snprintf(line, sizeof line, "%-16s %s", action_keys(km->bindings[k].act), keymap_help(km, k));
        ui_puts(stdscr, y0 + 1 + (int)(k - top), x0 + 2, line, w - 4, false);
    }
    attrset(A_NORMAL);
}

static void help_key(ui *u, action act, int key)
{
    (void)key;
    size_t n = ui_list_keys(u)->n, last = n > shown ? n - shown : 0;
    switch (act) {
    case ACT_DOWN: top = top < last ? top + 1 : last; break;
    case ACT_UP: top = top ? top - 1 : 0; break;
    case ACT_PAGE_DOWN: top = top + shown < last ? top + shown : last; break;
    case ACT_PAGE_UP: top = top > shown ? top - shown : 0; break;
    case ACT_HOME: top = 0; break;
    case ACT_END: top = last; break;
    case ACT_QUIT_NOW: u->quit = true; break;
    case ACT_NONE: break;
    default:
        top = 0;
        u->mode = MODE_BROWSE;
        break;
    }
}

static const key_map *help_keys(const ui *u)
{
    (void)u;
    return &help_map;
}

const ui_mode_ops ui_help_mode = { .over_list = true, .draw = help_draw, .key = help_key, .keys = help_keys, .maps = { &help_map } };
