/* parallel.h - splitting a dump's text into line-aligned ranges and running
 * one worker per range, for every pass that reads a whole dump. */
#ifndef HEAPSIFT_PARALLEL_H
#define HEAPSIFT_PARALLEL_H

#include <stddef.h>

#include "dumpfile.h"

#define PARALLEL_MAX 64 /* most workers a pass runs */

/* Threads for a pass: `asked`, or one per online core when 0; at most
 * PARALLEL_MAX. */
unsigned parallel_threads(unsigned asked);

/* Splits [0, df->size) into at most n ranges that start at line starts:
 * range k is [bounds[k], bounds[k+1]). bounds holds n + 1 entries. Returns
 * the number of ranges (fewer than n for a short text). */
unsigned parallel_split_lines(const dumpfile *df, unsigned n, size_t *bounds);

/* Runs fn(args + k * size) for k in [0, n): on n - 1 new threads and the
 * calling one (work whose thread could not start runs on the caller too).
 * Returns when all are done. */
void parallel_run(void *(*fn)(void *), void *args, size_t size, unsigned n);

#endif
