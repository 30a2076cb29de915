/* ui_loading.c - the first screen: a progress bar per dump while the loader
 * runs, and the failure screen when it could not load (two modes). */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"
#include "monotime.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const key_binding loading_bindings[] = {
    { ACT_QUIT, "cancel", "stop loading and leave (exit status 1)" },
    { ACT_QUIT_NOW, NULL, "stop loading and leave" },
    { ACT_TAB, "suspects/groups", "show the groups or the suspects first, once loaded" },
};
static const key_map loading_map = KEY_MAP("loading", loading_bindings);
static const key_binding failed_bindings[] = {
    { ACT_QUIT, "quit", "leave (exit status 1)" },
    { ACT_QUIT_NOW, NULL, "leave" },
    { ACT_ACCEPT, NULL, "leave" },
    { ACT_CLOSE, NULL, "leave" },
};
static const key_map failed_map = KEY_MAP("failed", failed_bindings);

static void draw_bar(ui *u, const key_map *km)
{
    char bar[128];
    keymap_bar(km, bar, sizeof bar);
    ui_fill(stdscr, LINES - 1, 0, COLS, u->attr[PART_KEYS]);
    ui_puts(stdscr, LINES - 1, 0, bar, COLS, false);
}

static const char *stage_text(int stage)
{
    switch (stage) {
    case LOADER_WAITING: return "waiting";
    case LOADER_LOADING: return "loading";
    case LOADER_LOADED: return "loaded";
    case LOADER_FAILED: return "failed";
    }
    return "";
}

static void loading_draw(ui *u)
{
    loader *l = u->loader;
    double elapsed = monotime_now() - u->started;
    attrset(u->attr[PART_TITLE]);
    ui_fill(stdscr, 0, 0, COLS, u->attr[PART_TITLE]);
    char title[256];
    snprintf(title, sizeof title, "  loading %zu dump%s  (%.1f s)", l->ndumps, l->ndumps == 1 ? "" : "s", elapsed);
    int x = 1 + ui_puts(stdscr, 0, 1, "heapsift  ", COLS - 2, false);
    x += ui_draw_tabs(u, 0, x, u->tab);
    ui_puts(stdscr, 0, x, title, COLS - 1 - x, false);

    int y = 2;
    int bar = COLS - 64 > 10 ? COLS - 64 : 10; /* the figures after it need ~60 cells */
    for (size_t k = 0; k < l->ndumps && y < LINES - 3; k++) {
        loader_dump *d = &l->dump[k];
        uint64_t total = atomic_load(&d->progress.bytes_total);
        uint64_t done = atomic_load(&d->progress.bytes_done);
        uint64_t objects = atomic_load(&d->progress.objects);
        int stage = atomic_load(&d->stage);
        if (stage == LOADER_LOADED)
            done = total;
        attrset(u->attr[PART_NORMAL]);
        char head[64];
        snprintf(head, sizeof head, "dump %zu: ", k + 1);
        mvaddstr(y, 2, head);
        ui_puts(stdscr, y, 2 + (int)strlen(head), d->path, COLS - 4 - (int)strlen(head), false);
        y++;
        double frac = total ? (double)done / (double)total : 0;
        int filled = (int)(frac * bar + 0.5);
        move(y, 4);
        attrset(u->attr[PART_BAR]);
        for (int i = 0; i < bar; i++) {
            if (u->utf8)
                addstr(i < filled ? "\u2588" : "\u2591");
            else
                addch(i < filled ? '#' : '.');
        }
        attrset(u->attr[PART_NORMAL]);
        char mb_done[32], mb_total[32], rate[32] = "", line[160];
        units_bytes(done, mb_done, sizeof mb_done);
        units_bytes(total, mb_total, sizeof mb_total);
        double secs = stage == LOADER_LOADED ? d->seconds : stage == LOADER_LOADING ? monotime_now() - d->started : 0;
        if (secs > 0.01 && done) {
            units_bytes((uint64_t)((double)done / secs), rate, sizeof rate);
            strncat(rate, "/s", sizeof rate - strlen(rate) - 1);
        }
        snprintf(line, sizeof line, " %3.0f%%  %s/%s  %s  %" PRIu64 " objects  %s", frac * 100, mb_done, mb_total,
                 rate, objects, stage_text(stage));
        ui_puts(stdscr, y, 4 + bar, line, COLS - 5 - bar, false);
        y += 2;
    }
    if (atomic_load(&l->diffing) && y < LINES - 3) {
        attrset(u->attr[PART_NORMAL]);
        mvaddstr(y, 2, "comparing the dumps and reading the suspects...");
    }
    draw_bar(u, &loading_map);
    attrset(A_NORMAL);
}

static void failed_draw(ui *u)
{
    loader *l = u->loader;
    ui_fill(stdscr, 0, 0, COLS, u->attr[PART_TITLE]);
    ui_puts(stdscr, 0, 1, "heapsift: the dumps could not be loaded", COLS - 2, false);
    attrset(u->attr[PART_WARNING]);
    /* The message may be long: wrap it over the screen's width. */
    const char *msg = l->status == HS_ERR_CANCELLED ? "loading was cancelled" : l->err.msg;
    size_t len = strlen(msg), at = 0;
    int y = 2, width = COLS - 4;
    while (at < len && y < LINES - 3) {
        size_t n = len - at > (size_t)width ? (size_t)width : len - at;
        ui_put(stdscr, y++, 2, msg + at, n, width, false);
        at += n;
    }
    attrset(u->attr[PART_NORMAL]);
    mvaddstr(y + 1, 2, "Press q or Enter to leave (exit status 1).");
    draw_bar(u, &failed_map);
    attrset(A_NORMAL);
}

static void loading_key(ui *u, action act, int key)
{
    (void)key;
    /* Not Esc: a stray one (half an arrow key over a slow link) must not
     * throw away minutes of loading. */
    if (act == ACT_TAB) {
        u->tab = u->tab == TAB_GROUPS ? TAB_SUSPECTS : TAB_GROUPS;
        return;
    }
    if (act == ACT_QUIT || act == ACT_QUIT_NOW) {
        loader_cancel(u->loader);
        u->quit = true;
        u->exit_status = 1;
        u->cancelled = true;
    }
}

static const key_map *loading_keys(const ui *u)
{
    (void)u;
    return &loading_map;
}

static void failed_key(ui *u, action act, int key)
{
    (void)key;
    if (act != ACT_NONE)
        u->quit = true; /* every key it binds leaves */
}

static const key_map *failed_keys(const ui *u)
{
    (void)u;
    return &failed_map;
}

const ui_mode_ops ui_loading_mode = { .draw = loading_draw, .key = loading_key, .keys = loading_keys, .maps = { &loading_map } };
const ui_mode_ops ui_failed_mode = { .draw = failed_draw, .key = failed_key, .keys = failed_keys, .maps = { &failed_map } };
