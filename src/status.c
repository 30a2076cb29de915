/* status.c - error messages and the allocation helpers. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

hs_status hs_fail(hs_error *err, hs_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->status = status;
    }
    return status;
}

/* Out of memory deep inside a loop: there is no caller that could do better,
 * so say what happened and stop (the Erlang way), without allocating. */
static void out_of_memory(size_t size)
{
    char buf[128];
    int n = snprintf(buf, sizeof buf, "heapsift: out of memory (allocating %zu bytes)\n", size);
    if (n > 0 && write(STDERR_FILENO, buf, (size_t)n) < 0)
        abort();
    abort();
}

void *hs_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

void *hs_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *hs_xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

char *hs_xstrndup(const char *s, size_t len)
{
    char *p = hs_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
