/* session.c - one loaded analysis and the lookups every view shares. */
#include "session.h"

#include "objinfo.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A session over dumps (the array becomes the session's) that owns nothing
 * else yet. */
static session *session_make(heap **dumps, size_t ndumps, const diff_result *diff)
{
    assert(ndumps > 0 && diff && diff->ndumps == ndumps && diff->subject < ndumps);
    session *s = hs_xcalloc(1, sizeof *s);
    s->dumps = dumps;
    s->ndumps = ndumps;
    s->diff = diff;
    s->identity = diff->identity;
    s->subject = dumps[diff->subject];
    s->latest = dumps[ndumps - 1];
    s->avoid_root = -1;
    /* A dump holding exactly the objects of the one before (the same
     * addresses and generations, in the same order): told once here, not
     * at every redraw of the status line. */
    s->same_as_previous = hs_xcalloc(ndumps, sizeof *s->same_as_previous);
    for (size_t k = 1; k < ndumps; k++) {
        const heap *a = dumps[k - 1], *b = dumps[k];
        s->same_as_previous[k] = a->count == b->count && a->count > 0 &&
                                 memcmp(a->addr, b->addr, a->count * sizeof *a->addr) == 0 &&
                                 memcmp(a->gen, b->gen, a->count * sizeof *a->gen) == 0;
    }
    return s;
}

session *session_new(heap **dumps, size_t ndumps, diff_result *diff)
{
    session *s = session_make(dumps, ndumps, diff);
    s->own_diff = diff;
    s->owns_dumps = true;
    return s;
}

session *session_borrow(heap *const *dumps, size_t ndumps, const diff_result *diff)
{
    heap **copy = hs_xmalloc(ndumps * sizeof *copy);
    for (size_t k = 0; k < ndumps; k++)
        copy[k] = dumps[k];
    return session_make(copy, ndumps, diff);
}

void session_free(session *s)
{
    if (!s)
        return;
    if (s->owns_dumps)
        for (size_t k = 0; k < s->ndumps; k++)
            heap_free(s->dumps[k]);
    diff_free(s->own_diff);
    free(s->dumps);
    free(s->same_as_previous);
    if (s->graph) {
        graph_free(s->graph);
        free(s->graph);
    }
    if (s->addrs) {
        addrmap_free(s->addrs);
        free(s->addrs);
    }
    for (size_t k = 0; s->nodes && k < s->ndumps; k++)
        free(s->nodes[k]);
    free(s->nodes);
    free(s);
}

void session_attach_graph(session *s, heap_graph *hg)
{
    assert(!s->graph && hg->graph && hg->count == s->latest->count);
    s->graph = hg->graph;
    s->addrs = hg->addrs;
    hg->graph = NULL;
    hg->addrs = NULL;
    if (hg->nodes) {
        assert(hg->ndumps == s->ndumps);
        s->nodes = hg->nodes;
        hg->nodes = NULL;
    }
    s->avoid_root = graph_root_kind(s->graph, GRAPH_STACK_ROOT);
    heap_add_damaged(s->latest, hg->damaged, hg->problems, hg->nproblems);
    /* Found by the pass on its thread; said here, on the owner's. */
    if (hg->warning[0] && !s->latest->warning[0])
        snprintf(s->latest->warning, sizeof s->latest->warning, "%s", hg->warning);
    heap_graph_free(hg);
}

void session_attach_sites(session *s, heap **sites)
{
    for (size_t k = 0; k < s->ndumps; k++)
        if (sites[k]) {
            heap_attach_sites(s->dumps[k], sites[k]);
            sites[k] = NULL;
        }
}

/* Object i of h in the graph whose objects addrs indexes (of latest). */
static uint32_t node_by_address(const heap *h, size_t i, const heap *latest, const addrmap *addrs,
                                diff_identity identity)
{
    uint32_t v = addrmap_find(addrs, h->addr[i]);
    if (v == ADDRMAP_NONE)
        return GRAPH_NONE;
    return diff_same_object(h, i, latest, v, identity) ? v : GRAPH_NONE;
}

hs_status session_map_nodes(const session *s, heap_graph *hg, hs_error *err)
{
    assert(hg->graph && hg->count == s->latest->count && !hg->nodes);
    hs_mem mem = { 0 };
    uint32_t **nodes = hs_mem_zalloc(&mem, s->ndumps, sizeof *nodes);
    for (size_t k = 1; nodes && k + 1 < s->ndumps; k++)
        nodes[k] = hs_mem_alloc(&mem, s->dumps[k]->count, sizeof *nodes[k]);
    if (hs_mem_failed(&mem)) {
        for (size_t k = 0; nodes && k < s->ndumps; k++)
            free(nodes[k]);
        free(nodes);
        return hs_mem_fail(err, &mem, "the graph's nodes of the objects of dumps 2 to %zu", s->ndumps - 1);
    }
    for (size_t k = 1; k + 1 < s->ndumps; k++) {
        const heap *h = s->dumps[k];
        for (size_t i = 0; i < h->count; i++)
            nodes[k][i] = node_by_address(h, i, s->latest, hg->addrs, s->identity);
    }
    hg->ndumps = s->ndumps;
    hg->nodes = nodes;
    return HS_OK;
}

uint32_t session_node_of(const session *s, const heap *h, size_t i)
{
    if (!s->graph)
        return GRAPH_NONE;
    if (h == s->latest)
        return (uint32_t)i;
    for (size_t k = 0; s->nodes && k < s->ndumps; k++)
        if (s->dumps[k] == h && s->nodes[k])
            return s->nodes[k][i];
    return node_by_address(h, i, s->latest, s->addrs, s->identity);
}

uint32_t session_node_at(const session *s, uint64_t addr)
{
    if (!s->graph)
        return GRAPH_NONE;
    uint32_t v = addrmap_find(s->addrs, addr);
    return v == ADDRMAP_NONE ? GRAPH_NONE : v;
}

hs_status session_root_path(const session *s, uint32_t v, uint32_t **path, size_t *len, unsigned *root_kind,
                            hs_error *err)
{
    assert(s->graph && v < s->graph->n);
    hs_mem mem = { 0 };
    size_t *hops = NULL;
    /* The graph pass's tree of root paths answers at once; else a search
     * from the roots (the same path: graph_tree_path). */
    const uint32_t *tree = graph_kept_root_tree(s->graph, s->avoid_root);
    bool found = tree ? graph_tree_path(s->graph, tree, v, s->avoid_root, path, len, root_kind, &mem)
                      : graph_root_path(s->graph, v, s->avoid_root, path, len, root_kind, &mem);
    if (found)
        hops = hs_mem_alloc(&mem, *len + 1, sizeof *hops);
    if (!hops) {
        free(*path);
        *path = NULL;
        *len = 0;
        return hs_mem_fail(err, &mem, "cannot find the path from a GC root to 0x%" PRIx64 " in %s",
                           s->latest->addr[v], s->latest->path);
    }
    /* The hops are described wherever a path is shown: read them now. */
    for (size_t k = 0; k < *len; k++)
        hops[k] = (*path)[k];
    hops[*len] = v;
    hs_error why;
    hs_status st = objinfo_try_prepare(s->latest, hops, *len + 1, &why);
    free(hops);
    if (st != HS_OK) {
        free(*path);
        *path = NULL;
        st = hs_fail(err, st, "cannot describe the %zu hops of the path from a GC root to 0x%" PRIx64 ": %s", *len,
                     s->latest->addr[v], why.msg);
        *len = 0;
    }
    return st;
}

size_t session_dump_number(const session *s, const heap *h)
{
    for (size_t k = 0; k < s->ndumps; k++)
        if (s->dumps[k] == h)
            return k + 1;
    return 0;
}

bool session_has_trends(const session *s)
{
    for (size_t k = 0; k < s->ndumps; k++)
        if (!s->dumps[k]->all_sites)
            return false;
    return true;
}
