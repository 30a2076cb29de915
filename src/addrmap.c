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
    m->dir_block = hs_mem_zalloc(&mem, m->dir_size, sizeof *m->dir_block);
    m->dir_first = hs_mem_alloc(&mem, m->dir_size, sizeof *m->dir_first);
    m->dir_count = hs_mem_alloc(&mem, m->dir_size, sizeof *m->dir_count);
    if (hs_mem_failed(&mem)) {
        addrmap_free(m);
        return hs_mem_fail(err, &mem, "an index of %zu addresses", n);
    }
    for (size_t i = 0; i < n;) {
        uint64_t block = m->keys[i] >> BLOCK_SHIFT;
        size_t j = i;
        while (j < n && m->keys[j] >> BLOCK_SHIFT == block)
            j++;
        /* Block numbers are stored + 1 so that 0 marks an empty slot. */
        size_t s = slot_of(block, m->dir_size);
        while (m->dir_block[s])
            s = (s + 1) & (m->dir_size - 1);
        m->dir_block[s] = block + 1;
        m->dir_first[s] = (uint32_t)i;
        m->dir_count[s] = (uint32_t)(j - i);
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
    free(m->dir_block);
    free(m->dir_first);
    free(m->dir_count);
    memset(m, 0, sizeof *m);
}

uint32_t addrmap_find(const addrmap *m, uint64_t a)
{
    if (!m->n)
        return ADDRMAP_NONE;
    uint64_t block = a >> BLOCK_SHIFT;
    size_t s = slot_of(block, m->dir_size);
    while (m->dir_block[s] && m->dir_block[s] != block + 1)
        s = (s + 1) & (m->dir_size - 1);
    if (!m->dir_block[s])
        return ADDRMAP_NONE;
    size_t first = m->dir_first[s];
    size_t lo = first + radix_lower_bound(m->keys + first, m->dir_count[s], a);
    return lo < m->n && m->keys[lo] == a ? m->idx[lo] : ADDRMAP_NONE;
}
