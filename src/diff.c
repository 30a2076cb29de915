/* diff.c - set differences over sorted addresses. */
#include "diff.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "radix.h"

/* One dump's objects sorted by address: keys[k] is the address of object
 * idx[k]. */
typedef struct sorted_dump {
    uint64_t *keys;
    uint32_t *idx;
    size_t n;
} sorted_dump;

static void sort_dump(const heap *h, sorted_dump *s)
{
    s->n = h->count;
    s->keys = hs_xmalloc(s->n * sizeof *s->keys);
    s->idx = hs_xmalloc(s->n * sizeof *s->idx);
    for (size_t i = 0; i < s->n; i++) {
        s->keys[i] = h->addr[i];
        s->idx[i] = (uint32_t)i;
    }
    radix_sort_addresses(s->keys, s->idx, s->n);
}

typedef struct sort_job {
    const heap *h;
    sorted_dump *out;
} sort_job;

static void *sort_job_run(void *arg)
{
    sort_job *j = arg;
    sort_dump(j->h, j->out);
    return NULL;
}

/* Objects below which a second thread costs more than the sort it takes. */
#define SORT_THREAD_MIN 65536

/* Sorts two dumps at once (the sorts are independent and each takes one core). */
static void sort_two(const heap *a, sorted_dump *sa, const heap *b, sorted_dump *sb)
{
    sort_job job = { b, sb };
    pthread_t t;
    bool threaded = b && b->count >= SORT_THREAD_MIN &&
                    pthread_create(&t, NULL, sort_job_run, &job) == 0;
    sort_dump(a, sa);
    if (threaded)
        pthread_join(t, NULL);
    else if (b)
        sort_dump(b, sb);
}

/* Fills *d from a dump sorted by address: every object after the first at
 * its address counts; the one reported is the earliest in file order. */
static void find_duplicates(const sorted_dump *s, diff_dups *d)
{
    memset(d, 0, sizeof *d);
    for (size_t k = 0; k < s->n;) {
        size_t end = k + 1;
        uint32_t first = s->idx[k];
        while (end < s->n && s->keys[end] == s->keys[k]) {
            if (s->idx[end] < first)
                first = s->idx[end];
            end++;
        }
        if (end - k > 1) {
            bool first_found = d->count == 0;
            d->count += end - k - 1;
            /* The earliest object that is not the first at its address. */
            uint32_t again = UINT32_MAX;
            for (size_t m = k; m < end; m++)
                if (s->idx[m] != first && s->idx[m] < again)
                    again = s->idx[m];
            if (first_found || again < d->again) {
                d->addr = s->keys[k];
                d->first = first;
                d->again = again;
            }
        }
        k = end;
    }
}

static void sorted_free(sorted_dump *s)
{
    free(s->keys);
    free(s->idx);
}

/* A dump's objects that have an object_id, sorted by it (keys the ids). */
static void sort_object_ids(const heap *h, sorted_dump *s)
{
    memset(s, 0, sizeof *s);
    if (!h->object_id)
        return;
    for (size_t i = 0; i < h->count; i++)
        s->n += h->object_id[i] != 0;
    s->keys = hs_xmalloc((s->n ? s->n : 1) * sizeof *s->keys);
    s->idx = hs_xmalloc((s->n ? s->n : 1) * sizeof *s->idx);
    size_t k = 0;
    for (size_t i = 0; i < h->count; i++)
        if (h->object_id[i]) {
            s->keys[k] = h->object_id[i];
            s->idx[k++] = (uint32_t)i;
        }
    radix_sort_addresses(s->keys, s->idx, s->n);
}

/* Is object_id oid in the dump sorted by ids as s? */
static bool has_object_id(const sorted_dump *s, uint64_t oid)
{
    size_t at = radix_lower_bound(s->keys, s->n, oid);
    return at < s->n && s->keys[at] == oid;
}

bool diff_same_object(const heap *a, size_t i, const heap *b, size_t j, diff_identity id)
{
    if (id == DIFF_ID_ADDRESS)
        return true;
    if (a->object_id && b->object_id && a->object_id[i] && b->object_id[j])
        return a->object_id[i] == b->object_id[j];
    bool ga = a->gen[i] != HEAP_NO_GEN, gb = b->gen[j] != HEAP_NO_GEN;
    if (ga && gb)
        return a->gen[i] == b->gen[j];
    /* An object keeps its generation, or its lack of one: one with and one
     * without are two objects (a slot reused after tracing began, or an
     * object Ruby 3.1 moved there without its allocation data). */
    if (ga != gb)
        return false;
    return a->type[i] == b->type[j];
}

/* For each subject object (walked in address order via subj), sets found[i]
 * when `other` holds the same object, and addr_found[i] when it holds any
 * object at that address. */
static void match(const heap *subject, const sorted_dump *subj, const heap *other,
                  const sorted_dump *oth, const sorted_dump *oth_ids, diff_identity id, bool *found,
                  bool *addr_found, bool *followed)
{
    size_t j = 0;
    for (size_t k = 0; k < subj->n; k++) {
        uint64_t a = subj->keys[k];
        while (j < oth->n && oth->keys[j] < a)
            j++;
        size_t i = subj->idx[k];
        found[i] = false;
        if (addr_found)
            addr_found[i] = false;
        /* Duplicate addresses (hostile dumps) are all tried. */
        for (size_t m = j; m < oth->n && oth->keys[m] == a; m++) {
            if (addr_found)
                addr_found[i] = true;
            if (diff_same_object(subject, i, other, oth->idx[m], id)) {
                found[i] = true;
                break;
            }
        }
        /* Moved, but it carries its object_id. */
        if (!found[i] && id == DIFF_ID_EXACT && oth_ids && oth_ids->n && subject->object_id &&
            subject->object_id[i] && has_object_id(oth_ids, subject->object_id[i])) {
            found[i] = true;
            if (followed)
                followed[i] = true;
        }
    }
}

/* Counts what dump cur (sorted by address as sc) shows moved since prev
 * (sorted as sp, by object_id as prev_ids): see diff_result. */
static void count_moved(const heap *prev, const sorted_dump *sp, const sorted_dump *prev_ids, const heap *cur,
                        const sorted_dump *sc, uint64_t *moved, uint64_t *untraced, uint64_t *by_oid)
{
    bool traced = prev->has_generation && cur->has_generation;
    size_t j = 0;
    for (size_t k = 0; k < sc->n; k++) {
        uint64_t a = sc->keys[k];
        uint32_t i = sc->idx[k];
        while (j < sp->n && sp->keys[j] < a)
            j++;
        uint32_t g = cur->gen[i];
        bool old = g != HEAP_NO_GEN && prev->has_generation && g < prev->max_gen;
        bool untraced_new = g == HEAP_NO_GEN && traced;
        if (!old && !untraced_new)
            continue;
        bool there = false;
        for (size_t m = j; m < sp->n && sp->keys[m] == a && !there; m++)
            there = old ? prev->gen[sp->idx[m]] == g : true;
        if (there)
            continue;
        *(old ? moved : untraced) += 1;
        if (cur->object_id && cur->object_id[i] && prev_ids->n && has_object_id(prev_ids, cur->object_id[i]))
            (*by_oid)++;
    }
}

size_t diff_subject_index(size_t ndumps)
{
    return ndumps >= 2 ? 1 : 0;
}

const char *diff_mode_name(diff_mode mode)
{
    switch (mode) {
    case DIFF_ALL: return "all objects";
    case DIFF_NEW: return "new objects";
    case DIFF_RETAINED: return "retained objects";
    }
    return "?";
}

static hs_status check_order(heap *const *dumps, size_t ndumps, hs_error *err)
{
    for (size_t k = 1; k < ndumps; k++) {
        const heap *prev = dumps[k - 1], *cur = dumps[k];
        if (prev->has_generation && cur->has_generation && cur->max_gen < prev->max_gen)
            return hs_fail(err, HS_ERR_FORMAT,
                           "the dumps are out of order: %s (dump %zu) was taken at GC %u, "
                           "before %s (dump %zu, GC %u); give the dumps oldest first",
                           cur->path, k + 1, cur->max_gen, prev->path, k, prev->max_gen);
    }
    return HS_OK;
}

hs_status diff_run(diff_result **out, heap *const *dumps, size_t ndumps, diff_identity identity,
                   hs_error *err)
{
    if (ndumps == 0)
        return hs_fail(err, HS_ERR_USAGE, "no dumps to compare");
    hs_status st = check_order(dumps, ndumps, err);
    if (st != HS_OK)
        return st;

    diff_result *d = hs_xcalloc(1, sizeof *d);
    d->ndumps = ndumps;
    d->identity = identity;
    d->subject = diff_subject_index(ndumps);
    d->mode = ndumps == 1 ? DIFF_ALL : ndumps == 2 ? DIFF_NEW : DIFF_RETAINED;
    const heap *subject = dumps[d->subject];
    size_t n = subject->count;
    d->dups = hs_xcalloc(ndumps, sizeof *d->dups);
    d->moved_in = hs_xcalloc(ndumps, sizeof *d->moved_in);
    d->untraced_in = hs_xcalloc(ndumps, sizeof *d->untraced_in);
    d->oid_moved_in = hs_xcalloc(ndumps, sizeof *d->oid_moved_in);

    /* keep[i]: object i of the subject is still a suspect. */
    bool *keep = hs_xmalloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        keep[i] = true;

    if (ndumps >= 2) {
        sorted_dump subj = { 0 }, other = { 0 }, next = { 0 }; /* filled by sort_two */
        sort_two(subject, &subj, dumps[0], &other);
        bool *found = hs_xmalloc(n ? n : 1);
        bool *addr_found = hs_xmalloc(n ? n : 1);
        /* keep_addr[i]: what address-only matching would conclude, to count
         * where it and identity matching disagree. */
        bool *keep_addr = hs_xmalloc(n ? n : 1);
        bool *followed = hs_xcalloc(n ? n : 1, sizeof *followed);
        sorted_dump ids = { 0 }, prev_ids = { 0 };

        /* Not in the first dump. */
        find_duplicates(&subj, &d->dups[d->subject]);
        find_duplicates(&other, &d->dups[0]);
        sort_object_ids(dumps[0], &ids);
        match(subject, &subj, dumps[0], &other, &ids, identity, found, addr_found, followed);
        count_moved(dumps[0], &other, &ids, subject, &subj, &d->moved_in[1], &d->untraced_in[1], &d->oid_moved_in[1]);
        sorted_free(&ids);
        sorted_free(&other);
        const heap *first = dumps[0];
        for (size_t i = 0; i < n; i++) {
            keep[i] = !found[i];
            keep_addr[i] = !addr_found[i];
            /* Older than dump 1 by its generation: moved, not new. */
            if (keep[i] && identity == DIFF_ID_EXACT && subject->gen[i] != HEAP_NO_GEN && first->has_generation &&
                subject->gen[i] < first->max_gen) {
                keep[i] = false;
                d->predate++;
            }
        }
        /* The dump before dump k, sorted, for count_moved. */
        sorted_dump prev = subj;
        bool prev_is_subj = true;
        sort_object_ids(subject, &prev_ids);
        /* Alive in every later dump (sorted two at a time). */
        for (size_t k = 2; k < ndumps; k++) {
            bool paired = k % 2 == 0 && k + 1 < ndumps;
            if (k % 2 == 0)
                sort_two(dumps[k], &other, paired ? dumps[k + 1] : NULL, &next);
            else {
                other = next; /* sorted with the dump before it */
                next = (sorted_dump){ 0 };
            }
            find_duplicates(&other, &d->dups[k]);
            sort_object_ids(dumps[k], &ids);
            match(subject, &subj, dumps[k], &other, &ids, identity, found, addr_found, followed);
            count_moved(dumps[k - 1], &prev, &prev_ids, dumps[k], &other, &d->moved_in[k], &d->untraced_in[k],
                        &d->oid_moved_in[k]);
            if (!prev_is_subj)
                sorted_free(&prev);
            sorted_free(&prev_ids);
            prev = other;
            prev_is_subj = false;
            prev_ids = ids;
            for (size_t i = 0; i < n; i++) {
                keep[i] = keep[i] && found[i];
                keep_addr[i] = keep_addr[i] && addr_found[i];
            }
        }
        if (!prev_is_subj)
            sorted_free(&prev);
        sorted_free(&prev_ids);
        if (identity == DIFF_ID_EXACT)
            for (size_t i = 0; i < n; i++) {
                d->reused_slots += keep[i] && !keep_addr[i];
                d->moved += keep_addr[i] && !keep[i];
            }
        for (size_t i = 0; i < n; i++)
            d->followed += keep[i] && followed[i];
        free(followed);
        free(found);
        free(addr_found);
        free(keep_addr);
        sorted_free(&subj);
    } else {
        sorted_dump all;
        sort_dump(subject, &all);
        find_duplicates(&all, &d->dups[0]);
        sorted_free(&all);
    }

    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += keep[i];
    d->objects = hs_xmalloc((count ? count : 1) * sizeof *d->objects);
    for (size_t i = 0; i < n; i++)
        if (keep[i])
            d->objects[d->count++] = (uint32_t)i;
    free(keep);
    *out = d;
    return HS_OK;
}

void diff_free(diff_result *d)
{
    if (!d)
        return;
    free(d->objects);
    free(d->dups);
    free(d->moved_in);
    free(d->untraced_in);
    free(d->oid_moved_in);
    free(d);
}
