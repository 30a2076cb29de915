/* radix.c - LSD radix sort over the bits that vary. */
#include "radix.h"

#include <stdlib.h>
#include <string.h>

#include "status.h"

/* 11-bit digits: three passes cover the ~33 bits in which the addresses of
 * one Ruby heap differ, with a histogram that stays in L1. */
#define DIGIT_BITS 11
#define BUCKETS (1u << DIGIT_BITS)
/* Below this many keys an insertion sort beats clearing and summing the
 * histogram of every pass. */
#define INSERTION_MAX 64

/* Stable insertion sort, for short arrays. */
static void insertion_sort(uint64_t *keys, uint32_t *vals, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t k = keys[i];
        uint32_t v = vals[i];
        size_t j = i;
        for (; j > 0 && keys[j - 1] > k; j--) {
            keys[j] = keys[j - 1];
            vals[j] = vals[j - 1];
        }
        keys[j] = k;
        vals[j] = v;
    }
}

/* (key, value) pairs in order: what a stable sort gives when the values
 * of equal keys ascend. */
static bool pair_less(const uint64_t *keys, const uint32_t *vals, size_t a, size_t b)
{
    return keys[a] < keys[b] || (keys[a] == keys[b] && vals[a] < vals[b]);
}

static void pair_swap(uint64_t *keys, uint32_t *vals, size_t a, size_t b)
{
    uint64_t k = keys[a];
    keys[a] = keys[b];
    keys[b] = k;
    uint32_t v = vals[a];
    vals[a] = vals[b];
    vals[b] = v;
}

static void sift_down(uint64_t *keys, uint32_t *vals, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && pair_less(keys, vals, child, child + 1))
            child++;
        if (!pair_less(keys, vals, root, child))
            return;
        pair_swap(keys, vals, root, child);
        root = child;
    }
}

/* The sort without scratch memory, for when there is none to be had: a
 * heapsort of the (key, value) pairs, about ten times slower. */
static void heap_sort(uint64_t *keys, uint32_t *vals, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(keys, vals, i, n);
    for (size_t end = n; end > 1; end--) {
        pair_swap(keys, vals, 0, end - 1);
        sift_down(keys, vals, 0, end - 1);
    }
}

void radix_sort_u64(uint64_t *keys, uint32_t *vals, size_t n)
{
    if (n <= INSERTION_MAX) {
        insertion_sort(keys, vals, n);
        return;
    }
    uint64_t all_or = 0, all_and = ~(uint64_t)0;
    for (size_t i = 0; i < n; i++) {
        all_or |= keys[i];
        all_and &= keys[i];
    }
    uint64_t varying = all_or ^ all_and; /* bits that differ between some keys */
    if (!varying)
        return;
    unsigned lo = (unsigned)__builtin_ctzll(varying);
    unsigned hi = 64 - (unsigned)__builtin_clzll(varying); /* one past the highest */

    hs_mem mem = { 0 };
    uint64_t *tk = hs_mem_alloc(&mem, n, sizeof *tk);
    uint32_t *tv = hs_mem_alloc(&mem, n, sizeof *tv);
    size_t *count = hs_mem_alloc(&mem, BUCKETS, sizeof *count);
    if (hs_mem_failed(&mem)) {
        free(tk);
        free(tv);
        free(count);
        heap_sort(keys, vals, n);
        return;
    }
    uint64_t *sk = keys, *dk = tk;
    uint32_t *sv = vals, *dv = tv;
    for (unsigned shift = lo; shift < hi; shift += DIGIT_BITS) {
        memset(count, 0, BUCKETS * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(sk[i] >> shift) & (BUCKETS - 1)]++;
        size_t sum = 0;
        for (unsigned b = 0; b < BUCKETS; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t at = count[(sk[i] >> shift) & (BUCKETS - 1)]++;
            dk[at] = sk[i];
            dv[at] = sv[i];
        }
        uint64_t *t64 = sk; sk = dk; dk = t64;
        uint32_t *t32 = sv; sv = dv; dv = t32;
    }
    if (sk != keys) {
        memcpy(keys, sk, n * sizeof *keys);
        memcpy(vals, sv, n * sizeof *vals);
    }
    free(count);
    free(tk);
    free(tv);
}

static int cmp_run(const void *a, const void *b)
{
    const radix_run *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

#define BLOCK_SHIFT 16 /* Ruby's heap pages are 64 KiB aligned */

bool radix_page_runs(const uint64_t *keys, size_t n, radix_run **out, size_t *nruns, hs_mem *mem)
{
    if (n == 0) {
        *out = NULL;
        *nruns = 0;
        return true;
    }
    size_t count = 0, cap = n < 1024 ? n : 1024;
    radix_run *runs = hs_mem_alloc(mem, cap, sizeof *runs);
    if (!runs)
        return false;
    size_t start = 0;
    for (size_t i = 1; i <= n; i++) {
        if (i < n && keys[i] > keys[i - 1] && keys[i] >> BLOCK_SHIFT == keys[start] >> BLOCK_SHIFT)
            continue;
        /* Too many short runs: the dump is not in page order; radix is
         * better (and copes without memory). */
        if (count == n / 8 + 1)
            break;
        if (count == cap) {
            radix_run *grown = hs_mem_grow(mem, runs, cap, cap * 2, sizeof *runs);
            if (!grown)
                break; /* mem says so */
            runs = grown;
            cap *= 2;
        }
        runs[count++] = (radix_run){ keys[start], keys[i - 1], start, i - start };
        start = i;
    }
    bool ok = !hs_mem_failed(mem) && count <= n / 8 && start == n;
    if (ok) {
        qsort(runs, count, sizeof *runs, cmp_run);
        for (size_t r = 1; r < count && ok; r++)
            ok = runs[r].first > runs[r - 1].last;
    }
    if (!ok) {
        free(runs);
        return false;
    }
    *out = runs;
    *nruns = count;
    return true;
}

bool radix_sort_addresses(uint64_t *keys, uint32_t *vals, size_t n)
{
    if (n < 2)
        return true;
    hs_mem mem = { 0 };
    radix_run *runs;
    size_t nruns;
    if (!radix_page_runs(keys, n, &runs, &nruns, &mem)) {
        radix_sort_u64(keys, vals, n);
        return false;
    }
    uint64_t *tk = hs_mem_alloc(&mem, n, sizeof *tk);
    uint32_t *tv = hs_mem_alloc(&mem, n, sizeof *tv);
    if (hs_mem_failed(&mem)) {
        free(tk);
        free(tv);
        free(runs);
        radix_sort_u64(keys, vals, n);
        return false;
    }
    size_t at = 0;
    for (size_t r = 0; r < nruns; r++) {
        memcpy(tk + at, keys + runs[r].start, runs[r].len * sizeof *tk);
        memcpy(tv + at, vals + runs[r].start, runs[r].len * sizeof *tv);
        at += runs[r].len;
    }
    memcpy(keys, tk, n * sizeof *keys);
    memcpy(vals, tv, n * sizeof *vals);
    free(tk);
    free(tv);
    free(runs);
    return true;
}

bool radix_sort_positions(const uint64_t *addr, size_t n, uint64_t *keys, uint32_t *pos)
{
    hs_mem mem = { 0 };
    radix_run *runs;
    size_t nruns;
    if (n < 2 || !radix_page_runs(addr, n, &runs, &nruns, &mem)) {
        for (size_t i = 0; i < n; i++) {
            keys[i] = addr[i];
            pos[i] = (uint32_t)i;
        }
        radix_sort_u64(keys, pos, n);
        return false;
    }
    /* Straight into place: one read of addr, one write of each array. */
    size_t at = 0;
    for (size_t r = 0; r < nruns; r++) {
        memcpy(keys + at, addr + runs[r].start, runs[r].len * sizeof *keys);
        for (size_t k = 0; k < runs[r].len; k++)
            pos[at + k] = (uint32_t)(runs[r].start + k);
        at += runs[r].len;
    }
    free(runs);
    return true;
}
