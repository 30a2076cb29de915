/* ui_dumps.c - the dumps pane (d): every dump given (or that arrived in the
 * watched folder), those compared marked, and the choice of the first one:
 * from dump k on, dump k is the method's dump 1 and dump k+1 its dump 2
 * (warm-up dumps left out, say). The dumps from the one chosen are loaded
 * again in the background (ui_watch.c swaps the result in, in place).
 * Each file's size is taken once, when the pane opens: drawing reads no
 * file. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"
#include "units.h"

#include <stdio.h>
#include <stdlib.h>
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

/* A dump's file size, taken when the pane opened: drawing reads no file. */
typedef struct dump_size {
    char *path;     /* the dump (a copy, owned: the watch frees the path of a
                       dump it drops while the pane is open) */
    uint64_t bytes; /* the file's size then (compressed, for a .gz) */
    bool known;     /* false when stat() failed: the pane shows "?" */
} dump_size;

/* The pane open now (UI thread only). */
static struct {
    size_t cursor;     /* the highlighted dump (an index of ui_all_dumps) */
    dump_size *sizes;  /* every dump listed when the pane opened, in the
                          list's order (owned; NULL once it closes) */
    size_t nsizes;     /* how many */
} dumps;

const char *const *ui_all_dumps(const ui *u, size_t *n)
{
    if (u->opts.watch) {
        *n = watch_count(u->opts.watch);
        return watch_paths(u->opts.watch);
    }
    *n = u->opts.npaths;
    return u->opts.paths;
}

void ui_dumps_release(void)
{
    for (size_t k = 0; k < dumps.nsizes; k++)
        free(dumps.sizes[k].path);
    free(dumps.sizes);
    dumps.sizes = NULL;
    dumps.nsizes = 0;
}

/* Takes the size of path into *s. */
static void take_size(dump_size *s, const char *path)
{
    struct stat sb;
    s->path = hs_xstrndup(path, strlen(path));
    s->known = stat(path, &sb) == 0;
    s->bytes = s->known ? (uint64_t)sb.st_size : 0;
}

void ui_dumps_open(ui *u)
{
    size_t n;
    const char *const *paths = ui_all_dumps(u, &n);
    ui_dumps_release();
    dumps.sizes = hs_xcalloc(n, sizeof *dumps.sizes);
    for (size_t k = 0; k < n; k++)
        take_size(&dumps.sizes[k], paths[k]);
    dumps.nsizes = n;
    dumps.cursor = u->first;
    u->mode = MODE_DUMPS;
}

static const dump_size *size_taken(const char *path, size_t k);

void ui_dumps_arrived(ui *u)
{
    if (u->mode != MODE_DUMPS)
        return;
    size_t n;
    const char *const *paths = ui_all_dumps(u, &n);
    /* Dumps arrive at the end of the list: those after the last one known. */
    size_t known = n;
    while (known > 0 && !size_taken(paths[known - 1], 0))
        known--;
    if (known == n)
        return;
    dump_size *grown = hs_xrealloc(dumps.sizes, (dumps.nsizes + n - known) * sizeof *grown);
    dumps.sizes = grown;
    for (size_t k = known; k < n; k++)
        take_size(&dumps.sizes[dumps.nsizes++], paths[k]);
}

/* The size taken of dump k of ui_all_dumps, path; NULL for a dump not
 * seen yet. The list only grows at its end and loses dumps the watch
 * drops, so a dump is at index k of the list taken or after it. */
static const dump_size *size_taken(const char *path, size_t k)
{
    for (size_t j = k; j < dumps.nsizes; j++)
        if (strcmp(dumps.sizes[j].path, path) == 0)
            return &dumps.sizes[j];
    return NULL;
}

/* Row k: whether it is compared (and which dump of the comparison), its
 * size, its path. */
static void dump_row(ui *u, int y, int x, int width, size_t k)
{
    size_t n;
    const char *const *paths = ui_all_dumps(u, &n);
    bool in = k >= u->first && k < u->first + u->loader->ndumps;
    /* Blank for a dump that arrived since the pane opened, until the
     * watch's news are taken (ui_dumps_arrived). */
    const dump_size *taken = size_taken(paths[k], k);
    char size[32] = "?";
    if (!taken)
        size[0] = '\0';
    else if (taken->known)
        units_bytes(taken->bytes, size, sizeof size);
    char head[64];
    if (in)
        snprintf(head, sizeof head, "%c dump %-3zu %9s  ", k == u->first ? '*' : ' ', k - u->first + 1, size);
    else
        snprintf(head, sizeof head, "  %-8s %9s  ", "-", size);
    int used = ui_puts(stdscr, y, x, head, width, false);
    ui_put_tail(u, stdscr, y, x + used, paths[k], strlen(paths[k]), width - used);
}

static void dumps_draw(ui *u)
{
    size_t n;
    ui_all_dumps(u, &n);
    int h = (int)n + 5 < LINES - 2 ? (int)n + 5 : LINES - 2;
    int w = COLS - 4 < 100 ? COLS : 100;
    int y0, x0;
    ui_choice_frame(u, h, w, "Compare from which dump?", &y0, &x0);
    /* A blank line between the rows and the foot. */
    ui_choice_rows(u, y0 + 2, x0 + 2, w - 4, h - 4, n, dumps.cursor, dump_row);
    ui_choice_foot(u, y0 + h - 1, x0 + 1, w - 3, &dumps_map, "");
    attrset(A_NORMAL);
}

static void dumps_key(ui *u, action act, int key)
{
    (void)key;
    size_t n;
    ui_all_dumps(u, &n);
    switch (ui_choice_key(u, &dumps.cursor, n, ACT_DUMPS, act)) {
    case CHOICE_PICKED:
        ui_dumps_release();
        ui_compare_from(u, dumps.cursor);
        break;
    case CHOICE_CLOSED: ui_dumps_release(); break;
    case CHOICE_STAYS:
    case CHOICE_OTHER: break;
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
