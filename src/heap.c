/* heap.c - loading one dump into its object table.
 *
 * The text is split at newlines into one chunk per thread (scanpass). Each
 * chunk is parsed into columns of its own, with its own string and site tables (no
 * locks on the hot path); the chunks are then joined in file order (the first
 * chunk's columns grow to hold the rest, so nothing is copied twice) and
 * their ids remapped into the heap's tables.
 */
#define _GNU_SOURCE /* memrchr */
#include "heap.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_uthash.h"
#include "json_scan.h"
#include "radix.h"
#include "scanpass.h"

typedef struct heap_class {
    uint64_t addr;     /* the CLASS/MODULE object's address */
    uint32_t name;     /* strtab id of its name */
    UT_hash_handle hh;
} heap_class;

/* ---- sites ----------------------------------------------------------------- */

typedef struct site_entry {
    heap_site key;     /* file, line, method (ids of the owning strtab) */
    uint32_t id;
    UT_hash_handle hh;
} site_entry;

/* A site as a line writes it, remembered with its id: most lines repeat a
 * site seen shortly before, and finding it here by its text costs less than
 * interning its file and method and then the site (record_site). */
typedef struct site_memo {
    const char *file;    /* the file's text in the chunk's strtab (NULL: slot empty) */
    const char *method;  /* the method's, or NULL when the line has none */
    uint32_t file_len, method_len;
    uint32_t line;       /* as heap_site.line */
    uint32_t id;         /* the site's id in the table */
} site_memo;

#define SITE_MEMO_SLOTS 16384 /* a power of two; 640 KB a parser thread */

/* Interned sites: the array by id, and a hash to find an id. */
typedef struct site_table {
    site_entry *by_key;  /* uthash */
    heap_site *sites;    /* by id; sites[0] is the empty site */
    uint32_t count;
    uint32_t cap;
    site_memo *memo;     /* SITE_MEMO_SLOTS, direct-mapped by the text's hash, for
                            a parser's table; NULL for one that only merges
                            (or when calloc could not give it) */
    uint64_t serial;     /* this table's number, unique in the process: the
                            owner of the site tags it sets (scan_site_tag) */
} site_table;

static void site_table_init(site_table *t)
{
    static _Atomic uint64_t tables_made;
    memset(t, 0, sizeof *t);
    t->serial = atomic_fetch_add(&tables_made, 1) + 1;
    t->cap = 256;
    t->sites = hs_xmalloc(t->cap * sizeof *t->sites);
    t->sites[0] = (heap_site){ STRTAB_NONE, HEAP_NO_LINE, STRTAB_NONE };
    t->count = 1;
}

static uint32_t site_intern(site_table *t, heap_site key)
{
    if (key.file == STRTAB_NONE && key.line == HEAP_NO_LINE && key.method == STRTAB_NONE)
        return 0;
    site_entry *e = NULL;
    HASH_FIND(hh, t->by_key, &key, sizeof key, e);
    if (e)
        return e->id;
    if (t->count == t->cap) {
        t->cap *= 2;
        t->sites = hs_xrealloc(t->sites, t->cap * sizeof *t->sites);
    }
    e = hs_xmalloc(sizeof *e);
    e->key = key;
    e->id = t->count;
    t->sites[t->count++] = key;
    HASH_ADD(hh, t->by_key, key, sizeof key, e);
    return e->id;
}

static void site_table_free(site_table *t)
{
    site_entry *e, *tmp;
    HASH_ITER(hh, t->by_key, e, tmp) {
        HASH_DEL(t->by_key, e);
        free(e);
    }
    free(t->sites);
    free(t->memo);
}

/* The first and last eight bytes of s (fewer when it is shorter), mixed. */
static uint64_t text_mix(const char *s, uint32_t len)
{
    uint64_t a = 0, b = 0;
    memcpy(&a, s, len < 8 ? len : 8);
    if (len > 8)
        memcpy(&b, s + len - 8, 8);
    return (a ^ (b * 0x9e3779b97f4a7c15u)) + len;
}

/* The site of a record, interned into strings and sites, by its text. */
static uint32_t site_of_record(const scan_record *r, strtab *strings, site_table *sites)
{
    uint32_t line = r->has_line && r->line != UINT32_MAX ? r->line + 1 : HEAP_NO_LINE;
    site_memo *m = NULL;
    if (sites->memo && r->file.ptr) {
        uint64_t h = text_mix(r->file.ptr, r->file.len) * 0xff51afd7ed558ccdu ^ line;
        if (r->method.ptr)
            h ^= text_mix(r->method.ptr, r->method.len) * 0xc4ceb9fe1a85ec53u;
        h ^= h >> 29;
        m = &sites->memo[(h * 0x9e3779b97f4a7c15u >> 40) & (SITE_MEMO_SLOTS - 1)];
        if (m->file && m->line == line && m->file_len == r->file.len && !m->method == !r->method.ptr &&
            (!m->method || (m->method_len == r->method.len && memcmp(m->method, r->method.ptr, r->method.len) == 0)) &&
            memcmp(m->file, r->file.ptr, r->file.len) == 0)
            return m->id;
    }
    heap_site key = {
        r->file.ptr ? strtab_intern(strings, r->file.ptr, r->file.len) : STRTAB_NONE,
        line,
        r->method.ptr ? strtab_intern(strings, r->method.ptr, r->method.len) : STRTAB_NONE,
    };
    uint32_t id = site_intern(sites, key);
    if (m) {
        m->file = strtab_str(strings, key.file, NULL);
        m->file_len = r->file.len;
        m->method = r->method.ptr ? strtab_str(strings, key.method, NULL) : NULL;
        m->method_len = r->method.ptr ? r->method.len : 0;
        m->line = line;
        m->id = id;
    }
    return id;
}

/* The site of a record, interned into strings and sites: the tag its
 * reader gives it, when this table set it, or site_of_record. */
static uint32_t record_site(const scan_record *r, strtab *strings, site_table *sites)
{
    /* The reader knows this site's text, and this table has seen it. */
    if (r->site_tag && r->site_tag->owner == sites->serial)
        return r->site_tag->id;
    uint32_t id = site_of_record(r, strings, sites);
    if (r->site_tag)
        *r->site_tag = (scan_site_tag){ sites->serial, id };
    return id;
}

/* A string of a record, interned into strings; STRTAB_NONE when absent. */
static uint32_t record_string(scan_str s, strtab *strings)
{
    return s.ptr ? strtab_intern(strings, s.ptr, s.len) : STRTAB_NONE;
}

/* Moves ids of src's sites (in src_strings' ids, mapped by smap) into dst;
 * returns the map from src site ids to dst site ids. */
static uint32_t *merge_sites(site_table *dst, const site_table *src, const uint32_t *smap)
{
    uint32_t *map = hs_xmalloc(src->count * sizeof *map);
    for (uint32_t s = 0; s < src->count; s++) {
        heap_site key = src->sites[s];
        key.file = smap[key.file];
        key.method = smap[key.method];
        map[s] = site_intern(dst, key);
    }
    return map;
}

/* ---- classes --------------------------------------------------------------- */

static void class_add(heap_class **classes, uint64_t addr, uint32_t name)
{
    heap_class *k = NULL;
    HASH_FIND(hh, *classes, &addr, sizeof addr, k);
    if (k)
        return;
    k = hs_xmalloc(sizeof *k);
    k->addr = addr;
    k->name = name;
    HASH_ADD(hh, *classes, addr, sizeof k->addr, k);
}

static void classes_free(heap_class **classes)
{
    heap_class *k, *tmp;
    HASH_ITER(hh, *classes, k, tmp) {
        HASH_DEL(*classes, k);
        free(k);
    }
}

/* ---- problems -------------------------------------------------------------- */

/* What a pass over lines found wrong, before it is folded into the heap. */
typedef struct problem_log {
    heap_problem kept[HEAP_MAX_PROBLEMS]; /* the first problems, in the order seen */
    unsigned nkept;
    uint64_t truncated;  /* ranges that ended inside a line */
} problem_log;

static void problem_log_add(problem_log *log, const scan_problem *p)
{
    if (p->kind == SCAN_TRUNCATED)
        log->truncated++;
    if (log->nkept == HEAP_MAX_PROBLEMS)
        return;
    heap_problem *hp = &log->kept[log->nkept++];
    hp->kind = p->kind;
    hp->offset = p->offset;
    hp->line_no = p->line_no;
    snprintf(hp->why, sizeof hp->why, "%s", p->why);
}

static int cmp_problem(const void *a, const void *b)
{
    const heap_problem *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Adds a log's problems to h, keeping the HEAP_MAX_PROBLEMS first by offset.
 * line_base is added to their line numbers (the lines before the range). */
static void heap_add_problems(heap *h, const problem_log *log, uint64_t line_base)
{
    for (unsigned p = 0; p < log->nkept; p++) {
        heap_problem hp = log->kept[p];
        if (hp.line_no)
            hp.line_no += line_base;
        if (h->nproblems < HEAP_MAX_PROBLEMS) {
            h->problems[h->nproblems++] = hp;
        } else if (hp.offset < h->problems[HEAP_MAX_PROBLEMS - 1].offset) {
            h->problems[HEAP_MAX_PROBLEMS - 1] = hp;
        } else {
            continue;
        }
        qsort(h->problems, h->nproblems, sizeof *h->problems, cmp_problem);
    }
    h->truncated += log->truncated;
}

size_t heap_first_line_from(const heap *h, uint64_t offset)
{
    return radix_lower_bound(h->offset, h->count, offset); /* offsets ascend: file order */
}

void heap_add_damaged(heap *h, const uint8_t *damaged, const heap_problem *problems, unsigned nproblems)
{
    for (size_t i = 0; i < h->count; i++)
        if (damaged[i] && !(h->flags[i] & HEAP_F_REPAIRED)) {
            h->flags[i] |= HEAP_F_REPAIRED;
            h->repaired++;
        }
    problem_log log = { .nkept = 0 };
    for (unsigned p = 0; p < nproblems; p++) {
        bool known = false;
        for (unsigned q = 0; q < h->nproblems && !known; q++)
            known = h->problems[q].offset == problems[p].offset;
        if (!known)
            log.kept[log.nkept++] = problems[p];
    }
    heap_add_problems(h, &log, 0);
}

/* Problems found by re-reading single lines carry no line number: count the
 * newlines before each (one pass over the text up to the last of them). */
static void number_problem_lines(heap *h)
{
    uint64_t line = 1;
    size_t pos = 0;
    for (unsigned p = 0; p < h->nproblems; p++) {
        heap_problem *hp = &h->problems[p];
        if (hp->line_no)
            continue;
        while (pos < hp->offset) {
            const char *nl = memchr(h->file.data + pos, '\n', hp->offset - pos);
            if (!nl)
                break;
            line++;
            pos = (size_t)(nl - h->file.data) + 1;
        }
        hp->line_no = line;
    }
}

/* ---- loading: one chunk per thread ----------------------------------------- */

typedef struct chunk {
    scanpass_worker w;        /* first: the pass's state (byte range, stats, status) */
    heap_mode mode;
    /* output columns: those of heap.h's HEAP_COLUMNS that column_kept() says
     * this load keeps */
    size_t count, cap;
    HEAP_COLUMNS(HEAP_COLUMN_FIELD)
    bool all_details;         /* HEAP_FULL: every object's details read now */
    bool all_sites;           /* HEAP_FULL: every object's site read now (quick reader) */
    bool subtypes;            /* keep the subtype column where sites are kept */
    /* tables local to the chunk */
    strtab *strings;
    site_table sites;
    heap_class *classes;
    /* what happened */
    bool has_generation;
    uint32_t max_gen;
    uint64_t roots, shapes;
    shape_table shape_tree; /* SHAPE records read in full (edges in strings) */
    bool shapes_as_objects; /* heap_load_opts.shapes_as_objects */
    problem_log problems;
    hs_mem mem;             /* what the columns asked for */
} chunk;

/* Does a load in mode (with all_details: HEAP_FULL reading every object's
 * details; all_sites: HEAP_FULL reading every object's site; subtypes: not
 * skip_subtypes) keep the columns of class when? allocated: whether the
 * column exists already (object_id is made on the first object that has
 * one). */
static bool column_kept(heap_col when, heap_mode mode, bool all_details, bool all_sites, bool subtypes,
                        bool allocated)
{
    bool sites = mode == HEAP_LIGHT || all_details || all_sites;
    switch (when) {
    case HEAP_COL_IDENTITY: return true;
    case HEAP_COL_OBJECT_ID: return allocated;
    case HEAP_COL_FULL: return mode == HEAP_FULL;
    case HEAP_COL_SITE: return sites;
    case HEAP_COL_DETAILS: return all_details;
    case HEAP_COL_SUBTYPE: return subtypes && sites;
    }
    return false;
}

/* ---- the columns filled from records ----------------------------------------- */

/* HEAP_COLUMNS' HEAP_FILL_NUMBER and HEAP_FILL_STRING columns, each filled
 * where it exists: FILL_COLUMNS sets cols->NAME[i] from record r, interning
 * strings into strings (cols is a chunk or the heap, whose tables strings
 * belongs to). With sparse, a string column is written only where the
 * record has the string: the heap's columns the details pass fills start
 * zeroed (STRTAB_NONE), and pages never written are not resident; a
 * chunk's columns grow uninitialised, so every entry is written. */
#define FILL_COLUMN(col, ctype, when, fill, from) FILL_##fill(col, from)
#define FILL_HEAP_FILL_CODE(col, from)
#define FILL_HEAP_FILL_NUMBER(col, from) \
    if (cols->col)                       \
        cols->col[i] = r->from;
#define FILL_HEAP_FILL_STRING(col, from)       \
    if (cols->col && (!sparse || r->from.ptr)) \
        cols->col[i] = record_string(r->from, strings);
#define FILL_COLUMNS HEAP_COLUMNS(FILL_COLUMN)

static void chunk_fill_columns(chunk *cols, size_t i, const scan_record *r, strtab *strings)
{
    const bool sparse = false;
    FILL_COLUMNS
    (void)sparse;
}

static void heap_fill_columns(heap *cols, size_t i, const scan_record *r, strtab *strings)
{
    const bool sparse = true;
    FILL_COLUMNS
    (void)sparse;
}

/* Moves the strtab ids in h's HEAP_FILL_STRING columns into h's own string
 * table by smap (from the table they were read with, see strtab_merge):
 * those of objects [first, end), and of object i alone. */
#define REMAP_RANGE(col, ctype, when, fill, from) REMAP_RANGE_##fill(col)
#define REMAP_RANGE_HEAP_FILL_CODE(col)
#define REMAP_RANGE_HEAP_FILL_NUMBER(col)
#define REMAP_RANGE_HEAP_FILL_STRING(col)    \
    if (h->col)                              \
        for (size_t k = first; k < end; k++) \
            h->col[k] = smap[h->col[k]];
#define REMAP_ONE(col, ctype, when, fill, from) REMAP_ONE_##fill(col)
#define REMAP_ONE_HEAP_FILL_CODE(col)
#define REMAP_ONE_HEAP_FILL_NUMBER(col)
#define REMAP_ONE_HEAP_FILL_STRING(col)     \
    if (h->col && h->col[i] != STRTAB_NONE) \
        h->col[i] = smap[h->col[i]];

static void remap_strings(heap *h, size_t first, size_t end, const uint32_t *smap)
{
    HEAP_COLUMNS(REMAP_RANGE)
}

static void remap_object_strings(heap *h, size_t i, const uint32_t *smap)
{
    HEAP_COLUMNS(REMAP_ONE)
}

/* Only full records fill them, which identity loads do not read: they
 * cannot be columns of HEAP_IDENTITY. */
#define CHECK_LEVEL(col, ctype, when, fill, from) CHECK_LEVEL_##fill(col, when)
#define CHECK_LEVEL_HEAP_FILL_CODE(col, when)
#define CHECK_LEVEL_HEAP_FILL_NUMBER(col, when)                                                        \
    _Static_assert((when) == HEAP_COL_SITE || (when) == HEAP_COL_SUBTYPE || (when) == HEAP_COL_DETAILS, \
                   #col ": only full records fill it");
#define CHECK_LEVEL_HEAP_FILL_STRING(col, when) CHECK_LEVEL_HEAP_FILL_NUMBER(col, when)
HEAP_COLUMNS(CHECK_LEVEL)

size_t heap_object_bytes(heap_mode mode, bool all_details)
{
    size_t bytes = 0;
#define COLUMN_BYTES(col, ctype, when, fill, from) \
    bytes += column_kept(when, mode, all_details, false, true, false) ? sizeof(ctype) : 0;
    HEAP_COLUMNS(COLUMN_BYTES)
#undef COLUMN_BYTES
    return bytes;
}

/* Grows (or shrinks) the chunk's columns to cap objects; false when one
 * could not be (those that could were, the others keep their size, and
 * c->mem says how much was asked). */
static bool chunk_resize(chunk *c, size_t cap)
{
#define GROW(col, ctype, when, fill, from)                                                 \
    if (column_kept(when, c->mode, c->all_details, c->all_sites, c->subtypes, c->col != NULL)) { \
        ctype *grown = hs_mem_grow(&c->mem, c->col, c->col ? c->cap : 0, cap, sizeof *c->col); \
        if (grown)                                                                         \
            c->col = grown;                                                                \
    }
    HEAP_COLUMNS(GROW)
#undef GROW
    if (hs_mem_failed(&c->mem))
        return false;
    c->cap = cap;
    return true;
}

/* The columns of a chunk could not grow: its worker stops (scanpass_fail). */
static void chunk_out_of_memory(chunk *c)
{
    hs_error e;
    hs_status st = hs_mem_fail(&e, &c->mem, "the table of the objects in bytes %zu to %zu (%zu read so far)",
                               c->w.begin, c->w.end, c->count);
    scanpass_fail(&c->w, st, &e);
}

static void chunk_record(void *ctx, const scan_record *r)
{
    chunk *c = ctx;
    if (c->w.failed)
        return;
    if (r->kind == SCAN_ROOT) {
        c->roots++;
        return;
    }
    if (r->kind == SCAN_SHAPE) {
        c->shapes++;
        /* Only full reads have the record's members (see want_class_names). */
        if (c->mode != HEAP_IDENTITY && r->has_shape_id)
            shapes_add(&c->shape_tree, r->shape_id, r->parent_id, r->has_parent_id,
                       r->edge_name.ptr ? strtab_intern(c->strings, r->edge_name.ptr, r->edge_name.len) : STRTAB_NONE,
                       r->shape_type.ptr ? shapes_kind_of(r->shape_type.ptr, r->shape_type.len) : SHAPE_OTHER);
        if (!c->shapes_as_objects || !r->has_address)
            return;
    }
    if (c->count == c->cap) {
        /* A dump line is rarely shorter than 100 bytes: start there (on the
         * worker's thread, which fills the columns), grow by half. */
        if (!chunk_resize(c, c->cap ? c->cap + c->cap / 2 + 1024 : (c->w.end - c->w.begin) / 160 + 1024)) {
            chunk_out_of_memory(c);
            return;
        }
    }
    size_t i = c->count++;
    rtype t = rtype_from_name(r->type.ptr, r->type.len);
    c->addr[i] = r->address;
    c->type[i] = (uint8_t)t;
    if (r->has_generation && r->generation != HEAP_NO_GEN) {
        c->gen[i] = r->generation;
        c->has_generation = true;
        if (r->generation > c->max_gen)
            c->max_gen = r->generation;
    } else {
        c->gen[i] = HEAP_NO_GEN;
    }
    if (r->has_object_id && !c->object_id) {
        c->object_id = hs_mem_zalloc(&c->mem, c->cap, sizeof *c->object_id);
        if (!c->object_id) {
            c->count--;
            chunk_out_of_memory(c);
            return;
        }
    }
    if (c->object_id)
        c->object_id[i] = r->has_object_id ? r->object_id : 0;
    if (c->mode == HEAP_FULL) {
        c->offset[i] = r->offset;
        c->flags[i] = r->repaired ? HEAP_F_REPAIRED : 0;
    }
    if (c->mode == HEAP_LIGHT || c->all_details || c->all_sites) {
        c->site[i] = record_site(r, c->strings, &c->sites);
        chunk_fill_columns(c, i, r, c->strings);
    }
    if (c->all_details)
        c->flags[i] |= HEAP_F_DETAILED;
    if (c->mode != HEAP_IDENTITY && (t == RT_CLASS || t == RT_MODULE) && r->name.ptr)
        class_add(&c->classes, r->address, strtab_intern(c->strings, r->name.ptr, r->name.len));
}

static void chunk_problem(void *ctx, const scan_problem *p)
{
    problem_log_add(&((chunk *)ctx)->problems, p);
}

/* Objects read so far, for the load's progress. */
static size_t chunk_objects(void *ctx)
{
    return ((chunk *)ctx)->count;
}

static void chunk_free(chunk *c)
{
#define FREE_COLUMN(col, ctype, when, fill, from) free(c->col);
    HEAP_COLUMNS(FREE_COLUMN)
#undef FREE_COLUMN
    strtab_free(c->strings);
    site_table_free(&c->sites);
    classes_free(&c->classes);
    shapes_free(&c->shape_tree);
}

/* Joins the chunks, in file order, into h. Chunk 0's columns are grown to
 * the total and become the heap's; the others are copied in and freed one by
 * one, so the peak is the table plus one chunk. Fails (HS_ERR_NOMEM, the
 * chunks left for chunk_free) when chunk 0's columns cannot grow. */
static hs_status join_chunks(heap *h, chunk *chunks, unsigned n, hs_error *err)
{
    size_t total = 0;
    bool any_oid = false;
    for (unsigned k = 0; k < n; k++) {
        total += chunks[k].count;
        any_oid |= chunks[k].object_id != NULL;
    }
    chunk *c0 = &chunks[0];
    c0->mem = (hs_mem){ 0 };
    if (any_oid && !c0->object_id)
        c0->object_id = hs_mem_zalloc(&c0->mem, c0->cap, sizeof *c0->object_id);
    if (hs_mem_failed(&c0->mem) || !chunk_resize(c0, total ? total : 1))
        return hs_mem_fail(err, &c0->mem, "%s: the table of its %zu objects", h->path, total);
    h->count = total;
#define STEAL_COLUMN(col, ctype, when, fill, from) \
    h->col = c0->col;                               \
    c0->col = NULL;
    HEAP_COLUMNS(STEAL_COLUMN)
#undef STEAL_COLUMN

    h->strings = c0->strings;
    h->site_index = hs_xmalloc(sizeof *h->site_index);
    *h->site_index = c0->sites;
    h->classes = c0->classes;
    h->shape_tree = c0->shape_tree;
    memset(&c0->shape_tree, 0, sizeof c0->shape_tree);
    c0->strings = NULL; c0->classes = NULL;
    memset(&c0->sites, 0, sizeof c0->sites);

    size_t at = 0;
    uint64_t lines_before = 0;
    for (unsigned k = 0; k < n; k++) {
        chunk *c = &chunks[k];
        if (k > 0) {
            uint32_t *smap = strtab_merge(h->strings, c->strings);
            /* A chunk lacks a column the heap has only when it had no use
             * for it (object_id when none of its objects had one, every
             * column when it read no object): it adds zeros. */
#define APPEND_COLUMN(col, ctype, when, fill, from)                           \
            if (c->col)                                                       \
                memcpy(h->col + at, c->col, c->count * sizeof *c->col);       \
            else if (h->col)                                                  \
                memset(h->col + at, 0, c->count * sizeof *h->col);
            HEAP_COLUMNS(APPEND_COLUMN)
#undef APPEND_COLUMN
            if (h->site) {
                /* The chunk's site ids, into the heap's. */
                uint32_t *site_map = merge_sites(h->site_index, &c->sites, smap);
                for (size_t i = 0; i < c->count; i++)
                    h->site[at + i] = site_map[h->site[at + i]];
                free(site_map);
            }
            remap_strings(h, at, at + c->count, smap); /* the chunk's string ids, into the heap's */
            heap_class *kc, *tmp;
            HASH_ITER(hh, c->classes, kc, tmp)
                class_add(&h->classes, kc->addr, smap[kc->name]);
            shapes_remap(&c->shape_tree, smap);
            shapes_merge(&h->shape_tree, &c->shape_tree);
            free(smap);
        }
        heap_add_problems(h, &c->problems, lines_before);
        h->has_generation |= c->has_generation;
        if (c->max_gen > h->max_gen)
            h->max_gen = c->max_gen;
        h->roots += c->roots;
        h->shapes += c->shapes;
        h->lines += c->w.stats.lines;
        h->repaired += c->w.stats.repaired;
        h->skipped += c->w.stats.skipped;
        h->slow_lines += c->w.stats.slow_lines;
        h->quick_lines += c->w.stats.quick_lines;
        lines_before += c->w.stats.line_count;
        at += c->count;
        chunk_free(c);
    }
    h->sites = h->site_index->sites;
    h->nsites = h->site_index->count;
    return HS_OK;
}

hs_status heap_load(heap **out, const char *path, const heap_load_opts *opts, hs_error *err)
{
    heap *h = hs_xcalloc(1, sizeof *h);
    h->path = hs_xstrndup(path, strlen(path));
    h->mode = opts->mode;
    h->keeps_subtypes = !opts->skip_subtypes;
    h->shapes_as_objects = opts->shapes_as_objects;
    hs_status st = dumpfile_open_cancellable(&h->file, path, opts->progress ? opts->progress->cancel : NULL, err);
    if (st != HS_OK) {
        heap_free(h);
        return st;
    }
    h->text_size = h->file.size;
    h->compressed = h->file.compressed;
    snprintf(h->warning, sizeof h->warning, "%s", h->file.warning);
    size_t bounds[SCANPASS_MAX + 1];
    unsigned n = scanpass_split(&h->file, opts->threads, bounds);
    bool all_details = opts->all_details && opts->mode == HEAP_FULL;
    bool all_sites = opts->all_sites && opts->mode == HEAP_FULL && !all_details;
    scanpass pass = {
        .file = &h->file,
        .opts = {
            .identity_only = opts->mode != HEAP_LIGHT && !all_details && !all_sites,
            .quick_sites = opts->mode == HEAP_LIGHT || all_sites,
            .want_class_names = opts->mode == HEAP_FULL,
        },
        .record = chunk_record,
        .problem = chunk_problem,
        .objects = chunk_objects,
        .progress = opts->progress,
        .prefetch = SCANPASS_PREFETCH,
    };
    chunk *chunks = hs_xcalloc(n, sizeof *chunks);
    for (unsigned k = 0; k < n; k++) {
        chunk *c = &chunks[k];
        c->mode = opts->mode;
        c->all_details = all_details;
        c->all_sites = all_sites;
        c->subtypes = h->keeps_subtypes;
        c->shapes_as_objects = opts->shapes_as_objects;
        c->strings = strtab_new();
        site_table_init(&c->sites);
        /* A shortcut only: without the memory for it the load goes on
         * without (and fails soon after on its own columns). */
        if (opts->mode == HEAP_LIGHT || all_details || all_sites)
            c->sites.memo = calloc(SITE_MEMO_SLOTS, sizeof *c->sites.memo);
    }
    hs_error pass_err;
    hs_status pass_st = scanpass_run(&pass, chunks, sizeof *chunks, bounds, n, &pass_err);

    /* A file that shrank under the parsers left zeros where its text was:
     * say so rather than report on them. */
    st = heap_check_file(h, err);
    if (st == HS_OK && pass_st != HS_OK)
        st = hs_fail(err, pass_st, "%s", pass_err.msg);
    if (st == HS_OK)
        st = join_chunks(h, chunks, n, err);
    if (st != HS_OK) {
        for (unsigned j = 0; j < n; j++)
            chunk_free(&chunks[j]);
        free(chunks);
        heap_free(h);
        return st;
    }
    free(chunks);

    if (h->count == 0 && h->roots == 0) {
        if (h->nproblems)
            st = hs_fail(err, HS_ERR_FORMAT,
                         "%s: not a Ruby heap dump: no line holds a heap object (%llu of its %llu lines "
                         "were skipped; the first: line %llu, byte %llu: %s)",
                         path, (unsigned long long)h->skipped, (unsigned long long)h->lines,
                         (unsigned long long)h->problems[0].line_no,
                         (unsigned long long)h->problems[0].offset, h->problems[0].why);
        else
            st = hs_fail(err, HS_ERR_FORMAT, "%s: not a Ruby heap dump: no line holds a heap object", path);
        heap_free(h);
        return st;
    }
    if (h->mode != HEAP_FULL)
        dumpfile_close(&h->file);
    h->all_sites = h->mode == HEAP_LIGHT || all_details || all_sites;
    h->detailed = all_details ? h->count : 0;
    *out = h;
    return HS_OK;
}

hs_status heap_read_sites(heap **out, const heap *h, unsigned threads, heap_progress *progress, hs_error *err)
{
    heap_load_opts opts = {
        .mode = HEAP_LIGHT,
        .skip_subtypes = !h->keeps_subtypes,
        .shapes_as_objects = h->shapes_as_objects,
        .threads = threads,
        .progress = progress,
    };
    heap *l;
    hs_status st = heap_load(&l, h->path, &opts, err);
    if (st != HS_OK)
        return st;
    /* The same lines read the same way give the same objects in the same
     * order: anything else means the file is not the one h was read from. */
    if (l->count != h->count || memcmp(l->addr, h->addr, h->count * sizeof *h->addr) != 0 ||
        memcmp(l->type, h->type, h->count * sizeof *h->type) != 0) {
        st = hs_fail(err, HS_ERR_IO, "%s: the dump changed since it was loaded (%zu objects then, %zu now)", h->path,
                     h->count, l->count);
        heap_free(l);
        return st;
    }
    /* Only the site columns are given over. */
    free(l->addr);
    free(l->gen);
    free(l->type);
    free(l->object_id);
    l->addr = NULL;
    l->gen = NULL;
    l->type = NULL;
    l->object_id = NULL;
    *out = l;
    return HS_OK;
}

void heap_attach_sites(heap *h, heap *from)
{
    assert(from->count == h->count && from->site && from->class_addr);
    uint32_t *smap = strtab_merge(h->strings, from->strings);
    uint32_t *site_map = merge_sites(h->site_index, from->site_index, smap);
    /* A column h lacks is from's, taken over and remapped in place (no
     * object of h has it filled yet), rather than a new one to copy into:
     * this runs on the owner's thread, where nothing could say that the
     * memory for it ran out. */
    bool took_site = !h->site, took_subtype = h->keeps_subtypes && from->subtype && !h->subtype;
    if (took_site) {
        h->site = from->site;
        from->site = NULL;
    }
    if (!h->class_addr) {
        h->class_addr = from->class_addr;
        from->class_addr = NULL;
    }
    if (took_subtype) {
        h->subtype = from->subtype;
        from->subtype = NULL;
    }
    const uint32_t *sites = took_site ? h->site : from->site;
    const uint32_t *subtypes = took_subtype ? h->subtype : from->subtype;
    for (size_t i = 0; i < h->count; i++) {
        /* What h read in full itself stays (it is the same). */
        if (h->flags && (h->flags[i] & HEAP_F_DETAILED))
            continue;
        h->site[i] = site_map[sites[i]];
        if (from->class_addr)
            h->class_addr[i] = from->class_addr[i];
        if (h->subtype && subtypes)
            h->subtype[i] = smap[subtypes[i]];
    }
    heap_class *kc, *tmp;
    HASH_ITER(hh, from->classes, kc, tmp)
        class_add(&h->classes, kc->addr, smap[kc->name]);
    h->sites = h->site_index->sites;
    h->nsites = h->site_index->count;
    h->all_sites = true;
    if (h->mode == HEAP_IDENTITY)
        h->mode = HEAP_LIGHT;
    free(smap);
    free(site_map);
    heap_free(from);
}

/* ---- details of the objects that are shown --------------------------------- */

typedef struct detail_job {
    heap *h;
    const uint32_t *objs;     /* the objects this job reads */
    size_t n;
    size_t current;           /* position in objs of the line being read */
    strtab *strings;          /* local: merged into h->strings after */
    site_table sites;         /* local, likewise */
    problem_log problems;
    uint64_t repaired, skipped;
} detail_job;

static void detail_record(void *ctx, const scan_record *r)
{
    detail_job *j = ctx;
    heap *h = j->h;
    size_t i = j->objs[j->current];
    h->site[i] = record_site(r, j->strings, &j->sites);
    heap_fill_columns(h, i, r, j->strings);
    h->flags[i] |= HEAP_F_DETAILED | (r->repaired ? HEAP_F_REPAIRED : 0);
}

static void detail_problem(void *ctx, const scan_problem *p)
{
    detail_job *j = ctx;
    if (j->h->flags[j->objs[j->current]] & HEAP_F_REPAIRED)
        return; /* already counted when the dump was scanned */
    scan_problem q = *p;
    q.line_no = 0; /* numbered afterwards: a single line knows no line number */
    problem_log_add(&j->problems, &q);
    if (p->kind == SCAN_SKIPPED)
        j->skipped++;
    else
        j->repaired++;
}

/* Each object's line alone, in file order: json_quick_details reads
 * those in Ruby's plain form (nearly all), every member as the full parser
 * would, and the full parser the others. Streaming a range through
 * iterate_many instead, where the objects are dense, read the lines
 * between them too and cost more than this even where every line was
 * wanted (all sites for --trend). */
static void *detail_run(void *arg)
{
    detail_job *j = arg;
    heap *h = j->h;
    json_scanner *sc = json_scanner_new();
    scan_options opts = { .quick_details = true };
    scan_sink sink = { j, detail_record, detail_problem, NULL };
    /* Objects come in file order: drop the pages behind every few MB, or the
     * whole dump would count in the resident size again. */
    uint64_t released = j->n ? h->offset[j->objs[0]] : 0;
    for (j->current = 0; j->current < j->n; j->current++) {
        size_t i = j->objs[j->current];
        const char *line;
        size_t len;
        if (dumpfile_line(&h->file, h->offset[i], &line, &len, NULL) == HS_OK)
            json_scan_line(sc, line, len, h->offset[i], &opts, &sink);
        if (h->offset[i] - released > (4u << 20)) {
            dumpfile_release(&h->file, released, h->offset[i] - released);
            released = h->offset[i];
        }
    }
    json_scanner_free(sc);
    return NULL;
}

/* What reading one object's line costs, in bytes of the text around the
 * objects read (which are mapped in, 64 KiB a page fault): the report's
 * suspects, few at the start of dump 2 and many at its end, took 0.135 s
 * for the first half of them (371 MB of text) and 0.08 s for the second
 * (109 MB), about 0.32 us an object and 0.21 ms a MB. */
#define DETAIL_COST_BYTES 1536

/* Where job k of t starts in objs[0..n) (file order): the jobs share the
 * cost of the objects (DETAIL_COST_BYTES each) and of the text they span
 * evenly, rather than the objects alone. detail_split(..., t, t) is n. */
static size_t detail_split(const heap *h, const uint32_t *objs, size_t n, unsigned k, unsigned t)
{
    if (k == 0 || n == 0)
        return 0;
    if (k >= t)
        return n;
    uint64_t base = h->offset[objs[0]];
    uint64_t total = (uint64_t)n * DETAIL_COST_BYTES + (h->offset[objs[n - 1]] - base);
    uint64_t want = total / t * k;
    size_t lo = 0, hi = n; /* the first object whose cost before it reaches want */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uint64_t)mid * DETAIL_COST_BYTES + (h->offset[objs[mid]] - base) < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

hs_status heap_try_load_details(heap *h, const uint32_t *given, size_t ngiven, unsigned threads, hs_error *err)
{
    /* Only the objects not read yet (a dump loaded with all_details has
     * them all). */
    hs_mem mem = { 0 };
    uint32_t *objs = hs_mem_alloc(&mem, ngiven, sizeof *objs);
    if (!objs)
        return hs_mem_fail(err, &mem, "%s: the details of %zu of its objects", h->path, ngiven);
    size_t n = 0;
    for (size_t k = 0; k < ngiven; k++)
        if (!(h->flags[given[k]] & (HEAP_F_DETAILED | HEAP_F_QUEUED))) {
            h->flags[given[k]] |= HEAP_F_QUEUED;
            objs[n++] = given[k];
        }
    if (n == 0) {
        free(objs);
        return HS_OK;
    }
    /* The columns details fill, zero for the objects not read; made all or
     * none. */
#define ALLOC_DETAIL(col, ctype, when, fill, from)                          \
    ctype *new_##col = NULL;                                                  \
    if ((when == HEAP_COL_SITE || when == HEAP_COL_DETAILS ||                 \
         (when == HEAP_COL_SUBTYPE && h->keeps_subtypes)) && !h->col)          \
        new_##col = hs_mem_zalloc(&mem, h->count, sizeof *h->col);
    HEAP_COLUMNS(ALLOC_DETAIL)
#undef ALLOC_DETAIL
    if (hs_mem_failed(&mem)) {
#define FREE_DETAIL(col, ctype, when, fill, from) free(new_##col);
        HEAP_COLUMNS(FREE_DETAIL)
#undef FREE_DETAIL
        for (size_t k = 0; k < n; k++)
            h->flags[objs[k]] &= (uint8_t)~HEAP_F_QUEUED;
        free(objs);
        return hs_mem_fail(err, &mem, "%s: the details of %zu of its objects", h->path, n);
    }
#define TAKE_DETAIL(col, ctype, when, fill, from) \
    if (new_##col)                                \
        h->col = new_##col;
    HEAP_COLUMNS(TAKE_DETAIL)
#undef TAKE_DETAIL
    /* Fewer objects are not worth a thread. */
    unsigned t = scanpass_threads(threads);
    if (n < 20000)
        t = 1;
    detail_job *jobs = hs_xcalloc(t, sizeof *jobs);
    for (unsigned k = 0; k < t; k++) {
        size_t from = detail_split(h, objs, n, k, t), to = detail_split(h, objs, n, k + 1, t);
        jobs[k].h = h;
        jobs[k].objs = objs + from;
        jobs[k].n = to - from;
        jobs[k].strings = strtab_new();
        site_table_init(&jobs[k].sites);
        /* A shortcut only, as in heap_load: without it sites are interned
         * the long way. */
        jobs[k].sites.memo = calloc(SITE_MEMO_SLOTS, sizeof *jobs[k].sites.memo);
    }
    scanpass_jobs(detail_run, jobs, sizeof *jobs, t);
    for (unsigned k = 0; k < t; k++) {
        detail_job *j = &jobs[k];
        uint32_t *smap = strtab_merge(h->strings, j->strings);
        uint32_t *site_map = merge_sites(h->site_index, &j->sites, smap);
        for (size_t m = 0; m < j->n; m++) {
            uint32_t o = j->objs[m];
            h->flags[o] &= (uint8_t)~HEAP_F_QUEUED;
            h->site[o] = site_map[h->site[o]];
            remap_object_strings(h, o, smap);
        }
        heap_add_problems(h, &j->problems, 0);
        h->repaired += j->repaired;
        h->skipped += j->skipped;
        free(smap);
        free(site_map);
        strtab_free(j->strings);
        site_table_free(&j->sites);
    }
    free(jobs);
    h->sites = h->site_index->sites;
    h->nsites = h->site_index->count;
    h->detailed += n;
    h->all_sites |= h->detailed >= h->count;
    number_problem_lines(h);
    free(objs);
    return HS_OK;
}

bool heap_line_of(const heap *h, size_t i, uint64_t *line, uint64_t *offset)
{
    if (!h->offset || !h->file.data || i >= h->count)
        return false;
    uint64_t n = 1, at = h->offset[i];
    for (const char *p = h->file.data, *end = h->file.data + at;
         (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        n++;
    *line = n;
    *offset = at;
    return true;
}

hs_status heap_verify_file(const heap *h, char *warning, size_t size, hs_error *err)
{
    return dumpfile_verify(&h->file, warning, size, err);
}

hs_status heap_check_file(heap *h, hs_error *err)
{
    hs_status st = dumpfile_check(&h->file, err);
    if (st == HS_OK && !h->warning[0])
        snprintf(h->warning, sizeof h->warning, "%s", h->file.warning);
    return st;
}

uint64_t heap_file_fault(const heap *h)
{
    return dumpfile_fault(&h->file);
}

void heap_release_text(heap *h)
{
    if (h->mode != HEAP_FULL)
        return;
    dumpfile_close(&h->file);
    free(h->offset);
    h->offset = NULL;
    h->mode = h->all_sites ? HEAP_LIGHT : HEAP_IDENTITY;
}

void heap_free(heap *h)
{
    if (!h)
        return;
    dumpfile_close(&h->file);
    free(h->path);
#define FREE_COLUMN(col, ctype, when, fill, from) free(h->col);
    HEAP_COLUMNS(FREE_COLUMN)
#undef FREE_COLUMN
    if (h->site_index) {
        site_table_free(h->site_index);
        free(h->site_index);
    }
    strtab_free(h->strings);
    classes_free(&h->classes);
    shapes_free(&h->shape_tree);
    free(h);
}

uint32_t heap_class_name_id(const heap *h, uint64_t class_addr)
{
    heap_class *k = NULL;
    if (class_addr)
        HASH_FIND(hh, h->classes, &class_addr, sizeof class_addr, k);
    return k ? k->name : STRTAB_NONE;
}

const char *heap_class_name(const heap *h, uint64_t class_addr, size_t *len)
{
    return strtab_str(h->strings, heap_class_name_id(h, class_addr), len);
}
