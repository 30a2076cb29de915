/* memcheck.h - will the dumps fit in memory? An estimate from the file
 * sizes alone, made before anything is loaded, so that a run that would
 * make the machine swap (or the kernel kill it) fails at once with a
 * clear message instead.
 *
 * The estimate follows what heapsift keeps per object (see heap.h and
 * graph.h) for an object count guessed from the text size (a dump line
 * averages well over 250 bytes; 250 is used, erring on the large side),
 * plus the inflated text of gzip dumps, which is held in memory.
 */
#ifndef HEAPSIFT_MEMCHECK_H
#define HEAPSIFT_MEMCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


/* What the load will read, as the loader will be asked for it. */
typedef struct memcheck_plan {
    bool trends;   /* every dump's sites are read (loader_opts.want_trends) */
    bool graph;    /* the latest dump's graph is built (loader_opts.want_graph) */
} memcheck_plan;

/* Bytes of memory loading paths[0..n) needs, roughly (within a factor of
 * about 1.5, on the large side). A file that cannot be examined (missing,
 * unreadable) counts as empty: the load fails on it and says why. */
uint64_t memcheck_estimate(const char *const *paths, size_t n, const memcheck_plan *plan);

/* Bytes this process can still use without the machine swapping: the
 * kernel's MemAvailable, or less when a cgroup limit is closer. 0 when it
 * cannot be told. */
uint64_t memcheck_available(void);

/* Parses a size such as 512M, 4G, 1.5G or 1000000 (bytes). */
bool memcheck_parse_size(const char *text, uint64_t *bytes);

#endif
