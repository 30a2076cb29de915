/* report_json.h - what --format=json writes: one JSON document per run,
 * for the report (with --trend), --suspects, --why and --path.
 *
 * Every document is an object with "format_version" (REPORT_JSON_VERSION,
 * raised when a field changes meaning or goes away; new fields may appear
 * in any version), "heapsift_version", "kind" ("report", "suspects",
 * "why", "path") and the facts the text header gives (dumps, identity,
 * mode, grouping, filter, counts), then the figures of the text body as
 * numbers. The man page lists every field. Owner thread only: describing
 * objects loads their details.
 */
#ifndef HEAPSIFT_REPORT_JSON_H
#define HEAPSIFT_REPORT_JSON_H

#include <stdint.h>
#include <stdio.h>

#include "json_out.h"
#include "report.h"
#include "status.h"
#include "suspects.h"

#define REPORT_JSON_VERSION 1

/* The report's document: its groups (opts->top of them when set) with
 * their counts, sizes, retained sizes (with the graph) and trends (with
 * opts->trend). Fails with HS_ERR_IO when writing fails. */
hs_status report_json_write(FILE *out, const report_info *info, const report_opts *opts, hs_error *err);

/* --suspects: every suspect (top of them when set) with its holder, counts,
 * growth, root path and groups. */
hs_status report_json_suspects(FILE *out, const report_info *info, const suspects *sp, size_t top,
                               hs_error *err);

/* --why=FILE:LINE: the groups at that site (filter and top as for the
 * text) with their retained size, holders and root path. Fails as
 * why_write does when no group is there. */
hs_status report_json_why(FILE *out, const session *ses, const char *file, uint32_t line, const obj_filter *filter,
                          size_t top, hs_error *err);

/* --path=ADDRESS. Fails as why_write_path does. */
hs_status report_json_path(FILE *out, const session *ses, uint64_t addr, hs_error *err);

/* ---- the parts the documents share (report_json.c) ------------------------ */

/* Opens the document and writes its common members: those of the
 * grouping, the filter and the totals from set, when not NULL. */
void report_json_begin(json_out *j, const session *ses, const group_set *set, const char *kind);

/* Opens an object for one group and writes its key, count and sizes
 * (count, bytesize, memsize given: the group's, or a suspect's part of
 * it); the caller adds what else it has and closes it. */
void report_json_group(json_out *j, const group_set *s, const group *g, uint64_t count, uint64_t bytesize,
                       uint64_t memsize);

/* Object v of the latest dump described as the text describes a hop:
 * address, type, class, struct, site, the start of a string's value, its
 * retained size, and "ivar", the ivar of from (GRAPH_NONE: none) that
 * holds it. */
void report_json_hop(json_out *j, const session *ses, uint32_t from, uint32_t v);

/* The members "file" and "line" of a site of h (null where it has none). */
void report_json_site(json_out *j, const heap *h, const heap_site *site);

/* A root path: {"root": CATEGORY, "hops": [...]}, or null without one. */
void report_json_path_value(json_out *j, const session *ses, const uint32_t *path, size_t len, unsigned root);

/* Closes the document; fails with HS_ERR_IO when writing failed. */
hs_status report_json_end(json_out *j, hs_error *err);

#endif
