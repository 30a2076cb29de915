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
 * Built by one thread; read-only afterwards (any thread).
 */
#ifndef HEAPSIFT_GRAPH_H
#define HEAPSIFT_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define GRAPH_NONE UINT32_MAX /* no node (an unreachable object's dominator) */

typedef struct graph {
    uint32_t n;            /* objects; node n is the virtual root */
    uint32_t *out_start;   /* n + 2 entries: out-edges of v are out[out_start[v] .. out_start[v+1]) */
    uint32_t *out;         /* edge targets */
    uint32_t *in_start;    /* n + 2 entries, likewise for in-edges (referrers) */
    uint32_t *in;          /* edge sources */
    uint8_t *root_kind;    /* per edge of the virtual root (out[out_start[n] + k]): index
                              into root_names of its ROOT record's category */
    uint16_t *root_mask;   /* per object: bit k set when a root of category k names it */
    char root_names[16][24]; /* categories seen ("vm", "machine_context" ...); [0] = "?" */
    unsigned nroot_names;
    uint64_t edges;        /* edges kept (repeats kept, self-loops kept) */
    uint64_t dangling;     /* references to addresses that are no object of the dump */
    uint32_t *idom;        /* immediate dominator per node (root: itself), GRAPH_NONE
                              when unreachable; NULL until graph_dominators */
    uint64_t *retained;    /* retained size per node (root: everything reachable) */
} graph;

/* Builds a graph from edge lists given in any order: for each object v,
 * refs[ref_start[v] .. ref_start[v+1]) are the node indices it references
 * (GRAPH_NONE entries count as dangling); roots[0..nroots) are the nodes the
 * ROOT records reference, with root_kind[k] their category index. Copies
 * what it needs. */
void graph_build(graph *g, uint32_t n, const uint64_t *ref_start, const uint32_t *refs,
                 const uint32_t *roots, const uint8_t *root_kind, size_t nroots);

void graph_free(graph *g);

/* Computes idom and retained sizes (memsize[v] per object; NULL: all 1),
 * by Lengauer and Tarjan's algorithm with path compression, all iterative. */
void graph_dominators(graph *g, const uint64_t *memsize);

/* The shortest path from a root to v: path[0] is the first object after the
 * virtual root, path[len-1] == v. Roots other than `avoid_kind` (a
 * category index, e.g. machine_context, whose stack scan is conservative)
 * are preferred when any such path exists. Returns the length (0 when v is
 * unreachable) and, in *root_kind, the category of the root used. *path is
 * allocated; the caller frees it. */
size_t graph_root_path(const graph *g, uint32_t v, int avoid_kind, uint32_t **path, unsigned *root_kind);

/* The category index of a root name, or -1. */
int graph_root_kind(const graph *g, const char *name);

static inline uint32_t graph_out_degree(const graph *g, uint32_t v)
{
    return g->out_start[v + 1] - g->out_start[v];
}

static inline uint32_t graph_in_degree(const graph *g, uint32_t v)
{
    return g->in_start[v + 1] - g->in_start[v];
}

#endif
