/* status.h - how library code reports failure to its caller.
 *
 * Library functions never print or exit. Those that can fail return an
 * hs_status and, on failure, fill an hs_error with a sentence a person can
 * act on (it names the file, and the line and byte offset for content
 * errors). main.c and the UI decide what to show and which exit status to use.
 */
#ifndef HEAPSIFT_STATUS_H
#define HEAPSIFT_STATUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hs_status {
    HS_OK = 0,
    HS_ERR_USAGE,     /* the caller asked for something impossible */
    HS_ERR_IO,        /* a file could not be opened, read, mapped or written */
    HS_ERR_FORMAT,    /* a file is not a heap dump, or is empty */
    HS_ERR_NOMEM,     /* an allocation failed */
    HS_ERR_CANCELLED, /* the person cancelled a load */
    HS_ERR_EXISTS,    /* an output file exists and replacing it was not allowed */
} hs_status;

/* A message for a person. Fixed size so it can be filled without allocating
 * (an out-of-memory message must not need memory). */
typedef struct hs_error {
    hs_status status; /* copy of the status that was returned */
    char msg[512];    /* one or more sentences, no trailing newline */
} hs_error;

/* Fills err (when not NULL) with a printf-style message and returns status. */
hs_status hs_fail(hs_error *err, hs_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Allocation helpers that abort with a message on exhaustion: for the small
 * allocations (a struct, a name, a table of a few entries per dump) whose
 * failure means nothing else could go on either, and for the explorer's own
 * screens. What is sized by a dump (a column per object, an array per
 * reference, per group, per path) is allocated with hs_mem below, and
 * fails with HS_ERR_NOMEM. */
void *hs_xmalloc(size_t size);
void *hs_xcalloc(size_t count, size_t size);
void *hs_xrealloc(void *ptr, size_t size);
char *hs_xstrndup(const char *s, size_t len);

/* What hs_xmalloc does on exhaustion, for a function that keeps an aborting
 * interface over one that fails (addrmap_build over addrmap_try_build): writes
 * err's message to standard error and aborts. */
void hs_abort(const hs_error *err) __attribute__((noreturn));

/* Allocations that may fail, for one step of work (the dominator tree, a
 * column of the heap): each call adds what it asks for to `asked`, and once
 * one has failed every later call of the step fails too without trying, so
 * that a step makes all its arrays, checks hs_mem_failed once, frees them
 * all (free(NULL) is fine) and returns hs_mem_fail's status. A request whose
 * size overflows fails. Any thread; an hs_mem belongs to one. */
typedef struct hs_mem {
    uint64_t asked;  /* bytes the step asked for, the failed calls included */
    uint64_t failed; /* bytes of the first call that failed; 0 while none has */
    int err;         /* errno of that failure (ENOMEM, EOVERFLOW) */
} hs_mem;

void *hs_mem_alloc(hs_mem *m, size_t count, size_t size);  /* malloc */
void *hs_mem_zalloc(hs_mem *m, size_t count, size_t size); /* calloc */
/* realloc to count * size bytes: NULL on failure, when ptr is left as it
 * was (the caller still owns and frees it). Adds only the growth to asked. */
void *hs_mem_grow(hs_mem *m, void *ptr, size_t old_count, size_t count, size_t size);
/* Adds what other (another thread's, for the same step) asked for and
 * whether it failed into m. */
void hs_mem_merge(hs_mem *m, const hs_mem *other);
/* strndup; NULL on failure. */
char *hs_mem_strndup(hs_mem *m, const char *s, size_t len);

static inline int hs_mem_failed(const hs_mem *m)
{
    return m->failed != 0;
}

/* Counts an allocation of `bytes` that another allocator made and that
 * failed (a uthash table: see hs_uthash.h), as if m had made it. */
void hs_mem_lost(hs_mem *m, size_t bytes);

/* malloc for an allocator that cannot take an hs_mem (uthash's, see
 * hs_uthash.h): NULL on failure, counted by hs_mem_fail_after like the
 * hs_mem calls. */
void *hs_mem_raw(size_t bytes);

/* For tests: after n more allocations through hs_mem (and hs_mem_raw)
 * succeed, every later one fails with ENOMEM, until hs_mem_fail_after(-1)
 * lets them succeed again. Nothing but a test calls it. Any thread. */
void hs_mem_fail_after(long n);

/* For tests: only the allocation after n more fails, the later ones
 * succeed (what running out of memory for one large array while small
 * ones still fit looks like); hs_mem_fail_after(-1) disarms it too. */
void hs_mem_fail_once_after(long n);

/* HS_ERR_NOMEM with a message that says what could not be done and how much
 * it needed: "<what>: 180 MB of memory needed, of which 40 MB could not be
 * allocated (Cannot allocate memory)". what_fmt is printf-style. */
hs_status hs_mem_fail(hs_error *err, const hs_mem *m, const char *what_fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif
