/* filter.h - which suspects to show: file path patterns, types, a minimum.
 *
 * A pattern matches a file path as a substring, or, when it holds one of
 * `*?[`, as a glob (fnmatch) against the whole path or any part of it that
 * starts after a '/': the glob "app/" "*.rb" matches "/srv/app/models/user.rb".
 * Matching is decided once per allocation site, not per object.
 */
#ifndef HEAPSIFT_FILTER_H
#define HEAPSIFT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heap.h"
#include "rtype.h"

typedef struct obj_filter {
    char *include;          /* path pattern objects must match, or NULL */
    char *exclude;          /* path pattern objects must not match, or NULL */
    bool types_set;         /* when true, only types with types[t] pass */
    bool types[RT_COUNT];   /* the allowed types */
    uint64_t min_count;     /* groups with fewer objects are hidden */
    /* Cache for one heap: pass[site] after filter_prepare. */
    const heap *prepared_for;
    uint8_t *site_pass;
} obj_filter;

/* An empty filter (everything passes). */
void filter_init(obj_filter *f);
void filter_free(obj_filter *f);

/* Copies src's settings (not its cache) into dst, which must be initialised. */
void filter_copy(obj_filter *dst, const obj_filter *src);

/* Sets the include / exclude pattern (NULL or "" clears it). */
void filter_set_include(obj_filter *f, const char *pattern);
void filter_set_exclude(obj_filter *f, const char *pattern);

/* Parses "STRING,ARRAY" into the type set; false (and f unchanged) when a
 * name is not a Ruby type; *bad then points at it. */
bool filter_set_types(obj_filter *f, const char *list, const char **bad);

/* True when the pattern matches path[0..len). */
bool filter_path_matches(const char *pattern, const char *path, size_t len);

/* Computes the per-site verdicts for h; call after changing patterns. */
void filter_prepare(obj_filter *f, const heap *h);

/* Does object i of h pass? filter_prepare(f, h) must have been called. */
static inline bool filter_object_passes(const obj_filter *f, const heap *h, size_t i)
{
    if (f->types_set && !f->types[h->type[i]])
        return false;
    return f->site_pass == NULL || f->site_pass[h->site[i]];
}

/* True when f filters anything at all. */
bool filter_active(const obj_filter *f);

#endif
