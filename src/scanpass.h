/* scanpass.h - the one parallel pass over a dump's text.
 *
 * Every pass that reads a whole dump (heap_load's, the graph's) splits the
 * text at newlines into one range per thread and scans each range on its
 * own thread with its own json_scanner, so nothing is shared on the hot
 * path. This module owns what every such pass does around the parser: the
 * split, the threads, dropping each range's pages once they are parsed
 * (the whole dump would count in the resident size otherwise), faulting
 * them in ahead of the parser, adding to a heap_progress, and stopping when
 * its cancel flag is set. The caller owns what a record means: its
 * callbacks run on the worker threads, each with its worker's context.
 *
 * A per-worker context is a caller struct whose first member is a
 * scanpass_worker (the pass's state of that worker), so that the scanner
 * calls the caller's record callback with no step in between.
 */
#ifndef HEAPSIFT_SCANPASS_H
#define HEAPSIFT_SCANPASS_H

#include <stdbool.h>
#include <stddef.h>

#include "dumpfile.h"
#include "heap.h"
#include "json_scan.h"
#include "status.h"

#define SCANPASS_MAX 64                     /* most workers a pass runs */
#define SCANPASS_MIN_SPLIT ((size_t)4 << 20) /* smaller texts are not worth a thread */
#define SCANPASS_PREFETCH ((size_t)4 << 20) /* bytes faulted in ahead of each worker */

/* What a pass reads and where its records go. */
typedef struct scanpass {
    dumpfile *file;         /* the mapped text (released and prefetched: advice only) */
    scan_options opts;      /* as for json_scan_run */
    void (*record)(void *ctx, const scan_record *rec);     /* ctx: the worker's context */
    void (*problem)(void *ctx, const scan_problem *prob);  /* may be NULL */
    /* Objects the worker has read so far, added to progress->objects as
     * they grow; may be NULL (progress->objects is left alone). */
    size_t (*objects)(void *ctx);
    heap_progress *progress; /* bytes_total, bytes_done, objects, cancel; may be NULL */
    size_t prefetch;         /* bytes faulted in ahead of the parser; 0: none */
} scanpass;

/* The pass's state of one worker: the first member of the caller's
 * per-worker context. scanpass_run sets it; the caller reads stats,
 * status and err afterwards. */
typedef struct scanpass_worker {
    const scanpass *pass;
    size_t begin, end;       /* the worker's byte range: line starts (or the end) */
    scan_stats stats;        /* what json_scan_run counted in the range */
    hs_status status;        /* HS_OK, HS_ERR_CANCELLED, or what scanpass_fail gave */
    hs_error err;            /* why, when status is not HS_OK */
    hs_status failed;        /* set by scanpass_fail: the callbacks cannot go on */
    hs_error fail_err;       /* ... and why */
    size_t reported;         /* bytes released and added to progress */
    size_t objects_reported; /* objects added to progress */
} scanpass_worker;

/* For a record or problem callback that cannot go on (its memory ran
 * out): the worker reads no further than the window it is in, and its
 * status becomes `status` with err's message (scanpass_run prefixes the
 * file's name). The callbacks still called for the rest of that window
 * should do nothing once w->failed is set. The first failure counts. */
void scanpass_fail(scanpass_worker *w, hs_status status, const hs_error *err);

/* Threads for a pass: `asked`, or one per online core when 0; at most
 * SCANPASS_MAX. */
unsigned scanpass_threads(unsigned asked);

/* Splits df's text into at most scanpass_threads(threads) ranges that start
 * at line starts (one range for a text under SCANPASS_MIN_SPLIT): range k
 * is [bounds[k], bounds[k+1]). Returns the number of ranges (fewer for a
 * short text). */
unsigned scanpass_split(const dumpfile *df, unsigned threads, size_t bounds[SCANPASS_MAX + 1]);

/* Runs the pass: worker k reads [bounds[k], bounds[k+1]) with the context
 * at (char *)workers + k * size (a struct that starts with its
 * scanpass_worker), on n - 1 new threads and the calling one. Sets
 * progress->bytes_total first. Returns when all are done: HS_OK, or the
 * first failing worker's status with err naming the file
 * (HS_ERR_CANCELLED when progress->cancel was set). */
hs_status scanpass_run(const scanpass *pass, void *workers, size_t size, const size_t *bounds,
                       unsigned n, hs_error *err);

/* Reads w's range [w->begin, w->end) on the calling thread as a worker of
 * scanpass_run does, w->pass set by the caller; fills w->stats, w->status
 * and w->err, and returns w->status. For passes that choose their ranges
 * themselves. */
hs_status scanpass_read(scanpass_worker *w);

/* Runs fn(args + k * size) for k in [0, n): on n - 1 new threads and the
 * calling one (work whose thread could not start runs on the caller too),
 * for passes whose work is not a range of text. Returns when all are
 * done. */
void scanpass_jobs(void *(*fn)(void *), void *args, size_t size, unsigned n);

#endif
