/* suspects.c - the retained set grouped by what holds it. */
#define _GNU_SOURCE /* qsort_r */
#include "suspects.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "heap.h"
#include "objinfo.h"
#include "rtype.h"

#define HS_UTHASH_NONFATAL /* a fold per holder at most */
#include "hs_uthash.h"

#define PENDING (GRAPH_NONE - 1) /* holder[v] of a member not walked yet */

static const char *const kind_names[] = {
#define KIND_NAME(e, name, help) name,
    SUSPECT_KINDS(KIND_NAME)
#undef KIND_NAME
};

static const char *const growth_texts[] = {
#define GROWTH_TEXT(e, text, rule) text,
    SUSPECT_GROWTHS(GROWTH_TEXT)
#undef GROWTH_TEXT
};

const char *suspect_kind_name(suspect_kind k)
{
    assert(k < SUSPECT_KIND_COUNT);
    return kind_names[k];
}

const char *suspect_growth_text(suspect_growth g)
{
    assert(g < SUSPECT_GROWTH_COUNT);
    return growth_texts[g];
}

suspect_growth suspect_growth_of(const uint64_t *counts, size_t n)
{
    assert(n >= 2);
    size_t grew = 0;
    for (size_t w = 0; w < n; w++)
        grew += counts[w] > 0;
    if (grew == n)
        return SUSPECT_GROWS;
    if (grew <= 1)
        return SUSPECT_GREW_ONCE;
    return counts[n - 1] ? SUSPECT_GROWS_AGAIN : SUSPECT_SETTLED;
}

/* ---- the graph part ---------------------------------------------------------- */

bool suspects_walk_up(const graph *g, const uint8_t *member, const uint32_t *members, size_t n,
                      uint32_t *holder, uint32_t *top, hs_mem *mem)
{
    assert(g->idom && g->n < PENDING && !member[g->n]);
    /* The members one walk passed, resolved together when it ends: at most
     * every member once. */
    uint32_t *walked = hs_mem_alloc(mem, n, sizeof *walked);
    if (!walked)
        return false;
    for (size_t k = 0; k < n; k++)
        holder[members[k]] = PENDING;
    for (size_t k = 0; k < n; k++) {
        uint32_t v = members[k];
        if (holder[v] != PENDING)
            continue;
        size_t depth = 0;
        uint32_t h, t;
        for (uint32_t u = v;;) {
            walked[depth++] = u;
            uint32_t d = g->idom[u];
            if (d == GRAPH_NONE || d == g->n || !member[d]) {
                h = d; /* unreachable, the virtual root, or the holder */
                t = u;
                break;
            }
            if (holder[d] != PENDING) {
                h = holder[d];
                t = top[d];
                break;
            }
            u = d;
        }
        assert(depth <= n);
        for (size_t i = 0; i < depth; i++) {
            holder[walked[i]] = h;
            top[walked[i]] = t;
        }
    }
    free(walked);
    return true;
}

/* ---- finding the suspects ------------------------------------------------------ */

/* What folds holders into one suspect; hashed as bytes (padding zeroed). */
typedef struct fold_key {
    uint8_t kind;        /* suspect_kind */
    uint8_t type;        /* HELD: the holders' rtype */
    uint16_t mask;       /* ROOTS, STACK: the root categories */
    uint32_t site;       /* HELD: their site id in the latest dump */
    uint64_t class_addr; /* HELD: their class */
    uint32_t node;       /* HELD, a CLASS or MODULE: the holder itself; else GRAPH_NONE */
} fold_key;

typedef struct fold {
    fold_key key;        /* what its holders share */
    uint32_t id;         /* index of the fold, in order of first appearance */
    bool noise;          /* the holders were allocated by dump_all */
    UT_hash_handle hh;
} fold;

/* A suspect while they are counted, before they are ranked. */
typedef struct raw_row {
    uint32_t fold;       /* which fold */
    bool noise;          /* dump_all's own objects (see suspects.h) */
    suspect_kind kind;   /* its fold's */
    uint16_t mask;       /* its fold's root categories */
    uint64_t count, memsize, bytesize; /* what it holds, added up */
    uint64_t min_addr;   /* HELD: the lowest holder address, the last sort key */
} raw_row;

/* Everything suspects_find works with, read and scratch. Every allocation
 * is made from mem: a step that finds it failed returns false, and so do
 * the steps after it. */
typedef struct finder {
    hs_mem mem;           /* what the search asked for */
    hs_error detail_err;  /* why reading objects' details failed ... */
    hs_status detail_st;  /* ... when it did (HS_OK while not) */
    const session *s;     /* what is searched */
    const group_set *set; /* which objects count, and their groups */
    const graph *g;       /* s->graph */
    const heap *subject;  /* s->subject: whose objects are counted */
    heap *latest;         /* s->latest: the graph's dump (holders' details are read into it) */
    uint32_t stack_mask;  /* the machine_context bit, 0 when the dump has none */
    /* Per counted member of R (m of them), in diff order: */
    size_t m;
    uint32_t *pos;        /* its position in diff->objects */
    uint32_t *node;       /* its node in the latest graph, GRAPH_NONE when none */
    uint32_t *row;        /* its raw row */
    /* Per node of the graph: */
    uint8_t *member;      /* in the set being walked (R, then a window's objects) */
    uint32_t *holder;     /* see suspects_walk_up */
    uint32_t *top;        /* ... likewise */
    const uint16_t *mask; /* graph_root_masks: the graph's, or own_mask; NULL until needed */
    uint16_t *own_mask;   /* made here when the graph has none */
    uint32_t *fold_of;    /* the fold of a holder of R, GRAPH_NONE for other nodes */
    /* Folds and rows: */
    fold *folds;          /* uthash by key */
    fold **by_id;         /* the same, by id */
    size_t nfolds, folds_cap; /* folds made; entries of by_id (and halves of row_of) */
    uint32_t *row_of;     /* [fold * 2 + noise]: its raw row, GRAPH_NONE when none */
    raw_row *rows;        /* the rows, in order of first appearance */
    size_t nrows, rows_cap; /* rows made; entries allocated */
} finder;

/* Is a site's file Ruby's objspace.rb, where dump_all's objects come from? */
static bool site_is_dump_noise(const heap *h, uint32_t site)
{
    if (!h->sites || site >= h->nsites)
        return false;
    size_t len;
    const char *file = strtab_str(h->strings, h->sites[site].file, &len);
    static const char name[] = "objspace.rb";
    size_t nl = sizeof name - 1;
    return len >= nl && memcmp(file + len - nl, name, nl) == 0 && (len == nl || file[len - nl - 1] == '/');
}

static bool object_is_dump_noise(const heap *h, size_t i)
{
    return h->site && site_is_dump_noise(h, h->site[i]);
}

/* The fold of key, made when new; NULL when f->mem failed. */
static fold *fold_for(finder *f, const fold_key *key, bool noise)
{
    fold *r = NULL;
    HASH_FIND(hh, f->folds, key, sizeof *key, r);
    if (r)
        return r;
    if (f->nfolds == f->folds_cap) {
        size_t cap = 2 * f->nfolds + 16;
        fold **by_id = hs_mem_grow(&f->mem, f->by_id, f->folds_cap, cap, sizeof *f->by_id);
        if (by_id)
            f->by_id = by_id;
        uint32_t *row_of = hs_mem_grow(&f->mem, f->row_of, 2 * f->folds_cap, 2 * cap, sizeof *f->row_of);
        if (row_of)
            f->row_of = row_of;
        if (hs_mem_failed(&f->mem))
            return NULL;
        f->folds_cap = cap;
    }
    r = hs_mem_zalloc(&f->mem, 1, sizeof *r);
    if (!r)
        return NULL;
    r->key = *key;
    r->id = (uint32_t)f->nfolds;
    r->noise = noise;
    bool added;
    HS_HASH_ADD(f->folds, key, sizeof r->key, r, &f->mem, added);
    if (!added) {
        free(r);
        return NULL;
    }
    f->nfolds++;
    f->by_id[r->id] = r;
    f->row_of[2 * r->id] = f->row_of[2 * r->id + 1] = GRAPH_NONE;
    return r;
}

static const fold *find_fold(const finder *f, const fold_key *key)
{
    fold *r = NULL;
    HASH_FIND(hh, f->folds, key, sizeof *key, r);
    return r;
}

static fold_key key_of_kind(suspect_kind kind, uint16_t mask)
{
    fold_key k;
    memset(&k, 0, sizeof k);
    k.kind = (uint8_t)kind;
    k.mask = mask;
    k.node = GRAPH_NONE;
    return k;
}

/* The fold key of a member whose holder h is no object: the virtual root
 * (by the categories that reach its top-most member t), or GRAPH_NONE (no
 * root reaches it). */
static fold_key key_without_holder(finder *f, uint32_t h, uint32_t t)
{
    if (h == GRAPH_NONE)
        return key_of_kind(SUSPECT_UNREACHED, 0);
    if (!f->mask) {
        uint16_t *mask = hs_mem_alloc(&f->mem, (size_t)f->g->n + 1, sizeof *mask);
        if (!mask || !graph_root_masks(f->g, mask, &f->mem)) {
            free(mask);
            return key_of_kind(SUSPECT_ROOTS, 0); /* not used: f->mem failed */
        }
        f->mask = f->own_mask = mask;
    }
    uint16_t m = f->mask[t];
    return key_of_kind(f->stack_mask && m == f->stack_mask ? SUSPECT_STACK : SUSPECT_ROOTS, m);
}

/* The members of R the set counts: those passing its filter, in the
 * groups it shows. Every object of R is marked a member all the same (the
 * filters choose what counts, not who holds it); *all gets the distinct
 * nodes of R, *nall their number. */
static bool collect_members(finder *f, uint32_t **all, size_t *nall)
{
    const group_set *set = f->set;
    const diff_result *d = f->s->diff;
    bool filtered = filter_active(&set->filter);
    assert(!filtered || set->filter.prepared_for == f->subject);
    f->pos = hs_mem_alloc(&f->mem, d->count, sizeof *f->pos);
    f->node = hs_mem_alloc(&f->mem, d->count, sizeof *f->node);
    *all = hs_mem_alloc(&f->mem, d->count, sizeof **all);
    *nall = 0;
    if (hs_mem_failed(&f->mem))
        return false;
    for (size_t k = 0; k < d->count; k++) {
        size_t i = d->objects[k];
        uint32_t v = session_node_of(f->s, f->subject, i);
        if (v != GRAPH_NONE && !f->member[v]) {
            f->member[v] = 1;
            (*all)[(*nall)++] = v;
        }
        const group *grp = &set->groups[set->group_of[k]];
        if (!grp->count || grp->count < set->min_shown)
            continue;
        if (filtered && !filter_object_passes(&set->filter, f->subject, i))
            continue;
        f->pos[f->m] = (uint32_t)k;
        f->node[f->m] = v;
        f->m++;
    }
    return true;
}

/* Reads the details of objs[0..n) of the latest dump; false (f->detail_st)
 * when that fails. */
static bool load_details(finder *f, const uint32_t *objs, size_t n)
{
    if (!f->latest->offset)
        return true;
    f->detail_st = heap_try_load_details(f->latest, objs, n, 0, &f->detail_err);
    return f->detail_st == HS_OK;
}

/* The holder of every member of R (walking up the dominator tree once),
 * the details of every object holding a counted one, and its fold. */
static bool find_holders(finder *f, uint32_t *all, size_t nall)
{
    const graph *g = f->g;
    if (!suspects_walk_up(g, f->member, all, nall, f->holder, f->top, &f->mem))
        return false;
    /* The holding objects, each once, their details read in one pass
     * (into all, which is read no more). */
    size_t nh = 0;
    for (size_t j = 0; j < f->m; j++) {
        uint32_t v = f->node[j];
        uint32_t h = v == GRAPH_NONE ? GRAPH_NONE : f->holder[v];
        if (h < g->n && f->fold_of[h] == GRAPH_NONE) {
            f->fold_of[h] = 0;
            all[nh++] = h;
        }
    }
    if (!load_details(f, all, nh))
        return false;
    for (size_t k = 0; k < nh; k++) {
        uint32_t h = all[k];
        fold_key key = key_of_kind(SUSPECT_HELD, 0);
        key.type = f->latest->type[h];
        if (key.type == RT_CLASS || key.type == RT_MODULE) {
            key.node = h; /* named by itself: never folded */
        } else {
            key.site = f->latest->site ? f->latest->site[h] : 0;
            key.class_addr = heap_class_of(f->latest, h);
        }
        const fold *fd = fold_for(f, &key, object_is_dump_noise(f->latest, h));
        if (!fd)
            return false;
        f->fold_of[h] = fd->id;
    }
    return true;
}

/* The raw row of (fold, noise), made when new; GRAPH_NONE when f->mem
 * failed. */
static uint32_t row_for(finder *f, const fold *fd, bool noise)
{
    uint32_t *slot = &f->row_of[2 * fd->id + noise];
    if (*slot != GRAPH_NONE)
        return *slot;
    if (f->nrows == f->rows_cap) {
        size_t cap = f->rows_cap ? 2 * f->rows_cap : 16;
        raw_row *rows = hs_mem_grow(&f->mem, f->rows, f->rows_cap, cap, sizeof *f->rows);
        if (!rows)
            return GRAPH_NONE;
        f->rows = rows;
        f->rows_cap = cap;
    }
    raw_row *r = &f->rows[f->nrows];
    memset(r, 0, sizeof *r);
    r->fold = fd->id;
    r->noise = noise;
    r->kind = (suspect_kind)fd->key.kind;
    r->mask = fd->key.mask;
    r->min_addr = UINT64_MAX;
    *slot = (uint32_t)f->nrows;
    return (uint32_t)f->nrows++;
}

/* Each member's row, and the rows' totals. */
static bool assign_rows(finder *f)
{
    const heap *sub = f->subject;
    f->row = hs_mem_alloc(&f->mem, f->m, sizeof *f->row);
    /* Per site, not per object: is it objspace.rb? */
    uint8_t *site_noise = hs_mem_alloc(&f->mem, sub->nsites, 1);
    for (uint32_t k = 0; site_noise && k < sub->nsites; k++)
        site_noise[k] = site_is_dump_noise(sub, k);
    for (size_t j = 0; j < f->m && !hs_mem_failed(&f->mem); j++) {
        size_t i = f->s->diff->objects[f->pos[j]];
        uint32_t v = f->node[j];
        const fold *fd;
        bool noise = sub->site && site_noise[sub->site[i]];
        uint32_t h = v == GRAPH_NONE ? GRAPH_NONE : f->holder[v];
        if (v == GRAPH_NONE) {
            fold_key key = key_of_kind(SUSPECT_GONE, 0);
            fd = fold_for(f, &key, false);
        } else if (h < f->g->n) {
            fd = f->by_id[f->fold_of[h]];
            noise = noise || fd->noise;
        } else {
            fold_key key = key_without_holder(f, h, f->top[v]);
            fd = hs_mem_failed(&f->mem) ? NULL : fold_for(f, &key, false);
        }
        uint32_t r = fd ? row_for(f, fd, noise) : GRAPH_NONE;
        if (r == GRAPH_NONE)
            break; /* f->mem failed */
        f->row[j] = r;
        raw_row *row = &f->rows[r];
        row->count++;
        if (sub->memsize) {
            row->memsize += sub->memsize[i];
            row->bytesize += sub->bytesize[i];
        }
        if (h < f->g->n && f->latest->addr[h] < row->min_addr)
            row->min_addr = f->latest->addr[h];
    }
    free(site_noise);
    return !hs_mem_failed(&f->mem);
}

/* ---- ranking and filling in ---------------------------------------------------- */

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
    return a > b ? -1 : a < b;
}

static int cmp_raw_rows(const void *pa, const void *pb, void *arg)
{
    const raw_row *rows = arg;
    const raw_row *a = &rows[*(const uint32_t *)pa], *b = &rows[*(const uint32_t *)pb];
    if (a->noise != b->noise)
        return a->noise ? 1 : -1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int c = cmp_u64_desc(a->memsize, b->memsize);
    if (!c)
        c = cmp_u64_desc(a->count, b->count);
    if (!c)
        c = a->min_addr < b->min_addr ? -1 : a->min_addr > b->min_addr;
    if (!c)
        c = a->mask < b->mask ? -1 : a->mask > b->mask;
    return c;
}

static int cmp_holders(const void *pa, const void *pb, void *arg)
{
    const heap *latest = arg;
    const suspect_holder *a = pa, *b = pb;
    int c = cmp_u64_desc(a->memsize, b->memsize);
    if (!c)
        c = cmp_u64_desc(a->count, b->count);
    if (!c)
        c = latest->addr[a->node] < latest->addr[b->node] ? -1 : latest->addr[a->node] > latest->addr[b->node];
    return c;
}

static int cmp_groups(const void *pa, const void *pb, void *arg)
{
    const size_t *rank = arg;
    const suspect_group *a = pa, *b = pb;
    int c = cmp_u64_desc(a->count, b->count);
    return c ? c : (rank[a->group] < rank[b->group] ? -1 : rank[a->group] > rank[b->group]);
}

/* The rows, ranked, with their totals. Returns rank_of (raw row -> rank),
 * NULL when f->mem failed. */
static uint32_t *rank_rows(finder *f, suspects *out)
{
    uint32_t *order = hs_mem_alloc(&f->mem, f->nrows, sizeof *order);
    uint32_t *rank_of = hs_mem_alloc(&f->mem, f->nrows, sizeof *rank_of);
    out->rows = hs_mem_zalloc(&f->mem, f->nrows, sizeof *out->rows);
    if (hs_mem_failed(&f->mem)) {
        free(order);
        free(rank_of);
        return NULL;
    }
    for (uint32_t r = 0; r < f->nrows; r++)
        order[r] = r;
    qsort_r(order, f->nrows, sizeof *order, cmp_raw_rows, f->rows);
    out->nrows = f->nrows;
    for (uint32_t k = 0; k < f->nrows; k++) {
        const raw_row *r = &f->rows[order[k]];
        rank_of[order[k]] = k;
        suspect *sp = &out->rows[k];
        sp->kind = r->kind;
        sp->noise = r->noise;
        sp->root_mask = r->kind == SUSPECT_ROOTS || r->kind == SUSPECT_STACK ? r->mask : 0;
        sp->example = GRAPH_NONE;
        sp->count = r->count;
        sp->memsize = r->memsize;
        sp->bytesize = r->bytesize;
        out->total_count += r->count;
        out->total_memsize += r->memsize;
        out->total_bytesize += r->bytesize;
        out->held_rows += r->kind == SUSPECT_HELD && !r->noise;
    }
    for (size_t k = 0; k < out->nrows; k++)
        out->rows[k].share = out->total_memsize ? (double)out->rows[k].memsize / (double)out->total_memsize : 0.0;
    free(order);
    return rank_of;
}

/* The example holder's description (a HELD row's first holder). */
static void describe_holder(const finder *f, suspect *sp)
{
    const heap *h = f->latest;
    uint32_t v = sp->example;
    sp->holder_type = h->type[v];
    sp->holder_site = h->site ? h->site[v] : 0;
    sp->holder_class = heap_class_of(h, v);
    sp->holder_addr = h->addr[v];
    if (sp->holder_type == RT_CLASS || sp->holder_type == RT_MODULE) {
        size_t len;
        const char *name = heap_class_name(h, h->addr[v], &len);
        if (len) {
            sp->name_kind = SUSPECT_NAME_CLASS;
            sp->name = name;
            sp->name_len = len;
        }
    }
}

/* A holder that is no class is named by the ivar that holds it in the hop
 * before it on its root path, where the shape of that hop's object names
 * exactly one (Ruby 3.2+). */
static void name_by_ivar(finder *f, suspect *sp)
{
    if (sp->name_kind != SUSPECT_NAME_NONE || sp->path_len < 2)
        return;
    const heap *h = f->latest;
    char name[128];
    size_t len = objinfo_ivar_to(h, f->s->addrs, sp->path[sp->path_len - 2], h->addr[sp->example], name, sizeof name);
    if (!len || memchr(name, '|', len))
        return;
    /* Every edge name is in the dump's strings: point at its copy there. */
    uint32_t id = strtab_find(h->strings, name, len);
    assert(id != STRTAB_NONE);
    sp->name_kind = SUSPECT_NAME_IVAR;
    sp->name = strtab_str(h->strings, id, &sp->name_len);
}

/* Members, holders and groups of each row, row by row. */
static bool fill_rows(finder *f, suspects *out, const uint32_t *rank_of)
{
    const graph *g = f->g;
    const group_set *set = f->set;
    const heap *sub = f->subject;
    hs_mem *m = &f->mem;
    size_t *start = hs_mem_zalloc(m, out->nrows + 1, sizeof *start);
    uint32_t *by_row = hs_mem_alloc(m, f->m, sizeof *by_row); /* member indices j */
    size_t *fill = hs_mem_alloc(m, out->nrows + 1, sizeof *fill);
    out->members = hs_mem_alloc(m, f->m, sizeof *out->members);
    out->holders = hs_mem_alloc(m, f->m, sizeof *out->holders);
    out->groups = hs_mem_alloc(m, f->m, sizeof *out->groups);
    /* Scratch: a holder's entry in the row being filled (by node), a
     * group's (by group); reset after each row. */
    uint32_t *slot = hs_mem_alloc(m, (size_t)g->n + 1, sizeof *slot);
    uint32_t *gslot = hs_mem_alloc(m, set->ngroups, sizeof *gslot);
    size_t *group_rank = hs_mem_alloc(m, set->ngroups, sizeof *group_rank);
    if (hs_mem_failed(m)) {
        free(start);
        free(by_row);
        free(fill);
        free(slot);
        free(gslot);
        free(group_rank);
        return false; /* out's arrays go with suspects_free */
    }
    /* Members by rank: a counting sort. */
    for (size_t j = 0; j < f->m; j++)
        start[rank_of[f->row[j]] + 1]++;
    for (size_t r = 0; r < out->nrows; r++)
        start[r + 1] += start[r];
    memcpy(fill, start, (out->nrows + 1) * sizeof *fill);
    for (size_t j = 0; j < f->m; j++)
        by_row[fill[rank_of[f->row[j]]]++] = (uint32_t)j;
    free(fill);
    memset(slot, 0xff, ((size_t)g->n + 1) * sizeof *slot);
    memset(gslot, 0xff, set->ngroups * sizeof *gslot);
    for (size_t k = 0; k < set->ngroups; k++)
        group_rank[k] = SIZE_MAX;
    for (size_t k = 0; k < set->nvisible; k++)
        group_rank[set->order[k]] = k;

    for (size_t r = 0; r < out->nrows; r++) {
        suspect *sp = &out->rows[r];
        sp->member_start = start[r];
        sp->holder_start = out->nholders;
        sp->group_start = out->ngroups;
        uint64_t best = 0;
        for (size_t at = start[r]; at < start[r + 1]; at++) {
            uint32_t j = by_row[at];
            out->members[at] = f->pos[j];
            size_t i = f->s->diff->objects[f->pos[j]];
            uint64_t mem = sub->memsize ? sub->memsize[i] : 0, bytes = sub->bytesize ? sub->bytesize[i] : 0;
            uint32_t v = f->node[j];
            if (sp->kind == SUSPECT_HELD) {
                uint32_t h = f->holder[v];
                if (slot[h] == GRAPH_NONE) {
                    slot[h] = (uint32_t)out->nholders;
                    out->holders[out->nholders++] = (suspect_holder){ h, 0, 0, 0 };
                }
                suspect_holder *sh = &out->holders[slot[h]];
                sh->count++;
                sh->memsize += mem;
                sh->bytesize += bytes;
            } else if (sp->kind == SUSPECT_ROOTS || sp->kind == SUSPECT_STACK) {
                uint32_t t = f->top[v];
                uint64_t size = g->retained[t];
                bool first = sp->example == GRAPH_NONE;
                if (first || size > best || (size == best && t < sp->example)) {
                    sp->example = t;
                    best = size;
                }
            }
            uint32_t gi = set->group_of[f->pos[j]];
            if (gslot[gi] == GRAPH_NONE) {
                gslot[gi] = (uint32_t)out->ngroups;
                out->groups[out->ngroups++] = (suspect_group){ gi, 0, 0, 0 };
            }
            suspect_group *sg = &out->groups[gslot[gi]];
            sg->count++;
            sg->memsize += mem;
            sg->bytesize += bytes;
        }
        sp->nholders = out->nholders - sp->holder_start;
        sp->ngroups = out->ngroups - sp->group_start;
        for (size_t k = sp->holder_start; k < out->nholders; k++)
            slot[out->holders[k].node] = GRAPH_NONE;
        for (size_t k = sp->group_start; k < out->ngroups; k++)
            gslot[out->groups[k].group] = GRAPH_NONE;
        qsort_r(out->holders + sp->holder_start, sp->nholders, sizeof *out->holders, cmp_holders, f->latest);
        qsort_r(out->groups + sp->group_start, sp->ngroups, sizeof *out->groups, cmp_groups, group_rank);
        if (sp->kind == SUSPECT_HELD) {
            sp->example = out->holders[sp->holder_start].node;
            describe_holder(f, sp);
        }
    }
    free(slot);
    free(gslot);
    free(group_rank);
    free(by_row);
    free(start);
    return true;
}

/* ---- growth -------------------------------------------------------------------- */

/* since[v]: the first dump (0-based) from which node v of the latest dump is
 * in every dump, looking back no further than dump 1 (window 0's objects
 * are R's, counted already). */
static uint8_t *dumps_since(finder *f)
{
    const session *s = f->s;
    size_t nodes = (size_t)f->g->n + 1;
    assert(s->ndumps < 255);
    uint8_t *since = hs_mem_alloc(&f->mem, nodes, 1);
    if (!since)
        return NULL;
    memset(since, (int)(s->ndumps - 1), nodes);
    for (size_t d = s->ndumps - 1; d-- > 1;) {
        const heap *h = s->dumps[d];
        for (size_t i = 0; i < h->count; i++) {
            uint32_t v = session_node_of(s, h, i);
            if (v != GRAPH_NONE && since[v] == d + 1)
                since[v] = (uint8_t)d;
        }
    }
    return since;
}

/* Window w's objects that a suspect's holders hold, counted into
 * out->windows[rank * nwindows + w]. */
static bool count_window(finder *f, suspects *out, const uint8_t *since, size_t w, const uint32_t *rank_of,
                         obj_filter *latest_filter)
{
    const graph *g = f->g;
    heap *latest = f->latest;
    const obj_filter *sf = &f->set->filter;
    memset(f->member, 0, (size_t)g->n + 1);
    size_t n = 0;
    for (uint32_t v = 0; v < g->n; v++)
        n += since[v] == w + 1;
    uint32_t *nodes = hs_mem_alloc(&f->mem, n, sizeof *nodes);
    uint32_t *folds = hs_mem_alloc(&f->mem, n, sizeof *folds);
    if (hs_mem_failed(&f->mem)) {
        free(nodes);
        free(folds);
        return false;
    }
    n = 0;
    for (uint32_t v = 0; v < g->n; v++)
        if (since[v] == w + 1) {
            f->member[v] = 1;
            nodes[n++] = v;
        }
    bool walked = suspects_walk_up(g, f->member, nodes, n, f->holder, f->top, &f->mem);
    /* Those that pass the types and whose holder is a suspect's (by fold),
     * kept with their fold. Sites are read where they are needed: for all
     * of them when a path filter is set, else only for those the roots
     * hold, where dump_all's own objects are told by their site (under a
     * holder, by the holder's: reading every window object's line would
     * cost more than the rest of the suspects together). */
    size_t kept = 0;
    for (size_t k = 0; k < n && walked; k++) {
        uint32_t v = nodes[k], h = f->holder[v];
        if (sf->types_set && !sf->types[latest->type[v]])
            continue;
        const fold *fd = NULL;
        if (h < g->n) {
            fd = f->fold_of[h] == GRAPH_NONE ? NULL : f->by_id[f->fold_of[h]];
        } else {
            fold_key key = key_without_holder(f, h, f->top[v]);
            if (hs_mem_failed(&f->mem))
                break;
            fd = find_fold(f, &key);
        }
        if (!fd)
            continue;
        nodes[kept] = v;
        folds[kept++] = fd->id;
    }
    bool by_path = latest_filter->include || latest_filter->exclude;
    uint32_t *read = by_path || hs_mem_failed(&f->mem) ? nodes : hs_mem_alloc(&f->mem, kept, sizeof *read);
    if (hs_mem_failed(&f->mem)) {
        if (read != nodes)
            free(read);
        free(folds);
        free(nodes);
        return false;
    }
    size_t nread = by_path ? kept : 0;
    for (size_t k = 0; k < kept && !by_path; k++)
        if (f->by_id[folds[k]]->key.kind != SUSPECT_HELD)
            read[nread++] = nodes[k];
    bool loaded = load_details(f, read, nread);
    if (!by_path)
        free(read);
    if (!loaded) {
        free(folds);
        free(nodes);
        return false;
    }
    if (by_path) {
        latest_filter->prepared_for = NULL; /* sites were added: prepare again */
        filter_prepare(latest_filter, latest);
    }
    for (size_t k = 0; k < kept; k++) {
        uint32_t v = nodes[k];
        if (by_path && !filter_object_passes(latest_filter, latest, v))
            continue;
        const fold *fd = f->by_id[folds[k]];
        bool noise = fd->noise || (fd->key.kind != SUSPECT_HELD && object_is_dump_noise(latest, v));
        uint32_t r = f->row_of[2 * fd->id + noise];
        if (r != GRAPH_NONE)
            out->windows[(size_t)rank_of[r] * out->nwindows + w]++;
    }
    free(folds);
    free(nodes);
    return true;
}

static bool count_windows(finder *f, suspects *out, const uint32_t *rank_of)
{
    const session *s = f->s;
    if (s->ndumps < 3 || !out->nrows)
        return true;
    size_t nwindows = s->ndumps - 1;
    out->windows = hs_mem_zalloc(&f->mem, out->nrows, nwindows * sizeof *out->windows);
    uint8_t *since = out->windows ? dumps_since(f) : NULL;
    if (!since)
        return false;
    out->nwindows = nwindows;
    for (size_t r = 0; r < out->nrows; r++)
        out->windows[r * out->nwindows] = out->rows[r].count;
    obj_filter latest_filter;
    filter_init(&latest_filter);
    filter_copy(&latest_filter, &f->set->filter);
    bool counted = true;
    for (size_t w = 1; w < out->nwindows && counted; w++)
        counted = count_window(f, out, since, w, rank_of, &latest_filter);
    filter_free(&latest_filter);
    free(since);
    if (!counted)
        return false;
    for (size_t r = 0; r < out->nrows; r++) {
        out->rows[r].window = &out->windows[r * out->nwindows];
        out->rows[r].growth = suspect_growth_of(out->rows[r].window, out->nwindows);
    }
    return true;
}

/* Every row's root path, from one breadth-first tree, with the details of
 * every hop read (in one pass), as session_root_path reads them: wherever
 * a path is shown its hops are described. */
static bool find_paths(finder *f, suspects *out)
{
    /* The graph pass's tree, when it made one for these paths. */
    const uint32_t *parent = graph_kept_root_tree(f->g, f->s->avoid_root);
    uint32_t *own = NULL;
    if (!parent) {
        own = hs_mem_alloc(&f->mem, (size_t)f->g->n + 1, sizeof *own);
        if (!own || !graph_root_tree(f->g, f->s->avoid_root, own, &f->mem)) {
            free(own);
            return false;
        }
        parent = own;
    }
    size_t hops = 0;
    for (size_t r = 0; r < out->nrows; r++) {
        suspect *sp = &out->rows[r];
        if (sp->example != GRAPH_NONE &&
            !graph_tree_path(f->g, parent, sp->example, f->s->avoid_root, &sp->path, &sp->path_len, &sp->path_root,
                             &f->mem))
            break;
        if (sp->kind == SUSPECT_HELD)
            name_by_ivar(f, sp);
        hops += sp->path_len;
    }
    free(own);
    if (hs_mem_failed(&f->mem))
        return false;
    size_t *objs = hs_mem_alloc(&f->mem, hops, sizeof *objs);
    if (!objs)
        return false;
    size_t n = 0;
    for (size_t r = 0; r < out->nrows; r++)
        for (size_t k = 0; k < out->rows[r].path_len; k++)
            objs[n++] = out->rows[r].path[k];
    f->detail_st = objinfo_try_prepare(f->latest, objs, n, &f->detail_err);
    free(objs);
    return f->detail_st == HS_OK;
}

static void finder_free(finder *f)
{
    free(f->pos);
    free(f->node);
    free(f->row);
    free(f->member);
    free(f->holder);
    free(f->top);
    free(f->own_mask);
    free(f->fold_of);
    fold *r, *tmp;
    HASH_ITER(hh, f->folds, r, tmp) {
        HASH_DEL(f->folds, r);
        free(r);
    }
    free(f->by_id);
    free(f->row_of);
    free(f->rows);
}

hs_status suspects_find(const session *s, const group_set *set, suspects *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    if (!s->graph)
        return hs_fail(err, HS_ERR_USAGE, "the reference graph of the latest dump was not built");
    assert(set->session == s && s->graph->idom);
    finder f = {
        .s = s,
        .set = set,
        .g = s->graph,
        .subject = s->subject,
        .latest = s->latest,
        .mask = s->graph->root_mask, /* found beside the dominators (NULL: made when needed) */
    };
    int mc = graph_root_kind(s->graph, GRAPH_STACK_ROOT);
    f.stack_mask = mc >= 0 ? 1u << mc : 0;
    size_t nodes = (size_t)s->graph->n + 1;
    f.member = hs_mem_zalloc(&f.mem, nodes, 1);
    f.holder = hs_mem_alloc(&f.mem, nodes, sizeof *f.holder);
    f.top = hs_mem_alloc(&f.mem, nodes, sizeof *f.top);
    f.fold_of = hs_mem_alloc(&f.mem, nodes, sizeof *f.fold_of);
    bool found = !hs_mem_failed(&f.mem);
    if (found)
        memset(f.fold_of, 0xff, nodes * sizeof *f.fold_of);

    uint32_t *all = NULL, *rank_of = NULL;
    size_t nall;
    found = found && collect_members(&f, &all, &nall);
    found = found && find_holders(&f, all, nall);
    free(all);
    found = found && assign_rows(&f);
    found = found && (rank_of = rank_rows(&f, out)) != NULL;
    found = found && fill_rows(&f, out, rank_of);
    found = found && count_windows(&f, out, rank_of);
    free(rank_of);
    finder_free(&f);
    found = found && find_paths(&f, out);
    if (!found) {
        suspects_free(out);
        if (f.detail_st != HS_OK)
            return hs_fail(err, f.detail_st, "cannot find the suspects: %s", f.detail_err.msg);
        return hs_mem_fail(err, &f.mem, "cannot find what holds %zu objects (the suspects)", s->diff->count);
    }
    assert(out->total_count == set->total_count);
    return HS_OK;
}

void suspects_free(suspects *sp)
{
    if (!sp)
        return;
    for (size_t r = 0; r < sp->nrows; r++)
        free(sp->rows[r].path);
    free(sp->rows);
    free(sp->holders);
    free(sp->groups);
    free(sp->members);
    free(sp->windows);
    memset(sp, 0, sizeof *sp);
}
