/* fuzz_dump.c - a series of small dumps through load, diff, details, graph
 * and report.
 *
 * The input holds one to three dumps, separated by the line "%%" (the
 * bytes "\n%%\n"); a single dump is compared with itself once more. Each is
 * written to an anonymous memory file and loaded by path (/proc/self/fd/N)
 * the way heapsift loads dumps: the latest with HEAP_FULL and its reference
 * graph, the subject with HEAP_FULL, the others with HEAP_IDENTITY (or
 * HEAP_LIGHT with trends). Then the diff, the subject's details, the
 * dominators, root paths, object views, a grouping with every sort, the
 * report and the "why" text, all written to /dev/null. Trends, the diff's
 * identity and the grouping are chosen by a hash of the input. Last, the
 * explorer's model (view.c) is walked as a person would: into a group, an
 * object, along its references and root path, back, with every row's text,
 * a search, a regrouping and an export of each view, steered by the input's
 * bytes.
 *
 * The graph calls are all in exercise_graph(), so that a change to the
 * graph API touches one function.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diff.h"
#include "graph.h"
#include "group.h"
#include "heap.h"
#include "heap_graph.h"
#include "objinfo.h"
#include "report.h"
#include "view.h"
#include "why.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT (1024 * 1024)
#define MAX_DUMPS 3
#define SEPARATOR "\n%%\n"

static FILE *devnull; /* where every text goes */

/* FNV-1a of the input: picks the options of a run, so that every input
 * tries one combination and the corpus covers them all. */
static uint32_t input_hash(const uint8_t *data, size_t size)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    return h;
}

/* Writes bytes to a new memory file; returns its descriptor, or -1. */
static int memory_file(const uint8_t *bytes, size_t len)
{
    int fd = memfd_create("heapsift-fuzz", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, bytes + done, len - done);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    return fd;
}

/* Every use of the reference graph: dominators, root paths to a few
 * objects, and the paths written as `--path` and the "why" pane do. */
static void exercise_graph(session *ses, const uint32_t *objs, size_t nobjs)
{
    heap *latest = ses->latest;
    heap_graph hg;
    hs_error err;
    if (heap_graph_read(&hg, latest, 1, NULL, &err) != HS_OK)
        abort(); /* a HEAP_FULL dump always has a graph */
    session_attach_graph(ses, &hg);
    const graph *g = ses->graph;
    if (!g || g->n != latest->count)
        abort();
    for (uint32_t v = 0; v <= g->n; v++)
        if (g->idom[v] != GRAPH_NONE && g->idom[v] > g->n)
            abort();
    int avoid = graph_root_kind(g, "machine_context");
    uint32_t picks[8];
    size_t npicks = 0;
    if (g->n > 0) {
        picks[npicks++] = 0;
        picks[npicks++] = g->n - 1;
        picks[npicks++] = g->n / 2;
    }
    for (size_t k = 0; k < nobjs && npicks < 8; k++)
        picks[npicks++] = objs[k] < g->n ? objs[k] : 0;
    for (size_t k = 0; k < npicks; k++) {
        uint32_t *path = NULL;
        size_t len = 0;
        unsigned kind = 0;
        /* As the program asks for it: session_root_path also reads the
         * hops' details, which describing them needs. */
        if (session_root_path(ses, picks[k], &path, &len, &kind, NULL) != HS_OK)
            abort(); /* nothing here runs out of memory */
        uint32_t *bare = NULL;
        size_t bare_len = 0;
        unsigned bare_kind = 0;
        hs_mem mem = { 0 };
        if (!graph_root_path(g, picks[k], avoid, &bare, &bare_len, &bare_kind, &mem) || bare_len != len ||
            (len && bare_kind != kind))
            abort(); /* the session's path is the graph's */
        free(bare);
        if (len) {
            if (path[len - 1] != picks[k] || kind >= g->nroot_names)
                abort();
            for (size_t i = 0; i < len; i++)
                if (path[i] >= g->n)
                    abort();
            why_hops_style style = { "  ", " bytes", 2 };
            why_write_hops(devnull, ses, path, len, &style);
        }
        free(path);
    }
}

/* The object view of a few objects of the latest dump. */
static void exercise_objinfo(const session *ses)
{
    heap *latest = ses->latest;
    if (!ses->addrs || latest->count == 0)
        return;
    size_t picks[2] = { 0, latest->count - 1 };
    for (size_t k = 0; k < 2; k++) {
        objinfo oi;
        hs_error err;
        if (objinfo_load(&oi, latest, ses->addrs, picks[k], &err) == HS_OK) {
            objinfo_graph_referrers(&oi, latest, ses->graph);
            objinfo_free(&oi);
        }
        char desc[256];
        objinfo_describe(latest, picks[k], desc, sizeof desc);
        scan_str v = objinfo_value(latest, picks[k]);
        (void)v;
    }
}

/* Groups the suspects by `by`, sorts them every way, reports and explains
 * them. */
static void exercise_report(const session *ses, bool trends, group_by by)
{
    obj_filter f;
    filter_init(&f);
    f.min_count = 1;
    group_query q = { .by = by, .filter = &f, .sort = SORT_COUNT, .trends = trends };
    group_set *set;
    hs_error err;
    if (group_new(&set, ses, &q, &err) != HS_OK)
        abort(); /* a fuzzed dump is small */
    for (int key = 0; key < SORT_KEY_COUNT; key++)
        group_set_sort(set, (group_sort_key)key, key % 2 == 1);
    group_set_sort(set, SORT_COUNT, false);
    report_info info = { ses, set };
    report_opts ropts = { .header = true, .trend = trends, .escape = by % 2 == 0, .top = 0,
                          .when = NULL };
    if (report_write(devnull, &info, &ropts, &err) != HS_OK)
        abort();
    if (set->nvisible > 0 && why_write_group(devnull, ses, set, &set->groups[set->order[0]], true, &err) != HS_OK)
        abort();
    filter_free(&f);
    group_free(set);
}

/* Every row of the current view as text, and the view written out. */
static void read_view(view *v)
{
    char row[1024];
    size_t n = view_rows(v);
    for (size_t r = 0; r < n; r++)
        if (view_row_text(v, r, row, sizeof row) >= sizeof row + 1024 * 1024)
            abort(); /* a length nothing could have written */
    hs_error err;
    if (view_write(v, devnull, "now", &err) != HS_OK)
        abort();
}

/* The explorer's model, steered by the input: each byte picks a move. */
static void exercise_view(const session *ses, const uint8_t *data, size_t size, group_by by)
{
    view v;
    group_query q = { .by = by, .sort = SORT_COUNT, .trends = true };
    hs_error err;
    if (view_init(&v, ses, &q, size && data[0] % 2 ? TAB_SUSPECTS : TAB_GROUPS, &err) != HS_OK)
        abort();
    read_view(&v);
    size_t steps = size < 48 ? size : 48;
    for (size_t k = 0; k < steps; k++) {
        switch (data[size - 1 - k] % 9) {
        case 0: view_move(&v, 1); break;
        case 1: view_move(&v, (long)(data[k] % 7)); break;
        case 2: view_end(&v); break;
        case 3:
        case 4:
            if (view_enter(&v))
                read_view(&v);
            break;
        case 5: view_back(&v); break;
        case 6: view_search(&v, k % 2 ? "a" : "0x", 1); break;
        case 7: view_reverse(&v); break;
        case 8: view_switch_tab(&v); break;
        }
        view_scroll(&v, 5);
        if (view_top(&v)->selected >= view_rows(&v) && view_rows(&v) > 0)
            abort();
    }
    read_view(&v);
    view_set_group_by(&v, (by + 1) % group_by_count());
    read_view(&v);
    view_free(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    if (!devnull) {
        devnull = fopen("/dev/null", "w");
        if (!devnull)
            abort();
    }

    /* Split into dumps. */
    const uint8_t *part[MAX_DUMPS];
    size_t part_len[MAX_DUMPS];
    size_t nparts = 0;
    const uint8_t *p = data, *end = data + size;
    const size_t slen = sizeof SEPARATOR - 1;
    while (nparts < MAX_DUMPS - 1) {
        const uint8_t *sep = memmem(p, (size_t)(end - p), SEPARATOR, slen);
        if (!sep)
            break;
        part[nparts] = p;
        part_len[nparts++] = (size_t)(sep - p) + 1; /* keep the newline */
        p = sep + slen;
    }
    part[nparts] = p;
    part_len[nparts++] = (size_t)(end - p);
    if (nparts == 1) { /* one dump: compared with itself too */
        part[1] = part[0];
        part_len[1] = part_len[0];
        nparts = 2;
    }

    uint32_t hash = input_hash(data, size);
    bool trends = hash & 1;                              /* HEAP_LIGHT dumps, trends */
    diff_identity identity = (diff_identity)((hash >> 1) & 1);
    group_by by = (hash >> 2) % group_by_count();
    size_t subject_index = diff_subject_index(nparts);
    heap *dumps[MAX_DUMPS] = { NULL };
    size_t loaded = 0;
    bool ok = true;
    for (size_t k = 0; k < nparts && ok; k++) {
        int fd = memory_file(part[k], part_len[k]);
        if (fd < 0)
            abort();
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        bool latest = k + 1 == nparts;
        heap_load_opts opts = {
            .mode = k == subject_index || latest ? HEAP_FULL : trends ? HEAP_LIGHT : HEAP_IDENTITY,
            .all_details = latest && trends && k != subject_index,
            .threads = 1,
            .progress = NULL,
        };
        hs_error err;
        hs_status st = heap_load(&dumps[k], path, &opts, &err);
        close(fd);
        if (st != HS_OK) {
            if (err.status != st || !err.msg[0] || dumps[k])
                abort();
            ok = false;
        } else {
            loaded++;
        }
    }

    if (ok) {
        diff_result *diff = NULL;
        hs_error err;
        /* Dumps out of order are a message, not a crash. */
        if (diff_run(&diff, dumps, nparts, identity, &err) == HS_OK) {
            heap *subject = dumps[diff->subject];
            for (size_t k = 0; k < diff->count; k++)
                if (diff->objects[k] >= subject->count)
                    abort();
            if (trends) {
                uint32_t *all = malloc((subject->count ? subject->count : 1) * sizeof *all);
                for (size_t i = 0; i < subject->count; i++)
                    all[i] = (uint32_t)i;
                if (heap_try_load_details(subject, all, subject->count, 1, &err) != HS_OK)
                    abort(); /* a few objects: their memory is had */
                free(all);
            } else {
                if (heap_try_load_details(subject, diff->objects, diff->count, 1, &err) != HS_OK)
                    abort();
            }
            session *ses = session_borrow(dumps, nparts, diff);
            exercise_graph(ses, diff->objects, diff->count);
            exercise_objinfo(ses);
            exercise_report(ses, trends, by);
            exercise_view(ses, data, size, by);
            session_free(ses);
            diff_free(diff);
        }
    }
    for (size_t k = 0; k < loaded; k++)
        heap_free(dumps[k]);
    return 0;
}
