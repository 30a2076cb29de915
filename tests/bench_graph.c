/* bench_graph.c - how fast heapsift answers "what holds it", on real dumps:
 *   - the graph of the latest dump: reading its references, the dominators
 *     and retained sizes, and the bytes the graph keeps;
 *   - a root path and a referrer list for objects spread over the dump;
 *   - with three dumps, what the explorer sees: when the group list can be
 *     shown, and when the suspects and the trends follow.
 * Prints figures; never fails on time.
 *
 *   bench_graph LATEST-DUMP            (the graph alone)
 *   bench_graph DUMP1 DUMP2 DUMP3      (also the explorer's timeline)
 */
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "heap_graph.h"
#include "monotime.h"
#include "loader.h"
#include "view.h"
#include "objinfo.h"

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss * 1024 / 1e6;
}

enum { SAMPLES = 200 };

static void graph_alone(const char *path)
{
    hs_error err;
    heap *h;
    heap_load_opts opts = { .mode = HEAP_FULL };
    double t0 = monotime_now();
    if (heap_load(&h, path, &opts, &err) != HS_OK) {
        fprintf(stderr, "bench_graph: %s\n", err.msg);
        exit(1);
    }
    double load = monotime_now() - t0;
    double rss_loaded = peak_rss_mb();
    heap_graph hg;
    t0 = monotime_now();
    if (heap_graph_read(&hg, h, 0, NULL, &err) != HS_OK) {
        fprintf(stderr, "bench_graph: %s\n", err.msg);
        exit(1);
    }
    double total = monotime_now() - t0;
    printf("dump: %s, %.1f MB, %zu objects (loaded in %.2f s, peak RSS %.0f MB)\n", path, (double)h->text_size / 1e6,
           h->count, load, rss_loaded);
    const graph *g = hg.graph;
    printf("graph: %.2f s in all: references read and resolved %.2f s, dominators and retained sizes %.2f s\n", total,
           hg.read_seconds, hg.dominator_seconds);
    size_t bytes = graph_bytes(g);
    printf("graph: %u objects, %" PRIu64 " references (%" PRIu64 " dangling); keeps %.1f MB = %.2f bytes an object"
           " + 4 a reference; peak RSS now %.0f MB\n",
           g->n, g->edges, g->dangling, (double)bytes / 1e6,
           (double)(bytes - 4 * g->edges) / (double)(g->n ? g->n : 1), peak_rss_mb());

    /* Root paths and referrers of objects spread evenly over the dump. */
    int mc = graph_root_kind(g, "machine_context");
    double path_sum = 0, path_max = 0, ref_sum = 0, ref_max = 0;
    size_t reached = 0, hops = 0, referrers = 0;
    for (size_t s = 0; s < SAMPLES; s++) {
        uint32_t v = (uint32_t)(h->count / SAMPLES * s);
        uint32_t *hops_of;
        unsigned kind;
        t0 = monotime_now();
        size_t len;
        hs_mem mem = { 0 };
        if (!graph_root_path(g, v, mc, &hops_of, &len, &kind, &mem)) {
            hs_mem_fail(&err, &mem, "the path from a GC root to node %" PRIu32, v);
            fprintf(stderr, "bench_graph: %s\n", err.msg);
            exit(1);
        }
        double t = monotime_now() - t0;
        free(hops_of);
        path_sum += t;
        path_max = t > path_max ? t : path_max;
        reached += len > 0;
        hops += len;
        objinfo oi;
        if (objinfo_load(&oi, h, hg.addrs, v, &err) != HS_OK)
            continue;
        t0 = monotime_now();
        objinfo_graph_referrers(&oi, h, g);
        t = monotime_now() - t0;
        referrers += oi.nreferrers;
        objinfo_free(&oi);
        ref_sum += t;
        ref_max = t > ref_max ? t : ref_max;
    }
    printf("root path: %d objects, mean %.1f ms, max %.1f ms (%zu reached, %.1f hops on average)\n", SAMPLES,
           path_sum * 1e3 / SAMPLES, path_max * 1e3, reached, reached ? (double)hops / (double)reached : 0.0);
    printf("referrers: %d objects, mean %.1f ms, max %.1f ms (%.1f referrers on average)\n", SAMPLES,
           ref_sum * 1e3 / SAMPLES, ref_max * 1e3, (double)referrers / SAMPLES);
    heap_graph_free(&hg);
    heap_free(h);
}

/* The explorer's timeline, as ui.c runs it: when the loader is done the
 * view is built (the group list can show; the Suspects tab and the trend
 * columns wait); when the graph is read it is attached and the view told,
 * which finds the suspects (the Suspects view can show); when every dump's
 * sites are read they are attached and the view told, which counts the
 * trends (the TREND column can show). BENCH_TRENDS_ALONGSIDE=1 reads the
 * sites while the graph is read rather than after it. */
static void timeline(const char *const *paths)
{
    const char *alongside = getenv("BENCH_TRENDS_ALONGSIDE");
    loader_opts opts = { .identity = DIFF_ID_EXACT,
                         .want_graph = true,
                         .trends_later = true,
                         .trends_alongside = alongside && *alongside == '1' };
    loader *l;
    hs_error err;
    double t0 = monotime_now();
    if (loader_start(&l, paths, 3, &opts, &err) != HS_OK) {
        fprintf(stderr, "bench_graph: %s\n", err.msg);
        exit(1);
    }
    double listed = 0, loaded = 0, read = 0, found = 0, sites = 0, trended = 0;
    view v;
    while (!listed || !found || !trended) {
        struct pollfd p = { loader_wake_fd(l), POLLIN, 0 };
        poll(&p, 1, 50);
        loader_drain(l);
        if (!listed && loader_finished(l)) {
            if (l->status != HS_OK) {
                fprintf(stderr, "bench_graph: %s\n", l->err.msg);
                exit(1);
            }
            loaded = monotime_now() - t0;
            group_query q = { .by = GROUP_SITE, .sort = SORT_COUNT, .trends = true };
            view_init(&v, l->session, &q, TAB_SUSPECTS, NULL);
            v.graph_pending = atomic_load(&l->graph_state) == LOADER_GRAPH_RUNNING;
            v.trends_pending = atomic_load(&l->trends_state) != LOADER_TRENDS_ATTACHED;
            listed = monotime_now() - t0;
        }
        if (!listed)
            continue;
        if (atomic_load(&l->graph_state) == LOADER_GRAPH_FAILED ||
            atomic_load(&l->trends_state) == LOADER_TRENDS_FAILED) {
            fprintf(stderr, "bench_graph: %s%s\n", l->graph_err.msg, l->trends_err.msg);
            exit(1);
        }
        if (!found && atomic_load(&l->graph_state) == LOADER_GRAPH_READY) {
            read = monotime_now() - t0;
            loader_attach_graph(l);
            view_graph_ready(&v);
            found = monotime_now() - t0;
        }
        if (!trended && atomic_load(&l->trends_state) == LOADER_TRENDS_READY) {
            sites = monotime_now() - t0;
            loader_attach_trends(l);
            view_trends_ready(&v);
            trended = monotime_now() - t0;
        }
    }
    printf("explorer: group list ready %.2f s after start (%zu retained objects; loaded %.2f s, view %.2f s);"
           " graph read %.2f s after start (%.2f s of graph)\n",
           listed, l->session->diff->count, loaded, listed - loaded, read, l->graph_seconds);
    printf("explorer: suspects view ready %.2f s after start (%zu suspects, %.2f s to find them and re-sort)\n",
           found, v.sp.nrows, found - read);
    printf("explorer: trends ready %.2f s after start (sites read in %.2f s%s, %.2f s to attach and count them);"
           " peak RSS %.0f MB\n",
           trended, l->trends_seconds, opts.trends_alongside ? " beside the graph" : " after the graph", trended - sites,
           peak_rss_mb());
    printf("explorer-times: groups %.3f suspects %.3f trends %.3f rss_mb %.1f\n", listed, found, trended, peak_rss_mb());
    view_free(&v);
    loader_join(l);
    loader_free(l);
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 4) {
        fprintf(stderr, "usage: bench_graph LATEST-DUMP | bench_graph DUMP1 DUMP2 DUMP3\n");
        return 2;
    }
    if (argc == 4)
        timeline((const char *const *)argv + 1);
    graph_alone(argv[argc - 1]);
    return 0;
}
