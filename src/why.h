/* why.h - why the objects allocated at one site are retained: their
 * retained size counted once, the objects that hold them (grouped by their
 * own allocation site), and the path from a GC root to the largest of them.
 *
 * Works on a session whose graph is attached (loader_opts.want_graph).
 * why_analyze_group finds the answer as data (see holders.h for the part
 * other analyses share); the why_write_* functions write it as text. Owner
 * thread only: both load objects' details into the latest heap.
 */
#ifndef HEAPSIFT_WHY_H
#define HEAPSIFT_WHY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "group.h"
#include "holders.h"
#include "session.h"
#include "status.h"

/* Parses "FILE:LINE" (FILE may be any trailing part of the path, cut at a
 * '/'). False when there is no ":LINE". */
bool why_parse_site(const char *arg, char *file, size_t file_size, uint32_t *line);

/* True when path ends with the trailing part `tail` at a '/' boundary. */
bool why_path_matches(const char *path, size_t len, const char *tail);

/* Why one group's objects are retained: what why_write_group prints. */
typedef struct why_group {
    size_t found;        /* the group's objects that are nodes of the latest
                            dump's graph (fewer than g->count when some of
                            them were freed by then) */
    holders held;        /* those nodes: which are top-most in the dominator
                            tree, their retained size, their largest, and the
                            objects outside the group that hold them */
    uint32_t *path;      /* the shortest path from a GC root to held.largest
                            (graph nodes, root side first); NULL when the
                            group has no node in the graph */
    size_t path_len;     /* hops in path; 0 when no root reaches the largest */
    unsigned root_kind;  /* the path's root category (index into
                            ses->graph->root_names), when path_len > 0 */
} why_group;

/* Fills *out for group g of s. ses->graph must be attached. *out owns what
 * it points to: why_group_free releases it (also after a failure). Fails
 * with HS_ERR_NOMEM when the memory for what holds the group, or for the
 * root path of its largest (session_root_path), cannot be had. */
hs_status why_analyze_group(const session *ses, const group_set *s, const group *g, why_group *out, hs_error *err);

/* Frees what why_analyze_group allocated and leaves *w empty. NULL is fine. */
void why_group_free(why_group *w);

/* How why_write_hops writes a path. */
typedef struct why_hops_style {
    const char *indent;  /* before each hop */
    const char *unit;    /* after each retained size ("" or " bytes") */
    size_t edge_hops;    /* paths longer than twice this show their first and
                            last edge_hops hops and say how many are left out */
} why_hops_style;

/* Writes the hops of a root path of the session's latest dump (graph node
 * indices), one line each:
 * address, what the object is (objinfo_describe, always escaped: a string's
 * value may hold a newline) and its retained size. */
void why_write_hops(FILE *out, const session *ses, const uint32_t *path, size_t len, const why_hops_style *style);

/* Writes the explanation for one group of s (site grouping, or any other:
 * the group's objects are what is explained). Fails as why_analyze_group,
 * with nothing written. */
hs_status why_write_group(FILE *out, const session *ses, const group_set *s, const group *g, bool escape,
                          hs_error *err);

/* The groups --why looks at: the suspects by site, most objects first,
 * those that pass filter (NULL: all), into *out (group_free it). Fails as
 * group_new. */
hs_status why_groups(group_set **out, const session *ses, const obj_filter *filter, hs_error *err);

/* Is group g (of a why_groups set) allocated at file:line (file any
 * trailing part of its path)? */
bool why_group_at(const group_set *s, const group *g, const char *file, uint32_t line);

/* The failure when no group passing filter is at file:line: HS_ERR_USAGE,
 * naming the site, and saying when the filter is what left them out. */
hs_status why_no_group(const session *ses, const obj_filter *filter, const char *file, uint32_t line, hs_error *err);

/* Writes the explanation for the retained groups allocated at file:line
 * that pass filter (NULL: all), the first top of them by count (0: all).
 * Fails with HS_ERR_USAGE (naming the site, and the filter when it left
 * out the groups there) when no such group is there; escape: make dump
 * text safe for a terminal. */
hs_status why_write(FILE *out, const session *ses, const char *file, uint32_t line, const obj_filter *filter,
                    size_t top, bool escape, hs_error *err);

/* --path: the shortest path from a GC root to the latest dump's object at
 * addr, one hop a line, with retained sizes. Fails with HS_ERR_USAGE (naming
 * the dump) when no object has that address. */
hs_status why_write_path(FILE *out, const session *ses, uint64_t addr, hs_error *err);

#endif
