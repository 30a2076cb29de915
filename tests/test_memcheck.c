/* test_memcheck.c - the limits on the memory a load may take (MemAvailable,
 * cgroup v2 and v1, RLIMIT_AS) read from files made here, and the refusal
 * that names the tightest. */
#include "testutil.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "memcheck.h"

/* A tree of fake /proc and /sys files under a temporary directory. */
typedef struct fake {
    char root[64];
    char meminfo[128], self_cgroup[128], cgroup2[128], cgroup1[128], self_status[128];
    memcheck_files files;
} fake;

static void put(const fake *f, const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->root, rel);
    /* Every directory on the way. */
    for (char *slash = strchr(path + strlen(f->root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            fail_msg("mkdir %s: %s", path, strerror(errno));
        *slash = '/';
    }
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    fputs(text, out);
    fclose(out);
}

static void fake_init(fake *f)
{
    snprintf(f->root, sizeof f->root, "/tmp/heapsift-memcheck-XXXXXX");
    assert_non_null(mkdtemp(f->root));
    snprintf(f->meminfo, sizeof f->meminfo, "%s/proc/meminfo", f->root);
    snprintf(f->self_cgroup, sizeof f->self_cgroup, "%s/proc/self/cgroup", f->root);
    snprintf(f->cgroup2, sizeof f->cgroup2, "%s/sys/fs/cgroup", f->root);
    snprintf(f->cgroup1, sizeof f->cgroup1, "%s/sys/fs/cgroup/memory", f->root);
    snprintf(f->self_status, sizeof f->self_status, "%s/proc/self/status", f->root);
    f->files = (memcheck_files){ f->meminfo, f->self_cgroup, f->cgroup2, f->cgroup1, f->self_status, false };
    put(f, "proc/meminfo", "MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    8000000 kB\n");
}

static void fake_free(fake *f)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
    assert_int_equal(system(cmd), 0);
}

static const memcheck_limit *find(const memcheck_limit *l, size_t n, memcheck_source source)
{
    for (size_t k = 0; k < n; k++)
        if (l[k].source == source)
            return &l[k];
    return NULL;
}

/* No cgroup files: MemAvailable alone. */
static void available_only(void **state)
{
    (void)state;
    fake f;
    fake_init(&f);
    memcheck_limit l[MEMCHECK_MAX_LIMITS];
    size_t n = memcheck_limits_from(&f.files, l);
    assert_int_equal(n, 1);
    assert_int_equal(l[0].source, MEMCHECK_AVAILABLE);
    assert_int_equal(l[0].room, 8000000ull * 1024);
    fake_free(&f);
}

/* cgroup v2: the process's own memory.max less memory.current, or an
 * ancestor's when that is tighter; "max" is no limit. */
static void cgroup_v2(void **state)
{
    (void)state;
    fake f;
    fake_init(&f);
    put(&f, "proc/self/cgroup", "0::/ci/job\n");
    put(&f, "sys/fs/cgroup/ci/job/memory.max", "max\n");
    put(&f, "sys/fs/cgroup/ci/job/memory.current", "1000\n");
    memcheck_limit l[MEMCHECK_MAX_LIMITS];
    assert_null(find(l, memcheck_limits_from(&f.files, l), MEMCHECK_CGROUP2));

    put(&f, "sys/fs/cgroup/ci/job/memory.max", "1048576000\n");
    put(&f, "sys/fs/cgroup/ci/job/memory.current", "48576000\n");
    size_t n = memcheck_limits_from(&f.files, l);
    const memcheck_limit *c = find(l, n, MEMCHECK_CGROUP2);
    assert_non_null(c);
    assert_int_equal(c->limit, 1048576000);
    assert_int_equal(c->room, 1000000000);
    assert_non_null(strstr(c->file, "/sys/fs/cgroup/ci/job/memory.max"));

    /* The parent allows less than that. */
    put(&f, "sys/fs/cgroup/ci/memory.max", "600000000\n");
    put(&f, "sys/fs/cgroup/ci/memory.current", "100000000\n");
    n = memcheck_limits_from(&f.files, l);
    c = find(l, n, MEMCHECK_CGROUP2);
    assert_int_equal(c->room, 500000000);
    assert_non_null(strstr(c->file, "/sys/fs/cgroup/ci/memory.max"));
    fake_free(&f);
}

/* cgroup v1: the memory controller's memory.limit_in_bytes; the 2^63 it
 * says for no limit is none. */
static void cgroup_v1(void **state)
{
    (void)state;
    fake f;
    fake_init(&f);
    put(&f, "proc/self/cgroup", "5:cpu,cpuacct:/x\n4:memory:/docker/abc\n0::/\n");
    put(&f, "sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "9223372036854771712\n");
    put(&f, "sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes", "5000\n");
    memcheck_limit l[MEMCHECK_MAX_LIMITS];
    assert_null(find(l, memcheck_limits_from(&f.files, l), MEMCHECK_CGROUP1));

    put(&f, "sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "536870912\n");
    put(&f, "sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes", "36870912\n");
    size_t n = memcheck_limits_from(&f.files, l);
    const memcheck_limit *c = find(l, n, MEMCHECK_CGROUP1);
    assert_non_null(c);
    assert_int_equal(c->room, 500000000);
    assert_non_null(strstr(c->file, "memory/docker/abc/memory.limit_in_bytes"));
    fake_free(&f);
}

/* A dump file of `size` bytes that holds nothing (sparse): only its size
 * is read. */
static const char *sparse_dump(off_t size)
{
    const char *path = temp_file_with("", 0);
    assert_int_equal(truncate(path, size), 0);
    return path;
}

/* The refusal names the limit that is shortest, with both figures. */
static void refusal_names_the_limit(void **state)
{
    (void)state;
    fake f;
    fake_init(&f);
    const char *dump = sparse_dump((off_t)32 << 30); /* 32 GiB: about 20 GB needed with the graph */
    memcheck_plan plan = { .trends = false, .graph = true };
    hs_error err;

    /* 8 GB available: too little. */
    assert_int_equal(memcheck_check(&dump, 1, &plan, 0, &f.files, &err), HS_ERR_NOMEM);
    assert_non_null(strstr(err.msg, "these dumps need about "));
    assert_non_null(strstr(err.msg, "more than the 8.2 GB this machine has available; nothing was loaded."));
    assert_non_null(strstr(err.msg, "--max-memory=0"));

    /* A cgroup leaves less. */
    put(&f, "proc/self/cgroup", "0::/job\n");
    put(&f, "sys/fs/cgroup/job/memory.max", "2000000000\n");
    put(&f, "sys/fs/cgroup/job/memory.current", "0\n");
    assert_int_equal(memcheck_check(&dump, 1, &plan, 0, &f.files, &err), HS_ERR_NOMEM);
    assert_non_null(strstr(err.msg, "more than the 2.0 GB the cgroup's memory limit leaves ("));
    assert_non_null(strstr(err.msg, "/sys/fs/cgroup/job/memory.max: 2.0 GB, 0 B in use)"));

    /* --max-memory decides alone. */
    assert_int_equal(memcheck_check(&dump, 1, &plan, (uint64_t)64 << 30, &f.files, &err), HS_OK);
    assert_int_equal(memcheck_check(&dump, 1, &plan, 1 << 20, &f.files, &err), HS_ERR_NOMEM);
    assert_non_null(strstr(err.msg, "more than the 1.0 MB --max-memory allows"));

    /* A small dump fits everywhere. */
    const char *small = sparse_dump(1 << 20);
    assert_int_equal(memcheck_check(&small, 1, &plan, 0, &f.files, &err), HS_OK);
    unlink(small);
    unlink(dump);
    fake_free(&f);
}

/* What the address-space limit counts that the others do not: the text
 * that stays mapped (the latest dump's, with the graph). */
static void mapped_text(void **state)
{
    (void)state;
    const char *a = sparse_dump(100 << 20), *b = sparse_dump(200 << 20), *c = sparse_dump(300 << 20);
    const char *paths[] = { a, b, c };
    memcheck_plan with_graph = { .graph = true }, plain = { .graph = false };
    /* Dump 2 (listed) and dump 3 (its graph) stay; dump 1 is mapped alone. */
    assert_int_equal(memcheck_mapped(paths, 3, &with_graph), (uint64_t)600 << 20);
    assert_int_equal(memcheck_mapped(paths, 3, &plain), (uint64_t)500 << 20);
    unlink(a);
    unlink(b);
    unlink(c);
}

/* RLIMIT_AS, read for real: it is found, with the address space in use. An
 * address-space limit breaks the sanitizers' shadow memory: not there. */
static void rlimit_as(void **state)
{
    (void)state;
    if (TEST_SANITIZED) {
        print_message("# built with a sanitizer: RLIMIT_AS not checked\n");
        return;
    }
    struct rlimit old;
    assert_int_equal(getrlimit(RLIMIT_AS, &old), 0);
    struct rlimit tight = { (rlim_t)16 << 30, old.rlim_max };
    if (old.rlim_max != RLIM_INFINITY && old.rlim_max < tight.rlim_cur)
        tight.rlim_cur = old.rlim_max;
    assert_int_equal(setrlimit(RLIMIT_AS, &tight), 0);
    memcheck_limit l[MEMCHECK_MAX_LIMITS];
    size_t n = memcheck_limits_from(&memcheck_system, l);
    assert_int_equal(setrlimit(RLIMIT_AS, &old), 0);
    const memcheck_limit *r = find(l, n, MEMCHECK_RLIMIT_AS);
    assert_non_null(r);
    assert_int_equal(r->limit, (uint64_t)tight.rlim_cur);
    assert_true(r->room < r->limit && r->room > r->limit / 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(available_only),
        cmocka_unit_test(cgroup_v2),
        cmocka_unit_test(cgroup_v1),
        cmocka_unit_test(refusal_names_the_limit),
        cmocka_unit_test(mapped_text),
        cmocka_unit_test(rlimit_as),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
