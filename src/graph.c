/* graph.c - CSR reference graph, root paths, dominators, retained sizes. */
#include "graph.h"

#include <stdatomic.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

hs_status graph_build(graph *g, uint32_t n, const uint64_t *ref_start, const uint32_t *refs,
                      const uint32_t *roots, const uint8_t *root_kind, size_t nroots, hs_error *err)
{
    memset(g, 0, sizeof *g);
    g->n = n;
    snprintf(g->root_names[0], sizeof g->root_names[0], "?");
    g->nroot_names = 1;
    uint32_t nodes = n + 1;
    hs_mem mem = { 0 };
    g->out_start = hs_mem_zalloc(&mem, (size_t)nodes + 1, sizeof *g->out_start);
    if (hs_mem_failed(&mem))
        return hs_mem_fail(err, &mem, "the reference graph of %u objects", n);
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
    for (size_t k = 0; k < nroots; k++) {
        if (roots[k] < n)
            edges++;
        else
            g->dangling++; /* a ROOT record naming no object of the dump */
    }
    g->out_start[n + 1] = (uint32_t)edges;
    g->edges = edges;
    size_t nroot_edges = g->out_start[n + 1] - g->out_start[n];
    g->out = hs_mem_alloc(&mem, edges, sizeof *g->out);
    g->root_kind = hs_mem_alloc(&mem, nroot_edges, 1);
    if (hs_mem_failed(&mem)) {
        graph_free(g);
        return hs_mem_fail(err, &mem, "the reference graph of %u objects and %llu references", n,
                           (unsigned long long)edges);
    }
    size_t at = 0;
    for (uint32_t v = 0; v < n; v++)
        for (uint64_t k = ref_start[v]; k < ref_start[v + 1]; k++)
            if (refs[k] != GRAPH_NONE && refs[k] < n)
                g->out[at++] = refs[k];
    size_t r = 0;
    for (size_t k = 0; k < nroots; k++) {
        if (roots[k] >= n)
            continue;
        g->out[at++] = roots[k];
        uint8_t kind = root_kind ? root_kind[k] : 0;
        g->root_kind[r++] = kind < GRAPH_ROOT_KINDS ? kind : 0; /* unknown: "?" */
    }
    return HS_OK;
}

void graph_free(graph *g)
{
    free(g->out_start);
    free(g->out);
    free(g->root_kind);
    free(g->idom);
    free(g->retained);
    free(g->root_mask);
    free(g->root_parent);
    memset(g, 0, sizeof *g);
}

/* Lengauer and Tarjan, "A Fast Algorithm for Finding Dominators in a
 * Flowgraph" (1979), with path compression, and without recursion: the
 * depth-first search keeps its own stack, and so does compress(). (The
 * simpler iterative algorithm of Cooper, Harvey and Kennedy is quadratic
 * when a node has many predecessors deep in a long chain: a million-element
 * linked list whose arrays all point to the Array class.)
 *
 * Numbers are 1-based depth-first numbers; 0 means "not reached". */
typedef struct lt {
    uint32_t *dfnum;    /* node -> its number, 0 when unreachable */
    uint32_t *vertex;   /* number -> node */
    uint32_t *parent;   /* number -> number of its DFS parent */
    uint32_t *semi;     /* number -> number of its semidominator */
    uint32_t *ancestor; /* number -> number of its forest ancestor, 0 at a tree root */
    uint32_t *label;    /* number -> number with the least semi on the compressed path */
    uint32_t *stack;    /* scratch for compress */
} lt;

static void compress(lt *t, uint32_t v)
{
    size_t sp = 0;
    /* Climb to the last node whose ancestor still has an ancestor... */
    while (t->ancestor[t->ancestor[v]] != 0) {
        t->stack[sp++] = v;
        v = t->ancestor[v];
    }
    /* ...then fix labels and ancestors from the top down. */
    while (sp) {
        uint32_t x = t->stack[--sp];
        uint32_t a = t->ancestor[x];
        if (t->semi[t->label[a]] < t->semi[t->label[x]])
            t->label[x] = t->label[a];
        t->ancestor[x] = t->ancestor[a];
    }
}

static uint32_t eval(lt *t, uint32_t v)
{
    if (t->ancestor[v] == 0)
        return v;
    compress(t, v);
    return t->label[v];
}

/* Numbers nodes in depth-first preorder from the virtual root; returns the
 * count reached. stack and next are scratch of n + 1 entries. */
static uint32_t number_nodes(const graph *g, lt *t, uint32_t *stack, uint32_t *next)
{
    uint32_t count = 0;
    size_t sp = 0;
    stack[sp++] = g->n;
    t->dfnum[g->n] = ++count;
    t->vertex[count] = g->n;
    t->parent[count] = 0;
    next[g->n] = g->out_start[g->n];
    while (sp) {
        uint32_t v = stack[sp - 1];
        if (next[v] < g->out_start[v + 1]) {
            uint32_t w = g->out[next[v]++];
            if (!t->dfnum[w]) {
                t->dfnum[w] = ++count;
                t->vertex[count] = w;
                t->parent[count] = t->dfnum[v];
                next[w] = g->out_start[w];
                stack[sp++] = w;
            }
        } else {
            sp--;
        }
    }
    return count;
}

/* Predecessor lists (in-edges) in CSR form into start (n + 2 entries,
 * zeroed) and list (one per edge): a counting sort of the edges by target,
 * with fill (n + 2 entries) as scratch. Only graph_dominators needs them,
 * and only while it runs. */
static void predecessors(const graph *g, uint32_t *start, uint32_t *list, uint32_t *fill)
{
    uint32_t nodes = g->n + 1;
    uint64_t edges = g->edges;
    for (uint64_t e = 0; e < edges; e++)
        start[g->out[e] + 1]++;
    for (uint32_t v = 0; v < nodes; v++)
        start[v + 1] += start[v];
    memcpy(fill, start, ((size_t)nodes + 1) * sizeof *fill);
    for (uint32_t v = 0; v < nodes; v++)
        for (uint32_t e = g->out_start[v]; e < g->out_start[v + 1]; e++)
            list[fill[g->out[e]]++] = v;
}

/* Everything graph_dominators allocates, at once: the predecessor lists and
 * the algorithm's arrays (scratch), and the results (idom, retained), so
 * that running out of memory is found before any work and the message can
 * say what the whole computation needs. Scratch whose lives do not overlap
 * is shared: the numbering's stack is compress()'s, its next-edge cursors
 * are dom's entries, the predecessors' fill cursors are bucket's. */
typedef struct dom_arrays {
    uint32_t *in_start, *in;        /* predecessor lists */
    uint32_t *dom;                  /* number -> number of its immediate dominator */
    uint32_t *bucket;               /* number -> first in its bucket */
    uint32_t *bucket_next;          /* number -> next in the same bucket */
    uint32_t *idom;                 /* the result, per node */
    uint64_t *retained;             /* likewise */
} dom_arrays;

static void dom_arrays_free(lt *t, dom_arrays *a)
{
    free(t->dfnum);
    free(t->vertex);
    free(t->parent);
    free(t->semi);
    free(t->ancestor);
    free(t->label);
    free(t->stack);
    free(a->in_start);
    free(a->in);
    free(a->dom);
    free(a->bucket);
    free(a->bucket_next);
    free(a->idom);
    free(a->retained);
}

/* Nodes the semidominator loop works through between looks at the cancel
 * flag: a few milliseconds. */
#define CANCEL_EVERY 65536

hs_status graph_dominators(graph *g, const uint64_t *memsize, const _Atomic bool *cancel, hs_error *err)
{
    uint32_t nodes = g->n + 1;
    size_t slots = (size_t)nodes + 1;
    hs_mem mem = { 0 };
    lt t = {
        hs_mem_zalloc(&mem, slots, sizeof(uint32_t)), hs_mem_zalloc(&mem, slots, sizeof(uint32_t)),
        hs_mem_zalloc(&mem, slots, sizeof(uint32_t)), hs_mem_zalloc(&mem, slots, sizeof(uint32_t)),
        hs_mem_zalloc(&mem, slots, sizeof(uint32_t)), hs_mem_zalloc(&mem, slots, sizeof(uint32_t)),
        hs_mem_alloc(&mem, slots, sizeof(uint32_t)),
    };
    dom_arrays a = {
        .in_start = hs_mem_zalloc(&mem, slots, sizeof(uint32_t)),
        .in = hs_mem_alloc(&mem, g->edges, sizeof(uint32_t)),
        .dom = hs_mem_alloc(&mem, slots, sizeof(uint32_t)),
        .bucket = hs_mem_alloc(&mem, slots, sizeof(uint32_t)),
        .bucket_next = hs_mem_zalloc(&mem, slots, sizeof(uint32_t)),
        .idom = hs_mem_alloc(&mem, nodes, sizeof(uint32_t)),
        .retained = hs_mem_zalloc(&mem, nodes, sizeof(uint64_t)),
    };
    if (hs_mem_failed(&mem)) {
        dom_arrays_free(&t, &a);
        return hs_mem_fail(err, &mem, "the dominator tree of %u objects and %llu references", g->n,
                           (unsigned long long)g->edges);
    }
    predecessors(g, a.in_start, a.in, a.bucket);
    uint32_t count = number_nodes(g, &t, t.stack, a.dom);
    uint32_t *in_start = a.in_start, *in = a.in, *dom = a.dom, *bucket = a.bucket, *bucket_next = a.bucket_next;
    memset(dom, 0, slots * sizeof *dom);
    memset(bucket, 0, slots * sizeof *bucket);
    for (uint32_t i = 1; i <= count; i++) {
        t.semi[i] = i;
        t.label[i] = i;
    }
    for (uint32_t i = count; i >= 2; i--) {
        if (cancel && i % CANCEL_EVERY == 0 && atomic_load_explicit(cancel, memory_order_relaxed)) {
            dom_arrays_free(&t, &a);
            return hs_fail(err, HS_ERR_CANCELLED, "the dominator tree was cancelled");
        }
        uint32_t w = t.vertex[i];
        for (uint32_t e = in_start[w]; e < in_start[w + 1]; e++) {
            uint32_t v = t.dfnum[in[e]];
            if (!v)
                continue; /* a predecessor no root reaches */
            uint32_t u = eval(&t, v);
            if (t.semi[u] < t.semi[i])
                t.semi[i] = t.semi[u];
        }
        bucket_next[i] = bucket[t.semi[i]];
        bucket[t.semi[i]] = i;
        uint32_t p = t.parent[i];
        t.ancestor[i] = p; /* link */
        for (uint32_t v = bucket[p]; v; v = bucket_next[v]) {
            uint32_t u = eval(&t, v);
            dom[v] = t.semi[u] < t.semi[v] ? u : p;
        }
        bucket[p] = 0;
    }
    for (uint32_t i = 2; i <= count; i++)
        if (dom[i] != t.semi[i])
            dom[i] = dom[dom[i]];

    free(g->idom);
    g->idom = a.idom;
    a.idom = NULL;
    for (uint32_t v = 0; v < nodes; v++)
        g->idom[v] = GRAPH_NONE;
    g->idom[g->n] = g->n;
    for (uint32_t i = 2; i <= count; i++)
        g->idom[t.vertex[i]] = t.vertex[dom[i]];

    /* Retained sizes: a node's dominator lies above it in the depth-first
     * tree, so adding each node into its dominator in decreasing number
     * order sums every subtree before it is added on. */
    free(g->retained);
    g->retained = a.retained;
    a.retained = NULL;
    for (uint32_t i = count; i >= 2; i--) {
        uint32_t v = t.vertex[i];
        g->retained[v] += memsize ? memsize[v] : 1;
        g->retained[g->idom[v]] += g->retained[v];
    }
    dom_arrays_free(&t, &a);
    return HS_OK;
}

int graph_root_kind(const graph *g, const char *name)
{
    for (unsigned k = 0; k < g->nroot_names; k++)
        if (strcmp(g->root_names[k], name) == 0)
            return (int)k;
    return -1;
}

/* Queues the roots of one class: those of category avoid_kind when
 * `avoided`, the others when not. Returns true when v is one of them. */
static bool seed_roots(const graph *g, int avoid_kind, bool avoided, uint32_t v, uint32_t *parent,
                       uint32_t *queue, size_t *tail)
{
    uint32_t first = g->out_start[g->n], last = g->out_start[g->n + 1];
    bool found = false;
    for (uint32_t e = first; e < last; e++) {
        if ((avoid_kind >= 0 && g->root_kind[e - first] == (unsigned)avoid_kind) != avoided)
            continue;
        uint32_t w = g->out[e];
        if (parent[w] != GRAPH_NONE)
            continue;
        parent[w] = g->n;
        queue[(*tail)++] = w;
        found |= w == v;
    }
    return found;
}

/* The path to v (reached) along parent pointers, and the category of the
 * root it starts from, preferring one that is not the avoided kind: false,
 * *path NULL, when mem cannot give its len hops. */
static bool path_from_parents(const graph *g, const uint32_t *parent, uint32_t v, int avoid_kind,
                              uint32_t **path, size_t *len, unsigned *root_kind, hs_mem *mem)
{
    size_t hops = 0;
    for (uint32_t u = v; u != g->n; u = parent[u])
        hops++;
    *path = hs_mem_alloc(mem, hops, sizeof **path);
    if (!*path)
        return false;
    size_t i = hops;
    for (uint32_t u = v; u != g->n; u = parent[u])
        (*path)[--i] = u;
    uint32_t kinds = graph_root_kinds_of(g, (*path)[0]);
    if (avoid_kind >= 0 && (kinds & ~(1u << avoid_kind)))
        kinds &= ~(1u << avoid_kind);
    *root_kind = kinds ? (unsigned)__builtin_ctz(kinds) : 0;
    *len = hops;
    return true;
}

bool graph_root_path(const graph *g, uint32_t v, int avoid_kind, uint32_t **path, size_t *len, unsigned *root_kind,
                     hs_mem *mem)
{
    *path = NULL;
    *len = 0;
    *root_kind = 0;
    if (v >= g->n)
        return !hs_mem_failed(mem);
    /* Breadth-first from the preferred roots, stopping when v is reached;
     * when they do not reach it, on from the avoided ones (what the first
     * pass visited cannot lead to v, so it stays visited). parent doubles as
     * the visited mark. */
    uint32_t nodes = g->n + 1;
    uint32_t *parent = hs_mem_alloc(mem, nodes, sizeof *parent);
    uint32_t *queue = hs_mem_alloc(mem, nodes, sizeof *queue);
    if (hs_mem_failed(mem)) {
        free(parent);
        free(queue);
        return false;
    }
    memset(parent, 0xff, (size_t)nodes * sizeof *parent);
    size_t head = 0, tail = 0;
    bool found = false;
    for (int pass = 0; pass < 2 && !found; pass++) {
        found = seed_roots(g, avoid_kind, pass == 1, v, parent, queue, &tail);
        while (!found && head < tail) {
            uint32_t u = queue[head++];
            for (uint32_t e = g->out_start[u]; e < g->out_start[u + 1]; e++) {
                uint32_t w = g->out[e];
                if (parent[w] != GRAPH_NONE)
                    continue;
                parent[w] = u;
                if (w == v) {
                    found = true;
                    break;
                }
                queue[tail++] = w;
            }
        }
    }
    free(queue);
    bool made = !found || path_from_parents(g, parent, v, avoid_kind, path, len, root_kind, mem);
    free(parent);
    return made;
}

bool graph_root_tree(const graph *g, int avoid_kind, uint32_t *parent, hs_mem *mem)
{
    /* graph_root_path's search, never stopping early: what it finds for
     * any one node is what it would have found stopping there. */
    uint32_t nodes = g->n + 1;
    uint32_t *queue = hs_mem_alloc(mem, nodes, sizeof *queue);
    if (!queue)
        return false;
    memset(parent, 0xff, (size_t)nodes * sizeof *parent);
    size_t head = 0, tail = 0;
    for (int pass = 0; pass < 2; pass++) {
        seed_roots(g, avoid_kind, pass == 1, GRAPH_NONE, parent, queue, &tail);
        while (head < tail) {
            uint32_t u = queue[head++];
            for (uint32_t e = g->out_start[u]; e < g->out_start[u + 1]; e++) {
                uint32_t w = g->out[e];
                if (parent[w] != GRAPH_NONE)
                    continue;
                parent[w] = u;
                queue[tail++] = w;
            }
        }
    }
    free(queue);
    return true;
}

bool graph_tree_path(const graph *g, const uint32_t *parent, uint32_t v, int avoid_kind, uint32_t **path,
                     size_t *len, unsigned *root_kind, hs_mem *mem)
{
    *path = NULL;
    *len = 0;
    *root_kind = 0;
    if (hs_mem_failed(mem))
        return false;
    if (v >= g->n || parent[v] == GRAPH_NONE)
        return true;
    return path_from_parents(g, parent, v, avoid_kind, path, len, root_kind, mem);
}

uint32_t graph_root_kinds_of(const graph *g, uint32_t v)
{
    uint32_t first = g->out_start[g->n], last = g->out_start[g->n + 1], mask = 0;
    for (uint32_t e = first; e < last; e++)
        if (g->out[e] == v)
            mask |= 1u << g->root_kind[e - first]; /* < GRAPH_ROOT_KINDS */
    return mask;
}

size_t graph_referrers(const graph *g, uint32_t v, uint32_t *out, size_t cap)
{
    size_t found = 0;
    for (uint32_t u = 0; u <= g->n; u++) {
        const uint32_t *e = g->out + g->out_start[u], *stop = g->out + g->out_start[u + 1];
        for (; e < stop; e++)
            if (*e == v) {
                if (found < cap)
                    out[found] = u;
                found++;
                break; /* once per referrer, however often it names v */
            }
    }
    return found;
}

bool graph_dom_preorder(const graph *g, uint32_t *pre, uint32_t *end, hs_mem *mem)
{
    uint32_t nodes = g->n + 1;
    /* The dominator tree's children lists, by a counting sort on idom, and
     * the depth-first stack: 16 bytes a node, all taken first. */
    uint32_t *child_start = hs_mem_zalloc(mem, (size_t)nodes + 1, sizeof *child_start);
    uint32_t *children = hs_mem_alloc(mem, nodes, sizeof *children);
    uint32_t *fill = hs_mem_alloc(mem, nodes, sizeof *fill);
    uint32_t *stack = hs_mem_alloc(mem, nodes, sizeof *stack);
    if (hs_mem_failed(mem)) {
        free(child_start);
        free(children);
        free(fill);
        free(stack);
        return false;
    }
    for (uint32_t v = 0; v < g->n; v++)
        if (g->idom[v] != GRAPH_NONE)
            child_start[g->idom[v] + 1]++;
    for (uint32_t v = 0; v < nodes; v++)
        child_start[v + 1] += child_start[v];
    memcpy(fill, child_start, (size_t)nodes * sizeof *fill);
    for (uint32_t v = 0; v < g->n; v++)
        if (g->idom[v] != GRAPH_NONE)
            children[fill[g->idom[v]]++] = v;
    memset(pre, 0, (size_t)nodes * sizeof *pre);
    memset(end, 0, (size_t)nodes * sizeof *end);
    /* Depth-first with an explicit stack; fill[v] is reused as the next
     * child of v to visit. Numbers start at 1 so that 0 means unreached. */
    size_t sp = 0;
    uint32_t number = 1;
    memcpy(fill, child_start, (size_t)nodes * sizeof *fill);
    stack[sp++] = g->n;
    pre[g->n] = number++;
    while (sp) {
        uint32_t v = stack[sp - 1];
        if (fill[v] < child_start[v + 1]) {
            uint32_t w = children[fill[v]++];
            pre[w] = number++;
            stack[sp++] = w;
        } else {
            end[v] = number;
            sp--;
        }
    }
    free(stack);
    free(fill);
    free(children);
    free(child_start);
    return true;
}

size_t graph_bytes(const graph *g)
{
    size_t nodes = (size_t)g->n + 1;
    size_t bytes = (nodes + 1) * sizeof *g->out_start + g->edges * sizeof *g->out;
    bytes += g->out_start[g->n + 1] - g->out_start[g->n]; /* root_kind */
    if (g->idom)
        bytes += nodes * (sizeof *g->idom + sizeof *g->retained);
    if (g->root_mask)
        bytes += nodes * sizeof *g->root_mask;
    if (g->root_parent)
        bytes += nodes * sizeof *g->root_parent;
    return bytes;
}

bool graph_root_masks(const graph *g, uint16_t *mask, hs_mem *mem)
{
    size_t nodes = (size_t)g->n + 1;
    /* A node is queued at most once at a time, so nodes slots suffice. */
    uint32_t *queue = hs_mem_alloc(mem, nodes, sizeof *queue);
    uint8_t *queued = hs_mem_zalloc(mem, nodes, 1);
    if (hs_mem_failed(mem)) {
        free(queue);
        free(queued);
        return false;
    }
    memset(mask, 0, nodes * sizeof *mask);
    size_t head = 0, len = 0;
    uint32_t first = g->out_start[g->n], last = g->out_start[g->n + 1];
    for (uint32_t e = first; e < last; e++) {
        uint32_t w = g->out[e];
        mask[w] |= (uint16_t)(1u << g->root_kind[e - first]);
        if (!queued[w]) {
            queued[w] = 1;
            queue[(head + len++) % nodes] = w;
        }
    }
    while (len) {
        uint32_t u = queue[head];
        head = (head + 1) % nodes;
        len--;
        queued[u] = 0;
        uint16_t m = mask[u];
        for (uint32_t e = g->out_start[u]; e < g->out_start[u + 1]; e++) {
            uint32_t w = g->out[e];
            if ((mask[w] | m) == mask[w])
                continue;
            mask[w] |= m;
            if (!queued[w]) {
                queued[w] = 1;
                queue[(head + len++) % nodes] = w;
            }
        }
    }
    free(queue);
    free(queued);
    return true;
}
