/* group.h - the suspects of a diff, grouped by a key, with their totals.
 *
 * A group_set is built once per grouping (group_build); filtering and
 * sorting then work on it without regrouping: group_apply_filter recomputes
 * every group's totals from the objects that pass a filter in one pass over
 * the objects, and group_sort orders the visible groups. Not thread-safe;
 * owned by one thread at a time.
 */
#ifndef HEAPSIFT_GROUP_H
#define HEAPSIFT_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diff.h"
#include "filter.h"
#include "heap.h"

typedef enum group_by {
    GROUP_SITE,       /* (type, file, line): the classic key */
    GROUP_CLASS,      /* class name */
    GROUP_GEM,        /* gems/NAME-VERSION/ in the path, else app / stdlib / unknown */
    GROUP_FILE,       /* file path */
    GROUP_METHOD,     /* (file, method) */
    GROUP_GENERATION, /* GC generation of allocation */
    GROUP_BY_COUNT
} group_by;

typedef enum group_sort_key {
    SORT_COUNT,    /* objects, most first (the default) */
    SORT_MEMSIZE,  /* memsize, largest first */
    SORT_BYTESIZE, /* bytesize, largest first */
    SORT_LOCATION, /* file, then line, ascending */
    SORT_TYPE,     /* type name ascending */
    SORT_RETAINED, /* retained size, largest first (needs the reference graph) */
    SORT_KEY_COUNT
} group_sort_key;

typedef struct group {
    /* The key; which fields count depends on group_by. Ids are the subject
     * dump's strtab ids. */
    uint8_t type;       /* rtype (GROUP_SITE) */
    uint32_t file;      /* file path id (SITE, FILE, METHOD) */
    uint32_t line;      /* line + 1, or HEAP_NO_LINE (SITE) */
    uint32_t name;      /* class name / gem label / method name id (CLASS, GEM, METHOD) */
    uint64_t number;    /* generation (GENERATION; HEAP_NO_GEN when none), or
                           the class address of an unnamed class (CLASS) */
    /* Totals over the objects that pass the filter. */
    uint64_t count;
    uint64_t memsize;
    uint64_t bytesize;
    /* Totals over all the group's objects, filter or not. */
    uint64_t all_count;
    uint64_t all_memsize;
    uint64_t all_bytesize;
    uint64_t retained;  /* retained size of the objects that pass the filter, in
                           the latest dump's graph, each byte once */
    uint64_t all_retained; /* likewise over all its objects (group_compute_retained) */
    uint64_t *trend;    /* live objects with this key in each dump (ndumps entries), or NULL */
    /* Sort ranks (group_build): the byte order of file and name among all
     * groups, and of the type name, so that sorting never compares strings. */
    uint32_t file_rank, name_rank, type_rank;
} group;

typedef struct group_set {
    group_by by;
    const heap *subject;      /* the dump the objects are in */
    const diff_result *diff;  /* the suspects */
    strtab *labels;           /* gem labels; subject->strings is used for the rest */
    group *groups;            /* every group, in no particular order */
    size_t ngroups;
    uint32_t *group_of;       /* group index of diff->objects[k] */
    uint32_t *members;        /* diff object positions grouped: members of group g
                                 are members[member_start[g] .. member_start[g+1]) */
    size_t *member_start;     /* ngroups + 1 entries */
    size_t *order;            /* visible groups (count > 0), sorted */
    size_t nvisible;          /* entries in order */
    uint64_t total_count;     /* totals over visible groups */
    uint64_t total_memsize;
    uint64_t total_bytesize;
    size_t ndumps;            /* entries of each trend */
    /* Every group sorted by their unfiltered totals, for the sort key
     * full_key; a filter that hides only whole groups (all that path and
     * type filters do to site groups) keeps this order, so the visible order
     * is read off it instead of sorted again. */
    size_t *full_order;
    group_sort_key full_key;
    bool full_valid;
    bool whole_groups;        /* after the last filter, every group shown has
                                 all its objects */
    uint64_t min_shown;       /* the filter's minimum count (1 without one) */
    bool has_retained;        /* group_compute_retained has run */
    /* Per diff object k, from group_compute_retained (NULL before): */
    uint32_t *ret_pre;        /* preorder number of its node in the latest dump's
                                 dominator tree; 0 when not in the graph or unreached */
    uint32_t *ret_end;        /* one past the last number of its subtree */
    uint64_t *ret_size;       /* its node's retained size */
    uint32_t *ret_order;      /* like members, each group's part in preorder */
} group_set;

/* Groups diff's suspects by `by`. The subject's details (heap_load_details)
 * must have been read for them; objects without are grouped under the empty
 * site. Never fails (aborts when out of memory). */
group_set *group_build(const diff_result *diff, const heap *subject, group_by by);
void group_free(group_set *s);

/* Fills every group's trend: its live object count in each dump of dumps
 * (which must be the dumps the diff compared, in order). Does nothing unless
 * every dump was loaded with HEAP_LIGHT or HEAP_FULL. */
void group_compute_trends(group_set *s, heap *const *dumps, size_t ndumps);

/* Fills every group's retained size from the graph of the latest dump
 * (dumps[ndumps-1]->graph, with dominators computed): the sum of the
 * retained sizes of its objects that have no other object of the same group
 * above them in the dominator tree. group_apply_filter then recomputes it
 * over the objects that pass. Does nothing without a graph. */
void group_compute_retained(group_set *s, heap *const *dumps, size_t ndumps);

/* Recomputes totals for the objects that pass f (NULL: all) and lists the
 * groups with at least f->min_count objects in s->order, unsorted. */
void group_apply_filter(group_set *s, const obj_filter *f);

/* Sorts s->order. Ties are broken by count (descending), type, file (byte
 * order) and line, so the order is total and stable across runs. */
void group_sort(group_set *s, group_sort_key key, bool reverse);

/* The text of a group's key for display: "app.rb:27" style for sites.
 * Writes at most size bytes (NUL-terminated) into buf and returns buf; the
 * length goes to *len (may be NULL): the text may hold NUL bytes from the
 * dump. Bytes come from the dump as they are: escape them before showing. */
const char *group_label(const group_set *s, const group *g, char *buf, size_t size, size_t *len);

/* Name <-> enum for options. Return -1 when unknown. */
int group_by_from_name(const char *name);
const char *group_by_name(group_by by);
int group_sort_from_name(const char *name);
const char *group_sort_name(group_sort_key key);

/* The gem label of a path: "NAME-VERSION" for .../gems/NAME-VERSION/...,
 * "stdlib" for Ruby's own library, "unknown" with no path, else "app". */
void group_gem_label(const char *path, size_t len, char *buf, size_t size);

#endif
