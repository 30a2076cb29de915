/* memcheck.h - will the dumps fit in memory? An estimate from the file
 * sizes alone, made before anything is loaded, so that a run that would
 * make the machine swap (or the kernel kill it) fails at once with a
 * clear message instead.
 *
 * The estimate follows what heapsift keeps per object (see heap.h and
 * graph.h) for an object count guessed from the text size (a dump line
 * averages well over 250 bytes; 250 is used, erring on the large side),
 * plus the inflated text of gzip dumps, which is held in memory. It is
 * held against each limit on the process's memory: what the machine has
 * available, a cgroup's limit, and the address-space limit (ulimit -v).
 */
#ifndef HEAPSIFT_MEMCHECK_H
#define HEAPSIFT_MEMCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* What the load will read, as the loader will be asked for it. */
typedef struct memcheck_plan {
    bool trends;   /* every dump's sites are read (loader_opts.want_trends) */
    bool graph;    /* the latest dump's graph is built (loader_opts.want_graph) */
} memcheck_plan;

/* Bytes of memory loading paths[0..n) needs, roughly (within a factor of
 * about 1.5, on the large side). A file that cannot be examined (missing,
 * unreadable) counts as empty: the load fails on it and says why. */
uint64_t memcheck_estimate(const char *const *paths, size_t n, const memcheck_plan *plan);

/* Bytes of dump text mapped at once at the load's peak (the dumps that stay
 * mapped, and the largest of the others, each mapped while it is read).
 * Mapped text is not resident once parsed, so memcheck_estimate leaves it
 * out, but it counts against an address-space limit (ulimit -v). */
uint64_t memcheck_mapped(const char *const *paths, size_t n, const memcheck_plan *plan);

/* What limits the memory this process may still take. */
typedef enum memcheck_source {
    MEMCHECK_AVAILABLE, /* the kernel's MemAvailable (/proc/meminfo): more would swap */
    MEMCHECK_CGROUP2,   /* a cgroup v2 memory.max, less its memory.current */
    MEMCHECK_CGROUP1,   /* a cgroup v1 memory.limit_in_bytes, less memory.usage_in_bytes */
    MEMCHECK_RLIMIT_AS, /* the address-space limit (RLIMIT_AS, ulimit -v), less the
                           address space in use (VmSize); mapped files count in it */
} memcheck_source;

typedef struct memcheck_limit {
    memcheck_source source;
    uint64_t room;      /* bytes still to be had under it */
    uint64_t limit;     /* the limit itself (MEMCHECK_AVAILABLE: room) */
    char file[256];     /* the cgroup's file the limit was read from, or "" */
} memcheck_limit;

#define MEMCHECK_MAX_LIMITS 4

/* Where memcheck_limits_from reads (memcheck_system: the real files); the
 * tests point it at files of their own. */
typedef struct memcheck_files {
    const char *meminfo;     /* /proc/meminfo: MemAvailable */
    const char *self_cgroup; /* /proc/self/cgroup: the process's cgroups */
    const char *cgroup2;     /* /sys/fs/cgroup: where cgroup v2 is mounted */
    const char *cgroup1;     /* /sys/fs/cgroup/memory: cgroup v1's memory controller */
    const char *self_status; /* /proc/self/status: VmSize, the address space in use */
    bool rlimit;             /* read getrlimit(RLIMIT_AS) */
} memcheck_files;

extern const memcheck_files memcheck_system;

/* Every limit that applies now, one per source (the tightest cgroup of the
 * process's and its ancestors'): how many, into out[0..). No limit is told
 * from what cannot be read, nor from "max" or an unlimited rlimit. */
size_t memcheck_limits_from(const memcheck_files *files, memcheck_limit out[MEMCHECK_MAX_LIMITS]);

/* Will loading paths[0..n) as planned fit? Against max_memory (--max-memory)
 * when not 0, else against every limit memcheck_limits_from(files) finds:
 * the estimate (with the mapped text and 64 MiB of libraries, stacks and
 * allocator arenas against the address-space limit). HS_OK, or
 * HS_ERR_NOMEM with a message naming the limit with the largest shortfall
 * and both figures. */
hs_status memcheck_check(const char *const *paths, size_t n, const memcheck_plan *plan, uint64_t max_memory,
                         const memcheck_files *files, hs_error *err);

/* Parses a size such as 512M, 4G, 1.5G or 1000000 (bytes). */
bool memcheck_parse_size(const char *text, uint64_t *bytes);

#endif
