/* hs_uthash.h - uthash with heapsift's out-of-memory policies.
 *
 * uthash allocates a table and its bucket arrays as items are added. By
 * default heapsift treats a failure there like every other exhausted small
 * allocation: hs_xmalloc of an impossible size aborts with a message (see
 * status.h). A file whose tables grow with a dump (a group per key, a
 * holder per site) defines HS_UTHASH_NONFATAL before including this:
 * uthash then allocates through hs_mem_raw and, when that fails, leaves
 * the table as it was and the item out of it (uthash's HASH_NONFATAL_OOM,
 * "Out of memory" in its user guide); HS_HASH_ADD says whether it added.
 * The macros must be defined before uthash.h is first included, so include
 * this header instead of <uthash.h>, and first among the headers that may
 * pull uthash in.
 */
#ifndef HEAPSIFT_HS_UTHASH_H
#define HEAPSIFT_HS_UTHASH_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

#ifdef uthash_fatal
#error "uthash_fatal is defined already (by <uthash.h> or by hand): include only hs_uthash.h"
#endif
#ifdef HS_UTHASH_NONFATAL
#define HASH_NONFATAL_OOM 1
#define uthash_malloc(sz) hs_mem_raw(sz)
#define uthash_nonfatal_oom(elt) ((void)(elt)) /* HS_HASH_ADD tells by the count */
#else
#define uthash_fatal(msg) hs_xmalloc((size_t)-1)
#endif
#include <uthash.h>

#ifdef HS_UTHASH_NONFATAL
/* HASH_ADD(hh, head, field, keylen, elt), setting `added` false when uthash
 * could not allocate: elt is then in no table (still the caller's) and
 * what uthash asked (a new table, or the bucket array doubled) is counted
 * as failed in the hs_mem *m, for hs_mem_fail. */
#define HS_HASH_ADD(head, field, keylen, elt, m, added)                                                    \
    do {                                                                                                   \
        unsigned hs_count_ = HASH_COUNT(head);                                                             \
        size_t hs_ask_ = (head) ? 2u * (size_t)(head)->hh.tbl->num_buckets * sizeof(UT_hash_bucket)          \
                                : sizeof(UT_hash_table) + HASH_INITIAL_NUM_BUCKETS * sizeof(UT_hash_bucket); \
        HASH_ADD(hh, head, field, keylen, elt);                                                            \
        (added) = HASH_COUNT(head) != hs_count_;                                                           \
        if (!(added))                                                                                      \
            hs_mem_lost((m), hs_ask_);                                                                     \
    } while (0)
#endif

#endif
