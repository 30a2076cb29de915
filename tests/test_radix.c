/* test_radix.c - sorting addresses: every size, stability, the run path. */
#include "testutil.h"

#include <sys/resource.h>

#include "radix.h"

/* A fixed pseudo-random sequence (xorshift64), so failures repeat. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* keys sorted ascending, and for equal keys the values (their original
 * positions) ascending too: the sort is stable. */
static void assert_sorted_stable(const uint64_t *keys, const uint32_t *vals, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        assert_true(keys[i - 1] <= keys[i]);
        if (keys[i - 1] == keys[i])
            assert_true(vals[i - 1] < vals[i]);
    }
}

/* Every value is still with its key: key = original[val]. */
static void assert_pairs_kept(const uint64_t *keys, const uint32_t *vals, const uint64_t *original,
                              size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(keys[i], original[vals[i]]);
}

/* Sizes on both sides of the insertion-sort limit and of the radix passes,
 * keys with few distinct values (many ties) and with all 64 bits varying. */
static void sorts_every_size(void **state)
{
    (void)state;
    static const size_t sizes[] = { 0, 1, 2, 3, 63, 64, 65, 200, 5000, 100000 };
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        for (int ties = 0; ties < 2; ties++) {
            size_t n = sizes[s];
            uint64_t *keys = malloc((n ? n : 1) * sizeof *keys);
            uint64_t *original = malloc((n ? n : 1) * sizeof *original);
            uint32_t *vals = malloc((n ? n : 1) * sizeof *vals);
            for (size_t i = 0; i < n; i++) {
                uint64_t r = next_random(&seed);
                keys[i] = original[i] = ties ? 0x7f0000000000ULL + (r % 7) * 40 : r;
                vals[i] = (uint32_t)i;
            }
            radix_sort_u64(keys, vals, n);
            assert_sorted_stable(keys, vals, n);
            assert_pairs_kept(keys, vals, original, n);
            free(keys);
            free(original);
            free(vals);
        }
    }
}

/* A dump's layout: 40-byte slots, each 64 KiB page in address order, the
 * pages shuffled. The run path sorts it; the same keys with two slots of a
 * page swapped fall back to radix and are sorted all the same. */
static void addresses_by_pages(void **state)
{
    (void)state;
    const size_t pages = 64, per_page = 65536 / 40, n = pages * per_page;
    uint64_t *keys = malloc(n * sizeof *keys), *original = malloc(n * sizeof *original);
    uint32_t *vals = malloc(n * sizeof *vals);
    size_t order[64];
    for (size_t p = 0; p < pages; p++)
        order[p] = p;
    uint64_t seed = 42;
    for (size_t p = pages - 1; p > 0; p--) {
        size_t q = next_random(&seed) % (p + 1);
        size_t t = order[p];
        order[p] = order[q];
        order[q] = t;
    }
    for (int swapped = 0; swapped < 2; swapped++) {
        size_t i = 0;
        for (size_t p = 0; p < pages; p++)
            for (size_t k = 0; k < per_page; k++, i++) {
                keys[i] = original[i] = 0x7f5800000000ULL + order[p] * 65536 + k * 40;
                vals[i] = (uint32_t)i;
            }
        if (swapped) {
            uint64_t t = keys[10];
            keys[10] = original[10] = keys[11];
            keys[11] = original[11] = t;
        }
        /* The same order, read in place: the runs' keys end to end. */
        hs_mem mem = { 0 };
        radix_run *page_runs = NULL;
        size_t nruns = 0;
        assert_int_equal(radix_page_runs(keys, n, &page_runs, &nruns, &mem), !swapped);
        assert_false(hs_mem_failed(&mem));
        if (!swapped) {
            assert_int_equal(nruns, pages);
            size_t at = 0;
            uint64_t last = 0;
            for (size_t r = 0; r < nruns; r++) {
                assert_int_equal(page_runs[r].len, per_page);
                assert_int_equal(page_runs[r].first, keys[page_runs[r].start]);
                assert_int_equal(page_runs[r].last, keys[page_runs[r].start + per_page - 1]);
                for (size_t k = 0; k < page_runs[r].len; k++, at++) {
                    assert_true(at == 0 || keys[page_runs[r].start + k] > last);
                    last = keys[page_runs[r].start + k];
                }
            }
            assert_int_equal(at, n);
            free(page_runs);
        }
        bool runs = radix_sort_addresses(keys, vals, n);
        assert_int_equal(runs, !swapped);
        assert_sorted_stable(keys, vals, n);
        assert_pairs_kept(keys, vals, original, n);
        assert_int_equal(keys[0], 0x7f5800000000ULL);
        assert_int_equal(keys[n - 1], 0x7f5800000000ULL + 63 * 65536 + (per_page - 1) * 40);
    }
    free(keys);
    free(original);
    free(vals);
}

/* Without the memory for its scratch (an address-space limit), the sort is
 * done in place, to the same order. */
static void sorts_without_scratch(void **state)
{
    (void)state;
    if (TEST_SANITIZED) {
        print_message("# built with a sanitizer: RLIMIT_AS not checked\n");
        return;
    }
    size_t n = 3000000; /* 36 MB of scratch */
    uint64_t *keys = malloc(n * sizeof *keys), *original = malloc(n * sizeof *original);
    uint32_t *vals = malloc(n * sizeof *vals);
    uint64_t seed = 42;
    for (size_t i = 0; i < n; i++) {
        keys[i] = original[i] = 0x7f0000000000ULL + (next_random(&seed) % 100000) * 40;
        vals[i] = (uint32_t)i;
    }
    FILE *f = fopen("/proc/self/status", "r");
    assert_non_null(f);
    char line[256];
    unsigned long long kb = 0;
    while (fgets(line, sizeof line, f) && sscanf(line, "VmSize: %llu kB", &kb) != 1)
        ;
    fclose(f);
    struct rlimit old;
    assert_int_equal(getrlimit(RLIMIT_AS, &old), 0);
    struct rlimit tight = { (rlim_t)(kb * 1024 + (4u << 20)), old.rlim_max };
    assert_int_equal(setrlimit(RLIMIT_AS, &tight), 0);
    radix_sort_u64(keys, vals, n);
    assert_int_equal(setrlimit(RLIMIT_AS, &old), 0);
    assert_sorted_stable(keys, vals, n);
    assert_pairs_kept(keys, vals, original, n);
    free(keys);
    free(original);
    free(vals);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sorts_every_size),
        cmocka_unit_test(addresses_by_pages),
        cmocka_unit_test(sorts_without_scratch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
