/* diff.c - set differences over sorted addresses. */
#include "diff.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "radix.h"

/* One dump's objects in address order, walked with an order_cursor.
 * Ruby writes a dump heap page by heap page, each page in address order:
 * then the order is the dump's own ascending runs taken by their first
 * address, read where they are (runs; radix_page_runs). A dump laid out
 * otherwise, and a list of object ids, is sorted into a copy (keys, idx). */
typedef struct sorted_dump {
    const uint64_t *addr; /* run view: the dump's addresses, in file order */
    radix_run *runs;      /* run view: its runs by first address (NULL when empty) */
    size_t nruns;
    uint64_t *keys;       /* copy view: the keys ascending (NULL in the run view) */
    uint32_t *idx;        /* copy view: idx[k] is the object whose key is keys[k] */
    size_t n;             /* objects */
} sorted_dump;

/* A position in a sorted_dump: object at, in keys, which is the dump's
 * addr in the run view (the object is then at itself) and the copy's keys
 * in the copy view. */
typedef struct order_cursor {
    const sorted_dump *s;
    const uint64_t *keys;
    size_t at;            /* the current object's position in keys */
    size_t end;           /* the end of the run (copy view: of all) it is in */
    size_t next_run;      /* run view: the run after it */
} order_cursor;

static inline order_cursor cursor_start(const sorted_dump *s)
{
    if (s->keys || !s->runs)
        return (order_cursor){ .s = s, .keys = s->keys, .at = 0, .end = s->keys ? s->n : 0 };
    return (order_cursor){ .s = s, .keys = s->addr, .at = s->runs[0].start,
                           .end = s->runs[0].start + s->runs[0].len, .next_run = 1 };
}

static inline bool cursor_done(const order_cursor *c)
{
    return c->at == c->end;
}

static inline uint64_t cursor_key(const order_cursor *c)
{
    return c->keys[c->at];
}

/* The current object's index in its dump. */
static inline uint32_t cursor_object(const order_cursor *c)
{
    return c->s->idx ? c->s->idx[c->at] : (uint32_t)c->at;
}

static inline void cursor_next(order_cursor *c)
{
    if (++c->at == c->end && !c->s->keys && c->next_run < c->s->nruns) {
        const radix_run *r = &c->s->runs[c->next_run++];
        c->at = r->start;
        c->end = r->start + r->len;
    }
}

static void sorted_free(sorted_dump *s);

/* Puts h's objects in address order into s: the run view, or a sorted copy
 * from mem (s is left empty when that failed; mem belongs to this thread). */
static void sort_dump(const heap *h, sorted_dump *s, hs_mem *mem)
{
    *s = (sorted_dump){ .addr = h->addr, .n = h->count };
    if (radix_page_runs(h->addr, s->n, &s->runs, &s->nruns, mem) || hs_mem_failed(mem))
        return;
    s->keys = hs_mem_alloc(mem, s->n, sizeof *s->keys);
    s->idx = hs_mem_alloc(mem, s->n, sizeof *s->idx);
    if (hs_mem_failed(mem)) {
        sorted_free(s);
        return;
    }
    radix_sort_positions(h->addr, s->n, s->keys, s->idx);
}

/* A sort of one dump on a thread of its own: dump 1's, while this thread
 * sorts the subject's (match_all). */
typedef struct sort_job {
    const heap *h;
    sorted_dump *out;
    hs_mem mem;       /* what the sort asked for, on its thread */
    pthread_t thread;
    bool threaded;    /* the sort runs on thread (else it is done) */
} sort_job;

static void *sort_job_run(void *arg)
{
    sort_job *j = arg;
    sort_dump(j->h, j->out, &j->mem);
    return NULL;
}

/* Objects below which a second thread costs more than the work it takes
 * (a sort, dump 1's side of the diff). */
#define SORT_THREAD_MIN 65536

/* Runs fn(arg) on *thread when objects (what it works through) make a
 * second thread worth it and one can be had, else at once on this one.
 * True when it runs on *thread: join it. */
static bool run_beside(void *(*fn)(void *), void *arg, size_t objects, pthread_t *thread)
{
    if (objects >= SORT_THREAD_MIN && pthread_create(thread, NULL, fn, arg) == 0)
        return true;
    fn(arg);
    return false;
}

/* Starts sorting h into *out beside this thread (run_beside).
 * sort_finish must follow. */
static void sort_start(sort_job *j, const heap *h, sorted_dump *out)
{
    *j = (sort_job){ .h = h, .out = out };
    j->threaded = run_beside(sort_job_run, j, h->count, &j->thread);
}

/* Waits for the sort started by sort_start; adds what it asked for, and
 * whether that failed (*out then empty), to mem. */
static void sort_finish(sort_job *j, hs_mem *mem)
{
    if (j->threaded)
        pthread_join(j->thread, NULL);
    j->threaded = false;
    hs_mem_merge(mem, &j->mem);
}

/* Fills *d from a dump in address order: every object after the first at
 * its address counts; the one reported is the earliest in file order. The
 * run view has each address once (radix_page_runs). */
static void find_duplicates(const sorted_dump *s, diff_dups *d)
{
    memset(d, 0, sizeof *d);
    if (!s->keys)
        return;
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

/* Frees s's arrays and leaves it empty. */
static void sorted_free(sorted_dump *s)
{
    free(s->runs);
    free(s->keys);
    free(s->idx);
    *s = (sorted_dump){ 0 };
}

/* A dump's objects that have an object_id, sorted by it (keys the ids);
 * empty when mem failed. */
static void sort_object_ids(const heap *h, sorted_dump *s, hs_mem *mem)
{
    *s = (sorted_dump){ 0 };
    if (!h->object_id)
        return;
    for (size_t i = 0; i < h->count; i++)
        s->n += h->object_id[i] != 0;
    s->keys = hs_mem_alloc(mem, s->n, sizeof *s->keys);
    s->idx = hs_mem_alloc(mem, s->n, sizeof *s->idx);
    if (hs_mem_failed(mem)) {
        sorted_free(s);
        return;
    }
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
    order_cursor o = cursor_start(oth);
    for (order_cursor c = cursor_start(subj); !cursor_done(&c); cursor_next(&c)) {
        uint64_t a = cursor_key(&c);
        while (!cursor_done(&o) && cursor_key(&o) < a)
            cursor_next(&o);
        size_t i = cursor_object(&c);
        found[i] = false;
        if (addr_found)
            addr_found[i] = false;
        /* Duplicate addresses (hostile dumps) are all tried. */
        for (order_cursor m = o; !cursor_done(&m) && cursor_key(&m) == a; cursor_next(&m)) {
            if (addr_found)
                addr_found[i] = true;
            if (diff_same_object(subject, i, other, cursor_object(&m), id)) {
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

/* Counts what dump cur (in address order as sc) shows moved since prev
 * (likewise sp, by object_id as prev_ids): see diff_result. */
static void count_moved(const heap *prev, const sorted_dump *sp, const sorted_dump *prev_ids, const heap *cur,
                        const sorted_dump *sc, uint64_t *moved, uint64_t *untraced, uint64_t *by_oid)
{
    bool traced = prev->has_generation && cur->has_generation;
    order_cursor p = cursor_start(sp);
    for (order_cursor c = cursor_start(sc); !cursor_done(&c); cursor_next(&c)) {
        uint64_t a = cursor_key(&c);
        uint32_t i = cursor_object(&c);
        while (!cursor_done(&p) && cursor_key(&p) < a)
            cursor_next(&p);
        uint32_t g = cur->gen[i];
        bool old = g != HEAP_NO_GEN && prev->has_generation && g < prev->max_gen;
        bool untraced_new = g == HEAP_NO_GEN && traced;
        if (!old && !untraced_new)
            continue;
        bool there = false;
        for (order_cursor m = p; !cursor_done(&m) && cursor_key(&m) == a && !there; cursor_next(&m))
            there = old ? prev->gen[cursor_object(&m)] == g : true;
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

/* The first dump's side of the diff: its duplicates, which of the
 * subject's objects it holds, and what moved between it and the subject.
 * Run on a thread of its own while the later dumps are matched: it reads
 * the subject's sorted addresses and writes only its own fields. */
typedef struct first_job {
    const heap *subject;      /* the subject dump */
    const sorted_dump *subj;  /* ... in address order (read only here) */
    const heap *first;        /* dump 1 */
    sorted_dump sorted;       /* dump 1 by address (sorted before the job) */
    diff_identity identity;
    bool *found;              /* found[i]: dump 1 holds subject object i */
    bool *addr_found;         /* ... holds an object at its address */
    diff_dups dups;           /* dump 1's duplicate addresses */
    uint64_t moved, untraced, oid_moved; /* count_moved into the subject */
    hs_mem mem;               /* what the job asked for, on its thread */
    pthread_t thread;
    bool threaded;            /* the job runs on thread (else it is done) */
} first_job;

static void *first_job_run(void *arg)
{
    first_job *j = arg;
    sorted_dump ids;
    sort_object_ids(j->first, &ids, &j->mem);
    if (!hs_mem_failed(&j->mem)) {
        find_duplicates(&j->sorted, &j->dups);
        match(j->subject, j->subj, j->first, &j->sorted, &ids, j->identity, j->found, j->addr_found, NULL);
        count_moved(j->first, &j->sorted, &ids, j->subject, j->subj, &j->moved, &j->untraced, &j->oid_moved);
    }
    sorted_free(&ids);
    sorted_free(&j->sorted);
    return NULL;
}

/* What diff_run asks for while it runs: freed whatever happens. */
typedef struct diff_scratch {
    bool *keep;       /* keep[i]: object i of the subject is still a suspect
                         (while the later dumps are matched: alive in all of them) */
    bool *found;      /* ... is in the later dump matched last */
    bool *addr_found; /* ... has its address in it */
    bool *keep_addr;  /* what address-only matching would conclude, to count
                         where it and identity matching disagree */
    bool *followed;   /* ... was matched by object_id at another address */
    first_job first;  /* dump 1's side; its found arrays are freed here */
    sorted_dump subj, other, prev, ids, prev_ids; /* see match_all */
} diff_scratch;

static void scratch_free(diff_scratch *x, bool prev_is_subj)
{
    free(x->keep);
    free(x->found);
    free(x->addr_found);
    free(x->keep_addr);
    free(x->followed);
    free(x->first.found);
    free(x->first.addr_found);
    sorted_free(&x->first.sorted);
    if (!prev_is_subj)
        sorted_free(&x->prev);
    sorted_free(&x->subj);
    sorted_free(&x->other);
    sorted_free(&x->ids);
    sorted_free(&x->prev_ids);
}

/* Matches the subject against every later dump (keep: alive in all of
 * them), on this thread, while the first dump's job runs. False when mem
 * failed. */
static bool match_later(diff_result *d, heap *const *dumps, size_t ndumps, diff_identity identity, diff_scratch *x,
                        bool *prev_is_subj, hs_mem *mem)
{
    const heap *subject = dumps[d->subject];
    size_t n = subject->count;
    find_duplicates(&x->subj, &d->dups[d->subject]);
    /* The dump before dump k, in address order, for count_moved. */
    x->prev = x->subj;
    *prev_is_subj = true;
    sort_object_ids(subject, &x->prev_ids, mem);
    if (hs_mem_failed(mem))
        return false;
    for (size_t k = 2; k < ndumps; k++) {
        sort_dump(dumps[k], &x->other, mem);
        sort_object_ids(dumps[k], &x->ids, mem);
        if (hs_mem_failed(mem))
            return false;
        find_duplicates(&x->other, &d->dups[k]);
        match(subject, &x->subj, dumps[k], &x->other, &x->ids, identity, x->found, x->addr_found, x->followed);
        count_moved(dumps[k - 1], &x->prev, &x->prev_ids, dumps[k], &x->other, &d->moved_in[k],
                    &d->untraced_in[k], &d->oid_moved_in[k]);
        if (!*prev_is_subj)
            sorted_free(&x->prev);
        sorted_free(&x->prev_ids);
        x->prev = x->other;
        x->other = (sorted_dump){ 0 };
        *prev_is_subj = false;
        x->prev_ids = x->ids;
        x->ids = (sorted_dump){ 0 };
        for (size_t i = 0; i < n; i++) {
            x->keep[i] = x->keep[i] && x->found[i];
            x->keep_addr[i] = x->keep_addr[i] && x->addr_found[i];
        }
    }
    return true;
}

/* Matches the subject against every other dump: x->keep and the counts of
 * d. The first dump's side runs on a second thread while this one matches
 * the later dumps. False when mem failed. */
static bool match_all(diff_result *d, heap *const *dumps, size_t ndumps, diff_identity identity, diff_scratch *x,
                      bool *prev_is_subj, hs_mem *mem)
{
    const heap *subject = dumps[d->subject];
    const heap *first = dumps[0];
    size_t n = subject->count;
    first_job *f = &x->first;
    *f = (first_job){ .subject = subject, .subj = &x->subj, .first = first, .identity = identity };
    sort_job sorting;
    sort_start(&sorting, first, &f->sorted);
    sort_dump(subject, &x->subj, mem);
    sort_finish(&sorting, mem);
    x->found = hs_mem_alloc(mem, n, 1);
    x->addr_found = hs_mem_alloc(mem, n, 1);
    x->keep_addr = hs_mem_alloc(mem, n, 1);
    x->followed = hs_mem_zalloc(mem, n, sizeof *x->followed);
    f->found = hs_mem_alloc(mem, n, 1);
    f->addr_found = hs_mem_alloc(mem, n, 1);
    if (hs_mem_failed(mem))
        return false;
    for (size_t i = 0; i < n; i++)
        x->keep_addr[i] = true;

    f->threaded = run_beside(first_job_run, f, n, &f->thread);
    bool later = match_later(d, dumps, ndumps, identity, x, prev_is_subj, mem);
    if (f->threaded)
        pthread_join(f->thread, NULL);
    hs_mem_merge(mem, &f->mem);
    if (!later || hs_mem_failed(mem))
        return false;

    d->dups[0] = f->dups;
    d->moved_in[1] = f->moved;
    d->untraced_in[1] = f->untraced;
    d->oid_moved_in[1] = f->oid_moved;
    for (size_t i = 0; i < n; i++) {
        /* Not in the first dump... */
        bool keep = !f->found[i];
        /* ...and not older than it by its generation (moved, not new). */
        if (keep && identity == DIFF_ID_EXACT && subject->gen[i] != HEAP_NO_GEN && first->has_generation &&
            subject->gen[i] < first->max_gen) {
            keep = false;
            d->predate++;
        }
        x->keep[i] = keep && x->keep[i];
        x->keep_addr[i] = !f->addr_found[i] && x->keep_addr[i];
    }
    if (identity == DIFF_ID_EXACT)
        for (size_t i = 0; i < n; i++) {
            d->reused_slots += x->keep[i] && !x->keep_addr[i];
            d->moved += x->keep_addr[i] && !x->keep[i];
        }
    for (size_t i = 0; i < n; i++)
        d->followed += x->keep[i] && x->followed[i];
    return true;
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
    /* Per dump: a few counts each (ndumps is what the person gave). */
    d->dups = hs_xcalloc(ndumps, sizeof *d->dups);
    d->moved_in = hs_xcalloc(ndumps, sizeof *d->moved_in);
    d->untraced_in = hs_xcalloc(ndumps, sizeof *d->untraced_in);
    d->oid_moved_in = hs_xcalloc(ndumps, sizeof *d->oid_moved_in);

    hs_mem mem = { 0 };
    diff_scratch x = { 0 };
    bool prev_is_subj = false;
    x.keep = hs_mem_alloc(&mem, n, sizeof *x.keep);
    for (size_t i = 0; x.keep && i < n; i++)
        x.keep[i] = true;
    if (hs_mem_failed(&mem)) {
        /* said below */
    } else if (ndumps >= 2) {
        match_all(d, dumps, ndumps, identity, &x, &prev_is_subj, &mem);
    } else {
        sort_dump(subject, &x.subj, &mem);
        if (!hs_mem_failed(&mem))
            find_duplicates(&x.subj, &d->dups[0]);
    }
    size_t count = 0;
    for (size_t i = 0; !hs_mem_failed(&mem) && i < n; i++)
        count += x.keep[i];
    d->objects = hs_mem_alloc(&mem, count, sizeof *d->objects);
    if (hs_mem_failed(&mem)) {
        scratch_free(&x, prev_is_subj);
        size_t shown = d->subject + 1;
        diff_free(d);
        return hs_mem_fail(err, &mem, "cannot compare the %zu dumps (%zu objects in dump %zu)", ndumps, n, shown);
    }
    for (size_t i = 0; i < n; i++)
        if (x.keep[i])
            d->objects[d->count++] = (uint32_t)i;
    scratch_free(&x, prev_is_subj);
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
