/* addrmap.c - sorted addresses with a per-page directory. */
#include "addrmap.h"

#include <stdlib.h>
#include <string.h>

#include "radix.h"
#include "status.h"

#define BLOCK_SHIFT 16

static size_t slot_of(uint64_t block, size_t size)
{
    return (size_t)((block * 0x9e3779b97f4a7c15ull) >> 20) & (size - 1);
}

hs_status addrmap_try_build(addrmap *m, const uint64_t *addr, size_t n, hs_error *err)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    hs_mem mem = { 0 };
    m->keys = hs_mem_alloc(&mem, n, sizeof *m->keys);
    m->idx = hs_mem_alloc(&mem, n, sizeof *m->idx);
    if (hs_mem_failed(&mem)) {
        addrmap_free(m);
        return hs_mem_fail(err, &mem, "an index of %zu addresses", n);
    }
    radix_sort_positions(addr, n, m->keys, m->idx);
    size_t blocks = 0;
    for (size_t i = 0; i < n; i++)
        blocks += i == 0 || m->keys[i] >> BLOCK_SHIFT != m->keys[i - 1] >> BLOCK_SHIFT;
    m->dir_size = 16;
    while (m->dir_size < blocks * 2)
        m->dir_size *= 2;
    m->dir = hs_mem_zalloc(&mem, m->dir_size, sizeof *m->dir);
    if (hs_mem_failed(&mem)) {
        addrmap_free(m);
        return hs_mem_fail(err, &mem, "an index of %zu addresses", n);
    }
    for (size_t i = 0; i < n;) {
        uint64_t block = m->keys[i] >> BLOCK_SHIFT;
        size_t j = i;
        while (j < n && m->keys[j] >> BLOCK_SHIFT == block)
            j++;
        size_t s = slot_of(block, m->dir_size);
        while (m->dir[s].block_plus1)
            s = (s + 1) & (m->dir_size - 1);
        addrmap_block *d = &m->dir[s];
        uint64_t span = m->keys[j - 1] - m->keys[i];
        uint64_t steps = j - i - 1 < 65535 ? j - i - 1 : 65535;
        d->block_plus1 = block + 1;
        d->lo = m->keys[i];
        d->inv = span ? (steps << 32) / span : 0;
        d->first = (uint32_t)i;
        d->count = (uint32_t)(j - i);
        i = j;
    }
    return HS_OK;
}

void addrmap_build(addrmap *m, const uint64_t *addr, size_t n)
{
    hs_error err;
    if (addrmap_try_build(m, addr, n, &err) != HS_OK)
        hs_abort(&err);
}

void addrmap_free(addrmap *m)
{
    free(m->keys);
    free(m->idx);
    free(m->dir);
    memset(m, 0, sizeof *m);
}

/* Steps taken from the guessed position before a binary search takes over
 * (an unevenly filled block: hostile dumps, mixed slot sizes). */
#define GUESS_STEPS 4

uint32_t addrmap_find(const addrmap *m, uint64_t a)
{
    if (!m->n)
        return ADDRMAP_NONE;
    uint64_t block = a >> BLOCK_SHIFT;
    size_t s = slot_of(block, m->dir_size);
    while (m->dir[s].block_plus1 && m->dir[s].block_plus1 != block + 1)
        s = (s + 1) & (m->dir_size - 1);
    const addrmap_block *d = &m->dir[s];
    if (!d->block_plus1 || a < d->lo)
        return ADDRMAP_NONE;
    /* The answer, the first position whose key is not below a, is in
     * [lo, hi]: every key before lo is below a, none from hi on. a - lo is
     * below 2^16 and inv at most 2^48, so the product fits. */
    size_t lo = d->first, hi = (size_t)d->first + d->count;
    uint64_t guess = ((a - d->lo) * d->inv) >> 32;
    size_t at = d->first + (guess < d->count ? (size_t)guess : d->count - 1);
    bool found = false;
    if (m->keys[at] < a) {
        lo = at + 1;
        for (unsigned k = 0; k < GUESS_STEPS && lo < hi && m->keys[lo] < a; k++)
            lo++;
        found = lo == hi || m->keys[lo] >= a;
        hi = found ? lo : hi;
    } else {
        hi = at;
        for (unsigned k = 0; k < GUESS_STEPS && hi > lo && m->keys[hi - 1] >= a; k++)
            hi--;
        found = hi == lo || m->keys[hi - 1] < a;
        lo = found ? hi : lo;
    }
    if (!found)
        lo += radix_lower_bound(m->keys + lo, hi - lo, a);
    return lo < (size_t)d->first + d->count && m->keys[lo] == a ? m->idx[lo] : ADDRMAP_NONE;
}
