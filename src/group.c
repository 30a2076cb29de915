/* group.c - grouping suspects, their totals, trends and order. */
#define _GNU_SOURCE /* qsort_r */
#include "group.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrmap.h"
#include "graph.h"
#include "scanpass.h"
#include "status.h"

#define HS_UTHASH_NONFATAL /* the groups' index grows with the dump */
#include "hs_uthash.h"

#define NO_MATCH UINT32_MAX /* a string of another dump the subject does not have */
#define MEMO_UNKNOWN UINT32_MAX     /* compute_trends: a (site, type) pair not looked up yet */
#define MEMO_NONE (UINT32_MAX - 1)  /* ... looked up: no group has its key */

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

/* ---- the grouping keys ------------------------------------------------------ */

/* Each key fills the parts of a gkey it uses, in the subject's ids, for
 * object i of c->h; false when the object cannot have a key the subject has
 * (a string of another dump the subject never saw). */
static bool key_site(key_ctx *c, size_t i, gkey *k)
{
    const heap_site *site = heap_site_of(c->h, i);
    k->type = c->h->type[i];
    k->file = map_id(c, site->file);
    k->line = site->line;
    return k->file != NO_MATCH;
}

static bool key_class(key_ctx *c, size_t i, gkey *k)
{
    /* An IMEMO's "class" is no class: junk before Ruby 3.2, the owning
     * object for 3.5+'s "fields". IMEMOs are one group of their own. */
    if (c->h->type[i] == RT_IMEMO) {
        k->type = RT_IMEMO;
        return true;
    }
    uint32_t name = heap_class_name_id(c->h, heap_class_of(c->h, i));
    if (name == STRTAB_NONE)
        k->number = heap_class_of(c->h, i);
    k->name = map_id(c, name);
    return k->name != NO_MATCH;
}

static bool key_gem(key_ctx *c, size_t i, gkey *k)
{
    k->name = gem_of(c, heap_site_of(c->h, i)->file);
    return true;
}

static bool key_file(key_ctx *c, size_t i, gkey *k)
{
    k->file = map_id(c, heap_site_of(c->h, i)->file);
    return k->file != NO_MATCH;
}

static bool key_method(key_ctx *c, size_t i, gkey *k)
{
    const heap_site *site = heap_site_of(c->h, i);
    k->file = map_id(c, site->file);
    k->name = map_id(c, site->method);
    return k->file != NO_MATCH && k->name != NO_MATCH;
}

static bool key_generation(key_ctx *c, size_t i, gkey *k)
{
    k->number = c->h->gen[i];
    return true;
}

/* A DATA's struct or an IMEMO's imemo_type, by type (DATA "iseq" is not
 * IMEMO "iseq"); the type alone for objects that have neither. */
static bool key_struct(key_ctx *c, size_t i, gkey *k)
{
    k->type = c->h->type[i];
    k->name = map_id(c, heap_subtype_of(c->h, i));
    return k->name != NO_MATCH;
}

/* A group's name, built in a buffer (NUL bytes of the dump kept). */
typedef struct label_buf {
    char *buf;
    size_t size;
    size_t len;   /* bytes the whole label takes, even past size */
} label_buf;

static void put(label_buf *b, const char *bytes, size_t n)
{
    if (b->len < b->size) {
        size_t room = b->size - 1 - b->len;
        memcpy(b->buf + b->len, bytes, n < room ? n : room);
    }
    b->len += n;
}

static void put_str(label_buf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* A string id of the subject's table, or `none` when it is empty. */
static void put_id(label_buf *b, const group_set *s, uint32_t id, const char *none)
{
    size_t len;
    const char *str = strtab_str(s->subject->strings, id, &len);
    if (len)
        put(b, str, len);
    else
        put_str(b, none);
}

static void put_decimal(label_buf *b, uint64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%" PRIu64, v);
    assert(n > 0 && (size_t)n < sizeof num);
    put(b, num, (size_t)n);
}

static void label_site(const group_set *s, const group *g, label_buf *b)
{
    put_id(b, s, g->file, "");
    put_str(b, ":");
    if (g->line != HEAP_NO_LINE)
        put_decimal(b, g->line - 1);
}

static void label_class(const group_set *s, const group *g, label_buf *b)
{
    size_t len;
    strtab_str(s->subject->strings, g->name, &len);
    if (len)
        put_id(b, s, g->name, "");
    else if (g->number) {
        char text[48];
        int n = snprintf(text, sizeof text, "(unnamed class 0x%" PRIx64 ")", g->number);
        put(b, text, (size_t)n);
    }
    else if (g->type == RT_IMEMO)
        put_str(b, "(IMEMO: no class)");
    else
        put_str(b, "(no class)");
}

static void label_gem(const group_set *s, const group *g, label_buf *b)
{
    size_t len;
    const char *name = strtab_str(s->labels, g->name, &len);
    put(b, name, len);
}

static void label_file(const group_set *s, const group *g, label_buf *b)
{
    put_id(b, s, g->file, "(no file)");
}

static void label_method(const group_set *s, const group *g, label_buf *b)
{
    put_id(b, s, g->name, "(no method)");
    put_str(b, " in ");
    put_id(b, s, g->file, "(no file)");
}

static void label_generation(const group_set *s, const group *g, label_buf *b)
{
    if (g->number == HEAP_NO_GEN)
        put_str(b, "(no generation)");
    else
        put_decimal(b, g->number);
}

/* The struct name ("proc"); IMEMO kinds as Ruby's count_imemo_objects
 * names them ("imemo_env"), which keeps them apart from structs of the same
 * name; the type for the others ("STRING", or "DATA" when untyped). */
static void label_struct(const group_set *s, const group *g, label_buf *b)
{
    if (g->name == STRTAB_NONE) {
        put_str(b, rtype_name((rtype)g->type));
        return;
    }
    if (g->type == RT_IMEMO)
        put_str(b, "imemo_");
    put_id(b, s, g->name, "");
}

/* The grouping keys, the classic one first (GROUP_SITE):
 * X(NAME, HELP, KEY, LABEL, FLAGS). KEY fills an object's key, LABEL names
 * a group; FLAGS say what else the key is: KEY_SHOWS_TYPE (its groups are
 * of one type, shown beside the label), KEY_NAME_IS_LABEL (g->name is an id
 * of the set's own labels, which the key makes, not of the dump's strings),
 * KEY_NEEDS_SUBTYPES (it reads the subtype column, which a load may skip),
 * KEY_OF_SITE (it reads only the object's type and site id, so that counting
 * every dump's objects looks each pair up once: compute_trends). */
enum { KEY_SHOWS_TYPE = 1, KEY_NAME_IS_LABEL = 2, KEY_NEEDS_SUBTYPES = 4, KEY_OF_SITE = 8 };
#define GROUP_KEYS(X)                                                                                   \
    X("site", "(type, file, line): the classic key", key_site, label_site,                            \
      KEY_SHOWS_TYPE | KEY_OF_SITE)                                                                     \
    X("class", "class name", key_class, label_class, 0)                                                 \
    X("gem", "gems/NAME-VERSION/ in the path, else app, stdlib or unknown", key_gem, label_gem,         \
      KEY_NAME_IS_LABEL | KEY_OF_SITE)                                                                  \
    X("file", "file path", key_file, label_file, KEY_OF_SITE)                                           \
    X("method", "(file, method)", key_method, label_method, KEY_OF_SITE)                                \
    X("generation", "GC generation of allocation", key_generation, label_generation, 0)                 \
    X("struct", "a DATA's struct, an IMEMO's imemo_type, else the type", key_struct, label_struct,      \
      KEY_NEEDS_SUBTYPES)

typedef struct group_key_def {
    const char *name;  /* as --group-by and the panes spell it */
    const char *help;  /* what groups it makes, for --help and the man page */
    bool (*key)(key_ctx *c, size_t i, gkey *k);
    void (*label)(const group_set *s, const group *g, label_buf *b);
    unsigned flags;    /* KEY_* */
} group_key_def;

static const group_key_def group_keys[] = {
#define GROUP_KEY_DEF(name, help, key, label, flags) { name, help, key, label, flags },
    GROUP_KEYS(GROUP_KEY_DEF)
#undef GROUP_KEY_DEF
};
#define NKEYS (sizeof group_keys / sizeof *group_keys)

static const struct {
    const char *name, *help;
    sort_needs needs;
} sort_keys[SORT_KEY_COUNT] = {
#define SORT_KEY_DEF(id, name, help, needs) [id] = { name, help, needs },
    SORT_KEYS(SORT_KEY_DEF)
#undef SORT_KEY_DEF
};

unsigned group_by_count(void)
{
    return NKEYS;
}

int group_by_from_name(const char *name)
{
    for (unsigned i = 0; i < NKEYS; i++)
        if (strcmp(name, group_keys[i].name) == 0)
            return (int)i;
    /* The classic key spelled out. */
    if (strcmp(name, "type,file,line") == 0 || strcmp(name, "location") == 0)
        return GROUP_SITE;
    return -1;
}

const char *group_by_name(group_by by)
{
    assert(by < NKEYS);
    return group_keys[by].name;
}

const char *group_by_help(group_by by)
{
    assert(by < NKEYS);
    return group_keys[by].help;
}

int group_sort_from_name(const char *name)
{
    for (int i = 0; i < SORT_KEY_COUNT; i++)
        if (strcmp(name, sort_keys[i].name) == 0)
            return i;
    return -1;
}

const char *group_sort_name(group_sort_key key)
{
    assert(key < SORT_KEY_COUNT);
    return sort_keys[key].name;
}

sort_needs group_sort_needs(group_sort_key key)
{
    assert(key < SORT_KEY_COUNT);
    return sort_keys[key].needs;
}

const char *group_sort_help(group_sort_key key)
{
    assert(key < SORT_KEY_COUNT);
    return sort_keys[key].help;
}

/* "a, b, c" of n names. */
static void join_names(char *buf, size_t size, unsigned n, const char *(*name)(unsigned))
{
    size_t len = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < n && len < size; i++) {
        int w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", name(i));
        len += w < 0 ? 0 : (size_t)w;
    }
}

static const char *by_name_at(unsigned i) { return group_by_name(i); }
static const char *sort_name_at(unsigned i) { return group_sort_name((group_sort_key)i); }

void group_by_names(char *buf, size_t size)
{
    join_names(buf, size, NKEYS, by_name_at);
}

void group_sort_names(char *buf, size_t size)
{
    join_names(buf, size, SORT_KEY_COUNT, sort_name_at);
}

bool group_by_needs_subtypes(group_by by)
{
    assert(by < NKEYS);
    return group_keys[by].flags & KEY_NEEDS_SUBTYPES;
}

bool group_shows_type(const group_set *s)
{
    return group_keys[s->by].flags & KEY_SHOWS_TYPE;
}

const char *group_type_name(const group_set *s, const group *g)
{
    return group_shows_type(s) ? rtype_name((rtype)g->type) : "";
}

/* The key of object i of c->h; false when it cannot be one of the subject's. */
static bool key_of(key_ctx *c, size_t i, gkey *k)
{
    memset(k, 0, sizeof *k);
    return group_keys[c->set->by].key(c, i, k);
}

/* file_gem is allocated from mem: check hs_mem_failed before using c. */
static void key_ctx_init(key_ctx *c, group_set *s, const heap *h, hs_mem *mem)
{
    c->set = s;
    c->h = h;
    c->smap = NULL;
    uint32_t n = strtab_count(h->strings);
    c->file_gem = hs_mem_alloc(mem, n, sizeof *c->file_gem);
    for (uint32_t i = 0; c->file_gem && i < n; i++)
        c->file_gem[i] = NO_MATCH;
}

/* A memo of nmemo (site, type) pairs, all MEMO_UNKNOWN; NULL when mem
 * failed. */
static uint32_t *new_memo(size_t nmemo, hs_mem *mem)
{
    uint32_t *memo = hs_mem_alloc(mem, nmemo, sizeof *memo);
    for (size_t m = 0; memo && m < nmemo; m++)
        memo[m] = MEMO_UNKNOWN;
    return memo;
}

static bool rank_groups(group_set *s, hs_mem *mem);
static void apply_filter(group_set *s);

/* Empties an index whose entries are one array (freed by the caller). */
static void clear_index(gentry **index)
{
    HASH_CLEAR(hh, *index);
}

static void free_index(gentry **index)
{
    gentry *e, *tmp;
    HASH_ITER(hh, *index, e, tmp) {
        HASH_DEL(*index, e);
        free(e);
    }
}

/* The groups of the diff's objects: s->groups, s->ngroups and s->group_of.
 * False when mem failed (s holds the groups made so far, for group_free). */
static bool find_groups(group_set *s, hs_mem *mem)
{
    const diff_result *diff = s->diff;
    const heap *subject = s->subject;
    group_by by = s->by;
    s->group_of = hs_mem_alloc(mem, diff->count, sizeof *s->group_of);
    key_ctx c;
    key_ctx_init(&c, s, subject, mem);
    gentry *index = NULL;
    size_t cap = 0;
    /* As in compute_trends: a key of the site and type alone is hashed once
     * per pair. */
    uint32_t *memo = NULL;
    size_t nmemo = (size_t)subject->nsites * RT_COUNT;
    if ((group_keys[by].flags & KEY_OF_SITE) && nmemo <= 4 * diff->count + 4096)
        memo = new_memo(nmemo, mem);
    for (size_t k = 0; k < diff->count && !hs_mem_failed(mem); k++) {
        size_t i = diff->objects[k];
        uint32_t *slot = memo ? &memo[(size_t)(subject->site ? subject->site[i] : 0) * RT_COUNT + subject->type[i]]
                              : NULL;
        if (slot && *slot != MEMO_UNKNOWN) {
            s->group_of[k] = *slot;
            continue;
        }
        gkey key;
        key_of(&c, i, &key);
        gentry *e = NULL;
        HASH_FIND(hh, index, &key, sizeof key, e);
        if (!e) {
            if (s->ngroups == cap) {
                size_t grown = cap ? cap * 2 : 256;
                group *groups = hs_mem_grow(mem, s->groups, cap, grown, sizeof *s->groups);
                if (!groups)
                    break;
                s->groups = groups;
                cap = grown;
            }
            e = hs_mem_alloc(mem, 1, sizeof *e);
            if (!e)
                break;
            e->key = key;
            e->index = (uint32_t)s->ngroups;
            bool added;
            HS_HASH_ADD(index, key, sizeof key, e, mem, added);
            if (!added) {
                free(e);
                break;
            }
            group *g = &s->groups[s->ngroups++];
            memset(g, 0, sizeof *g);
            g->type = (uint8_t)key.type;
            g->file = key.file;
            g->line = key.line;
            g->name = key.name;
            g->number = key.number;
        }
        s->group_of[k] = e->index;
        if (slot)
            *slot = e->index;
    }
    free(memo);
    free_index(&index);
    free(c.file_gem);
    return !hs_mem_failed(mem);
}

/* Step 1: the groups and their members. Fails with HS_ERR_NOMEM (*out
 * NULL, nothing kept) when their arrays cannot be allocated. */
static hs_status build(group_set **out, const session *ses, group_by by, hs_error *err)
{
    assert(by < NKEYS);
    const diff_result *diff = ses->diff;
    *out = NULL;
    group_set *s = hs_xcalloc(1, sizeof *s);
    s->by = by;
    s->session = ses;
    s->subject = ses->subject;
    s->diff = diff;
    filter_init(&s->filter);
    s->labels = strtab_new();
    s->ndumps = diff->ndumps;
    hs_mem mem = { 0 };
    if (find_groups(s, &mem)) {
        /* Members by group: a counting sort of diff positions. */
        s->member_start = hs_mem_zalloc(&mem, s->ngroups + 1, sizeof *s->member_start);
        s->members = hs_mem_alloc(&mem, diff->count, sizeof *s->members);
        size_t *fill = hs_mem_alloc(&mem, s->ngroups + 1, sizeof *fill);
        s->order = hs_mem_alloc(&mem, s->ngroups, sizeof *s->order);
        s->full_order = hs_mem_alloc(&mem, s->ngroups, sizeof *s->full_order);
        if (!hs_mem_failed(&mem)) {
            for (size_t k = 0; k < diff->count; k++)
                s->member_start[s->group_of[k] + 1]++;
            for (size_t g = 0; g < s->ngroups; g++)
                s->member_start[g + 1] += s->member_start[g];
            memcpy(fill, s->member_start, (s->ngroups + 1) * sizeof *fill);
            for (size_t k = 0; k < diff->count; k++)
                s->members[fill[s->group_of[k]]++] = (uint32_t)k;
        }
        free(fill);
    }
    if (hs_mem_failed(&mem) || !rank_groups(s, &mem)) {
        group_free(s);
        return hs_mem_fail(err, &mem, "cannot group %zu objects by %s", diff->count, group_by_name(by));
    }
    apply_filter(s);
    for (size_t g = 0; g < s->ngroups; g++) {
        group *grp = &s->groups[g];
        grp->all_count = grp->count;
        grp->all_memsize = grp->memsize;
        grp->all_bytesize = grp->bytesize;
    }
    *out = s;
    return HS_OK;
}

void group_free(group_set *s)
{
    if (!s)
        return;
    free(s->trends);
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
    free(s->ret_pass);
    strtab_free(s->labels);
    filter_free(&s->filter);
    free(s);
}

/* The group whose key object i of c->h has, MEMO_NONE when none has. */
static uint32_t group_of_object(key_ctx *c, gentry *index, size_t i)
{
    gkey key;
    gentry *e = NULL;
    if (key_of(c, i, &key))
        HASH_FIND(hh, index, &key, sizeof key, e);
    return e ? e->index : MEMO_NONE;
}

/* The counts of every group's key among objects [from, to) of dump d into
 * counts (ndumps entries a group, dump d's at [g * ndumps + d]). Reads s
 * and index only, but for the labels a gem key interns: any number may
 * run at once for the other keys. False when mem failed. */
static bool count_dump(group_set *s, gentry *index, size_t d, size_t from, size_t to, uint64_t *counts, hs_mem *mem)
{
    const heap *h = s->session->dumps[d];
    size_t ndumps = s->session->ndumps;
    key_ctx c;
    key_ctx_init(&c, s, h, mem);
    uint32_t *smap = NULL;
    if (h != s->subject) {
        uint32_t n = strtab_count(h->strings);
        smap = hs_mem_alloc(mem, n, sizeof *smap);
        if (smap) {
            smap[0] = STRTAB_NONE;
            for (uint32_t id = 1; id < n; id++) {
                size_t len;
                const char *str = strtab_str(h->strings, id, &len);
                uint32_t sid = strtab_find(s->subject->strings, str, len);
                smap[id] = sid == STRTAB_NONE ? NO_MATCH : sid;
            }
        }
        c.smap = smap;
    }
    /* A key of the site and type alone is looked up once per pair
     * (a few thousand), not once per object (millions); unless the dump
     * has about as many sites as objects. */
    uint32_t *memo = NULL;
    if ((group_keys[s->by].flags & KEY_OF_SITE) && (size_t)h->nsites * RT_COUNT <= 4 * h->count + 4096)
        memo = new_memo((size_t)h->nsites * RT_COUNT, mem);
    for (size_t i = from; i < to && !hs_mem_failed(mem); i++) {
        uint32_t g;
        if (memo) {
            uint32_t *slot = &memo[(size_t)(h->site ? h->site[i] : 0) * RT_COUNT + h->type[i]];
            if (*slot == MEMO_UNKNOWN)
                *slot = group_of_object(&c, index, i);
            g = *slot;
        } else {
            g = group_of_object(&c, index, i);
        }
        if (g != MEMO_NONE)
            counts[(size_t)g * ndumps + d]++;
    }
    free(memo);
    free(smap);
    free(c.file_gem);
    return !hs_mem_failed(mem);
}

/* One thread's share of compute_trends: part `part` of `parts` of every
 * dump's objects, counted into its own counts. */
typedef struct count_job {
    group_set *s;
    gentry *index;
    unsigned part, parts;
    uint64_t *counts;  /* this job's (ngroups * ndumps), or the caller's for part 0 */
    hs_mem mem;        /* what it asked for, on its thread */
} count_job;

static void *count_job_run(void *arg)
{
    count_job *j = arg;
    for (size_t d = 0; d < j->s->session->ndumps && !hs_mem_failed(&j->mem); d++) {
        size_t n = j->s->session->dumps[d]->count;
        count_dump(j->s, j->index, d, n / j->parts * j->part, j->part + 1 == j->parts ? n : n / j->parts * (j->part + 1),
                   j->counts, &j->mem);
    }
    return NULL;
}

/* Below this many objects in all, one thread counts the trends (the app
 * dumps of the tests have more: their golden trends take the two). */
#define COUNT_THREAD_MIN 32768

/* count_dump over every dump into counts, split between two threads when
 * the dumps are large (each counts half of every dump into counts of its
 * own, added up after). */
static void count_all_dumps(group_set *s, gentry *index, uint64_t *counts, hs_mem *mem)
{
    size_t objects = 0, ndumps = s->session->ndumps;
    for (size_t d = 0; d < ndumps; d++)
        objects += s->session->dumps[d]->count;
    count_job jobs[2] = { { .s = s, .index = index, .part = 0, .parts = 2, .counts = counts },
                          { .s = s, .index = index, .part = 1, .parts = 2 } };
    /* A key whose name is a label (the gem's) interns it into the set's
     * labels as it goes (gem_of): that one is counted on one thread. */
    bool writes = group_keys[s->by].flags & KEY_NAME_IS_LABEL;
    unsigned parts = objects >= COUNT_THREAD_MIN && !writes && scanpass_threads(0) > 1 ? 2 : 1;
    if (parts == 2)
        jobs[1].counts = hs_mem_zalloc(&jobs[1].mem, s->ngroups, ndumps * sizeof *counts);
    if (parts == 1 || hs_mem_failed(&jobs[1].mem)) {
        /* Without the second counts, one thread does it all. */
        jobs[0].parts = 1;
        count_job_run(&jobs[0]);
        hs_mem_merge(mem, &jobs[0].mem);
        free(jobs[1].counts);
        return;
    }
    scanpass_jobs(count_job_run, jobs, sizeof *jobs, 2);
    for (size_t k = 0; k < s->ngroups * ndumps; k++)
        counts[k] += jobs[1].counts[k];
    free(jobs[1].counts);
    hs_mem_merge(mem, &jobs[0].mem);
    hs_mem_merge(mem, &jobs[1].mem);
}

/* Step 2: every group's live object count in each dump (every object with
 * the group's key, suspect or not). Only when every dump was loaded with
 * its sites (HEAP_LIGHT or HEAP_FULL with details). Fails with
 * HS_ERR_NOMEM, the trends as they were, when its arrays cannot be
 * allocated. */
static hs_status compute_trends(group_set *s, hs_error *err)
{
    size_t ndumps = s->session->ndumps;
    assert(session_has_trends(s->session));
    hs_mem mem = { 0 };
    uint64_t *counts = hs_mem_zalloc(&mem, s->ngroups, ndumps * sizeof *counts);
    gentry *entries = hs_mem_alloc(&mem, s->ngroups, sizeof *entries);
    gentry *index = NULL;
    for (size_t g = 0; g < s->ngroups && !hs_mem_failed(&mem); g++) {
        const group *grp = &s->groups[g];
        gentry *e = &entries[g];
        memset(&e->key, 0, sizeof e->key);
        e->key = (gkey){ grp->number, grp->file, grp->line, grp->name, grp->type };
        e->index = (uint32_t)g;
        bool added;
        HS_HASH_ADD(index, key, sizeof e->key, e, &mem, added);
        (void)added; /* a failure is in mem */
    }
    count_all_dumps(s, index, counts, &mem);
    clear_index(&index);
    free(entries);
    if (hs_mem_failed(&mem)) {
        free(counts);
        return hs_mem_fail(err, &mem, "cannot count the objects of %zu groups in each of %zu dumps", s->ngroups,
                           ndumps);
    }
    free(s->trends);
    s->trends = counts;
    s->trend_max = 0;
    for (size_t g = 0; g < s->ngroups; g++) {
        s->groups[g].trend = &counts[g * ndumps];
        for (size_t d = 0; d < ndumps; d++)
            s->trend_max = s->groups[g].trend[d] > s->trend_max ? s->groups[g].trend[d] : s->trend_max;
    }
    return HS_OK;
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

/* Step 3: every group's retained size in the latest dump's graph: the sum
 * of the retained sizes of its objects that have no other object of the
 * same group above them in the dominator tree (sum_retained). Fails with
 * HS_ERR_NOMEM, the set as it was, when its arrays cannot be allocated. */
static hs_status compute_retained(group_set *s, hs_error *err)
{
    const session *ses = s->session;
    const graph *gr = ses->graph;
    assert(gr && gr->idom);
    const heap *subject = s->subject;
    size_t count = s->diff->count;
    hs_mem mem = { 0 };
    uint32_t *pre = hs_mem_alloc(&mem, (size_t)gr->n + 1, sizeof *pre);
    uint32_t *end = hs_mem_alloc(&mem, (size_t)gr->n + 1, sizeof *end);
    uint32_t *ret_pre = hs_mem_zalloc(&mem, count, sizeof *ret_pre);
    uint32_t *ret_end = hs_mem_zalloc(&mem, count, sizeof *ret_end);
    uint64_t *ret_size = hs_mem_zalloc(&mem, count, sizeof *ret_size);
    uint32_t *ret_order = hs_mem_alloc(&mem, count, sizeof *ret_order);
    uint8_t *ret_pass = hs_mem_alloc(&mem, count, sizeof *ret_pass);
    /* The preorder's scratch comes from the same step (not tried once one
     * of the arrays above failed). */
    if (hs_mem_failed(&mem) || !graph_dom_preorder(gr, pre, end, &mem)) {
        free(pre);
        free(end);
        free(ret_pre);
        free(ret_end);
        free(ret_size);
        free(ret_order);
        free(ret_pass);
        return hs_mem_fail(err, &mem, "cannot sum the retained sizes of %zu groups of %zu objects", s->ngroups,
                           count);
    }
    for (size_t k = 0; k < count; k++) {
        uint32_t v = session_node_of(ses, subject, s->diff->objects[k]);
        if (v == GRAPH_NONE)
            continue; /* freed, or the slot holds another object now */
        ret_pre[k] = pre[v]; /* 0 when no root reaches it */
        ret_end[k] = end[v];
        ret_size[k] = gr->retained[v];
    }
    free(pre);
    free(end);
    free(s->ret_pre);
    free(s->ret_end);
    free(s->ret_size);
    free(s->ret_order);
    free(s->ret_pass);
    s->ret_pre = ret_pre;
    s->ret_end = ret_end;
    s->ret_size = ret_size;
    s->ret_order = ret_order;
    s->ret_pass = ret_pass;
    /* Each group's members in preorder. */
    memcpy(s->ret_order, s->members, count * sizeof *s->ret_order);
    by_pre ctx = { s->ret_pre };
    for (size_t g = 0; g < s->ngroups; g++)
        qsort_r(s->ret_order + s->member_start[g], s->member_start[g + 1] - s->member_start[g],
                sizeof *s->ret_order, cmp_pre, &ctx);
    sum_retained(s, NULL, true);
    s->has_retained = true;
    s->full_valid = false;
    return HS_OK;
}

/* Step 4: totals over the objects that pass s->filter, and the groups with
 * at least its minimum count listed in s->order, unsorted. */
static void apply_filter(group_set *s)
{
    const heap *h = s->subject;
    for (size_t g = 0; g < s->ngroups; g++) {
        s->groups[g].count = 0;
        s->groups[g].memsize = 0;
        s->groups[g].bytesize = 0;
    }
    bool active = filter_active(&s->filter);
    const obj_filter *f = active ? &s->filter : NULL;
    if (f)
        filter_prepare(&s->filter, h);
    /* Which objects pass, for the retained sizes (they depend on which
     * members of a group are counted, not only on how many). */
    uint8_t *pass = s->has_retained && f ? s->ret_pass : NULL;
    if (pass)
        memset(pass, 0, s->diff->count);
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
    int c = column_compare(ctx->key, a, b, ctx->all, s->session->ndumps);
    return c ? c : cmp_default(a, b, ctx->all);
}

static void reverse_order(size_t *order, size_t n)
{
    for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
        size_t t = order[i];
        order[i] = order[j - 1];
        order[j - 1] = t;
    }
}

/* Step 5: s->order sorted by s->sort. */
static void sort_groups(group_set *s)
{
    group_sort_key key = s->sort;
    bool reverse = s->reverse;
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

/* Every string's rank in byte order; NULL when mem failed. */
static uint32_t *string_ranks(const strtab *t, hs_mem *mem)
{
    uint32_t n = strtab_count(t);
    uint32_t *ids = hs_mem_alloc(mem, n, sizeof *ids), *rank = hs_mem_alloc(mem, n, sizeof *rank);
    if (hs_mem_failed(mem)) {
        free(ids);
        free(rank);
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++)
        ids[i] = i;
    rank_ctx ctx = { t };
    qsort_r(ids, n, sizeof *ids, cmp_ids, &ctx);
    for (uint32_t r = 0; r < n; r++)
        rank[ids[r]] = r;
    free(ids);
    return rank;
}

/* False when mem failed (the ranks are not set). */
static bool rank_groups(group_set *s, hs_mem *mem)
{
    uint32_t *file_rank = string_ranks(s->subject->strings, mem);
    bool by_label = group_keys[s->by].flags & KEY_NAME_IS_LABEL;
    uint32_t *label_rank = by_label && file_rank ? string_ranks(s->labels, mem) : NULL;
    if (!file_rank || (by_label && !label_rank)) {
        free(file_rank);
        return false;
    }
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
    return true;
}

const char *group_label(const group_set *s, const group *g, char *buf, size_t size, size_t *out_len)
{
    label_buf b = { buf, size, 0 };
    group_keys[s->by].label(s, g, &b);
    size_t len = b.len < size ? b.len : size ? size - 1 : 0;
    if (size)
        buf[len] = '\0';
    if (out_len)
        *out_len = len;
    return buf;
}

/* ---- the pipeline ------------------------------------------------------------ */

hs_status group_new(group_set **out, const session *ses, const group_query *q, hs_error *err)
{
    group_set *s;
    hs_status st = build(&s, ses, q->by, err);
    if (st != HS_OK)
        return st;
    s->sort = q->sort;
    s->reverse = q->reverse;
    if (q->trends && session_has_trends(ses))
        st = compute_trends(s, err);
    if (st == HS_OK && ses->graph)
        st = compute_retained(s, err);
    if (st != HS_OK) {
        group_free(s);
        return st;
    }
    if (q->filter)
        filter_copy(&s->filter, q->filter);
    apply_filter(s);
    sort_groups(s);
    *out = s;
    return HS_OK;
}

void group_set_filter(group_set *s, const obj_filter *f)
{
    obj_filter none;
    filter_init(&none);
    filter_copy(&s->filter, f ? f : &none);
    filter_free(&none);
    apply_filter(s);
    sort_groups(s);
}

void group_set_sort(group_set *s, group_sort_key key, bool reverse)
{
    assert(key < SORT_KEY_COUNT);
    s->sort = key;
    s->reverse = reverse;
    sort_groups(s);
}

hs_status group_trends_ready(group_set *s, hs_error *err)
{
    if (!session_has_trends(s->session))
        return HS_OK;
    hs_status st = compute_trends(s, err);
    if (st != HS_OK)
        return st;
    s->full_valid = false; /* sorted by live counts, the full order was by count */
    sort_groups(s);
    return HS_OK;
}

hs_status group_graph_ready(group_set *s, hs_error *err)
{
    hs_status st = compute_retained(s, err);
    if (st != HS_OK)
        return st;
    apply_filter(s);
    sort_groups(s);
    return HS_OK;
}
