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

void addrmap_build(addrmap *m, const uint64_t *addr, size_t n)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    m->keys = hs_xmalloc((n ? n : 1) * sizeof *m->keys);
    m->idx = hs_xmalloc((n ? n : 1) * sizeof *m->idx);
    for (size_t i = 0; i < n; i++) {
        m->keys[i] = addr[i];
        m->idx[i] = (uint32_t)i;
    }
    radix_sort_addresses(m->keys, m->idx, n);
    size_t blocks = 0;
    for (size_t i = 0; i < n; i++)
        blocks += i == 0 || m->keys[i] >> BLOCK_SHIFT != m->keys[i - 1] >> BLOCK_SHIFT;
    m->dir_size = 16;
    while (m->dir_size < blocks * 2)
        m->dir_size *= 2;
    m->dir_block = hs_xcalloc(m->dir_size, sizeof *m->dir_block);
    m->dir_first = hs_xmalloc(m->dir_size * sizeof *m->dir_first);
    m->dir_count = hs_xmalloc(m->dir_size * sizeof *m->dir_count);
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
