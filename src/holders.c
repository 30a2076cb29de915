/* holders.c - the top-most members of a node set and what holds them. */
#include "config.h"
#include "holders.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "objinfo.h"
#include "status.h"

#define HS_UTHASH_NONFATAL /* a holder site per top-most member at most */
#include "hs_uthash.h"

/* What the analysis has learnt about a node, one byte per node. */
typedef enum node_state {
    NODE_UNSEEN = 0,   /* outside the set; no walk up the tree has passed it */
    NODE_MEMBER,       /* a member of the set */
    NODE_UNDER_MEMBER, /* outside the set; a member dominates it */
    NODE_CLEAR,        /* outside the set; no member dominates it */
    NODE_SEEKING,      /* a top-most member that only the roots together
                          dominate: its holder is its first referrer outside
                          the set, not found yet */
} node_state;

/* Members with no member above them in the dominator tree: their retained
 * sizes add up without counting anything twice. Walks up the tree from each
 * member, remembering the answer for every node it passes, so each node is
 * walked through once. walk: scratch of gr->n + 1 entries. */
static void find_top(const graph *gr, uint8_t *state, const uint32_t *nodes, size_t n, uint32_t *walk,
                     holders *out)
{
    for (size_t k = 0; k < n; k++) {
        uint32_t v = nodes[k];
        size_t depth = 0;
        uint32_t u = gr->idom[v];
        uint8_t answer = NODE_CLEAR;
        while (u != GRAPH_NONE && u != gr->n) {
            if (state[u] == NODE_MEMBER || state[u] == NODE_UNDER_MEMBER) {
                answer = NODE_UNDER_MEMBER;
                break;
            }
            if (state[u] == NODE_CLEAR)
                break;
            walk[depth++] = u;
            u = gr->idom[u];
        }
        for (size_t d = 0; d < depth; d++)
            state[walk[d]] = answer;
        if (answer == NODE_UNDER_MEMBER)
            continue;
        out->top[out->ntop++] = v;
        out->retained += gr->retained[v];
        if (out->largest == GRAPH_NONE || gr->retained[v] > gr->retained[out->largest])
            out->largest = v;
    }
}

/* The nearest holder of each top-most member outside the set: its
 * dominator, or, when only the roots together dominate it, its first
 * referrer outside the set (one pass over all edges finds those).
 * holder: scratch of gr->n + 1 entries, indexed by node. */
static void find_holders(const graph *gr, uint8_t *state, uint32_t *holder, holders *out)
{
    bool need_referrers = false;
    for (size_t k = 0; k < out->ntop; k++) {
        uint32_t v = out->top[k];
        holder[v] = gr->idom[v] == gr->n ? GRAPH_NONE : gr->idom[v];
        if (holder[v] == GRAPH_NONE) {
            state[v] = NODE_SEEKING;
            need_referrers = true;
        }
    }
    for (uint32_t u = 0; need_referrers && u < gr->n; u++) {
        if (state[u] == NODE_MEMBER || state[u] == NODE_SEEKING)
            continue; /* a member is no holder */
        for (uint32_t e = gr->out_start[u]; e < gr->out_start[u + 1]; e++) {
            uint32_t w = gr->out[e];
            if (state[w] == NODE_SEEKING) {
                holder[w] = u;
                state[w] = NODE_MEMBER;
            }
        }
    }
    for (size_t k = 0; k < out->ntop; k++) {
        uint32_t v = out->top[k];
        if (state[v] == NODE_SEEKING)
            state[v] = NODE_MEMBER; /* no referrer outside the set */
        out->top_holder[k] = holder[v];
    }
}

/* One (type, site) while the holders are being added up. */
typedef struct site_entry {
    struct { uint8_t type; uint32_t site; } key; /* zeroed padding: hashed as bytes */
    size_t seen;        /* order of first appearance, the last sort key */
    holder_site site;
    UT_hash_handle hh;
} site_entry;

static int cmp_sites(const void *a, const void *b)
{
    const site_entry *x = *(const site_entry *const *)a, *y = *(const site_entry *const *)b;
    if (x->site.bytes != y->site.bytes)
        return x->site.bytes > y->site.bytes ? -1 : 1;
    if (x->site.objects != y->site.objects)
        return x->site.objects > y->site.objects ? -1 : 1;
    return x->seen < y->seen ? -1 : x->seen > y->seen;
}

/* Adds up the holders of out->top by (type, site) into out->sites. False
 * when mem failed (out->sites is not set). */
static bool group_by_site(heap *latest, const graph *gr, holders *out, hs_mem *mem, hs_error *err)
{
    site_entry *by_site = NULL;
    size_t nsites = 0;
    /* Every holder's details in one pass. */
    size_t *objs = hs_mem_alloc(mem, out->ntop, sizeof *objs);
    if (!objs)
        return false;
    for (size_t k = 0; k < out->ntop; k++)
        objs[k] = out->top_holder[k] == GRAPH_NONE ? OBJ_NONE : out->top_holder[k];
    hs_status st = objinfo_try_prepare(latest, objs, out->ntop, err);
    free(objs);
    if (st != HS_OK)
        return false; /* said in err */
    site_entry *entries = hs_mem_alloc(mem, out->ntop, sizeof *entries);
    for (size_t k = 0; k < out->ntop && entries; k++) {
        uint32_t h = out->top_holder[k];
        if (h == GRAPH_NONE)
            continue;
        site_entry key;
        memset(&key, 0, sizeof key);
        key.key.type = latest->type[h];
        key.key.site = latest->site ? latest->site[h] : 0;
        site_entry *r = NULL;
        HASH_FIND(hh, by_site, &key.key, sizeof key.key, r);
        if (!r) {
            r = &entries[nsites];
            memset(r, 0, sizeof *r);
            r->key = key.key;
            r->seen = nsites;
            r->site.type = key.key.type;
            r->site.site = key.key.site;
            r->site.example = h;
            bool added;
            HS_HASH_ADD(by_site, key, sizeof r->key, r, mem, added);
            if (!added)
                break;
            nsites++;
        }
        r->site.objects++;
        r->site.bytes += gr->retained[out->top[k]];
    }
    site_entry **list = hs_mem_alloc(mem, nsites, sizeof *list);
    out->sites = hs_mem_alloc(mem, nsites, sizeof *out->sites);
    if (!hs_mem_failed(mem)) {
        size_t k = 0;
        site_entry *r, *tmp;
        HASH_ITER(hh, by_site, r, tmp) list[k++] = r;
        qsort(list, nsites, sizeof *list, cmp_sites);
        for (k = 0; k < nsites; k++)
            out->sites[k] = list[k]->site;
        out->nsites = nsites;
    }
    free(list);
    HASH_CLEAR(hh, by_site);
    free(entries);
    return !hs_mem_failed(mem);
}

hs_status holders_find(const session *s, const uint32_t *nodes, size_t n, holders *out, hs_error *err)
{
    const graph *gr = s->graph;
    memset(out, 0, sizeof *out);
    out->largest = GRAPH_NONE;
    hs_mem mem = { 0 };
    out->top = hs_mem_alloc(&mem, n, sizeof *out->top);
    out->top_holder = hs_mem_alloc(&mem, n, sizeof *out->top_holder);
    uint8_t *state = hs_mem_zalloc(&mem, (size_t)gr->n + 1, 1);
    uint32_t *scratch = hs_mem_alloc(&mem, (size_t)gr->n + 1, sizeof *scratch);
    if (!hs_mem_failed(&mem)) {
        for (size_t k = 0; k < n; k++)
            state[nodes[k]] = NODE_MEMBER;
        find_top(gr, state, nodes, n, scratch, out);
        find_holders(gr, state, scratch, out);
    }
    free(scratch);
    free(state);
    hs_error why = { 0 };
    if (hs_mem_failed(&mem) || !group_by_site(s->latest, gr, out, &mem, &why)) {
        holders_free(out);
        if (why.msg[0])
            return hs_fail(err, why.status, "cannot find what holds %zu objects: %s", n, why.msg);
        return hs_mem_fail(err, &mem, "cannot find what holds %zu objects", n);
    }
    return HS_OK;
}

void holders_free(holders *h)
{
    if (!h)
        return;
    free(h->top);
    free(h->top_holder);
    free(h->sites);
    memset(h, 0, sizeof *h);
    h->largest = GRAPH_NONE;
}
