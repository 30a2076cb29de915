/* testutil.h - shared helpers for the cmocka unit tests. */
#ifndef HEAPSIFT_TESTUTIL_H
#define HEAPSIFT_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "group.h"
#include "loader.h"

/* Built with AddressSanitizer or ThreadSanitizer? Their shadow memory takes
 * terabytes of address space: a test that sets RLIMIT_AS cannot run. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TEST_SANITIZED 1
#endif
#endif
#ifndef TEST_SANITIZED
#define TEST_SANITIZED 0
#endif

/* heap_try_load_details that must succeed (the tests' dumps are small). */
static inline void test_load_details(heap *h, const uint32_t *objs, size_t n, unsigned threads)
{
    hs_error err;
    hs_status st = heap_try_load_details(h, objs, n, threads, &err);
    if (st != HS_OK)
        print_error("heap_try_load_details: %s\n", err.msg);
    assert_int_equal(st, HS_OK);
}

/* group_new that must succeed (the tests' dumps are small). */
static inline group_set *test_group_new(const session *ses, const group_query *q)
{
    group_set *set = NULL;
    hs_error err;
    hs_status st = group_new(&set, ses, q, &err);
    if (st != HS_OK)
        print_error("group_new: %s\n", err.msg);
    assert_int_equal(st, HS_OK);
    return set;
}

/* A fixture shipped in the repository: data/NAME. */
static inline const char *data_path(const char *name)
{
    static char buf[4][1024];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "%s/data/%s", TOP_SRCDIR, name);
    return b;
}

/* A real dump from another project (shared/fixtures/external beside the
 * repository, or $HEAPSIFT_EXTERNAL at configure time); NULL when this
 * checkout has none. heapsift must work without them, so tests that read
 * them use EXTERNAL_OR_RETURN. */
static inline const char *external_path(const char *name)
{
    static char buf[4][1024];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", EXTERNAL_DIR, name);
    return access(b, R_OK) == 0 ? b : NULL;
}

/* Sets var to the external fixture's path, or says it is absent and returns
 * from the test (cmocka's skip() would count as a failure under TAP). */
#define EXTERNAL_OR_RETURN(var, name)                                              \
    const char *var = external_path(name);                                         \
    if (!var) {                                                                    \
        print_message("# %s not found beside the source tree: not checked\n", name); \
        return;                                                                    \
    }

/* Writes text to a new temporary file and returns its path (static buffer
 * rotation; unlink it when done). */
static inline const char *temp_file_with(const char *text, size_t len)
{
    static char buf[8][64];
    static int next;
    char *b = buf[next++ % 8];
    snprintf(b, sizeof buf[0], "/tmp/heapsift-test-XXXXXX");
    int fd = mkstemp(b);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
        perror("temp file");
        abort();
    }
    close(fd);
    return b;
}

/* The paths of data/app-{1,2,3}.json.gz, oldest first (made once, kept). */
static inline const char *const *app_dump_paths(void)
{
    static const char *paths[3];
    for (int k = 0; k < 3; k++) {
        char name[32];
        snprintf(name, sizeof name, "app-%d.json.gz", k + 1);
        if (!paths[k])
            paths[k] = strdup(data_path(name));
    }
    return paths;
}

/* Loads data/app-{1,2,3}.json.gz as the explorer does (trends on) and waits
 * for the result; NULL (after saying why) when loading fails. The caller
 * frees it with loader_free. */
static inline loader *load_app_dumps(void)
{
    const char *const *paths = app_dump_paths();
    loader_opts opts = { .identity = DIFF_ID_EXACT, .want_trends = true };
    hs_error err;
    loader *l = NULL;
    if (loader_start(&l, paths, 3, &opts, &err) != HS_OK || loader_join(l) != HS_OK) {
        fprintf(stderr, "%s\n", l ? l->err.msg : err.msg);
        loader_free(l);
        return NULL;
    }
    return l;
}

/* The whole of a file, NUL-terminated; the caller frees it. Fails the test
 * (naming the file, and what writes golden files) when it cannot be read. */
static inline char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s (for golden files, HEAPSIFT_UPDATE_GOLDEN=1 writes them)", path);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, out);
    fclose(out);
    fclose(f);
    return buf;
}

/* Fails, showing the first line where they part, unless got is want. */
static inline void assert_text_equal(const char *got, const char *want)
{
    if (strcmp(got, want) == 0)
        return;
    size_t at = 0, line = 1;
    while (got[at] && got[at] == want[at])
        line += got[at++] == '\n';
    fail_msg("differs at line %zu:\n got: %.120s\nwant: %.120s", line, got + at, want + at);
}

/* A report's text after its "# " header lines. */
static inline const char *body_of(const char *text)
{
    while (text[0] == '#') {
        const char *nl = strchr(text, '\n');
        assert_non_null(nl);
        text = nl + 1;
    }
    return text;
}

#endif
