/* suspects_report.h - the suspects as text: what `heapsift --suspects`
 * prints, and the one-line description the explorer shows for a suspect.
 *
 * One line per suspect, most bytes first, in a form scripts can read:
 *   Suspect N: HOLDER holds COUNT VERB objects, BYTES bytes (SHARE% of VERB bytes)
 * where HOLDER is "TYPE[ CLASS][ at FILE[:LINE]] (0xADDRESS)", or
 * "(K holders)" in place of the address for a folded row; "several GC roots
 * (CATEGORIES)", "on a thread's stack at dump time", "no GC root (garbage at
 * dump time)" or "not in the latest dump" for the rest; "[dump_all's own
 * objects] " first for ObjectSpace.dump_all's noise. VERB is retained, new
 * or live (three, two or one dump), BYTES the memsize summed. Indented lines
 * follow: the growth verdict and per-window counts, the sizes, the holders
 * of a folded row, the root path (as --why writes it, long paths elided),
 * and the groups held in the report's body line format.
 *
 * Owner thread only (describing objects loads their details).
 */
#ifndef HEAPSIFT_SUSPECTS_REPORT_H
#define HEAPSIFT_SUSPECTS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report.h"
#include "status.h"
#include "suspects.h"

typedef struct suspects_report_opts {
    bool header;      /* write the "# " header lines */
    bool escape;      /* make dump text safe for a terminal (textsafe) */
    size_t top;       /* at most this many suspects; 0 for all */
    size_t groups;    /* groups listed under each suspect (the largest) */
    size_t holders;   /* holder addresses listed for a folded row */
    const char *when; /* time of the report for the header, or NULL for none */
} suspects_report_opts;

/* The class name a HELD row's holder is shown with: a CLASS or MODULE's
 * own name, else its class's; "" (*len 0) for an IMEMO or when the dump
 * names none. Raw dump bytes. */
const char *suspects_holder_class(const heap *h, const suspect *row, size_t *len);

/* The holder part of suspect row r's line (before " holds"), raw dump
 * bytes: escape before showing. Writes at most size bytes, NUL-terminated,
 * and returns the length. */
size_t suspects_describe(const session *s, const suspects *sp, size_t r, char *buf, size_t size);

/* Writes row r's "Suspect N: ..." line, newline included. */
void suspects_write_line(FILE *out, const session *s, const suspects *sp, size_t r, bool escape);

/* Writes the whole report: header, each suspect with its detail lines,
 * the totals. info->set is the group set sp was found for. Fails with
 * HS_ERR_IO when writing fails. */
hs_status suspects_write(FILE *out, const report_info *info, const suspects *sp,
                         const suspects_report_opts *opts, hs_error *err);

/* Suspect r alone, as suspects_write writes it (the header first when
 * opts->header): the explorer's why pane and its export of one suspect. */
void suspects_write_suspect(FILE *out, const report_info *info, const suspects *sp, size_t r,
                            const suspects_report_opts *opts);

/* The same, into path atomically (see report_atomic_write). */
hs_status suspects_save(const char *path, bool force, const report_info *info, const suspects *sp,
                        const suspects_report_opts *opts, hs_error *err);

#endif
