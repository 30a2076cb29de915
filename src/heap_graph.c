/* heap_graph.c - the second pass that reads a dump's references. */
#include "heap_graph.h"
#include "monotime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json_scan.h"
#include "scanpass.h"

/* How every message of the pass that ran out of memory begins. */
#define NO_GRAPH "not enough memory for the reference graph: "

/* One range of the text and the objects whose lines lie in it. */
typedef struct graph_chunk {
    scanpass_worker w;        /* first: the pass's state (byte range, stats, status) */
    const heap *h;
    const addrmap *addrs;
    size_t first, last;       /* objects [first, last) have their lines here */
    size_t cursor;            /* the next object whose line may come */
    uint64_t *memsize;        /* per object of the heap (shared; own range only) */
    uint32_t *nrefs_of;       /* per object: references kept (shared; own range only) */
    uint8_t *damaged;         /* per object (shared; own range only) */
    uint32_t *refs;           /* this range's references in object order, as indices
                                 (GRAPH_NONE: dangling) */
    size_t nrefs, refs_cap;
    uint32_t *roots;          /* objects the ROOT records of this range name */
    uint8_t *root_kinds;      /* their category: index into root_names */
    size_t nroots, roots_cap;
    char root_names[GRAPH_ROOT_KINDS][GRAPH_ROOT_NAME];  /* categories seen in this range; [0] = "?" */
    unsigned nroot_names;
    hs_mem mem;               /* what refs and roots asked for (their growth) */
    heap_problem problems[HEAP_MAX_PROBLEMS]; /* first damaged lines (line numbers
                                                 counted from begin) */
    unsigned nproblems;
} graph_chunk;

/* The range's lists could not grow: the pass stops (scanpass_fail). */
static bool chunk_out_of_memory(graph_chunk *c)
{
    hs_error e;
    hs_status st = hs_mem_fail(&e, &c->mem, NO_GRAPH "the references of bytes %zu to %zu", c->w.begin, c->w.end);
    scanpass_fail(&c->w, st, &e);
    return false;
}

static bool push_ref(graph_chunk *c, uint32_t v)
{
    if (c->nrefs == c->refs_cap) {
        size_t cap = c->refs_cap ? c->refs_cap * 2 : 65536;
        uint32_t *grown = hs_mem_grow(&c->mem, c->refs, c->refs_cap, cap, sizeof *c->refs);
        if (!grown)
            return chunk_out_of_memory(c);
        c->refs = grown;
        c->refs_cap = cap;
    }
    c->refs[c->nrefs++] = v;
    return true;
}

static bool push_root(graph_chunk *c, uint32_t v, uint8_t kind)
{
    if (c->nroots == c->roots_cap) {
        size_t cap = c->roots_cap ? c->roots_cap * 2 : 4096;
        uint32_t *roots = hs_mem_grow(&c->mem, c->roots, c->roots_cap, cap, sizeof *c->roots);
        if (roots)
            c->roots = roots;
        uint8_t *kinds = roots ? hs_mem_grow(&c->mem, c->root_kinds, c->roots_cap, cap, 1) : NULL;
        if (!kinds)
            return chunk_out_of_memory(c);
        c->root_kinds = kinds;
        c->roots_cap = cap;
    }
    c->roots[c->nroots] = v;
    c->root_kinds[c->nroots++] = kind;
    return true;
}

static uint8_t root_kind_of(graph_chunk *c, const scan_str *name)
{
    char n[GRAPH_ROOT_NAME];
    snprintf(n, sizeof n, "%.*s", name->ptr ? (int)name->len : 0, name->ptr ? name->ptr : "");
    for (unsigned k = 0; k < c->nroot_names; k++)
        if (strcmp(c->root_names[k], n) == 0)
            return (uint8_t)k;
    if (c->nroot_names == GRAPH_ROOT_KINDS)
        return 0; /* more categories than Ruby has: "?" */
    snprintf(c->root_names[c->nroot_names], sizeof c->root_names[0], "%s", n);
    return (uint8_t)c->nroot_names++;
}

/* The object whose line starts at offset, or SIZE_MAX: objects come in file
 * order, so a cursor finds it. */
static size_t object_at(graph_chunk *c, uint64_t offset)
{
    const uint64_t *off = c->h->offset;
    while (c->cursor < c->last && off[c->cursor] < offset)
        c->cursor++;
    return c->cursor < c->last && off[c->cursor] == offset ? c->cursor : SIZE_MAX;
}

static void graph_record(void *ctx, const scan_record *r)
{
    graph_chunk *c = ctx;
    if (c->w.failed)
        return;
    if (r->kind == SCAN_ROOT) {
        uint8_t kind = root_kind_of(c, &r->root);
        for (size_t k = 0; k < r->nrefs; k++)
            if (!push_root(c, addrmap_find(c->addrs, r->refs[k]), kind))
                return;
        return;
    }
    if (r->kind != SCAN_OBJECT && !(r->kind == SCAN_SHAPE && c->h->shapes_as_objects))
        return;
    size_t i = object_at(c, r->offset);
    if (i == SIZE_MAX)
        return; /* a line the first pass did not read as an object */
    size_t before = c->nrefs;
    for (size_t k = 0; k < r->nrefs; k++)
        if (!push_ref(c, addrmap_find(c->addrs, r->refs[k])))
            return;
    /* Instances keep their class alive (dumps do not list that edge); an
     * IMEMO's "class" was junk before Ruby 3.2 and is no reference. */
    if (r->class_addr && c->h->type[i] != RT_IMEMO && !push_ref(c, addrmap_find(c->addrs, r->class_addr)))
        return;
    c->nrefs_of[i] = (uint32_t)(c->nrefs - before);
    c->memsize[i] = r->memsize;
    if (r->repaired)
        c->damaged[i] = 1;
}

static void graph_problem(void *ctx, const scan_problem *p)
{
    graph_chunk *c = ctx;
    size_t i = object_at(c, p->offset);
    if (i != SIZE_MAX)
        c->damaged[i] = 1;
    if (c->nproblems == HEAP_MAX_PROBLEMS)
        return;
    heap_problem *hp = &c->problems[c->nproblems++];
    hp->kind = p->kind;
    hp->offset = p->offset;
    hp->line_no = p->line_no;
    snprintf(hp->why, sizeof hp->why, "%s (its references were read again for the graph)", p->why);
}

/* Objects passed so far, for the pass's progress. */
static size_t graph_objects(void *ctx)
{
    graph_chunk *c = ctx;
    return c->cursor - c->first;
}

static void chunk_free(graph_chunk *c)
{
    free(c->refs);
    free(c->roots);
    free(c->root_kinds);
}

/* Joins the ranges' root categories into names (*nnames used) and returns
 * the roots and their categories as one list (allocated with mem: both
 * NULL when it failed). */
static size_t join_roots(char names[GRAPH_ROOT_KINDS][GRAPH_ROOT_NAME], unsigned *nnames, graph_chunk *chunks,
                         unsigned n, uint32_t **roots, uint8_t **kinds, hs_mem *mem)
{
    size_t total = 0;
    for (unsigned k = 0; k < n; k++)
        total += chunks[k].nroots;
    *roots = hs_mem_alloc(mem, total, sizeof **roots);
    *kinds = hs_mem_alloc(mem, total, 1);
    if (hs_mem_failed(mem)) {
        free(*roots);
        free(*kinds);
        *roots = NULL;
        *kinds = NULL;
        return 0;
    }
    snprintf(names[0], GRAPH_ROOT_NAME, "?");
    *nnames = 1;
    size_t at = 0;
    for (unsigned k = 0; k < n; k++) {
        graph_chunk *c = &chunks[k];
        uint8_t map[GRAPH_ROOT_KINDS] = { 0 };
        for (unsigned r = 0; r < c->nroot_names; r++) {
            unsigned m = 0;
            while (m < *nnames && strcmp(names[m], c->root_names[r]) != 0)
                m++;
            if (m == *nnames && *nnames < GRAPH_ROOT_KINDS)
                snprintf(names[(*nnames)++], GRAPH_ROOT_NAME, "%s", c->root_names[r]);
            map[r] = (uint8_t)(m < GRAPH_ROOT_KINDS ? m : 0);
        }
        for (size_t r = 0; r < c->nroots; r++) {
            (*roots)[at] = c->roots[r];
            (*kinds)[at++] = map[c->root_kinds[r]];
        }
    }
    return total;
}

/* What the reading pass fills per object of the heap, each range its own
 * objects' entries (no locks): the chunks point into these. */
typedef struct pass_columns {
    uint64_t *memsize;        /* "memsize": the dominators' weights */
    uint32_t *nrefs_of;       /* references kept, the class edge included */
} pass_columns;

/* Step 1: reads every line of h's text, one range per thread, into chunks
 * (*chunks, *nchunks; freed by the caller whatever the status) and cols. */
static hs_status read_references(heap_graph *out, const heap *h, unsigned threads, heap_progress *progress,
                                 const pass_columns *cols, graph_chunk **chunks, unsigned *nchunks,
                                 hs_error *err)
{
    size_t bounds[SCANPASS_MAX + 1];
    unsigned n = scanpass_split(&h->file, threads, bounds);
    scanpass pass = {
        /* Only pages are released and prefetched: the text is not written. */
        .file = (dumpfile *)&h->file,
        .opts = { .want_refs = true, .quick_details = true },
        .record = graph_record,
        .problem = graph_problem,
        .objects = graph_objects,
        .progress = progress,
        .prefetch = SCANPASS_PREFETCH,
    };
    graph_chunk *c = hs_xcalloc(n, sizeof *c);
    for (unsigned k = 0; k < n; k++) {
        c[k].h = h;
        c[k].addrs = out->addrs;
        c[k].first = heap_first_line_from(h, bounds[k]);
        c[k].last = heap_first_line_from(h, bounds[k + 1]);
        c[k].cursor = c[k].first;
        c[k].memsize = cols->memsize;
        c[k].nrefs_of = cols->nrefs_of;
        c[k].damaged = out->damaged;
    }
    *chunks = c;
    *nchunks = n;
    return scanpass_run(&pass, c, sizeof *c, bounds, n, err);
}

/* Step 2: where each object's references start in the joined list
 * (count + 1 entries, the last one the total); NULL when mem failed. */
static uint64_t *reference_starts(const uint32_t *nrefs_of, size_t count, hs_mem *mem)
{
    uint64_t *ref_start = hs_mem_alloc(mem, count + 1, sizeof *ref_start);
    if (!ref_start)
        return NULL;
    uint64_t total = 0;
    for (size_t i = 0; i < count; i++) {
        ref_start[i] = total;
        total += nrefs_of[i];
    }
    ref_start[count] = total;
    return ref_start;
}

/* Step 3: the ranges' references, end to end, which are every object's in
 * order (total of them). Each range's own list is freed once copied, so
 * the peak is the joined list plus the ranges not yet copied. NULL when
 * mem failed (the ranges keep theirs). */
static uint32_t *join_references(graph_chunk *chunks, unsigned n, uint64_t total, hs_mem *mem)
{
    uint32_t *refs = hs_mem_alloc(mem, total, sizeof *refs);
    if (!refs)
        return NULL;
    uint64_t at = 0;
    for (unsigned k = 0; k < n; k++) {
        graph_chunk *c = &chunks[k];
        if (c->nrefs)
            memcpy(refs + at, c->refs, c->nrefs * sizeof *refs);
        at += c->nrefs;
        free(c->refs);
        c->refs = NULL;
    }
    return refs;
}

/* Step 4: the ranges' first damaged lines, in file order, with their line
 * numbers counted from the start of the text. */
static void join_problems(heap_graph *out, const graph_chunk *chunks, unsigned n)
{
    uint64_t lines_before = 0;
    for (unsigned k = 0; k < n; k++) {
        const graph_chunk *c = &chunks[k];
        for (unsigned p = 0; p < c->nproblems && out->nproblems < HEAP_MAX_PROBLEMS; p++) {
            out->problems[out->nproblems] = c->problems[p];
            if (out->problems[out->nproblems].line_no)
                out->problems[out->nproblems].line_no += lines_before;
            out->nproblems++;
        }
        lines_before += c->w.stats.line_count;
    }
}

/* Step 5: the graph of count objects from the joined references and the
 * ranges' roots, with the roots' category names, into *out (owned). */
static hs_status build_graph(graph **out, uint32_t count, const uint64_t *ref_start, const uint32_t *refs,
                             graph_chunk *chunks, unsigned n, hs_error *err)
{
    uint32_t *roots;
    uint8_t *kinds;
    char names[GRAPH_ROOT_KINDS][GRAPH_ROOT_NAME];
    unsigned nnames = 0;
    hs_mem mem = { 0 };
    size_t nroots = join_roots(names, &nnames, chunks, n, &roots, &kinds, &mem);
    if (hs_mem_failed(&mem))
        return hs_mem_fail(err, &mem, "the roots");
    graph *g = hs_xmalloc(sizeof *g);
    hs_status st = graph_build(g, count, ref_start, refs, roots, kinds, nroots, err);
    free(roots);
    free(kinds);
    if (st != HS_OK) {
        graph_free(g);
        free(g);
        return st;
    }
    memcpy(g->root_names, names, sizeof names);
    g->nroot_names = nnames;
    *out = g;
    return HS_OK;
}

static void chunks_free(graph_chunk *chunks, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        chunk_free(&chunks[k]);
    free(chunks);
}

/* The pass could not get its memory: out emptied, err saying what needed
 * how much, named by the dump. */
static hs_status no_memory(heap_graph *out, const heap *h, hs_status st, const hs_error *why, hs_error *err)
{
    heap_graph_free(out);
    return hs_fail(err, st, "%s: " NO_GRAPH "%s", h->path, why->msg);
}

/* One of the two passes over a finished graph that run side by side. */
typedef struct graph_job {
    graph *g;
    bool roots;                   /* this job: what the roots reach (graph_root_masks,
                                     then graph_root_tree); else graph_dominators */
    const uint64_t *memsize;      /* the dominators' weights */
    const _Atomic bool *cancel;   /* the dominators stop when it is set */
    hs_status status;             /* the dominators' */
    hs_error err;
    uint16_t *mask;               /* the masks' result; NULL when memory was short */
    uint32_t *parent;             /* then the root tree's (graph_root_tree), likewise */
    int avoid;                    /* the category it avoids: GRAPH_STACK_ROOT's, as the session's paths */
} graph_job;

static void *graph_job_run(void *arg)
{
    graph_job *j = arg;
    if (!j->roots) {
        j->status = graph_dominators(j->g, j->memsize, j->cancel, &j->err);
        return NULL;
    }
    hs_mem mem = { 0 };
    j->mask = hs_mem_alloc(&mem, (size_t)j->g->n + 1, sizeof *j->mask);
    if (j->mask && !graph_root_masks(j->g, j->mask, &mem)) {
        free(j->mask);
        j->mask = NULL;
    }
    hs_mem tree_mem = { 0 };
    j->avoid = graph_root_kind(j->g, GRAPH_STACK_ROOT);
    j->parent = hs_mem_alloc(&tree_mem, (size_t)j->g->n + 1, sizeof *j->parent);
    if (j->parent && !graph_root_tree(j->g, j->avoid, j->parent, &tree_mem)) {
        free(j->parent);
        j->parent = NULL;
    }
    return NULL;
}

hs_status heap_graph_read(heap_graph *out, const heap *h, unsigned threads, heap_progress *progress,
                          hs_error *err)
{
    memset(out, 0, sizeof *out);
    if (h->mode != HEAP_FULL || !h->file.data)
        return hs_fail(err, HS_ERR_USAGE, "%s: the dump's text is no longer mapped", h->path);
    double t0 = monotime_now();
    out->count = h->count;
    hs_error why;
    out->addrs = hs_xmalloc(sizeof *out->addrs);
    hs_status st = addrmap_try_build(out->addrs, h->addr, h->count, &why);
    if (st != HS_OK)
        return no_memory(out, h, st, &why, err);
    hs_mem mem = { 0 };
    out->damaged = hs_mem_zalloc(&mem, h->count, 1);
    pass_columns cols = {
        .memsize = hs_mem_zalloc(&mem, h->count, sizeof *cols.memsize),
        .nrefs_of = hs_mem_zalloc(&mem, h->count, sizeof *cols.nrefs_of),
    };
    if (hs_mem_failed(&mem)) {
        free(cols.memsize);
        free(cols.nrefs_of);
        st = hs_mem_fail(&why, &mem, "the sizes and reference counts of %zu objects", h->count);
        return no_memory(out, h, st, &why, err);
    }

    graph_chunk *chunks;
    unsigned n;
    /* Its messages name the file and say what ran out themselves. */
    st = read_references(out, h, threads, progress, &cols, &chunks, &n, err);
    if (st != HS_OK) {
        chunks_free(chunks, n);
        free(cols.memsize);
        free(cols.nrefs_of);
        heap_graph_free(out);
        return st;
    }
    mem = (hs_mem){ 0 };
    uint64_t *ref_start = reference_starts(cols.nrefs_of, h->count, &mem);
    free(cols.nrefs_of);
    uint32_t *refs = ref_start ? join_references(chunks, n, ref_start[h->count], &mem) : NULL;
    if (!refs) {
        uint64_t total = 0;
        for (unsigned k = 0; k < n; k++)
            total += chunks[k].nrefs;
        st = hs_mem_fail(&why, &mem, "the %llu references joined", (unsigned long long)total);
        free(ref_start);
        chunks_free(chunks, n);
        free(cols.memsize);
        return no_memory(out, h, st, &why, err);
    }
    join_problems(out, chunks, n);
    st = build_graph(&out->graph, (uint32_t)h->count, ref_start, refs, chunks, n, &why);
    free(ref_start);
    free(refs);
    chunks_free(chunks, n);
    if (st != HS_OK) {
        free(cols.memsize);
        return no_memory(out, h, st, &why, err);
    }
    out->read_seconds = monotime_now() - t0;

    t0 = monotime_now();
    /* The dominators here, and beside them which roots reach each object
     * (what the suspects are sorted by) and the tree of root paths (what
     * they and the object views show). Each writes its own arrays and
     * reads the edges, which stay as they are. */
    graph_job jobs[2] = {
        { .g = out->graph, .memsize = cols.memsize, .cancel = progress ? progress->cancel : NULL },
        { .g = out->graph, .roots = true },
    };
    scanpass_jobs(graph_job_run, jobs, sizeof *jobs, 2);
    free(cols.memsize);
    st = jobs[0].status;
    if (st != HS_OK) {
        why = jobs[0].err;
        return no_memory(out, h, st, &why, err);
    }
    /* Without the memory for them the suspects find them when they need them. */
    out->graph->root_mask = jobs[1].mask;
    out->graph->root_parent = jobs[1].parent;
    out->graph->root_parent_avoid = jobs[1].avoid;
    out->dominator_seconds = monotime_now() - t0;
    return HS_OK;
}

void heap_graph_free(heap_graph *hg)
{
    if (hg->graph) {
        graph_free(hg->graph);
        free(hg->graph);
    }
    if (hg->addrs) {
        addrmap_free(hg->addrs);
        free(hg->addrs);
    }
    free(hg->damaged);
    free(hg->reserve);
    for (size_t k = 0; hg->nodes && k < hg->ndumps; k++)
        free(hg->nodes[k]);
    free(hg->nodes);
    memset(hg, 0, sizeof *hg);
}
