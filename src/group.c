/* group.c - grouping suspects, their totals, trends and order. */
#define _GNU_SOURCE /* qsort_r */
#include "group.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrmap.h"
#include "graph.h"
#include "heap_graph.h"
#include "status.h"

#define uthash_fatal(msg) hs_xmalloc((size_t)-1)
#include <uthash.h>

#define NO_MATCH UINT32_MAX /* a string of another dump the subject does not have */

/* The hashed form of a group key. Fields unused by a grouping are 0. */
typedef struct gkey {
    uint64_t number;
    uint32_t file, line, name, type;
} gkey;

typedef struct gentry {
    gkey key;
    uint32_t index;  /* into group_set.groups */
    UT_hash_handle hh;
} gentry;

/* How to compute keys for the objects of one dump in the subject's ids. */
typedef struct key_ctx {
    group_set *set;
    const heap *h;
    const uint32_t *smap;  /* h string id -> subject string id; NULL when h is the subject */
    uint32_t *file_gem;    /* h file id -> gem label id, NO_MATCH until computed */
} key_ctx;

static const char *const group_by_names[GROUP_BY_COUNT] = {
    "site", "class", "gem", "file", "method", "generation",
};
static const char *const sort_names[SORT_KEY_COUNT] = {
    "count", "memsize", "bytesize", "location", "type", "retained",
};

int group_by_from_name(const char *name)
{
    for (int i = 0; i < GROUP_BY_COUNT; i++)
        if (strcmp(name, group_by_names[i]) == 0)
            return i;
    /* The classic key spelled out. */
    if (strcmp(name, "type,file,line") == 0 || strcmp(name, "location") == 0)
        return GROUP_SITE;
    return -1;
}

const char *group_by_name(group_by by)
{
    return by < GROUP_BY_COUNT ? group_by_names[by] : "?";
}

int group_sort_from_name(const char *name)
{
    for (int i = 0; i < SORT_KEY_COUNT; i++)
        if (strcmp(name, sort_names[i]) == 0)
            return i;
    return -1;
}

const char *group_sort_name(group_sort_key key)
{
    return key < SORT_KEY_COUNT ? sort_names[key] : "?";
}

void group_gem_label(const char *path, size_t len, char *buf, size_t size)
{
    if (len == 0) {
        snprintf(buf, size, "unknown");
        return;
    }
    /* The last "gems/NAME-VERSION/" in the path wins (vendored bundles nest);
     * a "gems/" directory without a versioned name after it does not count. */
    const char *found = NULL, *found_end = NULL;
    for (size_t i = 0; i + 5 <= len; i++) {
        if (memcmp(path + i, "gems/", 5) != 0 || (i > 0 && path[i - 1] != '/'))
            continue;
        const char *name = path + i + 5;
        const char *end = memchr(name, '/', len - (size_t)(name - path));
        const char *dash = NULL;
        for (const char *p = name; end && p < end; p++)
            if (*p == '-')
                dash = p;
        if (end && dash && dash > name && dash + 1 < end) {
            found = name;
            found_end = end;
        }
    }
    if (found) {
        snprintf(buf, size, "%.*s", (int)(found_end - found), found);
        return;
    }
    static const char *const stdlib_marks[] = { "/lib/ruby/", "<internal:", "<main>" };
    for (size_t m = 0; m < sizeof stdlib_marks / sizeof *stdlib_marks; m++) {
        size_t ml = strlen(stdlib_marks[m]);
        for (size_t i = 0; i + ml <= len; i++)
            if (memcmp(path + i, stdlib_marks[m], ml) == 0) {
                snprintf(buf, size, "stdlib");
                return;
            }
    }
    snprintf(buf, size, "app");
}

static uint32_t map_id(const key_ctx *c, uint32_t id)
{
    return c->smap ? c->smap[id] : id;
}

static uint32_t gem_of(key_ctx *c, uint32_t file)
{
    if (c->file_gem[file] == NO_MATCH) {
        size_t len;
        const char *path = strtab_str(c->h->strings, file, &len);
        char label[256];
        group_gem_label(path, len, label, sizeof label);
        c->file_gem[file] = strtab_intern(c->set->labels, label, strlen(label));
    }
    return c->file_gem[file];
}

/* The key of object i of c->h; false when it cannot be one of the subject's. */
static bool key_of(key_ctx *c, size_t i, gkey *k)
{
    const heap *h = c->h;
    const heap_site *site = heap_site_of(h, i);
    memset(k, 0, sizeof *k);
    switch (c->set->by) {
    case GROUP_SITE:
        k->type = h->type[i];
        k->file = map_id(c, site->file);
        k->line = site->line;
        return k->file != NO_MATCH;
    case GROUP_CLASS: {
        uint32_t name = heap_class_name_id(h, heap_class_of(h, i));
        if (name == STRTAB_NONE)
            k->number = heap_class_of(h, i);
        k->name = map_id(c, name);
        return k->name != NO_MATCH;
    }
    case GROUP_GEM:
        k->name = gem_of(c, site->file);
        return true;
    case GROUP_FILE:
        k->file = map_id(c, site->file);
        return k->file != NO_MATCH;
    case GROUP_METHOD:
        k->file = map_id(c, site->file);
        k->name = map_id(c, site->method);
        return k->file != NO_MATCH && k->name != NO_MATCH;
    case GROUP_GENERATION:
        k->number = h->gen[i];
        return true;
    case GROUP_BY_COUNT:
        break;
    }
    return false;
}

static void key_ctx_init(key_ctx *c, group_set *s, const heap *h)
{
    c->set = s;
    c->h = h;
    c->smap = NULL;
    uint32_t n = strtab_count(h->strings);
    c->file_gem = hs_xmalloc(n * sizeof *c->file_gem);
    for (uint32_t i = 0; i < n; i++)
        c->file_gem[i] = NO_MATCH;
}

static void rank_groups(group_set *s);

static void free_index(gentry **index)
{
    gentry *e, *tmp;
    HASH_ITER(hh, *index, e, tmp) {
        HASH_DEL(*index, e);
        free(e);
    }
}

group_set *group_build(const diff_result *diff, const heap *subject, group_by by)
{
    group_set *s = hs_xcalloc(1, sizeof *s);
    s->by = by;
    s->subject = subject;
    s->diff = diff;
    s->labels = strtab_new();
    s->ndumps = diff->ndumps;
    s->group_of = hs_xmalloc((diff->count ? diff->count : 1) * sizeof *s->group_of);

    key_ctx c;
    key_ctx_init(&c, s, subject);
    gentry *index = NULL;
    size_t cap = 0;
    for (size_t k = 0; k < diff->count; k++) {
        gkey key;
        key_of(&c, diff->objects[k], &key);
        gentry *e = NULL;
        HASH_FIND(hh, index, &key, sizeof key, e);
        if (!e) {
            if (s->ngroups == cap) {
                cap = cap ? cap * 2 : 256;
                s->groups = hs_xrealloc(s->groups, cap * sizeof *s->groups);
            }
            group *g = &s->groups[s->ngroups];
            memset(g, 0, sizeof *g);
            g->type = (uint8_t)key.type;
            g->file = key.file;
            g->line = key.line;
            g->name = key.name;
            g->number = key.number;
            e = hs_xmalloc(sizeof *e);
            e->key = key;
            e->index = (uint32_t)s->ngroups++;
            HASH_ADD(hh, index, key, sizeof key, e);
        }
        s->group_of[k] = e->index;
    }
    free_index(&index);
    free(c.file_gem);

    /* Members by group: a counting sort of diff positions. */
    s->member_start = hs_xcalloc(s->ngroups + 1, sizeof *s->member_start);
    for (size_t k = 0; k < diff->count; k++)
        s->member_start[s->group_of[k] + 1]++;
    for (size_t g = 0; g < s->ngroups; g++)
        s->member_start[g + 1] += s->member_start[g];
    s->members = hs_xmalloc((diff->count ? diff->count : 1) * sizeof *s->members);
    size_t *fill = hs_xmalloc((s->ngroups + 1) * sizeof *fill);
    memcpy(fill, s->member_start, (s->ngroups + 1) * sizeof *fill);
    for (size_t k = 0; k < diff->count; k++)
        s->members[fill[s->group_of[k]]++] = (uint32_t)k;
    free(fill);

    s->order = hs_xmalloc((s->ngroups ? s->ngroups : 1) * sizeof *s->order);
    s->full_order = hs_xmalloc((s->ngroups ? s->ngroups : 1) * sizeof *s->full_order);
    rank_groups(s);
    group_apply_filter(s, NULL);
    for (size_t g = 0; g < s->ngroups; g++) {
        group *grp = &s->groups[g];
        grp->all_count = grp->count;
        grp->all_memsize = grp->memsize;
        grp->all_bytesize = grp->bytesize;
    }
    return s;
}

void group_free(group_set *s)
{
    if (!s)
        return;
    for (size_t g = 0; g < s->ngroups; g++)
        free(s->groups[g].trend);
    free(s->groups);
    free(s->group_of);
    free(s->members);
    free(s->member_start);
    free(s->order);
    free(s->full_order);
    free(s->ret_pre);
    free(s->ret_end);
    free(s->ret_size);
    free(s->ret_order);
    strtab_free(s->labels);
    free(s);
}

void group_compute_trends(group_set *s, heap *const *dumps, size_t ndumps)
{
    for (size_t d = 0; d < ndumps; d++)
        if (!dumps[d]->site)
            return; /* loaded for identity only: no trends to compute */
    s->ndumps = ndumps;
    gentry *index = NULL;
    for (size_t g = 0; g < s->ngroups; g++) {
        group *grp = &s->groups[g];
        free(grp->trend);
        grp->trend = hs_xcalloc(ndumps, sizeof *grp->trend);
        gentry *e = hs_xmalloc(sizeof *e);
        memset(&e->key, 0, sizeof e->key);
        e->key = (gkey){ grp->number, grp->file, grp->line, grp->name, grp->type };
        e->index = (uint32_t)g;
        HASH_ADD(hh, index, key, sizeof e->key, e);
    }
    for (size_t d = 0; d < ndumps; d++) {
        const heap *h = dumps[d];
        key_ctx c;
        key_ctx_init(&c, s, h);
        uint32_t *smap = NULL;
        if (h != s->subject) {
            uint32_t n = strtab_count(h->strings);
            smap = hs_xmalloc(n * sizeof *smap);
            smap[0] = STRTAB_NONE;
            for (uint32_t id = 1; id < n; id++) {
                size_t len;
                const char *str = strtab_str(h->strings, id, &len);
                uint32_t sid = strtab_find(s->subject->strings, str, len);
                smap[id] = sid == STRTAB_NONE ? NO_MATCH : sid;
            }
            c.smap = smap;
        }
        for (size_t i = 0; i < h->count; i++) {
            gkey key;
            if (!key_of(&c, i, &key))
                continue;
            gentry *e = NULL;
            HASH_FIND(hh, index, &key, sizeof key, e);
            if (e)
                s->groups[e->index].trend[d]++;
        }
        free(smap);
        free(c.file_gem);
    }
    free_index(&index);
}

/* Every group's retained size over the members that pass (pass == NULL:
 * all): walking each group's members in dominator-tree preorder, a member
 * inside the subtree of the last member counted is dominated by it (its
 * bytes are in that one's retained size already); any other starts a new
 * subtree and counts. Subtrees nest, so the last one counted is the only one
 * that can contain the next member. */
static void sum_retained(group_set *s, const uint8_t *pass, bool all)
{
    for (size_t g = 0; g < s->ngroups; g++) {
        uint64_t sum = 0;
        uint32_t inside_until = 0;
        for (size_t m = s->member_start[g]; m < s->member_start[g + 1]; m++) {
            uint32_t k = s->ret_order[m];
            if (!s->ret_pre[k] || (pass && !pass[k]))
                continue;
            if (s->ret_pre[k] < inside_until)
                continue;
            sum += s->ret_size[k];
            inside_until = s->ret_end[k];
        }
        if (all)
            s->groups[g].all_retained = sum;
        s->groups[g].retained = sum;
    }
}

typedef struct by_pre {
    const uint32_t *pre;
} by_pre;

static int cmp_pre(const void *pa, const void *pb, void *arg)
{
    const uint32_t *pre = ((const by_pre *)arg)->pre;
    uint32_t a = pre[*(const uint32_t *)pa], b = pre[*(const uint32_t *)pb];
    return a < b ? -1 : a > b;
}

void group_compute_retained(group_set *s, heap *const *dumps, size_t ndumps)
{
    const heap *latest = dumps[ndumps - 1];
    const graph *gr = latest->graph;
    if (!gr || !gr->idom || !latest->addrs)
        return;
    const heap *subject = s->subject;
    size_t count = s->diff->count;
    uint32_t *pre = hs_xmalloc(((size_t)gr->n + 1) * sizeof *pre);
    uint32_t *end = hs_xmalloc(((size_t)gr->n + 1) * sizeof *end);
    graph_dom_preorder(gr, pre, end);
    free(s->ret_pre);
    free(s->ret_end);
    free(s->ret_size);
    free(s->ret_order);
    s->ret_pre = hs_xcalloc(count ? count : 1, sizeof *s->ret_pre);
    s->ret_end = hs_xcalloc(count ? count : 1, sizeof *s->ret_end);
    s->ret_size = hs_xcalloc(count ? count : 1, sizeof *s->ret_size);
    s->ret_order = hs_xmalloc((count ? count : 1) * sizeof *s->ret_order);
    for (size_t k = 0; k < count; k++) {
        uint32_t v = heap_graph_node_of(latest, subject, s->diff->objects[k]);
        if (v == GRAPH_NONE)
            continue; /* freed, or the slot holds another object now */
        s->ret_pre[k] = pre[v]; /* 0 when no root reaches it */
        s->ret_end[k] = end[v];
        s->ret_size[k] = gr->retained[v];
    }
    free(pre);
    free(end);
    /* Each group's members in preorder. */
    memcpy(s->ret_order, s->members, count * sizeof *s->ret_order);
    by_pre ctx = { s->ret_pre };
    for (size_t g = 0; g < s->ngroups; g++)
        qsort_r(s->ret_order + s->member_start[g], s->member_start[g + 1] - s->member_start[g],
                sizeof *s->ret_order, cmp_pre, &ctx);
    sum_retained(s, NULL, true);
    s->has_retained = true;
    s->full_valid = false;
}

void group_apply_filter(group_set *s, const obj_filter *f)
{
    const heap *h = s->subject;
    for (size_t g = 0; g < s->ngroups; g++) {
        s->groups[g].count = 0;
        s->groups[g].memsize = 0;
        s->groups[g].bytesize = 0;
    }
    if (f)
        filter_prepare((obj_filter *)f, h);
    /* Which objects pass, for the retained sizes (they depend on which
     * members of a group are counted, not only on how many). */
    uint8_t *pass = s->has_retained && f ? hs_xcalloc(s->diff->count ? s->diff->count : 1, 1) : NULL;
    for (size_t k = 0; k < s->diff->count; k++) {
        size_t i = s->diff->objects[k];
        if (f && !filter_object_passes(f, h, i))
            continue;
        if (pass)
            pass[k] = 1;
        group *g = &s->groups[s->group_of[k]];
        g->count++;
        if (h->memsize) {
            g->memsize += h->memsize[i];
            g->bytesize += h->bytesize[i];
        }
    }
    if (s->has_retained)
        sum_retained(s, pass, false);
    free(pass);
    uint64_t min = f && f->min_count ? f->min_count : 1;
    s->min_shown = min;
    s->nvisible = 0;
    s->whole_groups = true;
    s->total_count = s->total_memsize = s->total_bytesize = 0;
    for (size_t g = 0; g < s->ngroups; g++) {
        const group *grp = &s->groups[g];
        if (grp->count && grp->count != grp->all_count && grp->all_count)
            s->whole_groups = false;
        if (grp->count < min)
            continue;
        s->order[s->nvisible++] = g;
        s->total_count += grp->count;
        s->total_memsize += grp->memsize;
        s->total_bytesize += grp->bytesize;
    }
}

/* ---- order ---------------------------------------------------------------- */

typedef struct sort_ctx {
    const group_set *set;
    group_sort_key key;
    bool all;      /* compare unfiltered totals */
} sort_ctx;

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
    return a > b ? -1 : a < b ? 1 : 0;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
    return a < b ? -1 : a > b;
}

/* count desc, type, file, line, then the rest of the key. */
static int cmp_default(const group *a, const group *b, bool all)
{
    int c = cmp_u64_desc(all ? a->all_count : a->count, all ? b->all_count : b->count);
    if (!c)
        c = cmp_u32(a->type_rank, b->type_rank);
    if (!c)
        c = cmp_u32(a->file_rank, b->file_rank);
    if (!c)
        c = cmp_u32(a->line, b->line);
    if (!c)
        c = cmp_u32(a->name_rank, b->name_rank);
    if (!c)
        c = a->number < b->number ? -1 : a->number > b->number ? 1 : 0;
    return c;
}

static int cmp_groups(const void *pa, const void *pb, void *arg)
{
    const sort_ctx *ctx = arg;
    const group_set *s = ctx->set;
    const group *a = &s->groups[*(const size_t *)pa], *b = &s->groups[*(const size_t *)pb];
    bool all = ctx->all;
    int c = 0;
    switch (ctx->key) {
    case SORT_COUNT: break;
    case SORT_MEMSIZE: c = cmp_u64_desc(all ? a->all_memsize : a->memsize, all ? b->all_memsize : b->memsize); break;
    case SORT_BYTESIZE:
        c = cmp_u64_desc(all ? a->all_bytesize : a->bytesize, all ? b->all_bytesize : b->bytesize);
        break;
    case SORT_LOCATION:
        c = cmp_u32(a->file_rank, b->file_rank);
        if (!c)
            c = cmp_u32(a->line, b->line);
        break;
    case SORT_TYPE: c = cmp_u32(a->type_rank, b->type_rank); break;
    case SORT_RETAINED:
        c = cmp_u64_desc(all ? a->all_retained : a->retained, all ? b->all_retained : b->retained);
        break;
    case SORT_KEY_COUNT: break;
    }
    return c ? c : cmp_default(a, b, all);
}

static void reverse_order(size_t *order, size_t n)
{
    for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
        size_t t = order[i];
        order[i] = order[j - 1];
        order[j - 1] = t;
    }
}

void group_sort(group_set *s, group_sort_key key, bool reverse)
{
    if (!s->whole_groups) {
        sort_ctx ctx = { s, key, false };
        qsort_r(s->order, s->nvisible, sizeof *s->order, cmp_groups, &ctx);
        if (reverse)
            reverse_order(s->order, s->nvisible);
        return;
    }
    /* Every visible group is whole: its place in the full order holds. */
    if (!s->full_valid || s->full_key != key) {
        for (size_t g = 0; g < s->ngroups; g++)
            s->full_order[g] = g;
        sort_ctx ctx = { s, key, true };
        qsort_r(s->full_order, s->ngroups, sizeof *s->full_order, cmp_groups, &ctx);
        s->full_key = key;
        s->full_valid = true;
    }
    size_t n = 0;
    for (size_t k = 0; k < s->ngroups; k++) {
        size_t g = s->full_order[reverse ? s->ngroups - 1 - k : k];
        if (s->groups[g].count && s->groups[g].count >= s->min_shown)
            s->order[n++] = g;
    }
    s->nvisible = n;
}

/* Ranks of the strings groups sort by, so comparisons are integers. */
typedef struct rank_ctx {
    const strtab *t;
} rank_ctx;

static int cmp_ids(const void *pa, const void *pb, void *arg)
{
    const strtab *t = ((const rank_ctx *)arg)->t;
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    size_t la, lb;
    const char *sa = strtab_str(t, a, &la), *sb = strtab_str(t, b, &lb);
    int c = memcmp(sa, sb, la < lb ? la : lb);
    return c ? c : la < lb ? -1 : la > lb ? 1 : 0;
}

static uint32_t *string_ranks(const strtab *t)
{
    uint32_t n = strtab_count(t);
    uint32_t *ids = hs_xmalloc(n * sizeof *ids), *rank = hs_xmalloc(n * sizeof *rank);
    for (uint32_t i = 0; i < n; i++)
        ids[i] = i;
    rank_ctx ctx = { t };
    qsort_r(ids, n, sizeof *ids, cmp_ids, &ctx);
    for (uint32_t r = 0; r < n; r++)
        rank[ids[r]] = r;
    free(ids);
    return rank;
}

static void rank_groups(group_set *s)
{
    uint32_t *file_rank = string_ranks(s->subject->strings);
    uint32_t *label_rank = s->by == GROUP_GEM ? string_ranks(s->labels) : NULL;
    uint32_t type_rank[RT_COUNT];
    for (int t = 0; t < RT_COUNT; t++) {
        type_rank[t] = 0;
        for (int u = 0; u < RT_COUNT; u++)
            type_rank[t] += strcmp(rtype_name((rtype)u), rtype_name((rtype)t)) < 0;
    }
    for (size_t g = 0; g < s->ngroups; g++) {
        group *grp = &s->groups[g];
        grp->file_rank = file_rank[grp->file];
        grp->name_rank = label_rank ? label_rank[grp->name] : file_rank[grp->name];
        grp->type_rank = type_rank[grp->type];
    }
    free(file_rank);
    free(label_rank);
}

/* Appends n bytes to a label being built in buf (NUL bytes included). */
static void label_put(char *buf, size_t size, size_t *len, const char *bytes, size_t n)
{
    if (*len < size) {
        size_t room = size - 1 - *len;
        memcpy(buf + *len, bytes, n < room ? n : room);
    }
    *len += n;
}

const char *group_label(const group_set *s, const group *g, char *buf, size_t size, size_t *out_len)
{
    const strtab *t = s->subject->strings;
    size_t flen, nlen, len = 0;
    const char *file = strtab_str(t, g->file, &flen);
    const char *name = strtab_str(s->by == GROUP_GEM ? s->labels : t, g->name, &nlen);
    char num[64];
    switch (s->by) {
    case GROUP_SITE:
        label_put(buf, size, &len, file, flen);
        label_put(buf, size, &len, ":", 1);
        if (g->line != HEAP_NO_LINE)
            label_put(buf, size, &len, num, (size_t)snprintf(num, sizeof num, "%" PRIu32, g->line - 1));
        break;
    case GROUP_CLASS:
        if (nlen)
            label_put(buf, size, &len, name, nlen);
        else if (g->number)
            label_put(buf, size, &len, num,
                      (size_t)snprintf(num, sizeof num, "(unnamed class 0x%" PRIx64 ")", g->number));
        else
            label_put(buf, size, &len, "(no class)", 10);
        break;
    case GROUP_GEM:
        label_put(buf, size, &len, name, nlen);
        break;
    case GROUP_FILE:
        if (flen)
            label_put(buf, size, &len, file, flen);
        else
            label_put(buf, size, &len, "(no file)", 9);
        break;
    case GROUP_METHOD:
        if (nlen)
            label_put(buf, size, &len, name, nlen);
        else
            label_put(buf, size, &len, "(no method)", 11);
        label_put(buf, size, &len, " in ", 4);
        if (flen)
            label_put(buf, size, &len, file, flen);
        else
            label_put(buf, size, &len, "(no file)", 9);
        break;
    case GROUP_GENERATION:
        if (g->number == HEAP_NO_GEN)
            label_put(buf, size, &len, "(no generation)", 15);
        else
            label_put(buf, size, &len, num, (size_t)snprintf(num, sizeof num, "%" PRIu64, g->number));
        break;
    case GROUP_BY_COUNT:
        break;
    }
    if (size)
        buf[len < size ? len : size - 1] = '\0';
    if (out_len)
        *out_len = len < size ? len : size ? size - 1 : 0;
    return buf;
}
