/* addrmap.h - finding an object of a dump by its address, fast enough to
 * resolve every reference of a dump (tens of millions of lookups).
 *
 * Addresses are sorted once (radix_sort_addresses); a directory by 64 KiB
 * block (a Ruby heap page) narrows each lookup to the few hundred objects of
 * one page before a binary search, so a lookup touches two or three cache
 * lines. Read-only after addrmap_build: any thread may look up.
 */
#ifndef HEAPSIFT_ADDRMAP_H
#define HEAPSIFT_ADDRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define ADDRMAP_NONE UINT32_MAX

typedef struct addrmap {
    uint64_t *keys;      /* addresses, ascending */
    uint32_t *idx;       /* object index of keys[k] */
    size_t n;
    uint64_t *dir_block; /* open-addressing table of block numbers (addr >> 16), 0 = empty */
    uint32_t *dir_first; /* first position in keys of that block */
    uint32_t *dir_count; /* keys in that block */
    size_t dir_size;     /* slots (a power of two) */
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
