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

/* Allocation helpers that abort with a message on exhaustion. Used where a
 * failed allocation leaves nothing sensible to return (inner loops of the
 * loader); the loader checks the estimated size before it starts, so these
 * fire only when the machine is genuinely out of memory. */
void *hs_xmalloc(size_t size);
void *hs_xcalloc(size_t count, size_t size);
void *hs_xrealloc(void *ptr, size_t size);
char *hs_xstrndup(const char *s, size_t len);

#ifdef __cplusplus
}
#endif

#endif
