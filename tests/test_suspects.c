/* test_suspects.c - the retained set by holder: the dominator-tree walk on
 * hand-made graphs (nested holders, two holders, a new holder held by an
 * old one, cycles, the virtual root, a million-deep chain), whole suspects
 * on small hand-written dumps (folding, noise, growth, filters), and on the
 * shipped app dumps, checked against a walk done here the slow way. */
#include "testutil.h"

#include "diff.h"
#include "filter.h"
#include "graph.h"
#include "group.h"
#include "heap_graph.h"
#include "holders.h"
#include "objinfo.h"
#include "report_json.h"
#include "suspects.h"
#include "suspects_report.h"
#include "view.h"
#include "view_kinds.h" /* view_open_object, view_open_group */
#include "why.h"

#define N GRAPH_NONE

/* Builds a graph from adjacency lists: adj[v] ends with N; roots[k] has
 * category kinds[k] (NULL: all 0). */
static void build(graph *g, uint32_t n, const uint32_t adj[][6], const uint32_t *roots, const uint8_t *kinds,
                  size_t nroots)
{
    uint64_t *start = calloc(n + 1, sizeof *start);
    uint32_t refs[256];
    size_t at = 0;
    for (uint32_t v = 0; v < n; v++) {
        start[v] = at;
        for (int k = 0; adj[v][k] != N; k++)
            refs[at++] = adj[v][k];
    }
    start[n] = at;
    assert_int_equal(graph_build(g, n, start, refs, roots, kinds, nroots, NULL), HS_OK);
    free(start);
    assert_int_equal(graph_dominators(g, NULL, NULL, NULL), HS_OK);
}

/* The holders of the members listed (all marked in a fresh member array). */
static void walk(const graph *g, const uint32_t *members, size_t n, uint32_t *holder, uint32_t *top)
{
    uint8_t *member = calloc((size_t)g->n + 1, 1);
    for (size_t k = 0; k < n; k++)
        member[members[k]] = 1;
    hs_mem mem = { 0 };
    assert_true(suspects_walk_up(g, member, members, n, holder, top, &mem));
    free(member);
}

/* root -> 0 (old) -> 1 (new) -> 2 (old) -> 3 (new) -> 4 (new): each new
 * object is held by the nearest old one above it. */
static void nested_holders(void **state)
{
    (void)state;
    static const uint32_t adj[5][6] = { { 1, N }, { 2, N }, { 3, N }, { 4, N }, { N } };
    uint32_t roots[] = { 0 };
    graph g;
    build(&g, 5, adj, roots, NULL, 1);
    uint32_t members[] = { 4, 1, 3 }, holder[6], top[6];
    walk(&g, members, 3, holder, top);
    assert_int_equal(holder[1], 0);
    assert_int_equal(top[1], 1);
    assert_int_equal(holder[3], 2);
    assert_int_equal(holder[4], 2);
    assert_int_equal(top[4], 3); /* the last new object on the way up */
    graph_free(&g);
}

/* root -> 0 -> 1, 2; 1 -> 3; 2 -> 3: the new 3 has two holders, 1 and 2,
 * and neither alone holds it: their common dominator 0 does. */
static void held_by_two_holders(void **state)
{
    (void)state;
    static const uint32_t adj[4][6] = { { 1, 2, N }, { 3, N }, { 3, N }, { N } };
    uint32_t roots[] = { 0 };
    graph g;
    build(&g, 4, adj, roots, NULL, 1);
    uint32_t members[] = { 3 }, holder[5], top[5];
    walk(&g, members, 1, holder, top);
    assert_int_equal(holder[3], 0);
    graph_free(&g);
}

/* root -> 0 (old) -> 1 (new) -> 2 (new): the new holder 1 is itself held
 * by the old 0, which holds both. */
static void new_holder_held_by_an_old_one(void **state)
{
    (void)state;
    static const uint32_t adj[3][6] = { { 1, N }, { 2, N }, { N } };
    uint32_t roots[] = { 0 };
    graph g;
    build(&g, 3, adj, roots, NULL, 1);
    uint32_t members[] = { 2, 1 }, holder[4], top[4];
    walk(&g, members, 2, holder, top);
    assert_int_equal(holder[2], 0);
    assert_int_equal(holder[1], 0);
    assert_int_equal(top[2], 1);
    graph_free(&g);
}

/* root -> 0 (old) -> 1; 1 -> 2 -> 3 -> 1 (a cycle of new objects): the
 * cycle changes nothing, 0 holds all three. */
static void cycles_inside_the_set(void **state)
{
    (void)state;
    static const uint32_t adj[4][6] = { { 1, N }, { 2, N }, { 3, N }, { 1, 3, N } };
    uint32_t roots[] = { 0 };
    graph g;
    build(&g, 4, adj, roots, NULL, 1);
    uint32_t members[] = { 3, 2, 1 }, holder[5], top[5];
    walk(&g, members, 3, holder, top);
    for (int k = 0; k < 3; k++)
        assert_int_equal(holder[members[k]], 0);
    graph_free(&g);
}

/* vm -> 0 -> 2; machine_context -> 1 -> 2; machine_context -> 3; 4 is
 * unreachable: 2 is held by the roots together (both categories reach
 * it), 3 by the stack alone, 4 by nothing. */
static void the_virtual_root(void **state)
{
    (void)state;
    static const uint32_t adj[5][6] = { { 2, N }, { 2, N }, { N }, { N }, { 2, N } };
    uint32_t roots[] = { 0, 1, 3 };
    uint8_t kinds[] = { 1, 2, 2 };
    graph g;
    build(&g, 5, adj, roots, kinds, 3);
    uint32_t members[] = { 2, 3, 4 }, holder[6], top[6];
    walk(&g, members, 3, holder, top);
    assert_int_equal(holder[2], 5); /* the virtual root */
    assert_int_equal(holder[3], 5);
    assert_int_equal(holder[4], N); /* no root reaches it */
    uint16_t mask[6];
    hs_mem mem = { 0 };
    assert_true(graph_root_masks(&g, mask, &mem));
    assert_int_equal(mask[2], (1u << 1) | (1u << 2));
    assert_int_equal(mask[3], 1u << 2);
    assert_int_equal(mask[0], 1u << 1);
    assert_int_equal(mask[4], 0);
    graph_free(&g);
}

/* A million-deep chain of new objects under one old one, walked from the
 * bottom up and from the top down: linear either way, no recursion. */
static void million_deep_chain(void **state)
{
    (void)state;
    uint32_t n = 1000000;
    uint64_t *start = malloc((n + 1) * sizeof *start);
    uint32_t *refs = malloc(n * sizeof *refs);
    for (uint32_t v = 0; v < n; v++) {
        start[v] = v;
        refs[v] = v + 1 < n ? v + 1 : GRAPH_NONE;
    }
    start[n] = n;
    uint32_t root = 0;
    graph g;
    assert_int_equal(graph_build(&g, n, start, refs, &root, NULL, 1, NULL), HS_OK);
    assert_int_equal(graph_dominators(&g, NULL, NULL, NULL), HS_OK);
    uint32_t *members = malloc(n * sizeof *members);
    uint32_t *holder = malloc((n + 1) * sizeof *holder), *top = malloc((n + 1) * sizeof *top);
    for (int order = 0; order < 2; order++) {
        for (uint32_t k = 0; k < n - 1; k++)
            members[k] = order ? k + 1 : n - 1 - k; /* everything but node 0 */
        walk(&g, members, n - 1, holder, top);
        assert_int_equal(holder[n - 1], 0);
        assert_int_equal(holder[1], 0);
        assert_int_equal(top[n - 1], 1);
    }
    /* Every node new: the virtual root holds the chain through its head. */
    for (uint32_t k = 0; k < n; k++)
        members[k] = n - 1 - k;
    walk(&g, members, n, holder, top);
    assert_int_equal(holder[n - 1], n);
    assert_int_equal(top[n - 1], 0);
    free(members);
    free(holder);
    free(top);
    graph_free(&g);
    free(start);
    free(refs);
}

static void growth_verdicts(void **state)
{
    (void)state;
    uint64_t every[] = { 5, 3 }, once[] = { 5, 0 }, settled[] = { 5, 2, 0 }, again[] = { 5, 0, 1 }, once3[] = { 5, 0, 0 };
    assert_int_equal(suspect_growth_of(every, 2), SUSPECT_GROWS);
    assert_int_equal(suspect_growth_of(once, 2), SUSPECT_GREW_ONCE);
    assert_int_equal(suspect_growth_of(settled, 3), SUSPECT_SETTLED);
    assert_int_equal(suspect_growth_of(again, 3), SUSPECT_GROWS_AGAIN);
    assert_int_equal(suspect_growth_of(once3, 3), SUSPECT_GREW_ONCE);
    assert_string_equal(suspect_growth_text(SUSPECT_GROWS), "grows in every window");
    assert_string_equal(suspect_growth_text(SUSPECT_GREW_ONCE), "grew once");
    assert_string_equal(suspect_growth_text(SUSPECT_SETTLED), "settled");
}

/* ---- whole suspects on hand-written dumps ------------------------------------ */

/* One loaded analysis with its graph, from dumps written as text. */
typedef struct loaded {
    heap *dumps[4];
    size_t n;
    diff_result *diff;
    session *ses;
    group_set *set;
} loaded;

static void load_texts(loaded *l, const char *const *texts, size_t n, const obj_filter *filter)
{
    memset(l, 0, sizeof *l);
    l->n = n;
    hs_error err;
    for (size_t k = 0; k < n; k++) {
        const char *path = temp_file_with(texts[k], strlen(texts[k]));
        heap_load_opts opts = { .mode = HEAP_FULL, .threads = 1 };
        if (heap_load(&l->dumps[k], path, &opts, &err) != HS_OK)
            fail_msg("%s", err.msg);
        unlink(path);
    }
    if (diff_run(&l->diff, l->dumps, n, DIFF_ID_EXACT, &err) != HS_OK)
        fail_msg("%s", err.msg);
    test_load_details(l->dumps[l->diff->subject], l->diff->objects, l->diff->count, 1);
    heap_graph hg;
    if (heap_graph_read(&hg, l->dumps[n - 1], 1, NULL, &err) != HS_OK)
        fail_msg("%s", err.msg);
    l->ses = session_borrow(l->dumps, n, l->diff);
    session_attach_graph(l->ses, &hg);
    group_query q = { .by = GROUP_SITE, .filter = filter, .sort = SORT_COUNT };
    l->set = test_group_new(l->ses, &q);
}

static void unload(loaded *l)
{
    group_free(l->set);
    session_free(l->ses);
    diff_free(l->diff);
    for (size_t k = 0; k < l->n; k++)
        heap_free(l->dumps[k]);
}

/* An object line: address, type, class, site, generation, memsize, then
 * references (a JSON list body, may be empty). */
#define OBJ(addr, type, cls, file, line, gen, mem, refs)                                                        \
    "{\"address\":\"" addr "\", \"type\":\"" type "\", \"class\":\"" cls "\", \"references\":[" refs           \
    "], \"file\":\"" file "\", \"line\":" #line ", \"generation\":" #gen ", \"memsize\":" #mem "}\n"

/* Before dump 1: a module Cache (0x100) whose hash (0x110) caches strings,
 * an array (0x120) of request hashes (0x130, 0x140), classes Hash, String,
 * Array, Module (0x10 ... 0x40). */
#define CLASSES                                                                                                 \
    "{\"address\":\"0x10\", \"type\":\"CLASS\", \"name\":\"Hash\", \"memsize\":40}\n"                          \
    "{\"address\":\"0x20\", \"type\":\"CLASS\", \"name\":\"String\", \"memsize\":40}\n"                        \
    "{\"address\":\"0x30\", \"type\":\"CLASS\", \"name\":\"Array\", \"memsize\":40}\n"                         \
    "{\"address\":\"0x40\", \"type\":\"CLASS\", \"name\":\"Module\", \"memsize\":40}\n"                        \
    "{\"address\":\"0x100\", \"type\":\"MODULE\", \"class\":\"0x40\", \"name\":\"Cache\", \"references\":[\"0x110\"], " \
    "\"file\":\"cache.rb\", \"line\":1, \"generation\":1, \"memsize\":40}\n"
#define ROOTS(refs) "{\"type\":\"ROOT\", \"root\":\"vm\", \"references\":[\"0x10\", \"0x20\", \"0x30\", \"0x40\", \"0x100\", \"0x120\"" refs "]}\n"
#define OLD(cache_refs, req1_refs, req2_refs)                                                                   \
    OBJ("0x110", "HASH", "0x10", "cache.rb", 2, 1, 40, cache_refs)                                              \
    OBJ("0x120", "ARRAY", "0x30", "queue.rb", 1, 1, 40, "\"0x130\", \"0x140\"")                                 \
    OBJ("0x130", "HASH", "0x10", "request.rb", 5, 1, 40, req1_refs)                                             \
    OBJ("0x140", "HASH", "0x10", "request.rb", 5, 1, 40, req2_refs)

/* Dump 2 adds two cached strings, a string in each request hash, and one
 * of dump_all's call caches on the stack; dump 3 one more cached string. */
static const char *const small_dumps[3] = {
    ROOTS("") CLASSES OLD("", "", ""),
    "{\"type\":\"ROOT\", \"root\":\"machine_context\", \"references\":[\"0x300\"]}\n"
    ROOTS("") CLASSES OLD("\"0x200\", \"0x210\"", "\"0x220\"", "\"0x230\"")
    OBJ("0x200", "STRING", "0x20", "cache.rb", 7, 2, 100, "")
    OBJ("0x210", "STRING", "0x20", "cache.rb", 7, 2, 100, "")
    OBJ("0x220", "STRING", "0x20", "request.rb", 9, 2, 40, "")
    OBJ("0x230", "STRING", "0x20", "request.rb", 9, 2, 40, "")
    OBJ("0x300", "IMEMO", "0x10", "/usr/lib/ruby/3.1.0/objspace.rb", 88, 2, 40, ""),
    "{\"type\":\"ROOT\", \"root\":\"machine_context\", \"references\":[\"0x300\"]}\n"
    ROOTS("") CLASSES OLD("\"0x200\", \"0x210\", \"0x240\"", "\"0x220\"", "\"0x230\"")
    OBJ("0x200", "STRING", "0x20", "cache.rb", 7, 2, 100, "")
    OBJ("0x210", "STRING", "0x20", "cache.rb", 7, 2, 100, "")
    OBJ("0x220", "STRING", "0x20", "request.rb", 9, 2, 40, "")
    OBJ("0x230", "STRING", "0x20", "request.rb", 9, 2, 40, "")
    OBJ("0x240", "STRING", "0x20", "cache.rb", 7, 3, 100, "")
    OBJ("0x300", "IMEMO", "0x10", "/usr/lib/ruby/3.1.0/objspace.rb", 88, 2, 40, ""),
};

static char *line_of(const loaded *l, const suspects *sp, size_t r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    suspects_write_line(out, l->ses, sp, r, false);
    fclose(out);
    return buf;
}

static void small_service(void **state)
{
    (void)state;
    loaded l;
    load_texts(&l, small_dumps, 3, NULL);
    suspects sp;
    hs_error err;
    assert_int_equal(suspects_find(l.ses, l.set, &sp, &err), HS_OK);
    assert_int_equal(sp.nrows, 3);
    assert_int_equal(sp.total_count, 5);
    assert_int_equal(sp.nwindows, 2);

    /* The cache: two strings in window 1, one more in window 2. */
    const suspect *cache = &sp.rows[0];
    assert_int_equal(cache->kind, SUSPECT_HELD);
    assert_int_equal(cache->count, 2);
    assert_int_equal(cache->memsize, 200);
    assert_int_equal(cache->holder_addr, 0x110);
    assert_int_equal(cache->nholders, 1);
    assert_int_equal(cache->window[0], 2);
    assert_int_equal(cache->window[1], 1);
    assert_int_equal(cache->growth, SUSPECT_GROWS);
    assert_int_equal(cache->ngroups, 1);
    assert_int_equal(sp.groups[cache->group_start].count, 2);
    char *text = line_of(&l, &sp, 0);
    assert_string_equal(text, "Suspect 1: HASH Hash at cache.rb:2 (0x110) holds 2 retained objects, 200 bytes "
                              "(62.5% of retained bytes)\n");
    free(text);
    /* Its root path: vm -> Cache -> the hash. */
    assert_int_equal(cache->path_len, 2);
    assert_int_equal(l.dumps[2]->addr[cache->path[0]], 0x100);
    assert_int_equal(l.dumps[2]->addr[cache->path[1]], 0x110);

    /* The two request hashes fold into one row and grew once. */
    const suspect *req = &sp.rows[1];
    assert_int_equal(req->nholders, 2);
    assert_int_equal(req->count, 2);
    assert_int_equal(req->growth, SUSPECT_GREW_ONCE);
    text = line_of(&l, &sp, 1);
    assert_string_equal(text, "Suspect 2: HASH Hash at request.rb:5 (2 holders) holds 2 retained objects, 80 bytes "
                              "(25.0% of retained bytes)\n");
    free(text);

    /* dump_all's call cache, on the stack: last, labelled. */
    const suspect *noise = &sp.rows[2];
    assert_true(noise->noise);
    assert_int_equal(noise->kind, SUSPECT_STACK);
    text = line_of(&l, &sp, 2);
    assert_string_equal(text, "Suspect 3: [dump_all's own objects] on a thread's stack at dump time holds 1 "
                              "retained objects, 40 bytes (12.5% of retained bytes)\n");
    free(text);

    /* Every member once, in its row. */
    uint64_t sum = 0;
    for (size_t r = 0; r < sp.nrows; r++)
        sum += sp.rows[r].count;
    assert_int_equal(sum, l.set->total_count);
    suspects_free(&sp);
    unload(&l);
}

/* A filter chooses what counts: only request.rb's objects, then only
 * strings of cache.rb (whose later window counts follow the filter). */
static void filters_choose_what_counts(void **state)
{
    (void)state;
    obj_filter f;
    filter_init(&f);
    filter_set_include(&f, "request.rb");
    loaded l;
    load_texts(&l, small_dumps, 3, &f);
    suspects sp;
    hs_error err;
    assert_int_equal(suspects_find(l.ses, l.set, &sp, &err), HS_OK);
    assert_int_equal(sp.nrows, 1);
    assert_int_equal(sp.rows[0].nholders, 2);
    assert_int_equal(sp.total_count, 2);
    suspects_free(&sp);
    unload(&l);

    filter_set_include(&f, "cache.rb");
    const char *bad;
    assert_true(filter_set_types(&f, "STRING", &bad));
    load_texts(&l, small_dumps, 3, &f);
    assert_int_equal(suspects_find(l.ses, l.set, &sp, &err), HS_OK);
    assert_int_equal(sp.nrows, 1);
    assert_int_equal(sp.rows[0].window[1], 1);
    suspects_free(&sp);
    unload(&l);

    /* Excluding the cache's file: its window 2 string counts no more. */
    filter_free(&f);
    filter_init(&f);
    filter_set_exclude(&f, "cache.rb");
    load_texts(&l, small_dumps, 3, &f);
    assert_int_equal(suspects_find(l.ses, l.set, &sp, &err), HS_OK);
    assert_int_equal(sp.nrows, 2);
    assert_int_equal(sp.total_count, 3);
    suspects_free(&sp);
    unload(&l);
    filter_free(&f);
}

/* A fourth dump: the cache settles (nothing new since dump 3), one request
 * hash gets a new string (it grows again), under a path filter that keeps
 * both (the later windows' sites are read, then filtered). */
static void four_dumps(void **state)
{
    (void)state;
    const char *texts[4] = {
        small_dumps[0], small_dumps[1], small_dumps[2],
        "{\"type\":\"ROOT\", \"root\":\"machine_context\", \"references\":[\"0x300\"]}\n"
        ROOTS("") CLASSES OLD("\"0x200\", \"0x210\", \"0x240\"", "\"0x220\", \"0x250\"", "\"0x230\"")
        OBJ("0x200", "STRING", "0x20", "cache.rb", 7, 2, 100, "")
        OBJ("0x210", "STRING", "0x20", "cache.rb", 7, 2, 100, "")
        OBJ("0x220", "STRING", "0x20", "request.rb", 9, 2, 40, "")
        OBJ("0x230", "STRING", "0x20", "request.rb", 9, 2, 40, "")
        OBJ("0x240", "STRING", "0x20", "cache.rb", 7, 3, 100, "")
        OBJ("0x250", "STRING", "0x20", "request.rb", 11, 4, 40, "")
        OBJ("0x300", "IMEMO", "0x10", "/usr/lib/ruby/3.1.0/objspace.rb", 88, 2, 40, ""),
    };
    obj_filter f;
    filter_init(&f);
    filter_set_include(&f, "*.rb");
    loaded l;
    load_texts(&l, texts, 4, &f);
    suspects sp;
    hs_error err;
    assert_int_equal(suspects_find(l.ses, l.set, &sp, &err), HS_OK);
    assert_int_equal(sp.nwindows, 3);
    const suspect *cache = &sp.rows[0], *req = &sp.rows[1];
    assert_int_equal(cache->holder_addr, 0x110);
    assert_int_equal(cache->window[1], 1);
    assert_int_equal(cache->window[2], 0);
    assert_int_equal(cache->growth, SUSPECT_SETTLED);
    assert_int_equal(req->nholders, 2);
    assert_int_equal(req->window[1], 0);
    assert_int_equal(req->window[2], 1);
    assert_int_equal(req->growth, SUSPECT_GROWS_AGAIN);
    suspects_free(&sp);
    unload(&l);
    filter_free(&f);
}

/* One dump: everything is live, and every object's holder is the virtual
 * root or nothing. */
static void one_dump(void **state)
{
    (void)state;
    loaded l;
    load_texts(&l, small_dumps + 2, 1, NULL);
    suspects sp;
    hs_error err;
    assert_int_equal(suspects_find(l.ses, l.set, &sp, &err), HS_OK);
    assert_int_equal(sp.nwindows, 0);
    assert_int_equal(sp.total_count, l.dumps[0]->count);
    for (size_t r = 0; r < sp.nrows; r++)
        assert_int_not_equal(sp.rows[r].kind, SUSPECT_HELD);
    suspects_free(&sp);
    unload(&l);
}

/* ---- the shipped app dumps -------------------------------------------------- */

static heap *app[3];
static diff_result *retained;
static session *ses;

static int load_app(void **state)
{
    (void)state;
    for (int k = 0; k < 3; k++) {
        char name[32];
        snprintf(name, sizeof name, "app-%d.json.gz", k + 1);
        heap_load_opts opts = { .mode = k == 0 ? HEAP_IDENTITY : HEAP_FULL, .threads = 0 };
        hs_error err;
        if (heap_load(&app[k], data_path(name), &opts, &err) != HS_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return -1;
        }
    }
    hs_error err;
    if (diff_run(&retained, app, 3, DIFF_ID_EXACT, &err) != HS_OK)
        return -1;
    test_load_details(app[1], retained->objects, retained->count, 0);
    heap_graph hg;
    if (heap_graph_read(&hg, app[2], 2, NULL, &err) != HS_OK)
        return -1;
    ses = session_borrow(app, 3, retained);
    session_attach_graph(ses, &hg);
    return 0;
}

static int free_app(void **state)
{
    (void)state;
    session_free(ses);
    diff_free(retained);
    for (int k = 0; k < 3; k++)
        heap_free(app[k]);
    return 0;
}

/* The holder of node v, walking up one step at a time. */
static uint32_t slow_holder(const graph *g, const uint8_t *in_r, uint32_t v)
{
    uint32_t u = g->idom[v];
    while (u != GRAPH_NONE && u != g->n && in_r[u])
        u = g->idom[u];
    return u;
}

/* Every retained object in exactly one suspect, held by one of its
 * holders; the counts add up to the report's total; the figures
 * (62 holding objects folded into 7, then the roots). */
static void app_suspects(void **state)
{
    (void)state;
    group_query q = { .by = GROUP_SITE, .sort = SORT_COUNT };
    group_set *set = test_group_new(ses, &q);
    suspects sp;
    hs_error err;
    assert_int_equal(suspects_find(ses, set, &sp, &err), HS_OK);
    assert_int_equal(sp.total_count, set->total_count);
    assert_int_equal(sp.total_count, 3485);
    assert_int_equal(sp.total_memsize, set->total_memsize);
    const graph *g = ses->graph;
    uint8_t *in_r = calloc((size_t)g->n + 1, 1);
    for (size_t k = 0; k < retained->count; k++)
        in_r[session_node_of(ses, app[1], retained->objects[k])] = 1;
    uint8_t *seen = calloc(retained->count, 1);
    size_t holding = 0, folded = 0;
    uint64_t sum = 0;
    for (size_t r = 0; r < sp.nrows; r++) {
        const suspect *row = &sp.rows[r];
        sum += row->count;
        if (r)
            assert_true(row->noise >= sp.rows[r - 1].noise);
        if (row->kind == SUSPECT_HELD && !row->noise) {
            holding += row->nholders;
            folded++;
        }
        uint64_t by_holders = 0;
        for (size_t k = 0; k < row->nholders; k++)
            by_holders += sp.holders[row->holder_start + k].count;
        assert_true(row->kind != SUSPECT_HELD || by_holders == row->count);
        uint64_t by_groups = 0;
        for (size_t k = 0; k < row->ngroups; k++)
            by_groups += sp.groups[row->group_start + k].count;
        assert_int_equal(by_groups, row->count);
        for (size_t m = row->member_start; m < row->member_start + row->count; m++) {
            uint32_t pos = sp.members[m];
            assert_false(seen[pos]);
            seen[pos] = 1;
            uint32_t v = session_node_of(ses, app[1], retained->objects[pos]);
            uint32_t h = slow_holder(g, in_r, v);
            if (row->kind == SUSPECT_HELD) {
                bool found = false;
                for (size_t k = 0; k < row->nholders && !found; k++)
                    found = sp.holders[row->holder_start + k].node == h;
                assert_true(found);
            } else {
                assert_int_equal(h, row->kind == SUSPECT_UNREACHED ? GRAPH_NONE : g->n);
            }
        }
        /* The path is the one session_root_path finds. */
        if (row->example != GRAPH_NONE) {
            uint32_t *path;
            size_t len;
            unsigned kind;
            assert_int_equal(session_root_path(ses, row->example, &path, &len, &kind, NULL), HS_OK);
            assert_int_equal(len, row->path_len);
            assert_int_equal(kind, row->path_root);
            for (size_t k = 0; k < len; k++)
                assert_int_equal(path[k], row->path[k]);
            free(path);
        }
    }
    assert_int_equal(sum, set->total_count);
    assert_int_equal(holding, 62);
    assert_int_equal(folded, 7);
    assert_int_equal(sp.held_rows, 7);
    assert_int_equal(sp.nrows, 9); /* and the roots' row, and dump_all's */
    assert_true(sp.rows[sp.nrows - 1].noise);
    free(seen);
    free(in_r);
    suspects_free(&sp);
    group_free(set);
}

/* graph_root_tree answers as graph_root_path does, for every node. */
static void root_tree_matches_root_paths(void **state)
{
    (void)state;
    const graph *g = ses->graph;
    uint32_t *parent = malloc(((size_t)g->n + 1) * sizeof *parent);
    hs_mem mem = { 0 };
    assert_true(graph_root_tree(g, ses->avoid_root, parent, &mem));
    for (uint32_t v = 0; v < g->n; v += 7) {
        uint32_t *a, *b;
        size_t la, lb;
        unsigned ka, kb;
        assert_true(graph_root_path(g, v, ses->avoid_root, &a, &la, &ka, &mem));
        assert_true(graph_tree_path(g, parent, v, ses->avoid_root, &b, &lb, &kb, &mem));
        assert_int_equal(la, lb);
        assert_int_equal(ka, kb);
        for (size_t k = 0; k < la; k++)
            assert_int_equal(a[k], b[k]);
        free(a);
        free(b);
    }
    free(parent);
}

/* No graph: an error, not a crash. */
static void without_a_graph(void **state)
{
    (void)state;
    session *bare = session_borrow(app, 3, retained);
    group_query q = { .by = GROUP_SITE, .sort = SORT_COUNT };
    group_set *set = test_group_new(bare, &q);
    suspects sp;
    hs_error err;
    assert_int_equal(suspects_find(bare, set, &sp, &err), HS_ERR_USAGE);
    assert_non_null(strstr(err.msg, "graph"));
    group_free(set);
    session_free(bare);
}

/* ---- out of memory ---------------------------------------------------------- */

/* One analysis of the small service, run with allocations failing. */
typedef hs_status (*analysis)(loaded *l, hs_error *err);

static hs_status run_group(loaded *l, hs_error *err)
{
    group_query q = { .by = GROUP_SITE, .sort = SORT_COUNT, .trends = true };
    group_set *set = NULL;
    hs_status st = group_new(&set, l->ses, &q, err);
    group_free(set);
    return st;
}

static hs_status run_regraph(loaded *l, hs_error *err)
{
    return group_graph_ready(l->set, err);
}

static hs_status run_suspects(loaded *l, hs_error *err)
{
    suspects sp;
    hs_status st = suspects_find(l->ses, l->set, &sp, err);
    suspects_free(&sp);
    return st;
}

static hs_status run_why(loaded *l, hs_error *err)
{
    why_group w;
    hs_status st = why_analyze_group(l->ses, l->set, &l->set->groups[l->set->order[0]], &w, err);
    why_group_free(&w);
    return st;
}

static hs_status run_holders(loaded *l, hs_error *err)
{
    /* Every node of the latest dump's graph but the classes (0x10 ... 0x40). */
    uint32_t nodes[16];
    size_t n = 0;
    for (uint32_t v = 4; v < l->ses->graph->n; v++)
        nodes[n++] = v;
    holders h;
    hs_status st = holders_find(l->ses, nodes, n, &h, err);
    holders_free(&h);
    return st;
}

static hs_status run_objinfo(loaded *l, hs_error *err)
{
    objinfo oi;
    heap *latest = l->dumps[2];
    hs_status st = objinfo_load(&oi, latest, l->ses->addrs, 5, err); /* 0x110, the cache */
    objinfo_free(&oi);
    return st;
}

static hs_status run_diff(loaded *l, hs_error *err)
{
    diff_result *d = NULL;
    hs_status st = diff_run(&d, l->dumps, 3, DIFF_ID_EXACT, err);
    diff_free(d);
    return st;
}

/* The latest dump's node of the object at addr. */
static uint32_t node_at(const loaded *l, uint64_t addr)
{
    uint32_t v = session_node_at(l->ses, addr);
    assert_int_not_equal(v, GRAPH_NONE);
    return v;
}

/* The graph's search alone: its scratch and the path come from one hs_mem. */
static hs_status run_graph_path(loaded *l, hs_error *err)
{
    hs_mem mem = { 0 };
    uint32_t *path;
    size_t len;
    unsigned kind;
    if (!graph_root_path(l->ses->graph, node_at(l, 0x240), l->ses->avoid_root, &path, &len, &kind, &mem)) {
        assert_null(path);
        assert_int_equal(len, 0);
        return hs_mem_fail(err, &mem, "the path");
    }
    assert_int_equal(len, 3); /* Cache, its hash, the string */
    free(path);
    return HS_OK;
}

/* The search, the path and the hops' details, as every view asks. */
static hs_status run_session_path(loaded *l, hs_error *err)
{
    uint32_t *path = (uint32_t *)1;
    size_t len = 1;
    unsigned kind;
    hs_status st = session_root_path(l->ses, node_at(l, 0x240), &path, &len, &kind, err);
    if (st != HS_OK) {
        assert_null(path);
        assert_int_equal(len, 0);
        return st;
    }
    assert_int_equal(len, 3);
    free(path);
    return HS_OK;
}

/* --path (text, then JSON): nothing is written when it fails. */
static hs_status run_path_report(loaded *l, hs_error *err)
{
    for (int json = 0; json < 2; json++) {
        char *buf = NULL;
        size_t size = 0;
        FILE *out = open_memstream(&buf, &size);
        hs_status st = json ? report_json_path(out, l->ses, 0x240, err) : why_write_path(out, l->ses, 0x240, err);
        fclose(out);
        if (st != HS_OK)
            assert_int_equal(size, 0);
        free(buf);
        if (st != HS_OK)
            return st;
    }
    return HS_OK;
}

/* With the first allocation failing: the status and message (its end
 * when tail: it starts with a temporary file's name); then with each later
 * one failing in turn until the analysis needs no more: always
 * HS_ERR_NOMEM with a message of the same start, nothing leaked (the
 * sanitizers' runs check), and success once nothing fails. */
static void fails_each_way_at(analysis run, const char *first, bool tail, const char *start)
{
    loaded l;
    load_texts(&l, small_dumps, 3, NULL);
    hs_error err = { 0 };
    hs_mem_fail_after(0);
    hs_status st = run(&l, &err);
    hs_mem_fail_after(-1);
    assert_int_equal(st, HS_ERR_NOMEM);
    size_t skip = tail && strlen(err.msg) > strlen(first) ? strlen(err.msg) - strlen(first) : 0;
    assert_string_equal(err.msg + skip, first);
    size_t n = 1;
    for (; n < 10000; n++) {
        memset(&err, 0, sizeof err);
        hs_mem_fail_after((long)n);
        st = run(&l, &err);
        hs_mem_fail_after(-1);
        if (st == HS_OK)
            break;
        assert_int_equal(st, HS_ERR_NOMEM);
        if (!strstr(err.msg, start) || (!tail && strncmp(err.msg, start, strlen(start)) != 0))
            fail_msg("after %zu allocations: %s", n, err.msg);
    }
    if (n == 10000)
        fail_msg("still failing: %s", err.msg);
    assert_int_equal(run(&l, &err), HS_OK);
    unload(&l);
}

static void fails_each_way(analysis run, const char *first, const char *start)
{
    fails_each_way_at(run, first, false, start);
}

static void nomem_group(void **state)
{
    (void)state;
    fails_each_way(run_group,
                   "cannot group 5 objects by site: 536 B of memory needed, of which 20 B could not be allocated "
                   "(Cannot allocate memory)",
                   "cannot "); /* grouping, or summing the retained sizes */
}

static void nomem_retained(void **state)
{
    (void)state;
    fails_each_way(run_regraph,
                   "cannot sum the retained sizes of 3 groups of 5 objects: 233 B of memory needed, of which 64 B "
                   "could not be allocated (Cannot allocate memory)",
                   "cannot sum the retained sizes of 3 groups of 5 objects: ");
}

static void nomem_suspects(void **state)
{
    (void)state;
    fails_each_way(run_suspects,
                   "cannot find what holds 5 objects (the suspects): 208 B of memory needed, of which 16 B could not "
                   "be allocated (Cannot allocate memory)",
                   "cannot ");
}

static void nomem_why(void **state)
{
    (void)state;
    /* Then in its largest's root path (the message starts with the dump's
     * name, a temporary file's). */
    fails_each_way_at(run_why,
                      "cannot find what holds 2 objects: 8 B of memory needed, of which 8 B could not be allocated "
                      "(Cannot allocate memory)",
                      true, "cannot ");
}

static void nomem_holders(void **state)
{
    (void)state;
    fails_each_way(run_holders,
                   "cannot find what holds 11 objects: 168 B of memory needed, of which 44 B could not be allocated "
                   "(Cannot allocate memory)",
                   "cannot find what holds 11 objects: ");
}

static void nomem_objinfo(void **state)
{
    (void)state;
    fails_each_way_at(run_objinfo,
                      ": cannot read object 0x110 (a line of 151 bytes): 215 B of memory needed, of which 215 B "
                      "could not be allocated (Cannot allocate memory)",
                      true, ": ");
}

static void nomem_diff(void **state)
{
    (void)state;
    fails_each_way(run_diff,
                   "cannot compare the 3 dumps (14 objects in dump 2): 14 B of memory needed, of which 14 B could "
                   "not be allocated (Cannot allocate memory)",
                   "cannot compare the 3 dumps (14 objects in dump 2): ");
}

static void nomem_graph_path(void **state)
{
    (void)state;
    fails_each_way(run_graph_path,
                   "the path: 128 B of memory needed, of which 64 B could not be allocated (Cannot allocate memory)",
                   "the path: ");
}

static void nomem_session_path(void **state)
{
    (void)state;
    fails_each_way_at(run_session_path,
                      ": 12 B of memory needed, of which 12 B could not be allocated (Cannot allocate memory)", true,
                      "the path from a GC root to 0x240");
}

static void nomem_path_report(void **state)
{
    (void)state;
    fails_each_way_at(run_path_report,
                      ": 12 B of memory needed, of which 12 B could not be allocated (Cannot allocate memory)", true,
                      "the path from a GC root to 0x240");
}

/* The explorer's object view of 0x240 (latest dump), opened with each
 * allocation failing in turn: either nothing opens and v->message says
 * why, or (the path's search failing alone: hs_mem_fail_once_after) the
 * object opens without its path and the path's heading says why; once
 * nothing fails, with its path. */
/* Opens 0x240's object view in v with allocations failing from the nth
 * (once: only the nth): false when nothing opened (v->message saying why,
 * the view as it was), else the view opened, *path_error its path's
 * heading when the path could not be found. */
static bool open_failing(view *v, const loaded *l, long n, bool once, char *path_error, size_t size)
{
    v->message[0] = '\0';
    path_error[0] = '\0';
    if (once)
        hs_mem_fail_once_after(n);
    else
        hs_mem_fail_after(n);
    bool opened = view_open_object(v, l->ses->latest, node_at(l, 0x240));
    hs_mem_fail_after(-1);
    if (!opened) {
        assert_int_equal(v->depth, 1);
        if (!strstr(v->message, "could not be allocated"))
            fail_msg("after %ld allocations: %s", n, v->message);
        return false;
    }
    view_frame *f = view_top(v);
    assert_int_equal(f->kind, VIEW_OBJECT);
    if (f->path_error[0]) {
        assert_int_equal(f->npath, 0);
        assert_null(f->path);
        for (size_t r = 0; r < view_rows(v) && !path_error[0]; r++) {
            view_row_text(v, r, path_error, size);
            if (!strstr(path_error, "Path from a GC root"))
                path_error[0] = '\0';
        }
        assert_true(path_error[0]);
    } else {
        assert_int_equal(f->npath, 3);
    }
    view_back(v);
    return true;
}

/* The explorer's object view of 0x240 (latest dump), opened with each
 * allocation failing in turn: nothing opens and v->message says why; once
 * nothing fails, it opens with its path. Then with each allocation alone
 * failing (hs_mem_fail_once_after): where that is one of the path's search
 * or its hops' details, the object opens without its path and the path's
 * heading says why. */
static void nomem_object_view(void **state)
{
    (void)state;
    loaded l;
    load_texts(&l, small_dumps, 3, NULL);
    view v;
    group_query q = { .by = GROUP_SITE, .sort = SORT_COUNT };
    assert_int_equal(view_init(&v, l.ses, &q, TAB_GROUPS, NULL), HS_OK);
    char heading[1024];
    long n = 0;
    while (!open_failing(&v, &l, n, false, heading, sizeof heading))
        assert_true(++n < 10000);
    assert_false(heading[0]);
    size_t without_path = 0;
    for (long k = 0; k < n; k++) {
        if (!open_failing(&v, &l, k, true, heading, sizeof heading) || !heading[0])
            continue;
        if (strncmp(heading, "Path from a GC root: not shown: cannot ", 39) != 0 ||
            !strstr(heading, " the path from a GC root to 0x240") || !strstr(heading, "could not be allocated"))
            fail_msg("with allocation %ld failing: %s", k, heading);
        if (!without_path++)
            assert_non_null(strstr(heading, "not shown: cannot find the path from a GC root to 0x240 in /"));
    }
    assert_true(without_path > 0);
    view_free(&v);
    unload(&l);
}

/* A group's object list, opened with each allocation failing in turn:
 * nothing opens, v->message says why, the list shown stays as it was. */
static void nomem_group_list(void **state)
{
    (void)state;
    loaded l;
    load_texts(&l, small_dumps, 3, NULL);
    view v;
    group_query q = { .by = GROUP_SITE, .sort = SORT_COUNT };
    assert_int_equal(view_init(&v, l.ses, &q, TAB_GROUPS, NULL), HS_OK);
    view_move(&v, 1);
    size_t sel = view_top(&v)->selected, g = v.set->order[sel];
    v.message[0] = '\0';
    hs_mem_fail_after(0);
    bool opened = view_open_group(&v, g);
    hs_mem_fail_after(-1);
    assert_false(opened);
    assert_string_equal(v.message, "cannot list the 2 objects of the group: 16 B of memory needed, of which 16 B "
                                   "could not be allocated (Cannot allocate memory)");
    size_t n = 1;
    for (;; n++) {
        assert_true(n < 10000);
        v.message[0] = '\0';
        hs_mem_fail_after((long)n);
        opened = view_open_group(&v, g);
        hs_mem_fail_after(-1);
        if (opened)
            break;
        assert_int_equal(v.depth, 1);
        assert_int_equal(view_top(&v)->selected, sel);
        if (!strstr(v.message, "could not be allocated"))
            fail_msg("after %zu allocations: %s", n, v.message);
    }
    assert_int_equal(view_top(&v)->kind, VIEW_OBJECTS);
    assert_int_equal(view_top(&v)->nobjects, 2);
    view_free(&v);
    unload(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nested_holders),
        cmocka_unit_test(held_by_two_holders),
        cmocka_unit_test(new_holder_held_by_an_old_one),
        cmocka_unit_test(cycles_inside_the_set),
        cmocka_unit_test(the_virtual_root),
        cmocka_unit_test(million_deep_chain),
        cmocka_unit_test(growth_verdicts),
        cmocka_unit_test(small_service),
        cmocka_unit_test(filters_choose_what_counts),
        cmocka_unit_test(four_dumps),
        cmocka_unit_test(one_dump),
        cmocka_unit_test(app_suspects),
        cmocka_unit_test(root_tree_matches_root_paths),
        cmocka_unit_test(without_a_graph),
        cmocka_unit_test(nomem_group),
        cmocka_unit_test(nomem_retained),
        cmocka_unit_test(nomem_suspects),
        cmocka_unit_test(nomem_why),
        cmocka_unit_test(nomem_holders),
        cmocka_unit_test(nomem_objinfo),
        cmocka_unit_test(nomem_diff),
        cmocka_unit_test(nomem_graph_path),
        cmocka_unit_test(nomem_session_path),
        cmocka_unit_test(nomem_path_report),
        cmocka_unit_test(nomem_object_view),
        cmocka_unit_test(nomem_group_list),
    };
    return cmocka_run_group_tests(tests, load_app, free_app);
}
