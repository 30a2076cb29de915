/* group.h - the suspects of a session, grouped by a key, with their totals,
 * filtered and sorted.
 *
 * group_new runs the one pipeline, in the one order that gives right
 * answers: group the suspects by the key; count each group's objects in
 * every dump (trends); sum each group's retained size in the latest dump's
 * graph; apply the filter (totals of what passes); sort. Changing the
 * filter, the sort or learning of the graph or the trends re-runs only the
 * steps after the change (group_set_filter, group_set_sort,
 * group_graph_ready, group_trends_ready), so the
 * order holds whatever the caller does. Not thread-safe; owned by one
 * thread at a time.
 *
 * The steps that allocate what grows with the dump (grouping, trends,
 * retained sizes) fail with HS_ERR_NOMEM and a message saying what could
 * not be done and how much memory it needed, leaving the set as it was;
 * filtering and sorting allocate nothing of that size and cannot fail.
 */
#ifndef HEAPSIFT_GROUP_H
#define HEAPSIFT_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "columns.h"
#include "filter.h"
#include "heap.h"
#include "session.h"

/* A grouping key: an index into the table of keys in group.c (GROUP_KEYS),
 * which says for each how objects get their key and how a group is named.
 * Only the classic key is named here: the report prints its groups in the
 * classic script's format. Every other key is found by name. */
typedef unsigned group_by;
#define GROUP_SITE 0u /* (type, file, line): the classic key, first in the table */

typedef struct group {
    /* The key: the fields its key function in group.c (GROUP_KEYS) fills,
     * 0 in the others. Ids are the subject dump's strtab ids. */
    uint8_t type;       /* rtype */
    uint32_t file;      /* file path id */
    uint32_t line;      /* line + 1, or HEAP_NO_LINE */
    uint32_t name;      /* id of a name: class, method or subtype name, or a gem
                           label (an id of the set's labels) */
    uint64_t number;    /* generation (HEAP_NO_GEN when none), or the class
                           address of an unnamed class */
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
    uint64_t all_retained; /* likewise over all its objects (group_new, group_graph_ready) */
    uint64_t *trend;    /* live objects with this key in each dump (ndumps entries,
                           in group_set.trends), or NULL */
    /* Sort ranks (made when grouping): the byte order of file and name among all
     * groups, and of the type name, so that sorting never compares strings. */
    uint32_t file_rank, name_rank, type_rank;
} group;

typedef struct group_set {
    group_by by;
    const session *session;   /* what is grouped (not owned) */
    const heap *subject;      /* session->subject: the dump the objects are in */
    const diff_result *diff;  /* session->diff: the suspects */
    obj_filter filter;        /* what passes (owned copy, prepared for subject) */
    group_sort_key sort;      /* what order is sorted by */
    bool reverse;             /* ... in reverse */
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
    uint64_t *trends;         /* every group's trend, ndumps entries a group in
                                 group order (NULL without trends) */
    uint64_t trend_max;       /* the largest count in any group's trend (0 without
                                 trends): how wide the counts are written */
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
    bool has_retained;        /* retained sizes are filled (the session has its graph) */
    bool live_numbers;        /* show each dump's count (the LIVE column) whatever
                                 the sort: the explorer sets it where the screen
                                 has room (view_set_screen_cols) */
    /* Per diff object k, once retained sizes are filled (NULL before): */
    uint32_t *ret_pre;        /* preorder number of its node in the latest dump's
                                 dominator tree; 0 when not in the graph or unreached */
    uint32_t *ret_end;        /* one past the last number of its subtree */
    uint64_t *ret_size;       /* its node's retained size */
    uint32_t *ret_order;      /* like members, each group's part in preorder */
    uint8_t *ret_pass;        /* scratch for the filter: does it pass (the retained
                                 sizes depend on which members count) */
} group_set;

/* How to group, filter and sort. */
typedef struct group_query {
    group_by by;
    const obj_filter *filter; /* NULL: everything passes; copied */
    group_sort_key sort;
    bool reverse;
    bool trends;              /* count each group in every dump, when the session's
                                 dumps carry every object's site (session_has_trends) */
} group_query;

/* Groups the session's suspects, runs the pipeline and sets *out to the
 * set (the caller's: group_free). The subject's details
 * (heap_try_load_details) must have been read for the suspects; objects
 * without are grouped under the empty site. Fails with HS_ERR_NOMEM when
 * the memory for a step cannot be had: *out is left alone. */
hs_status group_new(group_set **out, const session *s, const group_query *q, hs_error *err);
void group_free(group_set *s);

/* A new filter (NULL: everything): totals recomputed, groups with fewer
 * than f->min_count objects hidden, sorted again. */
void group_set_filter(group_set *s, const obj_filter *f);

/* Sorts the visible groups again. Ties are broken by count (descending),
 * type, file (byte order) and line, so the order is total and stable. */
void group_set_sort(group_set *s, group_sort_key key, bool reverse);

/* The session's graph was attached since group_new: every group's retained
 * size, then the filter and the order again (retained may be the key).
 * HS_ERR_NOMEM: the set is as it was, without retained sizes. */
hs_status group_graph_ready(group_set *s, hs_error *err);

/* The session's dumps were given every object's site since group_new
 * (session_attach_sites): every group's trend, then the order again (the
 * live counts may be the key). Nothing when the session still lacks some.
 * HS_ERR_NOMEM: the set is as it was, its trends as before. */
hs_status group_trends_ready(group_set *s, hs_error *err);

/* The text of a group's key for display: "app.rb:27" style for sites.
 * Writes at most size bytes (NUL-terminated) into buf and returns buf; the
 * length goes to *len (may be NULL): the text may hold NUL bytes from the
 * dump. Bytes come from the dump as they are: escape them before showing. */
const char *group_label(const group_set *s, const group *g, char *buf, size_t size, size_t *len);

/* The vocabularies by name, for options and panes: -1 when unknown. */
unsigned group_by_count(void);
int group_by_from_name(const char *name);
const char *group_by_name(group_by by);
const char *group_by_help(group_by by);
int group_sort_from_name(const char *name);
const char *group_sort_name(group_sort_key key);
const char *group_sort_help(group_sort_key key);
/* What a sort key needs loaded (the graph, every dump's sites). */
sort_needs group_sort_needs(group_sort_key key);
/* Does the key read objects' subtypes, so that the load must keep them
 * (loader_opts.skip_subtypes false)? */
bool group_by_needs_subtypes(group_by by);
/* Do the set's groups each hold one type (site groups), shown beside
 * their label? group_type_name is that type's name, or "" when not. */
bool group_shows_type(const group_set *s);
const char *group_type_name(const group_set *s, const group *g);

/* "a, b, c": every name of a vocabulary, for messages and --help. */
void group_by_names(char *buf, size_t size);
void group_sort_names(char *buf, size_t size);

/* The gem label of a path: "NAME-VERSION" for .../gems/NAME-VERSION/...,
 * "stdlib" for Ruby's own library, "unknown" with no path, else "app". */
void group_gem_label(const char *path, size_t len, char *buf, size_t size);

#endif
