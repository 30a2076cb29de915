/* addrmap.h - finding an object of a dump by its address, fast enough to
 * resolve every reference of a dump (tens of millions of lookups).
 *
 * Addresses are sorted once (radix_sort_positions); a directory by 64 KiB
 * block (a Ruby heap page) narrows each lookup to the objects of one block,
 * where the address's position is guessed from its value (slots are evenly
 * spaced) and found a step or two from the guess, with a binary search when
 * it is not. A lookup touches two or three cache lines. Read-only after
 * addrmap_build: any thread may look up.
 */
#ifndef HEAPSIFT_ADDRMAP_H
#define HEAPSIFT_ADDRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define ADDRMAP_NONE UINT32_MAX

/* One 64 KiB block of the directory: where its addresses are in keys, and
 * what a lookup needs to guess the position of one from its value (a heap
 * page's slots are evenly spaced). 32 bytes: a probe reads one cache line. */
typedef struct addrmap_block {
    uint64_t block_plus1; /* the block number (addr >> 16) + 1; 0: an empty slot */
    uint64_t lo;          /* the block's smallest address, keys[first] */
    uint64_t inv;         /* (count - 1) << 32 / (largest - lo): the position of a
                             is about first + ((a - lo) * inv >> 32); 0 when the
                             block has one address (count - 1 held to 65535 so that
                             the product fits in 64 bits) */
    uint32_t first;       /* position in keys of the block's first address */
    uint32_t count;       /* addresses in the block */
} addrmap_block;

typedef struct addrmap {
    uint64_t *keys;      /* addresses, ascending */
    uint32_t *idx;       /* object index of keys[k] */
    size_t n;
    addrmap_block *dir;  /* open-addressing table of the blocks that hold addresses */
    size_t dir_size;     /* its slots (a power of two) */
} addrmap;

/* Indexes addr[0..n) (object i has address addr[i]): 12 bytes per object
 * and a directory. Fails with HS_ERR_NOMEM, saying how much it needed, and
 * m left empty, when that memory cannot be had. */
hs_status addrmap_try_build(addrmap *m, const uint64_t *addr, size_t n, hs_error *err);
/* addrmap_try_build for a caller with no way to report the failure: aborts with
 * its message, as hs_xmalloc does. */
void addrmap_build(addrmap *m, const uint64_t *addr, size_t n);
void addrmap_free(addrmap *m);

/* The object at address a, or ADDRMAP_NONE. With duplicate addresses
 * (hostile dumps) any one of them. */
uint32_t addrmap_find(const addrmap *m, uint64_t a);

#endif
