/* ui_dumps.c - the dumps pane (d): every dump given (or that arrived in the
 * watched folder), those compared marked, and the choice of the first one:
 * from dump k on, dump k is the method's dump 1 and dump k+1 its dump 2
 * (warm-up dumps left out, say). The dumps from the one chosen are loaded
 * again in the background (ui_watch.c swaps the result in, in place). */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"
#include "units.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const key_binding dumps_bindings[] = {
    { ACT_DOWN, NULL, "next dump" },
    { ACT_UP, NULL, "previous dump" },
    { ACT_HOME, NULL, "the first dump" },
    { ACT_END, NULL, "the last dump" },
    { ACT_ENTER, "compare from it", "compare from the dump under the cursor on (it becomes dump 1)" },
    { ACT_CLOSE, "close", "close the pane, changing nothing" },
    { ACT_QUIT, NULL, "close the pane, changing nothing" },
    { ACT_DUMPS, NULL, "close the pane, changing nothing" },
    { ACT_BACK, NULL, "close the pane, changing nothing" },
    { ACT_QUIT_NOW, NULL, NULL },
};
static const key_map dumps_map = KEY_MAP("dumps pane", dumps_bindings);

static size_t cursor; /* the highlighted dump (an index of ui_all_dumps) */

const char *const *ui_all_dumps(const ui *u, size_t *n)
{
    if (u->opts.watch) {
        *n = watch_count(u->opts.watch);
        return watch_paths(u->opts.watch);
    }
    *n = u->opts.npaths;
    return u->opts.paths;
}

void ui_dumps_open(ui *u)
{
    cursor = u->first;
    u->mode = MODE_DUMPS;
}

static void dumps_draw(ui *u)
{
    size_t n;
    const char *const *paths = ui_all_dumps(u, &n);
    size_t compared = u->loader->ndumps;
    int h = (int)n + 5 < LINES - 2 ? (int)n + 5 : LINES - 2;
    int w = COLS - 4 < 100 ? COLS : 100;
    int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
    ui_pane(u, y0, x0, h, w, "Compare from which dump?");
    int rows = h - 4;
    size_t top = cursor >= (size_t)rows ? cursor - (size_t)rows + 1 : 0;
    for (int r = 0; r < rows && top + (size_t)r < n; r++) {
        size_t k = top + (size_t)r;
        bool in = k >= u->first && k < u->first + compared;
        char size[32] = "?";
        struct stat sb;
        if (stat(paths[k], &sb) == 0)
            units_bytes((uint64_t)sb.st_size, size, sizeof size);
        char head[64];
        if (in)
            snprintf(head, sizeof head, "%c dump %-3zu %9s  ", k == u->first ? '*' : ' ', k - u->first + 1, size);
        else
            snprintf(head, sizeof head, "  %-8s %9s  ", "-", size);
        attrset(k == cursor ? u->attr[PART_SELECTED] : (u->attr[PART_PANE] | A_REVERSE));
        int x = ui_puts(stdscr, y0 + 2 + r, x0 + 2, head, w - 4, false);
        ui_put_tail(u, stdscr, y0 + 2 + r, x0 + 2 + x, paths[k], strlen(paths[k]), w - 4 - x);
    }
    attrset(u->attr[PART_PANE] | A_REVERSE);
    char foot[160];
    keymap_bar(&dumps_map, foot, sizeof foot);
    ui_puts(stdscr, y0 + h - 1, x0 + 1, foot, w - 3, false);
    attrset(A_NORMAL);
}

static void dumps_key(ui *u, action act, int key)
{
    (void)key;
    size_t n;
    ui_all_dumps(u, &n);
    switch (act) {
    case ACT_DOWN:
        if (cursor + 1 < n)
            cursor++;
        break;
    case ACT_UP:
        if (cursor > 0)
            cursor--;
        break;
    case ACT_HOME: cursor = 0; break;
    case ACT_END: cursor = n ? n - 1 : 0; break;
    case ACT_ENTER:
        u->mode = MODE_BROWSE;
        ui_compare_from(u, cursor);
        break;
    case ACT_CLOSE:
    case ACT_QUIT:
    case ACT_DUMPS:
    case ACT_BACK: u->mode = MODE_BROWSE; break;
    case ACT_QUIT_NOW: u->quit = true; break;
    default: break; /* not bound here */
    }
}

static const key_map *dumps_keys(const ui *u)
{
    (void)u;
    return &dumps_map;
}

const ui_mode_ops ui_dumps_mode = {
    .over_list = true, .draw = dumps_draw, .key = dumps_key, .keys = dumps_keys, .maps = { &dumps_map }
};
