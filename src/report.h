/* report.h - the plain text report of a grouped diff.
 *
 * Body lines keep the classic three-dump script's format exactly:
 *   Retained COUNT TYPE objects of size BYTESIZE/MEMSIZE at: FILE:LINE
 * followed by two empty lines and "Total Size: BYTESIZE/MEMSIZE". With two
 * dumps the word is "New", with one "Live"; other groupings than the site
 * say "for KEY: LABEL" instead of "TYPE ... at: FILE:LINE". An optional
 * header of "# " lines says what was compared and how.
 */
#ifndef HEAPSIFT_REPORT_H
#define HEAPSIFT_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "group.h"
#include "session.h"
#include "status.h"

/* What is being reported. */
typedef struct report_info {
    const session *session;   /* the dumps and their diff */
    const group_set *set;     /* its groups, filtered and sorted (the header says how) */
} report_info;

typedef struct report_opts {
    bool header;      /* write the "# " header lines */
    bool trend;       /* append each group's live count per dump */
    bool retained;    /* append each group's retained size (once the graph is
                         read), sorted by it or not */
    bool escape;      /* make dump text safe for a terminal (textsafe) */
    size_t top;       /* at most this many groups; 0 for all */
    const char *when; /* time of the report for the header, or NULL for none */
} report_opts;

/* Writes the "# " header lines that say what was compared and how (the
 * dumps, identity, grouping, sort, filter, when), all but the last, which
 * counts what follows: each report writes its own. */
void report_write_header(FILE *out, const report_info *info, const report_opts *opts);

/* Writes one body line for group g of s without its newline or anything
 * after the label, with count, bytesize and memsize given: the group's
 * totals, or a part of it (what one suspect holds). */
void report_write_line(FILE *out, const group_set *s, const group *g, uint64_t count, uint64_t bytesize,
                       uint64_t memsize, bool escape);

/* Writes the report to out. Fails with HS_ERR_IO when writing fails. */
hs_status report_write(FILE *out, const report_info *info, const report_opts *opts, hs_error *err);

/* Writes the report to path atomically: into a temporary file beside it,
 * then renamed over path. Without force, an existing path is left alone and
 * HS_ERR_EXISTS returned. No partial file is ever left at path. */
hs_status report_save(const char *path, bool force, const report_info *info,
                      const report_opts *opts, hs_error *err);

/* Writes a file atomically: write(out, ctx, err) fills a temporary file
 * beside path, which is then renamed over path (force) or linked to it (no
 * force: an existing path is left alone and HS_ERR_EXISTS returned). No
 * partial file is ever left at path, nor the temporary one (a signal
 * handler calls report_discard_partial for that). A symbolic link is
 * followed, and the file it names replaced. A path that is no regular file
 * (/dev/null, a FIFO, a terminal) is written to directly, force or not: it
 * is never replaced; a directory is HS_ERR_IO. */
hs_status report_atomic_write(const char *path, bool force,
                              hs_status (*write)(FILE *out, void *ctx, hs_error *err), void *ctx,
                              hs_error *err);

/* report_atomic_write for the explorer: a FIFO that nothing reads fails at
 * once (saying so) instead of waiting for a reader. */
hs_status report_export_write(const char *path, bool force,
                              hs_status (*write)(FILE *out, void *ctx, hs_error *err), void *ctx,
                              hs_error *err);

/* The word that starts each body line for a diff mode: Retained/New/Live. */
const char *report_verb(diff_mode mode);

/* "retained", "new" or "live": the report's word in a sentence (and the
 * JSON documents' "mode"). */
const char *report_objects_word(diff_mode mode);

/* Removes the temporary file report_atomic_write is writing, if any. Safe in
 * a signal handler: the process is about to die of the signal, and the
 * person must not find half a report beside the one they asked for. */
void report_discard_partial(void);

#endif
