/* holders.h - what holds a set of objects of the latest dump: which of them
 * are top-most in the dominator tree (no other member of the set above
 * them), the bytes freed with the set (their retained sizes, each byte
 * counted once), and the nearest object outside the set that holds each of
 * them, grouped by that holder's type and allocation site.
 *
 * The set is any list of graph nodes: one group's objects (--why, the why
 * pane) or the whole retained set (suspects). Plain data, no text: the
 * callers decide how to show it.
 *
 * Reads the session's graph, which must be attached; loads the holders'
 * details into s->latest (objinfo_try_prepare), so owner thread only.
 */
#ifndef HEAPSIFT_HOLDERS_H
#define HEAPSIFT_HOLDERS_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"
#include "status.h"

/* The holders that share one (type, allocation site) in the latest dump. */
typedef struct holder_site {
    uint8_t type;       /* rtype of the holding objects */
    uint32_t site;      /* their site id in s->latest->sites (0 when the dump
                           records no sites) */
    uint32_t example;   /* one holding object (graph node; the holder of the
                           earliest member in the input order) */
    uint64_t objects;   /* top-most members held by an object of this site */
    uint64_t bytes;     /* the sum of those members' retained sizes */
} holder_site;

/* What holds one set of nodes. Everything is allocated and owned by the
 * struct: holders_free releases it. */
typedef struct holders {
    uint64_t retained;      /* bytes freed with the set: the retained sizes of
                               the top-most members, added without overlap */
    uint32_t *top;          /* the top-most members: no member of the set
                               dominates them (graph nodes, in input order) */
    uint32_t *top_holder;   /* per top[k], the nearest object outside the set
                               that holds it: its immediate dominator, or when
                               only the roots together dominate it, its first
                               referrer outside the set in node order;
                               GRAPH_NONE when neither exists (a root holds it
                               directly, or nothing does) */
    size_t ntop;
    uint32_t largest;       /* the top-most member with the largest retained
                               size (the first of equals), GRAPH_NONE when the
                               set is empty */
    holder_site *sites;     /* the holders of top[] by (type, site), most bytes
                               first, then most objects, then first seen */
    size_t nsites;
} holders;

/* Fills *out for nodes[0..n) of s->graph: distinct nodes, no GRAPH_NONE.
 * s->graph must not be NULL. Fails with HS_ERR_NOMEM, *out empty, when
 * the memory for the walk (a byte and four a node of the graph), the
 * holders or their details cannot be had. */
hs_status holders_find(const session *s, const uint32_t *nodes, size_t n, holders *out, hs_error *err);

/* Frees what holders_find allocated and leaves *h empty. NULL is fine. */
void holders_free(holders *h);

#endif
