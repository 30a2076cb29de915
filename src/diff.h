/* diff.h - which objects of a series of dumps are leak suspects.
 *
 * With dumps D1..Dn (n >= 3), the suspects are the objects of D2 that are not
 * in D1 and are in every later dump: allocated in the window, never freed.
 * With two dumps, the objects new in D2; with one, all of D1's objects.
 *
 * "The same object" across dumps: Ruby reuses a freed slot for the next
 * allocation, so an address alone can name two different objects. By default
 * objects match when their addresses are equal and (both have an
 * object_id: equal object ids) else (both have a generation: equal
 * generations) else equal types; an object with an object_id (Ruby 3.5+)
 * is also found at any address where that id is. An object of dump 2 whose
 * generation is below dump 1's highest was allocated before dump 1 (moved
 * since, or dump 1 lost its line): never a suspect. DIFF_ID_ADDRESS matches
 * on address alone, like the classic script.
 *
 * diff_run may be called from any thread; the result is read-only after.
 */
#ifndef HEAPSIFT_DIFF_H
#define HEAPSIFT_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heap.h"
#include "status.h"

typedef enum diff_identity {
    DIFF_ID_EXACT,   /* address + object_id / generation / type (default) */
    DIFF_ID_ADDRESS, /* address alone */
} diff_identity;

typedef enum diff_mode {
    DIFF_ALL,      /* one dump: every object */
    DIFF_NEW,      /* two dumps: objects in the second not in the first */
    DIFF_RETAINED, /* three or more: new in the second, alive in every later one */
} diff_mode;

/* Objects of one dump at an address an earlier object of the same dump
 * already has. Ruby writes each address once: these come from a damaged or
 * hand-made dump, or two dumps in one file. They are all kept, and matched
 * across dumps like any object (every one at the address is tried). */
typedef struct diff_dups {
    uint64_t count;     /* objects whose address was taken already */
    uint64_t addr;      /* the address of the first of them (in file order) */
    uint32_t first;     /* index of the object that has that address first */
    uint32_t again;     /* index of the first object that has it again */
} diff_dups;

typedef struct diff_result {
    diff_mode mode;
    diff_identity identity;
    size_t ndumps;          /* dumps compared */
    size_t subject;         /* index of the dump whose objects are listed */
    uint32_t *objects;      /* indices into dumps[subject] of the suspects, ascending */
    size_t count;           /* entries in objects */
    uint64_t reused_slots;  /* suspects that address-only matching misses (their slot
                               held another object in an earlier dump) */
    uint64_t moved;         /* objects address-only matching would list that are no
                               suspects (freed, and their slot reused by a later dump) */
    diff_dups *dups;        /* per dump (ndumps entries): duplicated addresses */
    /* Compaction (GC.compact, GC.auto_compact) moves objects to new
     * addresses; what shows it, per dump k > 0 against dump k - 1
     * (ndumps entries, [0] always 0): */
    uint64_t *moved_in;     /* objects whose generation is older than dump k - 1
                               (below its highest) at an (address, generation)
                               dump k - 1 does not have: moved there since */
    uint64_t *untraced_in;  /* with allocation tracing on in both: objects without
                               a generation at an address dump k - 1 has not (Ruby
                               3.1 drops a moved object's file, line and generation) */
    uint64_t *oid_moved_in; /* of moved_in and untraced_in, those carrying an
                               object_id that dump k - 1 has at another address:
                               followed (Ruby 3.5+) */
    uint64_t predate;       /* subject objects not in dump 1 whose generation is
                               below dump 1's highest: allocated before it (moved),
                               so never suspects */
    uint64_t followed;      /* subject objects matched by object_id at another
                               address in an earlier or later dump */
} diff_result;

/* Computes the suspects. dumps[subject] is the dump whose objects are listed:
 * index 1 with two or more dumps, else 0. Fails with HS_ERR_FORMAT when the
 * generations show the dumps are out of order (the message names both files),
 * and with HS_ERR_NOMEM when its sorted copies and flags (about 12 bytes an
 * object of three dumps and 5 of the subject's) cannot be had. *out owns a
 * new result; free with diff_free. */
hs_status diff_run(diff_result **out, heap *const *dumps, size_t ndumps, diff_identity identity,
                   hs_error *err);

void diff_free(diff_result *d);

/* Are object i of a and object j of b, which have the same address, the
 * same object under identity id? */
bool diff_same_object(const heap *a, size_t i, const heap *b, size_t j, diff_identity id);

/* The dump index whose objects are listed for ndumps dumps. */
size_t diff_subject_index(size_t ndumps);

const char *diff_mode_name(diff_mode mode);

#endif
