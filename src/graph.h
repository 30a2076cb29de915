/* graph.h - the reference graph of one dump, and what it answers: who
 * references an object, the shortest path to it from a GC root, and the
 * dominator tree with every object's retained size (the memory freed if it
 * were freed).
 *
 * Nodes are object indices 0..n-1 of a heap plus one virtual root, node n,
 * whose edges are the ROOT records' references. Every object also points to
 * its class (dumps do not list that edge). Edges are 4-byte node indices in
 * CSR arrays; references to addresses absent from the dump are counted as
 * dangling, not dropped silently. Every algorithm is iterative: a
 * million-deep chain of arrays is a normal dump.
 *
 * What is kept is 16 bytes per object (edge start, dominator, retained size)
 * plus 4 per reference. Referrers are not stored: one scan of the edges
 * finds them (tens of milliseconds for millions of objects), and the root
 * path is a breadth-first search forward from the roots. The predecessor
 * lists the dominator algorithm needs exist only while it runs.
 *
 * Built by one thread; read-only afterwards (any thread). Building it
 * (graph_build, graph_dominators) fails with a status when memory runs
 * out, and so do the root paths and the preorder of the dominator tree,
 * whose scratch of n entries comes from an hs_mem.
 */
#ifndef HEAPSIFT_GRAPH_H
#define HEAPSIFT_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define GRAPH_NONE UINT32_MAX /* no node (an unreachable object's dominator) */
#define GRAPH_ROOT_KINDS 16   /* root categories told apart (Ruby has about 10);
                                 more are counted as "?", kind 0 */
#define GRAPH_ROOT_NAME 24    /* bytes of a category name, NUL included */
#define GRAPH_STACK_ROOT "machine_context" /* the category of the roots a thread's
                                              stack holds: scanned conservatively,
                                              so root paths avoid it where they can */

typedef struct graph {
    uint32_t n;            /* objects; node n is the virtual root */
    uint32_t *out_start;   /* n + 2 entries: out-edges of v are out[out_start[v] .. out_start[v+1]) */
    uint32_t *out;         /* edge targets */
    uint8_t *root_kind;    /* per edge of the virtual root (out[out_start[n] + k]): index
                              into root_names of its ROOT record's category */
    char root_names[GRAPH_ROOT_KINDS][GRAPH_ROOT_NAME]; /* categories seen ("vm", "machine_context" ...); [0] = "?" */
    unsigned nroot_names;
    uint64_t edges;        /* edges kept (repeats kept, self-loops kept) */
    uint64_t dangling;     /* references to addresses that are no object of the dump */
    uint32_t *idom;        /* immediate dominator per node (root: itself), GRAPH_NONE
                              when unreachable; NULL until graph_dominators */
    uint64_t *retained;    /* retained size per node (root: everything reachable) */
    uint16_t *root_mask;   /* per node, the root categories that reach it
                              (graph_root_masks); NULL until it is set */
    uint32_t *root_parent; /* graph_root_tree's tree (n + 1 entries), made
                              avoiding root_parent_avoid; NULL until it is set */
    int root_parent_avoid; /* the category it avoids where it can, -1: none */
} graph;

/* Builds a graph from edge lists given in any order: for each object v,
 * refs[ref_start[v] .. ref_start[v+1]) are the node indices it references
 * (GRAPH_NONE entries count as dangling); roots[0..nroots) are the nodes the
 * ROOT records reference, with root_kind[k] their category index. Copies
 * what it needs. Fails with HS_ERR_NOMEM (err saying how much it needed)
 * when its arrays cannot be allocated; g is then empty (graph_free is still
 * fine). */
hs_status graph_build(graph *g, uint32_t n, const uint64_t *ref_start, const uint32_t *refs,
                      const uint32_t *roots, const uint8_t *root_kind, size_t nroots, hs_error *err);

void graph_free(graph *g);

/* Computes idom and retained sizes (memsize[v] per object; NULL: all 1),
 * by Lengauer and Tarjan's algorithm with path compression, all iterative.
 * It needs 56 bytes per object and 4 per reference while it runs (12 of
 * them kept: idom and retained), allocated before it starts: HS_ERR_NOMEM,
 * with err saying how much, when they cannot be, and g is left as it was.
 * When *cancel (may be NULL) is set by another thread, it stops within a
 * few milliseconds of its longest loop with HS_ERR_CANCELLED, g as it was. */
hs_status graph_dominators(graph *g, const uint64_t *memsize, const _Atomic bool *cancel, hs_error *err);

/* mask[v]: the root categories whose roots reach node v (bit k: root_names[k]),
 * 0 when none; mask holds g->n + 1 entries. A worklist over the edges, each
 * node revisited only when its mask grows (at most once per category). Its
 * scratch (5 bytes a node) comes from mem: false, nothing written, when it
 * failed. */
bool graph_root_masks(const graph *g, uint16_t *mask, hs_mem *mem);

/* The shortest path from a root to v: path[0] is the first object after the
 * virtual root, path[len-1] == v. Roots other than `avoid_kind` (a
 * category index, e.g. machine_context, whose stack scan is conservative)
 * are preferred when any such path exists. Sets *len (0 when v is
 * unreachable) and, in *root_kind, the category of the root used; *path is
 * allocated (NULL when len is 0), the caller frees it. Its scratch (8 bytes
 * a node while it searches) and the path (4 bytes a hop) come from mem:
 * false, with *path NULL and *len 0, when mem failed (before or now). */
bool graph_root_path(const graph *g, uint32_t v, int avoid_kind, uint32_t **path, size_t *len, unsigned *root_kind,
                     hs_mem *mem);

/* The breadth-first tree graph_root_path searches, for every node at once
 * (one pass over the edges instead of one per path): parent[v] is the node
 * before v on the path graph_root_path returns for v (g->n when a root
 * names v), GRAPH_NONE when no root reaches v. parent holds n + 1 entries.
 * Its queue (4 bytes a node) comes from mem: false, parent not written,
 * when mem failed. */
bool graph_root_tree(const graph *g, int avoid_kind, uint32_t *parent, hs_mem *mem);

/* The tree of root paths the graph keeps (root_parent), when it was made
 * avoiding avoid_kind; NULL otherwise (graph_root_tree makes one). */
static inline const uint32_t *graph_kept_root_tree(const graph *g, int avoid_kind)
{
    return g->root_parent && g->root_parent_avoid == avoid_kind ? g->root_parent : NULL;
}

/* The path to v in a tree from graph_root_tree: what graph_root_path(g, v,
 * avoid_kind, ...) finds, the same way, the path from mem. */
bool graph_tree_path(const graph *g, const uint32_t *parent, uint32_t v, int avoid_kind, uint32_t **path,
                     size_t *len, unsigned *root_kind, hs_mem *mem);

/* The category index of a root name, or -1. */
int graph_root_kind(const graph *g, const char *name);

/* The referrers of v: every node with an edge to v, once each, in node
 * order (the virtual root, node n, last when a ROOT record names v). Writes
 * the first `cap` into out (may be NULL when cap is 0) and returns how many
 * there are. One pass over all edges. */
size_t graph_referrers(const graph *g, uint32_t v, uint32_t *out, size_t cap);

/* The categories of the ROOT records that name v, as a bit mask (bit k:
 * root_names[k]); 0 when no root names it. */
uint32_t graph_root_kinds_of(const graph *g, uint32_t v);

/* Numbers the dominator tree in preorder (graph_dominators must have run):
 * pre[v] is v's number and end[v] one past the last number of its subtree,
 * so u dominates v exactly when pre[u] <= pre[v] < end[u]. Nodes no root
 * reaches get pre = end = 0. Both arrays hold n + 1 entries. Its scratch
 * (16 bytes a node) comes from mem: false, pre and end untouched, when it
 * cannot be had. */
bool graph_dom_preorder(const graph *g, uint32_t *pre, uint32_t *end, hs_mem *mem);

/* Bytes the graph keeps (edges, dominators, retained sizes, root masks, root tree). */
size_t graph_bytes(const graph *g);

static inline uint32_t graph_out_degree(const graph *g, uint32_t v)
{
    return g->out_start[v + 1] - g->out_start[v];
}

#endif
