/* ui_watch.c - loads that replace the comparison shown, in the background:
 * in watch mode (--watch DIR) the screen that waits for a folder's first
 * dump, and, once the explorer shows some, a load of each new dump
 * (loader_start_more); from the dumps pane, a load of the dumps from
 * another first one. The result replaces the view the person browses, in
 * place (view_take_place), once it is whole: the diff, the latest dump's
 * graph, the trends. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"
#include "monotime.h"
#include "watch.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static const key_binding watching_bindings[] = {
    { ACT_QUIT, "quit", "stop watching and leave" },
    { ACT_QUIT_NOW, NULL, "stop watching and leave" },
    { ACT_TAB, "suspects/groups", "show the groups or the suspects first, once loaded" },
};
static const key_map watching_map = KEY_MAP("watching", watching_bindings);

static const char *file_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* ---- the first dumps --------------------------------------------------------------- */

static void start_first(ui *u)
{
    watch *w = u->opts.watch;
    hs_error err;
    if (loader_start(&u->loader, watch_paths(w), watch_count(w), u->opts.load, &err) != HS_OK) {
        snprintf(u->status, sizeof u->status, "%.250s", err.msg);
        u->loader = NULL;
        return;
    }
    u->mode = MODE_LOADING;
    u->started = monotime_now();
}

static void watching_draw(ui *u)
{
    watch *w = u->opts.watch;
    ui_fill(stdscr, 0, 0, COLS, u->attr[PART_TITLE]);
    int x = 1 + ui_puts(stdscr, 0, 1, "heapsift  ", COLS - 2, false);
    x += ui_draw_tabs(u, 0, x, u->tab);
    ui_puts(stdscr, 0, x, "  watching", COLS - 1 - x, false);
    attrset(u->attr[PART_NORMAL]);
    char line[1200];
    if (watch_pattern(w))
        snprintf(line, sizeof line, "Waiting for dumps named %.500s in %.500s", watch_pattern(w), watch_dir(w));
    else
        snprintf(line, sizeof line, "Waiting for dumps in %.1000s", watch_dir(w));
    ui_puts(stdscr, 2, 2, line, COLS - 4, false);
    size_t pending = watch_pending(w);
    snprintf(line, sizeof line, "%s; %zu being written.",
             watch_how(w) == WATCH_INOTIFY ? "told by inotify" : "looking every second", pending);
    ui_puts(stdscr, 3, 2, line, COLS - 4, false);
    if (!watch_pattern(w))
        ui_puts(stdscr, 5, 2, "A dump is a file named *.json, *.ndjson, *.dump or *.heap (maybe .gz),", COLS - 4,
                false);
    ui_puts(stdscr, 6, 2, "taken once it is renamed in or closed after writing (Heapsift.dump does both).", COLS - 4,
            false);
    if (u->status[0]) {
        attrset(u->attr[PART_WARNING]);
        ui_puts(stdscr, 8, 2, u->status, COLS - 4, false);
    }
    char bar[128];
    keymap_bar(&watching_map, bar, sizeof bar);
    ui_fill(stdscr, LINES - 1, 0, COLS, u->attr[PART_KEYS]);
    ui_puts(stdscr, LINES - 1, 0, bar, COLS, false);
    attrset(A_NORMAL);
}

static void watching_key(ui *u, action act, int key)
{
    (void)key;
    if (act == ACT_TAB)
        u->tab = u->tab == TAB_GROUPS ? TAB_SUSPECTS : TAB_GROUPS;
    else if (act == ACT_QUIT || act == ACT_QUIT_NOW)
        u->quit = true;
}

static const key_map *watching_keys(const ui *u)
{
    (void)u;
    return &watching_map;
}

const ui_mode_ops ui_watching_mode = {
    .draw = watching_draw, .key = watching_key, .keys = watching_keys, .maps = { &watching_map }
};

/* ---- more dumps ----------------------------------------------------------------------- */

/* Can the dumps that arrived be loaded now: the view shows a session whose
 * loader has done everything (a load over a base still reading its graph
 * would read the base's heaps while they change)? */
static bool can_start_more(const ui *u)
{
    const loader *l = u->loader;
    if (u->next || !u->view_ready || !l || !loader_settled(l) || l->status != HS_OK)
        return false;
    int gs = atomic_load(&l->graph_state), ts = atomic_load(&l->trends_state);
    return gs != LOADER_GRAPH_READY && ts != LOADER_TRENDS_READY && u->opts.watch &&
           watch_count(u->opts.watch) > u->first + l->ndumps;
}

static void start_more(ui *u)
{
    watch *w = u->opts.watch;
    hs_error err;
    if (loader_start_more(&u->next, u->loader, watch_paths(w) + u->first, watch_count(w) - u->first, u->opts.load,
                          &err) != HS_OK) {
        snprintf(u->status, sizeof u->status, "%.250s", err.msg);
        u->next = NULL;
    }
    u->next_first = u->first;
}

void ui_compare_from(ui *u, size_t k)
{
    size_t n;
    const char *const *paths = ui_all_dumps(u, &n);
    assert(k < n);
    if (u->next) {
        snprintf(u->status, sizeof u->status, "dumps are being loaded already: choose again once they are in");
        return;
    }
    if (k == u->first && u->first + u->loader->ndumps == n) {
        snprintf(u->status, sizeof u->status, "comparing from that dump already");
        return;
    }
    hs_error err;
    if (loader_start(&u->next, paths + k, n - k, u->opts.load, &err) != HS_OK) {
        snprintf(u->status, sizeof u->status, "%.250s", err.msg);
        u->next = NULL;
        return;
    }
    u->next_first = k;
    snprintf(u->status, sizeof u->status, "loading %zu dump%s from %.200s; the lists stay until they are in", n - k,
             n - k == 1 ? "" : "s", file_name(paths[k]));
}

/* The new dumps could not be used: said, and taken off the list (those that
 * failed to load; all the new ones when what failed was the comparison). */
static void more_failed(ui *u, const char *why)
{
    loader *next = u->next;
    watch *w = u->opts.watch;
    if (!next->borrowed) {
        /* From the dumps pane: the dumps stay listed. */
        snprintf(u->status, sizeof u->status, "not changed: %.200s; still comparing %zu dumps", why,
                 u->loader->ndumps);
        loader_free(next);
        u->next = NULL;
        return;
    }
    size_t first_new = next->borrowed, failed = 0;
    for (size_t k = next->ndumps; k-- > first_new;)
        if (atomic_load(&next->dump[k].stage) == LOADER_FAILED) {
            watch_drop(w, u->next_first + k);
            failed++;
        }
    if (!failed)
        for (size_t k = next->ndumps; k-- > first_new;)
            watch_drop(w, u->next_first + k);
    snprintf(u->status, sizeof u->status, "not added: %.200s; still comparing %zu dumps", why, u->loader->ndumps);
    loader_free(next);
    u->next = NULL;
}

/* The new session replaces the one shown, keeping the person's place. */
static void swap_in(ui *u)
{
    loader *next = u->next, *prev = u->loader;
    session *ns = next->session;
    /* The subject's details, when the subject is a dump the old session had
     * (its loader left them to this thread, which reads that heap too). */
    if (next->borrowed && diff_subject_index(ns->ndumps) < next->borrowed) {
        hs_error err;
        if (heap_try_load_details(ns->subject, ns->diff->objects, ns->diff->count, u->opts.load->threads, &err) !=
            HS_OK) {
            more_failed(u, err.msg);
            return;
        }
    }
    group_query q = { .by = u->view.set->by,
                      .filter = &u->view.set->filter,
                      .sort = u->view.set->sort,
                      .reverse = u->view.set->reverse,
                      .trends = true };
    loader_unreserve(next);
    view nv;
    hs_error err;
    if (view_init(&nv, ns, &q, u->view.tab, &err) != HS_OK) {
        more_failed(u, err.msg); /* the lists shown stay */
        return;
    }
    if (next->borrowed)
        loader_handover(prev, next);
    view old = u->view;
    u->view = nv;
    u->loader = next;
    u->next = NULL;
    u->view.graph_pending = atomic_load(&next->graph_state) == LOADER_GRAPH_RUNNING;
    int ts = atomic_load(&next->trends_state);
    u->view.trends_pending = ts != LOADER_TRENDS_NONE && ts != LOADER_TRENDS_ATTACHED;
    ui_graph_news(u); /* the graph and the trends, ready: attached now */
    view_take_place(&u->view, &old);
    view_free(&old);
    loader_free(prev);
    /* The dump that was the latest is one in the middle now: nothing reads
     * its lines again, so its text (mapped and read whole by the graph
     * pass) goes, and the explorer's memory does not grow with the dumps
     * it has seen. */
    for (size_t k = 0; k < ns->ndumps; k++)
        if (ns->dumps[k] != ns->subject && ns->dumps[k] != ns->latest)
            heap_release_text(ns->dumps[k]);
    bool rebased = !next->borrowed;
    size_t added = ns->ndumps - next->borrowed;
    if (rebased) {
        size_t n;
        ui_all_dumps(u, &n);
        snprintf(u->status, sizeof u->status, "comparing %zu dumps from %.200s (%zu of %zu left out)", ns->ndumps,
                 file_name(next->dump[0].path), u->next_first, n);
    } else {
        snprintf(u->status, sizeof u->status, "%s%s arrived: comparing %zu dumps", added == 1 ? "" : "dumps up to ",
                 file_name(next->dump[ns->ndumps - 1].path), ns->ndumps);
    }
    u->first = u->next_first;
}

void ui_watch_check(ui *u)
{
    watch *w = u->opts.watch;
    if (!w)
        return;
    size_t before = watch_count(w);
    watch_check(w, monotime_now());
    if (watch_count(w) != before)
        ui_dumps_arrived(u);
    if (u->mode == MODE_WATCHING && watch_count(w) > 0)
        start_first(u);
    if (u->view_ready)
        ui_graph_news(u); /* attach what is ready before building on it */
    if (can_start_more(u))
        start_more(u);
}

bool ui_watch_news(ui *u)
{
    loader *next = u->next;
    if (!next || !loader_settled(next))
        return false;
    if (next->status != HS_OK) {
        more_failed(u, next->status == HS_ERR_CANCELLED ? "loading was cancelled" : next->err.msg);
        return true;
    }
    if (u->mode != MODE_BROWSE)
        return false; /* a pane is open over the view: swapped when it closes */
    swap_in(u);
    if (can_start_more(u))
        start_more(u); /* more arrived while that one loaded */
    return true;
}

int ui_watch_timeout_ms(const ui *u)
{
    return u->opts.watch ? watch_timeout_ms(u->opts.watch) : -1;
}

void ui_watch_status(const ui *u, char *buf, size_t size)
{
    buf[0] = '\0';
    const loader *next = u->next;
    if (!next) {
        if (!u->opts.watch)
            return;
        size_t pending = watch_pending(u->opts.watch);
        if (pending)
            snprintf(buf, size, "watch: %zu being written ", pending);
        return;
    }
    size_t k = next->ndumps - 1;
    for (size_t j = next->borrowed; j < next->ndumps; j++)
        if (atomic_load(&next->dump[j].stage) == LOADER_LOADING)
            k = j;
    const heap_progress *p = &next->dump[k].progress;
    uint64_t total = atomic_load(&p->bytes_total), done = atomic_load(&p->bytes_done);
    if (!loader_finished(next)) {
        if (atomic_load(&next->diffing))
            snprintf(buf, size, "dump %zu: comparing ", next->ndumps);
        else
            snprintf(buf, size, "dump %zu: reading %d%% ", k + 1, total ? (int)(done * 100 / total) : 0);
        return;
    }
    if (atomic_load(&next->graph_state) == LOADER_GRAPH_RUNNING) {
        const heap_progress *g = &next->graph_progress;
        total = atomic_load(&g->bytes_total);
        done = atomic_load(&g->bytes_done);
        snprintf(buf, size, "dump %zu: references %d%% ", next->ndumps, total ? (int)(done * 100 / total) : 0);
        return;
    }
    snprintf(buf, size, "dump %zu: ready, shown once the pane closes ", next->ndumps);
}
