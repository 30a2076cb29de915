/* heap_graph.h - the reference graph of a loaded dump.
 *
 * A second pass over the text of a HEAP_FULL heap (its file stays mapped)
 * reads every line in full: its references, its class and its memsize. The
 * references are resolved to object indices through an address index, the
 * graph is built, and the dominators and retained sizes computed.
 *
 * The pass reads only what never changes once a heap is loaded (addresses,
 * types, line offsets and the text), so it may run on a thread of its own
 * while the thread that owns the heap reads details into it. Its result is
 * attached to the session afterwards, by the owner (session_attach_graph).
 */
#ifndef HEAPSIFT_HEAP_GRAPH_H
#define HEAPSIFT_HEAP_GRAPH_H

#include "addrmap.h"
#include "graph.h"
#include "heap.h"
#include "status.h"

/* What the pass made, before it is attached. */
typedef struct heap_graph {
    graph *graph;          /* dominators and retained sizes computed; owned */
    addrmap *addrs;        /* the heap's objects by address; owned */
    size_t count;          /* objects of the heap it was read for */
    uint8_t *damaged;      /* per object: 1 when its line was not valid JSON
                              (references read by the repair path, or lost) */
    heap_problem problems[HEAP_MAX_PROBLEMS]; /* the first damaged lines, by offset */
    unsigned nproblems;    /* entries used in problems */
    uint32_t **nodes;      /* per dump of the session, the node of the graph each
                              of its objects is (session_node_of), or NULL: filled
                              by session_map_nodes, else NULL; owned */
    size_t ndumps;         /* entries of nodes */
    void *reserve;         /* memory held back for what the owner computes from
                              the graph (retained sizes, suspects, root paths),
                              never touched; given back as it is attached */
    char warning[256];     /* what re-reading the dump found that does not stop
                              the pass (the file grew, heap_verify_file), for
                              the heap's own warning when attached; or "" */
    double read_seconds;   /* reading and resolving the references */
    double dominator_seconds; /* the dominator tree and retained sizes */
} heap_graph;

/* Reads h's references with `threads` parser threads (0: one per core) and
 * computes the dominators. progress (may be NULL) counts bytes and objects
 * and carries the cancel flag. Fails with HS_ERR_CANCELLED when cancelled,
 * HS_ERR_USAGE when h is not HEAP_FULL, and HS_ERR_NOMEM when memory runs
 * out, with a message that names the dump, says "not enough memory for the
 * reference graph" and what needed how much. out is empty after a failure. */
hs_status heap_graph_read(heap_graph *out, const heap *h, unsigned threads, heap_progress *progress,
                          hs_error *err);

void heap_graph_free(heap_graph *hg);

#endif
