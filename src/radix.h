/* radix.h - LSD radix sort of 64-bit keys carrying a 32-bit payload.
 *
 * Sorting the addresses of tens of millions of objects is the heart of the
 * diff; radix sort and a merge beat hashing by 2x (open addressing) to 10x
 * (uthash) at 8 bytes per address. Byte positions where every key agrees (the
 * high bytes of heap addresses) are skipped.
 */
#ifndef HEAPSIFT_RADIX_H
#define HEAPSIFT_RADIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sorts keys[0..n) ascending, moving vals along with them; stable. Allocates
 * scratch of 12*n bytes for the duration of the call; when that cannot be
 * had, it sorts in place instead (a heapsort, slower), by key and then value,
 * which is the same order when the values of equal keys ascend (object
 * indices, as every caller has). So it never fails. */
void radix_sort_u64(uint64_t *keys, uint32_t *vals, size_t n);

/* Sorts the addresses of one dump, keys[0..n), moving vals along. A dump
 * lists its objects heap page by heap page, each page in address order, the
 * pages in no order; pages are disjoint aligned blocks. So the ascending runs
 * within each 64 KiB block are sorted by their first address and laid end to
 * end, which is one pass over the data; when the runs overlap (the heap is not
 * laid out that way), or its scratch cannot be allocated, this falls back
 * to radix_sort_u64. Returns true when the run path was taken. */
bool radix_sort_addresses(uint64_t *keys, uint32_t *vals, size_t n);

/* An ascending run of one dump's addresses, within one 64 KiB block. */
typedef struct radix_run {
    uint64_t first; /* its smallest address */
    uint64_t last;  /* its largest address */
    size_t start;   /* index of its first address */
    size_t len;     /* addresses in it (at least one) */
} radix_run;

struct hs_mem;

/* The order radix_sort_addresses finds without moving anything: the
 * ascending runs of keys[0..n) within each 64 KiB block, sorted by their
 * first key, *nruns of them in *out (to free; NULL for n == 0). Taken end
 * to end they list keys[0..n) strictly ascending, so no key is there twice.
 * False, with nothing to free, when the keys are not laid out that way, or
 * when mem failed (it says so). */
bool radix_page_runs(const uint64_t *keys, size_t n, radix_run **out, size_t *nruns, struct hs_mem *mem);

/* radix_sort_addresses for addresses kept elsewhere: fills keys[0..n) with
 * addr[0..n) ascending and pos[k] with the position in addr of keys[k]
 * (stable), leaving addr as it is. On the run path each address is read and
 * written once, with no scratch. Returns true when the run path was taken. */
bool radix_sort_positions(const uint64_t *addr, size_t n, uint64_t *keys, uint32_t *pos);

/* The first position of ascending keys[0..n) whose key is not below key
 * (n when every one is): a binary search. Inline: address lookups in the
 * graph pass are hot. */
static inline size_t radix_lower_bound(const uint64_t *keys, size_t n, uint64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

#endif
