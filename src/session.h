/* session.h - one loaded analysis: the dumps, their diff, the identity the
 * diff matched objects by, and the latest dump's reference graph with its
 * address index. Everything downstream of the loader (grouping, the report,
 * --why, the explorer's views) reads a `const session *`.
 *
 * The loader thread builds the session (session_new) and hands it over
 * whole when the diff is done; from then on it belongs to the thread that
 * took it. Two things come later: the graph, which the loader reads on its
 * own thread into a heap_graph, and every dump's sites (for trends), which
 * it reads into heaps of their own (heap_read_sites); the owner attaches
 * them (session_attach_graph, session_attach_sites), the only changes a
 * session sees after the hand-over. Nothing else writes to it;
 * the heaps themselves are written only where their header says so
 * (heap_try_load_details, from the owner thread, before drawing).
 *
 * The graph answers for the latest dump's objects. Objects of another dump
 * are looked up in it by address, and kept only when they are the same
 * object under the session's identity (session_node_of): with
 * --identity=address a reused slot counts as the same object, as in the
 * diff itself.
 */
#ifndef HEAPSIFT_SESSION_H
#define HEAPSIFT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addrmap.h"
#include "diff.h"
#include "graph.h"
#include "heap.h"
#include "heap_graph.h"

typedef struct session {
    heap **dumps;           /* the dumps compared, oldest first (ndumps); owned */
    size_t ndumps;
    const diff_result *diff; /* which objects are suspects */
    diff_result *own_diff;  /* diff again when the session frees it (session_new),
                               NULL when the caller keeps it (session_borrow) */
    diff_identity identity; /* how objects were matched across dumps (diff->identity) */
    heap *subject;          /* dumps[diff->subject]: the dump whose suspects are listed */
    heap *latest;           /* dumps[ndumps - 1]: the dump the graph is of */
    graph *graph;           /* the latest dump's references and dominators, NULL
                               until session_attach_graph; owned */
    addrmap *addrs;         /* the latest dump's objects by address, with the graph
                               (NULL before); owned */
    uint32_t **nodes;       /* per dump, the node each of its objects is in the
                               graph (session_node_of), for the dumps whose objects
                               are looked up there: NULL for the others, and all
                               NULL without the graph or when it came without them
                               (session_map_nodes); owned */
    int avoid_root;         /* the root category root paths avoid when they can
                               (machine_context: a conservative stack scan), or -1 */
    bool *same_as_previous; /* per dump: it holds exactly the objects of the dump
                               before it (the same dump twice?); [0] false */
    bool owns_dumps;        /* session_free frees the heaps (false for session_borrow) */
} session;

/* A session over dumps[0..ndumps) and their diff, which it takes ownership
 * of: the heaps, the diff and the array dumps itself (allocated), all freed
 * by session_free. */
session *session_new(heap **dumps, size_t ndumps, diff_result *diff);

/* A session over heaps and a diff that the caller keeps owning and frees
 * after the session: for tests and the fuzzer, which compare the same
 * heaps several ways. dumps is copied; session_free frees only what the
 * session made (the array, an attached graph). */
session *session_borrow(heap *const *dumps, size_t ndumps, const diff_result *diff);

/* Frees the session and its graph, and the dumps and the diff when it owns
 * them. NULL is fine. */
void session_free(session *s);

/* Takes the graph out of hg (read for s->latest by heap_graph_read), with
 * its node maps when session_map_nodes made them, folds the damaged lines
 * that pass found into the latest heap's counts and its warning into the
 * heap's, and gives back hg's reserve, for what is computed from the graph
 * next. Owner thread only; hg is left empty. */
void session_attach_graph(session *s, heap_graph *hg);

/* For the thread that read hg (heap_graph_read of s->latest), before it is
 * attached: the node of hg's graph that each object of the dumps strictly
 * between the first and the latest is (the subject's, the objects of
 * --suspects's growth windows), as session_node_of tells it, into
 * hg->nodes, so that the owner's look-ups are an array's. Reads only what
 * never changes in s (its dumps' addresses, generations and types): it may
 * run while the owner uses s. Fails with HS_ERR_NOMEM (4 bytes an object of
 * those dumps), hg left as it was. */
hs_status session_map_nodes(const session *s, heap_graph *hg, hs_error *err);

/* Gives each dump k the sites sites[k] holds (read by heap_read_sites for
 * s->dumps[k]; NULL for a dump that has them all already), and frees them:
 * session_has_trends is then true. Owner thread only. */
void session_attach_sites(session *s, heap **sites);

/* The node of the latest dump's graph that is object i of dump h, under the
 * session's identity; GRAPH_NONE when there is no graph yet, or the object
 * was freed (its address is free or holds another object). h may be
 * s->latest itself. */
uint32_t session_node_of(const session *s, const heap *h, size_t i);

/* The latest dump's object at addr, GRAPH_NONE when there is none (or no
 * graph yet). */
uint32_t session_node_at(const session *s, uint64_t addr);

/* The shortest path from a GC root to node v of the graph, preferring roots
 * other than s->avoid_root (see graph_root_path). Sets *len to the hops (0
 * when no root reaches v); *path is allocated (the caller frees it; NULL
 * when len is 0) and *root_kind names the root's category
 * (s->graph->root_names). Reads the details of v and of every hop into
 * s->latest (objinfo_try_prepare), so that they can be described: owner
 * thread only. Fails with HS_ERR_NOMEM when the search (8 bytes an object
 * of the latest dump), the path or the details cannot be allocated, *path
 * NULL and *len 0. */
hs_status session_root_path(const session *s, uint32_t v, uint32_t **path, size_t *len, unsigned *root_kind,
                            hs_error *err);

/* 1-based position of h among the dumps; 0 when it is none of them. */
size_t session_dump_number(const session *s, const heap *h);

/* Do the dumps carry every object's site (heap.all_sites: loaded with
 * HEAP_LIGHT or more, or attached later), so that each group's count in
 * every dump can be told? */
bool session_has_trends(const session *s);

#endif
