/* suspects.h - the retained set grouped by what holds it.
 *
 * The retained set R is the diff's objects. In the latest dump's dominator
 * tree, the holder of an object of R is the first node on its path towards
 * the root that is not itself in R. A suspect is one holder (or several
 * folded together) with what it holds of the objects the group set counts
 * (those that pass its filter, in the groups it shows): the filters choose
 * what counts, not who holds it, so excluding a type never makes its
 * objects holders. Every counted object belongs to exactly one suspect, so
 * the suspects' counts add up to the report's total.
 *
 *  - Holders of the same type, allocation site and class fold into one
 *    suspect (35 per-request hashes at one line are one row); a CLASS or
 *    MODULE holder, named by itself, never folds.
 *  - Objects whose holder is the virtual root (no single object holds them
 *    short of the roots) are split by the set of root categories that
 *    reach the top-most object of R on their path: reached from
 *    machine_context alone, they were on a thread's stack at dump time
 *    (SUSPECT_STACK); from any other set, "several GC roots" with those
 *    categories (SUSPECT_ROOTS). Objects no root reaches (garbage at dump
 *    time) and objects that are no node of the latest dump's graph have a
 *    suspect each too. All of these rank after the real holders.
 *  - ObjectSpace.dump_all's own objects (allocated in objspace.rb, such as
 *    its call caches and its mutex), and everything a holder allocated
 *    there holds, are split off into suspects of their own, flagged
 *    `noise` and ranked last.
 *
 * Within each of those classes suspects rank by bytes (the memsize of what
 * they hold, as the report sums it), then objects, then the lowest holder
 * address (or the root categories).
 *
 * Growth, with three or more dumps: window w (0-based) is the time between
 * dump w+1 and dump w+2 (1-based), so there are ndumps - 1 windows. Its
 * objects are those of the latest dump present in dump w+2 and in every dump
 * after it, and absent from dump w+1: allocated in that window and alive
 * since. A suspect's count for window 0 is its count (R is window 0's
 * objects). For each later window, its objects get holders the same way (the
 * first node up the dominator tree that is not an object of that window),
 * and a suspect counts those whose holder is one of its holders (for the
 * roots' suspects: the same root categories), that pass the filter's path
 * patterns and types (not its minimum count), and whose dump_all noise flag
 * is the suspect's: in these windows an object held by an object is
 * dump_all's when its holder is (its own site is not read: that would cost
 * more than all the rest), one the roots hold when its site is objspace.rb.
 * The verdict, from those counts:
 *    every window's count > 0                         SUSPECT_GROWS
 *    exactly one window's count > 0                   SUSPECT_GREW_ONCE
 *    the last window's is 0, more than one's > 0      SUSPECT_SETTLED
 *    the last window's is > 0, an earlier one's 0     SUSPECT_GROWS_AGAIN
 *
 * Plain data, no text: suspects_report.h writes it. Iterative throughout (a
 * million-deep chain is a normal dump); the scratch arrays are sized by the
 * graph's node count, nothing is allocated per object.
 *
 * suspects_find reads the session's graph, which must be attached, and
 * loads details (sites, classes) of the holders, of every hop of the root
 * paths (so they can be described, as session_root_path does) and of later
 * windows' objects into s->latest: owner thread only. The result points into the
 * session's heaps (names): free it before the session.
 */
#ifndef HEAPSIFT_SUSPECTS_H
#define HEAPSIFT_SUSPECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "group.h"
#include "session.h"
#include "status.h"

/* What holds a suspect's objects: X(ENUM, name, what it means). */
#define SUSPECT_KINDS(X)                                                                   \
    X(SUSPECT_HELD, "held", "objects of the latest dump outside the retained set")         \
    X(SUSPECT_ROOTS, "roots", "several GC roots together (no single object short of them)") \
    X(SUSPECT_STACK, "stack", "machine_context alone: on a thread's stack at dump time")   \
    X(SUSPECT_UNREACHED, "unreached", "no GC root: garbage the next GC frees")             \
    X(SUSPECT_GONE, "gone", "not in the latest dump's graph")

typedef enum suspect_kind {
#define SUSPECT_KIND_ENUM(e, name, help) e,
    SUSPECT_KINDS(SUSPECT_KIND_ENUM)
#undef SUSPECT_KIND_ENUM
    SUSPECT_KIND_COUNT
} suspect_kind;

/* The growth verdict: X(ENUM, text, rule); see the top of this file. */
#define SUSPECT_GROWTHS(X)                                                                        \
    X(SUSPECT_NO_WINDOWS, "", "fewer than three dumps: nothing to compare")                        \
    X(SUSPECT_GROWS, "grows in every window", "every window's count > 0")                         \
    X(SUSPECT_GREW_ONCE, "grew once", "exactly one window's count > 0")                           \
    X(SUSPECT_SETTLED, "settled", "the last window's count is 0, more than one window's > 0")     \
    X(SUSPECT_GROWS_AGAIN, "grows again", "the last window's count > 0, an earlier window's is 0")

typedef enum suspect_growth {
#define SUSPECT_GROWTH_ENUM(e, text, rule) e,
    SUSPECT_GROWTHS(SUSPECT_GROWTH_ENUM)
#undef SUSPECT_GROWTH_ENUM
    SUSPECT_GROWTH_COUNT
} suspect_growth;

/* Where a holder's own name comes from. */
typedef enum suspect_name_kind {
    SUSPECT_NAME_NONE,  /* the dump gives it none */
    SUSPECT_NAME_CLASS, /* a CLASS or MODULE: its name */
    SUSPECT_NAME_IVAR,  /* the instance variable that holds it in the hop
                           before it on its root path, where that object's
                           shape names exactly one (Ruby 3.2+) */
} suspect_name_kind;

/* One holding object of a suspect, with what it holds of R. */
typedef struct suspect_holder {
    uint32_t node;      /* the holder (a node of the latest dump's graph) */
    uint64_t count;     /* objects of R it holds */
    uint64_t memsize;   /* their memsize, summed */
    uint64_t bytesize;  /* their bytesize, summed */
} suspect_holder;

/* One of the group set's groups, restricted to what a suspect holds. */
typedef struct suspect_group {
    uint32_t group;     /* index into the group set's groups */
    uint64_t count;     /* its objects the suspect holds */
    uint64_t memsize;
    uint64_t bytesize;
} suspect_group;

typedef struct suspect {
    suspect_kind kind;
    bool noise;             /* ObjectSpace.dump_all's own objects (ranked last) */
    uint32_t root_mask;     /* ROOTS, STACK: the root categories that reach its
                               objects (bit k: graph root_names[k]); 0 otherwise */
    uint32_t example;       /* HELD: the holder holding the most bytes (the first
                               of suspect_holders); ROOTS, STACK: the top-most
                               member with the largest retained size; GRAPH_NONE
                               for UNREACHED and GONE */
    /* The example holder as the dump describes it (HELD only). */
    uint8_t holder_type;    /* rtype */
    uint32_t holder_site;   /* its site id in the latest dump (0: none) */
    uint64_t holder_class;  /* its class address (0: none) */
    uint64_t holder_addr;   /* its address */
    suspect_name_kind name_kind;
    const char *name;       /* its own name (name_len bytes, raw dump text,
                               points into the latest heap), NULL when none */
    size_t name_len;
    /* What it holds. */
    uint64_t count;         /* objects of R */
    uint64_t memsize;       /* their memsize, summed (the subject dump's) */
    uint64_t bytesize;      /* their bytesize, summed */
    double share;           /* memsize / all of R's memsize (0 when that is 0) */
    size_t holder_start;    /* its holders: suspects.holders[holder_start ..
                               + nholders), most bytes first, then most objects,
                               then lowest address (HELD only; 0 otherwise) */
    size_t nholders;
    size_t group_start;     /* what it holds: suspects.groups[group_start ..
                               + ngroups), most objects first, then in the
                               group set's order */
    size_t ngroups;
    size_t member_start;    /* its objects: suspects.members[member_start ..
                               member_start + count) */
    const uint64_t *window; /* nwindows counts (see the top), NULL without */
    suspect_growth growth;
    uint32_t *path;         /* the shortest path from a GC root to the example
                               (as session_root_path finds it; graph nodes, root
                               side first), NULL when there is none */
    size_t path_len;        /* hops in path; 0 when no root reaches the example */
    unsigned path_root;     /* the path's root category (graph root_names index) */
} suspect;

/* Everything suspects_find found. Owned by the struct: suspects_free. */
typedef struct suspects {
    suspect *rows;          /* ranked, most bytes first (see the top) */
    size_t nrows;
    suspect_holder *holders; /* every holding object, by suspect (rows[r].holder_start) */
    size_t nholders;        /* distinct (holder, noise) pairs: the holders unfolded */
    suspect_group *groups;  /* by suspect (rows[r].group_start) */
    size_t ngroups;
    uint32_t *members;      /* diff object positions (indices into diff->objects),
                               by suspect (rows[r].member_start) */
    uint64_t *windows;      /* nrows * nwindows counts, row by row */
    size_t nwindows;        /* ndumps - 1 with three or more dumps, else 0 */
    uint64_t total_count;   /* objects counted: the group set's total_count */
    uint64_t total_memsize; /* ... total_memsize */
    uint64_t total_bytesize;
    size_t held_rows;       /* rows of kind HELD that are not noise */
} suspects;

/* Finds the suspects of the objects set counts (its filter, its visible
 * groups) in s's latest graph; set must be of s. Fails with HS_ERR_USAGE
 * when no graph is attached, and with HS_ERR_NOMEM (saying how much it
 * needed) when its arrays, about 30 bytes a node of the graph and 50 an
 * object of the diff, or the holders' details cannot be had; *out is
 * then empty. */
hs_status suspects_find(const session *s, const group_set *set, suspects *out, hs_error *err);

/* Frees what suspects_find allocated and leaves *sp empty. NULL is fine. */
void suspects_free(suspects *sp);

/* The vocabularies' texts (see SUSPECT_KINDS and SUSPECT_GROWTHS). */
const char *suspect_kind_name(suspect_kind k);
const char *suspect_growth_text(suspect_growth g);

/* The verdict for counts[0..n) (n windows, n >= 2), by the rules above. */
suspect_growth suspect_growth_of(const uint64_t *counts, size_t n);

/* ---- the graph part, on its own for tests ---------------------------------- */

/* For each members[k] (nodes with member[v] != 0, no duplicates needed),
 * the holder: the first node on its dominator-tree path towards the root
 * with member == 0, g->n when that is the virtual root, GRAPH_NONE when no
 * root reaches it. holder[v] and top[v] (the last member on that path: v
 * itself when its dominator is no member) are written for every member the
 * walks pass, each walked once (no recursion, no quadratic chains).
 * holder and top: g->n + 1 entries each, indexed by node. Its scratch (4
 * bytes a member) comes from mem: false, nothing written, when it failed. */
bool suspects_walk_up(const graph *g, const uint8_t *member, const uint32_t *members, size_t n,
                      uint32_t *holder, uint32_t *top, hs_mem *mem);


#endif
