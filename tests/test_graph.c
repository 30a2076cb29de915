/* test_graph.c - the reference graph on small graphs with known dominators,
 * and on a million-deep chain (no recursion anywhere). */
#define _GNU_SOURCE /* memmem, memrchr: the text search for referrers */
#include "testutil.h"

#include <inttypes.h>
#include <sys/resource.h>

#include "diff.h"
#include "filter.h"
#include "graph.h"
#include "group.h"
#include "heap_graph.h"
#include "loader.h"
#include "objinfo.h"

#define N GRAPH_NONE

/* Builds a graph from adjacency lists: adj[v] ends with N. */
static void build(graph *g, uint32_t n, const uint32_t adj[][6], const uint32_t *roots, const uint8_t *kinds,
                  size_t nroots)
{
    uint64_t *start = calloc(n + 1, sizeof *start);
    uint32_t refs[256];
    size_t at = 0;
    for (uint32_t v = 0; v < n; v++) {
        start[v] = at;
        for (int k = 0; adj[v][k] != N; k++) {
            if (adj[v][k] == 999)
                refs[at++] = GRAPH_NONE; /* a dangling reference */
            else
                refs[at++] = adj[v][k];
        }
    }
    start[n] = at;
    assert_int_equal(graph_build(g, n, start, refs, roots, kinds, nroots, NULL), HS_OK);
    free(start);
}

/* root -> 0; 0 -> 1, 2; 1 -> 3; 2 -> 3; 4 is unreachable and points at 3. */
static void diamond_and_unreachable(void **state)
{
    (void)state;
    static const uint32_t adj[5][6] = { { 1, 2, N }, { 3, N }, { 3, N }, { N }, { 3, N } };
    uint32_t roots[] = { 0 };
    graph g;
    build(&g, 5, adj, roots, NULL, 1);
    uint64_t mem[] = { 10, 20, 30, 40, 50 };
    assert_int_equal(graph_dominators(&g, mem, NULL, NULL), HS_OK);
    assert_int_equal(g.idom[0], 5); /* the virtual root */
    assert_int_equal(g.idom[1], 0);
    assert_int_equal(g.idom[2], 0);
    assert_int_equal(g.idom[3], 0); /* two ways in: only 0 dominates it */
    assert_int_equal(g.idom[4], GRAPH_NONE);
    assert_int_equal(g.retained[0], 100);
    assert_int_equal(g.retained[1], 20);
    assert_int_equal(g.retained[3], 40);
    assert_int_equal(g.retained[4], 0);
    assert_int_equal(g.retained[5], 100);
    uint32_t who[8];
    assert_int_equal(graph_referrers(&g, 3, who, 8), 3); /* 1, 2 and the unreachable 4 */
    assert_int_equal(who[0], 1);
    assert_int_equal(who[1], 2);
    assert_int_equal(who[2], 4);
    assert_int_equal(graph_referrers(&g, 0, who, 8), 1); /* the virtual root */
    assert_int_equal(who[0], 5);
    /* The dominator tree in preorder: 0 holds 1, 2 and 3; 4 is unreached. */
    uint32_t pre[6], end[6];
    hs_mem scratch = { 0 };
    assert_true(graph_dom_preorder(&g, pre, end, &scratch));
    assert_int_equal(scratch.asked, 4 * 7 + 3 * 4 * 6); /* child_start n + 2, three arrays of n + 1 */
    assert_int_equal(pre[5], 1);
    assert_int_equal(end[5], 6);
    assert_int_equal(pre[0], 2);
    assert_int_equal(end[0], 6);
    for (uint32_t v = 1; v <= 3; v++) {
        assert_true(pre[v] > pre[0] && pre[v] < end[0]);
        assert_int_equal(end[v], pre[v] + 1);
    }
    assert_int_equal(pre[4], 0);
    assert_int_equal(end[4], 0);
    graph_free(&g);
}

/* Cycles, self-loops and repeated references change nothing about who
 * dominates whom. */
static void cycles_self_loops_repeats(void **state)
{
    (void)state;
    static const uint32_t adj[4][6] = { { 1, 1, 0, N }, { 2, N }, { 0, 3, N }, { 3, N } };
    uint32_t roots[] = { 0, 0 };
    graph g;
    build(&g, 4, adj, roots, NULL, 2);
    assert_int_equal(graph_dominators(&g, NULL, NULL, NULL), HS_OK);
    assert_int_equal(g.idom[1], 0);
    assert_int_equal(g.idom[2], 1);
    assert_int_equal(g.idom[3], 2);
    assert_int_equal(g.retained[0], 4);
    assert_int_equal(g.retained[2], 2);
    assert_int_equal(g.edges, 7 + 2);
    assert_int_equal(graph_out_degree(&g, 0), 3);
    /* Referrers are listed once however often they name the object: 0
     * names itself and 1 twice; the roots name 0 twice. */
    uint32_t who[8];
    assert_int_equal(graph_referrers(&g, 1, who, 8), 1);
    assert_int_equal(who[0], 0);
    assert_int_equal(graph_referrers(&g, 0, who, 8), 3); /* itself, 2, the root */
    assert_int_equal(who[0], 0);
    assert_int_equal(who[1], 2);
    assert_int_equal(who[2], 4);
    assert_int_equal(graph_referrers(&g, 0, who, 1), 3); /* counted past the cap */
    assert_int_equal(graph_root_kinds_of(&g, 0), 1); /* category 0: "?" */
    assert_int_equal(graph_root_kinds_of(&g, 3), 0);
    graph_free(&g);
}

/* Two roots share an object: only the virtual root dominates it. */
static void shared_between_roots(void **state)
{
    (void)state;
    static const uint32_t adj[3][6] = { { 2, N }, { 2, N }, { N } };
    uint32_t roots[] = { 0, 1 };
    graph g;
    build(&g, 3, adj, roots, NULL, 2);
    assert_int_equal(graph_dominators(&g, NULL, NULL, NULL), HS_OK);
    assert_int_equal(g.idom[2], 3);
    assert_int_equal(g.retained[0], 1);
    assert_int_equal(g.retained[3], 3);
    graph_free(&g);
}

static void dangling_references_are_counted(void **state)
{
    (void)state;
    static const uint32_t adj[2][6] = { { 999, 1, 999, N }, { N } };
    uint32_t roots[] = { 0 };
    graph g;
    build(&g, 2, adj, roots, NULL, 1);
    assert_int_equal(g.dangling, 2);
    assert_int_equal(graph_out_degree(&g, 0), 1);
    graph_free(&g);
}

/* A short path through a conservative stack root, a longer one through the
 * VM: the VM's is shown, and the stack's only when it is the only one. */
static void root_paths_prefer_real_roots(void **state)
{
    (void)state;
    /* vm -> 0 -> 1 -> 2 -> 3; machine_context -> 3; 4 only from the stack. */
    static const uint32_t adj[5][6] = { { 1, N }, { 2, N }, { 3, N }, { N }, { N } };
    uint32_t roots[] = { 0, 3, 4 };
    uint8_t kinds[] = { 1, 2, 2 };
    graph g;
    build(&g, 5, adj, roots, kinds, 3);
    snprintf(g.root_names[1], sizeof g.root_names[1], "vm");
    snprintf(g.root_names[2], sizeof g.root_names[2], "machine_context");
    g.nroot_names = 3;
    int mc = graph_root_kind(&g, "machine_context");
    assert_int_equal(mc, 2);
    uint32_t *path;
    size_t len;
    unsigned kind;
    hs_mem mem = { 0 };
    assert_true(graph_root_path(&g, 3, mc, &path, &len, &kind, &mem));
    assert_int_equal(len, 4);
    assert_int_equal(path[0], 0);
    assert_int_equal(path[3], 3);
    assert_int_equal(kind, 1);
    free(path);
    assert_true(graph_root_path(&g, 3, -1, &path, &len, &kind, &mem)); /* no preference: the shortest */
    assert_int_equal(len, 1);
    assert_int_equal(kind, 2);
    free(path);
    assert_true(graph_root_path(&g, 4, mc, &path, &len, &kind, &mem)); /* only the stack holds it */
    assert_int_equal(len, 1);
    assert_int_equal(kind, 2);
    free(path);
    /* 3 is named by the stack, but reached from the VM through 0: the
     * path starts at the VM's root. */
    assert_int_equal(graph_root_kinds_of(&g, 3), 1u << 2);
    assert_int_equal(graph_root_kinds_of(&g, 0), 1u << 1);
    graph_free(&g);
}

static void unreachable_has_no_path(void **state)
{
    (void)state;
    static const uint32_t adj[2][6] = { { N }, { 0, N } };
    uint32_t roots[] = { 0 };
    graph g;
    build(&g, 2, adj, roots, NULL, 1);
    uint32_t *path;
    size_t len;
    unsigned kind;
    hs_mem mem = { 0 };
    assert_true(graph_root_path(&g, 1, -1, &path, &len, &kind, &mem));
    assert_int_equal(len, 0);
    assert_null(path);
    graph_free(&g);
}

/* A million-deep linked list: an array holding the next one. */
static void million_deep_chain(void **state)
{
    (void)state;
    uint32_t n = 1000000;
    uint64_t *start = malloc((n + 1) * sizeof *start);
    uint32_t *refs = malloc(n * sizeof *refs);
    for (uint32_t v = 0; v < n; v++) {
        start[v] = v;
        refs[v] = v + 1 < n ? v + 1 : GRAPH_NONE;
    }
    start[n] = n;
    uint32_t root = 0;
    graph g;
    assert_int_equal(graph_build(&g, n, start, refs, &root, NULL, 1, NULL), HS_OK);
    assert_int_equal(graph_dominators(&g, NULL, NULL, NULL), HS_OK);
    assert_int_equal(g.dangling, 1);
    assert_int_equal(g.idom[n - 1], n - 2);
    assert_int_equal(g.retained[0], n);
    assert_int_equal(g.retained[n / 2], n - n / 2);
    uint32_t *path;
    size_t len;
    unsigned kind;
    hs_mem mem = { 0 };
    assert_true(graph_root_path(&g, n - 1, -1, &path, &len, &kind, &mem));
    assert_int_equal(len, n);
    assert_int_equal(path[0], 0);
    assert_int_equal(path[n - 1], n - 1);
    free(path);
    graph_free(&g);
    free(start);
    free(refs);
}

/* The address space this process uses now (VmSize), in bytes. */
static uint64_t address_space_in_use(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    assert_non_null(f);
    char line[256];
    unsigned long long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmSize: %llu kB", &kb) == 1)
            break;
    fclose(f);
    return (uint64_t)kb * 1024;
}

/* Four million objects in a chain whose dominators do not fit under an
 * address-space limit: HS_ERR_NOMEM, saying how much was needed, and the
 * graph as it was (no abort); with the limit lifted, they are computed. */
static void dominators_out_of_memory(void **state)
{
    (void)state;
    if (TEST_SANITIZED) {
        print_message("# built with a sanitizer: RLIMIT_AS not checked\n");
        return;
    }
    uint32_t n = 4000000;
    uint64_t *start = malloc((n + 1) * sizeof *start);
    uint32_t *refs = malloc(n * sizeof *refs);
    for (uint32_t v = 0; v < n; v++) {
        start[v] = v;
        refs[v] = v + 1 < n ? v + 1 : GRAPH_NONE;
    }
    start[n] = n;
    uint32_t root = 0;
    graph g;
    assert_int_equal(graph_build(&g, n, start, refs, &root, NULL, 1, NULL), HS_OK);
    free(start);
    free(refs);

    struct rlimit old;
    assert_int_equal(getrlimit(RLIMIT_AS, &old), 0);
    /* 56 bytes an object are needed; 16 MiB more than now is far short. */
    struct rlimit tight = { (rlim_t)(address_space_in_use() + (16u << 20)), old.rlim_max };
    assert_int_equal(setrlimit(RLIMIT_AS, &tight), 0);
    hs_error err;
    hs_status st = graph_dominators(&g, NULL, NULL, &err);
    assert_int_equal(setrlimit(RLIMIT_AS, &old), 0);
    assert_int_equal(st, HS_ERR_NOMEM);
    assert_non_null(strstr(err.msg, "the dominator tree of 4000000 objects and 4000000 references: 240 MB of memory "
                                    "needed, of which "));
    assert_non_null(strstr(err.msg, "could not be allocated (Cannot allocate memory)"));
    assert_null(g.idom);
    assert_null(g.retained);

    assert_int_equal(graph_dominators(&g, NULL, NULL, &err), HS_OK);
    assert_int_equal(g.retained[0], n);
    graph_free(&g);
}

/* A cancel flag set while the dominator tree is computed stops it, the
 * graph left as it was; cleared, the same graph gets its tree. */
static void dominators_cancelled(void **state)
{
    (void)state;
    uint32_t n = 300000;
    uint64_t *start = malloc((n + 1) * sizeof *start);
    uint32_t *refs = malloc(n * sizeof *refs);
    for (uint32_t v = 0; v < n; v++) {
        start[v] = v;
        refs[v] = v + 1 < n ? v + 1 : GRAPH_NONE;
    }
    start[n] = n;
    uint32_t root = 0;
    graph g;
    assert_int_equal(graph_build(&g, n, start, refs, &root, NULL, 1, NULL), HS_OK);
    free(start);
    free(refs);
    _Atomic bool cancel = true;
    hs_error err;
    assert_int_equal(graph_dominators(&g, NULL, &cancel, &err), HS_ERR_CANCELLED);
    assert_string_equal(err.msg, "the dominator tree was cancelled");
    assert_null(g.idom);
    assert_null(g.retained);
    cancel = false;
    assert_int_equal(graph_dominators(&g, NULL, &cancel, &err), HS_OK);
    assert_int_equal(g.retained[g.n], n);
    graph_free(&g);
}

/* The app dumps with the latest one's graph attached, as the explorer
 * has them once the graph pass is done. */
static heap *app[3];
static diff_result *suspects;
static session *ses;          /* over app and suspects, the graph attached */

static int load_app(void **state)
{
    (void)state;
    for (int k = 0; k < 3; k++) {
        char name[32];
        snprintf(name, sizeof name, "app-%d.json.gz", k + 1);
        heap_load_opts opts = { .mode = k == 0 ? HEAP_IDENTITY : HEAP_FULL, .threads = 0 };
        hs_error err;
        if (heap_load(&app[k], data_path(name), &opts, &err) != HS_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return -1;
        }
    }
    hs_error err;
    if (diff_run(&suspects, app, 3, DIFF_ID_EXACT, &err) != HS_OK)
        return -1;
    test_load_details(app[1], suspects->objects, suspects->count, 0);
    heap_graph hg;
    if (heap_graph_read(&hg, app[2], 2, NULL, &err) != HS_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    ses = session_borrow(app, 3, suspects);
    session_attach_graph(ses, &hg);
    return 0;
}

static int free_app(void **state)
{
    (void)state;
    session_free(ses);
    diff_free(suspects);
    for (int k = 0; k < 3; k++)
        heap_free(app[k]);
    return 0;
}

/* Counted from data/app-3.json.gz with Ruby's JSON: objects (not ROOT or
 * SHAPE), references between them plus each non-IMEMO object's class plus
 * the ROOT records' references, and the memsize of every object a root
 * reaches. */
#define APP3_OBJECTS 17468
#define APP3_EDGES 43506
#define APP3_DANGLING 0
#define APP3_ROOT_EDGES 792
#define APP3_REACHABLE_MEMSIZE 3963719

/* The graph of a real dump: every object a node, every reference an edge
 * (plus each instance's class), ROOT records as the roots. */
static void graph_of_a_real_dump(void **state)
{
    (void)state;
    const graph *g = ses->graph;
    assert_non_null(g);
    assert_int_equal(g->n, app[2]->count);
    assert_int_equal(g->n, APP3_OBJECTS);
    assert_int_equal(g->edges, APP3_EDGES);
    assert_int_equal(g->dangling, APP3_DANGLING);
    assert_int_equal(g->out_start[g->n + 1] - g->out_start[g->n], APP3_ROOT_EDGES);
    assert_true(graph_root_kind(g, "vm") > 0);
    assert_true(graph_root_kind(g, "machine_context") > 0);
    assert_int_equal(g->retained[g->n], APP3_REACHABLE_MEMSIZE);
    /* 22 bytes an object (the edges' starts, the dominator, the retained
     * size, the roots that reach it, its parent in the tree of root paths)
     * and 4 a reference. */
    assert_non_null(g->root_mask);
    assert_non_null(g->root_parent);
    assert_int_equal(g->root_parent_avoid, graph_root_kind(g, "machine_context"));
    assert_true(graph_bytes(g) <= 22 * ((size_t)g->n + 2) + 4 * g->edges + 4096);
}

/* The object whose line starts at line_start, or OBJ_NONE (a ROOT line). */
static size_t object_at_line(const heap *h, uint64_t line_start)
{
    size_t i = heap_first_line_from(h, line_start);
    return i < h->count && h->offset[i] == line_start ? i : OBJ_NONE;
}

/* The oracle for the graph's referrers: every line of the dump that names
 * the object's address ("references", "class", ROOT records), found by one
 * pass over the dump's text, the first OBJINFO_MAX_REFERRERS kept. (The
 * explorer takes referrers from the graph alone.) */
static void text_referrers(objinfo *oi, heap *h)
{
    free(oi->referrers);
    oi->referrers = NULL;
    oi->nreferrers = 0;
    oi->referrers_capped = false;
    char pat[32];
    int plen = snprintf(pat, sizeof pat, "\"0x%" PRIx64 "\"", h->addr[oi->index]);
    const char *data = h->file.data;
    size_t size = h->file.size, cap = 0;
    uint64_t last_line = UINT64_MAX;
    size_t released = 0;
    for (const char *p = data; p < data + size;) {
        const char *hit = memmem(p, (size_t)(data + size - p), pat, (size_t)plen);
        if (hit && (size_t)(hit - data) - released > (8u << 20)) {
            dumpfile_release(&h->file, released, (size_t)(hit - data) - released);
            released = (size_t)(hit - data);
        }
        if (!hit)
            break;
        p = hit + plen;
        const char *nl = memrchr(data, '\n', (size_t)(hit - data));
        uint64_t line_start = nl ? (uint64_t)(nl + 1 - data) : 0;
        if (line_start == last_line)
            continue; /* one referrer per line, however often it names us */
        last_line = line_start;
        size_t who = object_at_line(h, line_start);
        if (who == oi->index)
            continue; /* our own "address" */
        if (oi->nreferrers == OBJINFO_MAX_REFERRERS) {
            oi->referrers_capped = true;
            break;
        }
        if (oi->nreferrers == cap) {
            cap = cap ? cap * 2 : 16;
            oi->referrers = hs_xrealloc(oi->referrers, cap * sizeof *oi->referrers);
        }
        objref *r = &oi->referrers[oi->nreferrers++];
        memset(r, 0, sizeof *r);
        r->index = who;
        if (who != OBJ_NONE) {
            r->address = h->addr[who];
        } else {
            /* A ROOT record: {"type":"ROOT", "root":"vm", ... */
            const char *key = "\"root\":\"";
            const char *line_end = memchr(data + line_start, '\n', size - line_start);
            size_t llen = line_end ? (size_t)(line_end - data) - line_start : size - line_start;
            const char *rk = memmem(data + line_start, llen < 64 ? llen : 64, key, strlen(key));
            if (rk) {
                rk += strlen(key);
                const char *q = memchr(rk, '"', 31);
                snprintf(r->root, sizeof r->root, "%.*s", q ? (int)(q - rk) : 0, rk);
            } else {
                snprintf(r->root, sizeof r->root, "?");
            }
        }
    }
    dumpfile_release(&h->file, released, size - released);
}

/* The graph's referrers are the lines that name the object, as a scan of the
 * dump's text finds them (the text scan also sees "class" members, which
 * the graph has as edges too, except from IMEMOs). */
static void referrers_agree_with_the_text(void **state)
{
    (void)state;
    heap *h = app[2];
    const addrmap *index = ses->addrs;
    size_t checked = 0;
    for (size_t i = 0; i < h->count && checked < 300; i += h->count / 300 + 1) {
        if (h->type[i] == RT_CLASS || h->type[i] == RT_MODULE || h->type[i] == RT_ICLASS)
            continue; /* IMEMO "class" junk names classes */
        objinfo by_text, by_graph;
        hs_error err;
        assert_int_equal(objinfo_load(&by_text, h, index, i, &err), HS_OK);
        assert_int_equal(objinfo_load(&by_graph, h, index, i, &err), HS_OK);
        text_referrers(&by_text, h);
        objinfo_graph_referrers(&by_graph, h, ses->graph);
        /* The graph lists a self-reference; the text scan skips its own
         * line. The text scan sees an IMEMO's "class", which is junk and no
         * edge: drop those referrers that name it nowhere else. */
        size_t self = 0;
        for (size_t k = 0; k < by_graph.nreferrers; k++)
            self += by_graph.referrers[k].index == i;
        size_t want = 0;
        for (size_t k = 0; k < by_text.nreferrers; k++) {
            const objref *r = &by_text.referrers[k];
            if (r->index != OBJ_NONE && h->type[r->index] == RT_IMEMO) {
                objinfo imemo;
                assert_int_equal(objinfo_load(&imemo, h, index, r->index, &err), HS_OK);
                bool named = false;
                for (size_t m = 0; m < imemo.nrefs; m++)
                    named |= imemo.refs[m].index == i &&
                             !(m + 1 == imemo.nrefs && imemo.refs[m].address == heap_class_of(h, r->index));
                objinfo_free(&imemo);
                if (!named)
                    continue;
            }
            by_text.referrers[want++] = *r;
        }
        by_text.nreferrers = want;
        assert_int_equal(by_graph.nreferrers - self, by_text.nreferrers);
        for (size_t k = 0; k < by_text.nreferrers; k++) {
            bool found = false;
            for (size_t m = 0; m < by_graph.nreferrers && !found; m++)
                found = by_text.referrers[k].index != OBJ_NONE
                            ? by_graph.referrers[m].index == by_text.referrers[k].index
                            : strcmp(by_graph.referrers[m].root, by_text.referrers[k].root) == 0;
            assert_true(found);
        }
        objinfo_free(&by_text);
        objinfo_free(&by_graph);
        checked++;
    }
    assert_true(checked > 250);
}

/* A group's retained size under a filter that keeps part of it: each
 * passing member counts unless a passing member of the same group
 * dominates it. Checked against a walk up the dominator tree. */
static void group_retained_under_filters(void **state)
{
    (void)state;
    group_query q = { .by = (group_by)group_by_from_name("file"), .sort = SORT_COUNT };
    group_set *s = test_group_new(ses, &q);
    obj_filter f;
    filter_init(&f);
    const char *bad;
    assert_true(filter_set_types(&f, "STRING,ARRAY", &bad));
    filter_prepare(&f, app[1]);
    for (int pass = 0; pass < 2; pass++) {
        group_set_filter(s, pass ? &f : NULL);
        const graph *g = ses->graph;
        size_t partial = 0;
        for (size_t gi = 0; gi < s->ngroups; gi++) {
            uint64_t want = 0;
            size_t from = s->member_start[gi], to = s->member_start[gi + 1];
            for (size_t m = from; m < to; m++) {
                size_t i = suspects->objects[s->members[m]];
                if (pass && !filter_object_passes(&f, app[1], i))
                    continue;
                uint32_t v = session_node_of(ses, app[1], i);
                if (v == GRAPH_NONE || g->idom[v] == GRAPH_NONE)
                    continue;
                bool covered = false;
                for (uint32_t u = g->idom[v]; u != g->n && !covered; u = g->idom[u])
                    for (size_t m2 = from; m2 < to && !covered; m2++) {
                        size_t i2 = suspects->objects[s->members[m2]];
                        covered = (!pass || filter_object_passes(&f, app[1], i2)) &&
                                  session_node_of(ses, app[1], i2) == u;
                    }
                if (!covered)
                    want += g->retained[v];
            }
            assert_int_equal(s->groups[gi].retained, want);
            if (!pass)
                assert_int_equal(s->groups[gi].all_retained, want);
            partial += pass && s->groups[gi].count && s->groups[gi].count < s->groups[gi].all_count &&
                       s->groups[gi].retained < s->groups[gi].all_retained;
        }
        if (pass)
            assert_true(partial > 0); /* the filter did split some groups */
    }
    filter_free(&f);
    group_free(s);
}

/* Cancelling frees everything (the sanitizer build's leak check proves it):
 * at once, while the dumps load, and once the list is out, while the graph
 * is read. */
static void cancelled_loads_free_everything(void **state)
{
    (void)state;
    const char *const *paths = app_dump_paths();
    loader_opts opts = { .identity = DIFF_ID_EXACT, .want_trends = true, .want_graph = true };
    hs_error err;
    for (int when = 0; when < 2; when++) {
        loader *l;
        assert_int_equal(loader_start(&l, paths, 3, &opts, &err), HS_OK);
        if (when == 1)
            while (!loader_finished(l))
                usleep(1000);
        loader_cancel(l);
        hs_status st = loader_join(l);
        if (when == 0) {
            assert_true(st == HS_ERR_CANCELLED || st == HS_OK);
        } else {
            assert_int_equal(st, HS_OK); /* the list was out before the cancel */
            int gs = atomic_load(&l->graph_state);
            assert_true(gs == LOADER_GRAPH_READY ||
                        (gs == LOADER_GRAPH_FAILED && l->graph_status == HS_ERR_CANCELLED));
        }
        loader_free(l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(diamond_and_unreachable),
        cmocka_unit_test(cycles_self_loops_repeats),
        cmocka_unit_test(shared_between_roots),
        cmocka_unit_test(dangling_references_are_counted),
        cmocka_unit_test(root_paths_prefer_real_roots),
        cmocka_unit_test(unreachable_has_no_path),
        cmocka_unit_test(million_deep_chain),
        cmocka_unit_test(dominators_out_of_memory),
        cmocka_unit_test(graph_of_a_real_dump),
        cmocka_unit_test(referrers_agree_with_the_text),
        cmocka_unit_test(group_retained_under_filters),
        cmocka_unit_test(cancelled_loads_free_everything),
        cmocka_unit_test(dominators_cancelled),
    };
    return cmocka_run_group_tests(tests, load_app, free_app);
}
