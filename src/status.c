/* status.c - error messages and the allocation helpers, those that abort
 * and those that fail (hs_mem). */
#include "status.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "units.h"

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

void hs_abort(const hs_error *err)
{
    static const char prefix[] = "heapsift: ";
    size_t len = strnlen(err->msg, sizeof err->msg);
    if (write(STDERR_FILENO, prefix, sizeof prefix - 1) < 0 || write(STDERR_FILENO, err->msg, len) < 0 ||
        write(STDERR_FILENO, "\n", 1) < 0)
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

/* ---- allocations that may fail ------------------------------------------- */

/* hs_mem_fail_after's countdown: while armed, allocations left before every
 * one fails. */
static atomic_bool fail_armed;
static atomic_bool fail_once; /* only the allocation the countdown reaches fails */
static atomic_long fail_left;

void hs_mem_fail_after(long n)
{
    atomic_store(&fail_once, false);
    atomic_store(&fail_left, n);
    atomic_store(&fail_armed, n >= 0);
}

void hs_mem_fail_once_after(long n)
{
    atomic_store(&fail_once, true);
    atomic_store(&fail_left, n);
    atomic_store(&fail_armed, n >= 0);
}

/* Must this allocation fail, for a test? */
static bool test_fails(void)
{
    if (!atomic_load_explicit(&fail_armed, memory_order_relaxed))
        return false;
    long left = atomic_fetch_sub(&fail_left, 1);
    return atomic_load_explicit(&fail_once, memory_order_relaxed) ? left == 0 : left <= 0;
}

static void *try_malloc(size_t bytes)
{
    return test_fails() ? NULL : malloc(bytes ? bytes : 1);
}

void *hs_mem_raw(size_t bytes)
{
    return try_malloc(bytes);
}

/* count * size, or false when it overflows. */
static bool bytes_of(size_t count, size_t size, size_t *bytes)
{
    return !__builtin_mul_overflow(count, size, bytes);
}

/* A request whose size cannot be represented: the step cannot be done. */
static void mem_overflow(hs_mem *m)
{
    m->asked = UINT64_MAX;
    if (!m->failed) {
        m->failed = UINT64_MAX;
        m->err = EOVERFLOW;
    }
}

/* Counts a request of count * size bytes: false when it must not be tried
 * (an earlier one failed, or its size overflows). */
static bool mem_ask(hs_mem *m, size_t count, size_t size, size_t *bytes)
{
    if (!bytes_of(count, size, bytes)) {
        mem_overflow(m);
        return false;
    }
    if (m->asked != UINT64_MAX)
        m->asked += *bytes;
    return !m->failed;
}

static void *mem_got(hs_mem *m, void *p, size_t bytes)
{
    if (!p) {
        m->failed = bytes ? bytes : 1;
        m->err = ENOMEM;
    }
    return p;
}

void *hs_mem_alloc(hs_mem *m, size_t count, size_t size)
{
    size_t bytes;
    if (!mem_ask(m, count, size, &bytes))
        return NULL;
    return mem_got(m, try_malloc(bytes), bytes);
}

void *hs_mem_zalloc(hs_mem *m, size_t count, size_t size)
{
    size_t bytes;
    if (!mem_ask(m, count, size, &bytes))
        return NULL;
    return mem_got(m, test_fails() ? NULL : calloc(bytes ? bytes : 1, 1), bytes);
}

void *hs_mem_grow(hs_mem *m, void *ptr, size_t old_count, size_t count, size_t size)
{
    size_t bytes, old_bytes;
    if (!bytes_of(count, size, &bytes) || !bytes_of(old_count, size, &old_bytes)) {
        mem_overflow(m);
        return NULL;
    }
    size_t growth = bytes > old_bytes ? bytes - old_bytes : 0;
    if (!mem_ask(m, growth, 1, &growth))
        return NULL;
    return mem_got(m, test_fails() ? NULL : realloc(ptr, bytes ? bytes : 1), growth ? growth : bytes);
}

void hs_mem_merge(hs_mem *m, const hs_mem *other)
{
    m->asked = m->asked > UINT64_MAX - other->asked ? UINT64_MAX : m->asked + other->asked;
    if (!m->failed && other->failed) {
        m->failed = other->failed;
        m->err = other->err;
    }
}

char *hs_mem_strndup(hs_mem *m, const char *s, size_t len)
{
    char *p = hs_mem_alloc(m, len + 1, 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void hs_mem_lost(hs_mem *m, size_t bytes)
{
    size_t counted;
    if (mem_ask(m, bytes, 1, &counted))
        mem_got(m, NULL, bytes);
}

hs_status hs_mem_fail(hs_error *err, const hs_mem *m, const char *what_fmt, ...)
{
    if (!err)
        return HS_ERR_NOMEM;
    char what[256], need[32], failed[32];
    va_list ap;
    va_start(ap, what_fmt);
    vsnprintf(what, sizeof what, what_fmt, ap);
    va_end(ap);
    units_bytes(m->asked, need, sizeof need);
    units_bytes(m->failed, failed, sizeof failed);
    if (m->err == EOVERFLOW)
        return hs_fail(err, HS_ERR_NOMEM, "%s: more memory needed than can be addressed", what);
    return hs_fail(err, HS_ERR_NOMEM, "%s: %s of memory needed, of which %s could not be allocated (%s)", what,
                   need, failed, strerror(m->err ? m->err : ENOMEM));
}
