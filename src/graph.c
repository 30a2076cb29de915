/* graph.c - CSR reference graph, root paths, dominators, retained sizes. */
#include "graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void graph_build(graph *g, uint32_t n, const uint64_t *ref_start, const uint32_t *refs,
                 const uint32_t *roots, const uint8_t *root_kind, size_t nroots)
{
    memset(g, 0, sizeof *g);
    g->n = n;
    snprintf(g->root_names[0], sizeof g->root_names[0], "?");
    g->nroot_names = 1;
    uint32_t nodes = n + 1;
    g->out_start = hs_xcalloc((size_t)nodes + 1, sizeof *g->out_start);
    uint64_t edges = 0;
    for (uint32_t v = 0; v < n; v++) {
        g->out_start[v] = (uint32_t)edges;
        for (uint64_t k = ref_start[v]; k < ref_start[v + 1]; k++) {
            if (refs[k] == GRAPH_NONE || refs[k] >= n)
                g->dangling++;
            else
                edges++;
        }
    }
    g->out_start[n] = (uint32_t)edges;
    for (size_t k = 0; k < nroots; k++)
        edges += roots[k] < n;
    g->out_start[n + 1] = (uint32_t)edges;
    g->edges = edges;
    g->out = hs_xmalloc((edges ? edges : 1) * sizeof *g->out);
    size_t at = 0;
    for (uint32_t v = 0; v < n; v++)
        for (uint64_t k = ref_start[v]; k < ref_start[v + 1]; k++)
            if (refs[k] != GRAPH_NONE && refs[k] < n)
                g->out[at++] = refs[k];
    size_t nroot_edges = g->out_start[n + 1] - g->out_start[n];
    g->root_kind = hs_xmalloc(nroot_edges ? nroot_edges : 1);
    g->root_mask = hs_xcalloc(n ? n : 1, sizeof *g->root_mask);
    size_t r = 0;
    for (size_t k = 0; k < nroots; k++) {
        if (roots[k] >= n)
            continue;
        g->out[at++] = roots[k];
        g->root_kind[r++] = root_kind ? root_kind[k] : 0;
        g->root_mask[roots[k]] |= (uint16_t)(1u << ((root_kind ? root_kind[k] : 0) & 15));
    }

    /* In-edges: a counting sort of the edges by target. */
    g->in_start = hs_xcalloc((size_t)nodes + 1, sizeof *g->in_start);
    for (uint64_t e = 0; e < edges; e++)
        g->in_start[g->out[e] + 1]++;
    for (uint32_t v = 0; v < nodes; v++)
        g->in_start[v + 1] += g->in_start[v];
    g->in = hs_xmalloc((edges ? edges : 1) * sizeof *g->in);
    uint32_t *fill = hs_xmalloc(((size_t)nodes + 1) * sizeof *fill);
    memcpy(fill, g->in_start, ((size_t)nodes + 1) * sizeof *fill);
    for (uint32_t v = 0; v < nodes; v++)
        for (uint32_t e = g->out_start[v]; e < g->out_start[v + 1]; e++)
            g->in[fill[g->out[e]]++] = v;
    free(fill);
}

void graph_free(graph *g)
{
    free(g->out_start);
    free(g->out);
    free(g->in_start);
    free(g->in);
    free(g->root_kind);
    free(g->root_mask);
    free(g->idom);
    free(g->retained);
    memset(g, 0, sizeof *g);
}

/* Postorder of the nodes reachable from the virtual root, by an explicit
 * stack (never recursion). Returns the count; order[] gets the nodes,
 * po[v] their position (GRAPH_NONE when unreachable). */
static uint32_t postorder(const graph *g, uint32_t *order, uint32_t *po)
{
    uint32_t nodes = g->n + 1, count = 0;
    for (uint32_t v = 0; v < nodes; v++)
        po[v] = GRAPH_NONE;
    uint32_t *stack = hs_xmalloc((size_t)nodes * sizeof *stack);
    uint32_t *next = hs_xmalloc((size_t)nodes * sizeof *next); /* next edge to try per node */
    uint8_t *seen = hs_xcalloc(nodes, 1);
    size_t sp = 0;
    stack[sp++] = g->n;
    seen[g->n] = 1;
    next[g->n] = g->out_start[g->n];
    while (sp) {
        uint32_t v = stack[sp - 1];
        if (next[v] < g->out_start[v + 1]) {
            uint32_t w = g->out[next[v]++];
            if (!seen[w]) {
                seen[w] = 1;
                next[w] = g->out_start[w];
                stack[sp++] = w;
            }
        } else {
            po[v] = count;
            order[count++] = v;
            sp--;
        }
    }
    free(stack);
    free(next);
    free(seen);
    return count;
}

void graph_dominators(graph *g, const uint64_t *memsize)
{
    uint32_t nodes = g->n + 1;
    uint32_t *order = hs_xmalloc((size_t)nodes * sizeof *order);
    uint32_t *po = hs_xmalloc((size_t)nodes * sizeof *po);
    uint32_t count = postorder(g, order, po);
    free(g->idom);
    g->idom = hs_xmalloc((size_t)nodes * sizeof *g->idom);
    for (uint32_t v = 0; v < nodes; v++)
        g->idom[v] = GRAPH_NONE;
    uint32_t root = g->n;
    g->idom[root] = root;

    /* Cooper, Harvey, Kennedy: "A Simple, Fast Dominance Algorithm". */
    bool changed = true;
    while (changed) {
        changed = false;
        for (uint32_t k = count; k-- > 0;) { /* reverse postorder */
            uint32_t v = order[k];
            if (v == root)
                continue;
            uint32_t new_idom = GRAPH_NONE;
            for (uint32_t e = g->in_start[v]; e < g->in_start[v + 1]; e++) {
                uint32_t p = g->in[e];
                if (g->idom[p] == GRAPH_NONE)
                    continue; /* not processed yet, or unreachable */
                if (new_idom == GRAPH_NONE) {
                    new_idom = p;
                    continue;
                }
                uint32_t a = p, b = new_idom;
                while (a != b) {
                    while (po[a] < po[b])
                        a = g->idom[a];
                    while (po[b] < po[a])
                        b = g->idom[b];
                }
                new_idom = a;
            }
            if (new_idom != GRAPH_NONE && g->idom[v] != new_idom) {
                g->idom[v] = new_idom;
                changed = true;
            }
        }
    }

    /* Retained sizes: a node's dominator-tree children come before it in
     * postorder, so one pass in postorder sums subtrees. */
    free(g->retained);
    g->retained = hs_xcalloc(nodes, sizeof *g->retained);
    for (uint32_t k = 0; k < count; k++) {
        uint32_t v = order[k];
        if (v != root)
            g->retained[v] += memsize ? memsize[v] : 1;
        if (v != root && g->idom[v] != GRAPH_NONE)
            g->retained[g->idom[v]] += g->retained[v];
    }
    free(order);
    free(po);
}

int graph_root_kind(const graph *g, const char *name)
{
    for (unsigned k = 0; k < g->nroot_names; k++)
        if (strcmp(g->root_names[k], name) == 0)
            return (int)k;
    return -1;
}

/* Breadth-first search backward from v over referrers, stopping at the first
 * object a root names (with a category in `mask`). */
static size_t search_back(const graph *g, uint32_t v, uint16_t mask, uint32_t **path, unsigned *kind)
{
    uint32_t nodes = g->n + 1;
    uint32_t *parent = hs_xmalloc((size_t)nodes * sizeof *parent); /* the next node toward v */
    uint8_t *seen = hs_xcalloc(nodes, 1);
    uint32_t *queue = hs_xmalloc((size_t)nodes * sizeof *queue);
    size_t head = 0, tail = 0, len = 0;
    queue[tail++] = v;
    seen[v] = 1;
    parent[v] = GRAPH_NONE;
    uint32_t found = GRAPH_NONE;
    while (head < tail) {
        uint32_t u = queue[head++];
        if (g->root_mask[u] & mask) {
            found = u;
            break;
        }
        for (uint32_t e = g->in_start[u]; e < g->in_start[u + 1]; e++) {
            uint32_t w = g->in[e];
            if (w == g->n || seen[w])
                continue;
            seen[w] = 1;
            parent[w] = u;
            queue[tail++] = w;
        }
    }
    if (found != GRAPH_NONE) {
        for (uint32_t u = found; u != GRAPH_NONE; u = parent[u])
            len++;
        *path = hs_xmalloc(len * sizeof **path);
        size_t i = 0;
        for (uint32_t u = found; u != GRAPH_NONE; u = parent[u])
            (*path)[i++] = u;
        uint16_t m = g->root_mask[found] & mask;
        *kind = (unsigned)__builtin_ctz(m);
    }
    free(parent);
    free(seen);
    free(queue);
    return len;
}

size_t graph_root_path(const graph *g, uint32_t v, int avoid_kind, uint32_t **path, unsigned *root_kind)
{
    *path = NULL;
    *root_kind = 0;
    if (v >= g->n)
        return 0;
    if (avoid_kind >= 0 && avoid_kind < 16) {
        size_t len = search_back(g, v, (uint16_t)~(1u << avoid_kind), path, root_kind);
        if (len)
            return len;
    }
    return search_back(g, v, 0xffff, path, root_kind);
}
