/* test_group.c - grouping suspects, filters, order and trends. Expected
 * counts for the app dumps were computed with Ruby from the dumps (the
 * identity diff of tests/ruby/identity-diff.rb, grouped each way). */
#include "testutil.h"

#include <inttypes.h>

#include "diff.h"
#include "filter.h"
#include "group.h"
#include "heap.h"

/* The subject in full with the suspects' details read, as the loader does;
 * the others with their sites, so that trends can be computed. */
static heap *app[3];
static diff_result *retained; /* DIFF_ID_EXACT over app[0..3) */
static session *ses;          /* over app and retained */

/* A grouping key by name (only the classic one has a constant). */
#define BY(name) ((group_by)group_by_from_name(name))

static int load_app(void **state)
{
    (void)state;
    for (int k = 0; k < 3; k++) {
        char name[32];
        snprintf(name, sizeof name, "app-%d.json.gz", k + 1);
        heap_load_opts opts = { .mode = k == 1 ? HEAP_FULL : HEAP_LIGHT, .threads = 0 };
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
    ses = session_borrow(app, 3, retained);
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

/* The label of the group at rank in the sorted order. */
static const char *label(const group_set *s, size_t rank)
{
    static char buf[4][512];
    static int next;
    char *b = buf[next++ % 4];
    return group_label(s, &s->groups[s->order[rank]], b, sizeof buf[0], NULL);
}

static const group *at_rank(const group_set *s, size_t rank)
{
    return &s->groups[s->order[rank]];
}

/* The group whose label is text (and, for sites, whose type is t). */
static const group *find_group(const group_set *s, const char *text, rtype t)
{
    char buf[512];
    for (size_t g = 0; g < s->ngroups; g++)
        if (strcmp(group_label(s, &s->groups[g], buf, sizeof buf, NULL), text) == 0 &&
            (s->by != GROUP_SITE || s->groups[g].type == t))
            return &s->groups[g];
    fail_msg("no group %s", text);
    return NULL;
}

static group_set *build_in(const session *in, group_by by, bool trends)
{
    group_query q = { .by = by, .sort = SORT_COUNT, .trends = trends };
    return test_group_new(in, &q);
}

static group_set *build(group_by by)
{
    return build_in(ses, by, false);
}

static void gem_labels(void **state)
{
    (void)state;
    struct { const char *path, *want; } cases[] = {
        { "gems/leaky-1.2.3/lib/x.rb", "leaky-1.2.3" },
        { "/home/u/.gem/ruby/3.1.0/gems/rack-2.2.3/lib/rack.rb", "rack-2.2.3" },
        { "/usr/lib/ruby/gems/3.1.0/gems/json-2.6.1/lib/json.rb", "json-2.6.1" }, /* not stdlib */
        { "/srv/app/vendor/bundle/ruby/3.1.0/gems/outer-1.0/vendor/gems/inner-0.2.1/lib/inner.rb",
          "inner-0.2.1" },
        { "/usr/lib/ruby/3.1.0/set.rb", "stdlib" },
        { "<internal:kernel>", "stdlib" },
        { "", "unknown" },
        { "app/models/x.rb", "app" },
        { "(eval)", "app" },
        { "mygems/foo-1.0/x.rb", "app" },  /* "gems/" must start a path component */
        { "gems/foo/x.rb", "app" },        /* no version */
        { "gems/-1.0/x.rb", "app" },
        { "gems/foo-/x.rb", "app" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char buf[64];
        memset(buf, '#', sizeof buf);
        group_gem_label(cases[k].path, strlen(cases[k].path), buf, sizeof buf);
        if (strcmp(buf, cases[k].want) != 0)
            fail_msg("%s: got %s, want %s", cases[k].path, buf, cases[k].want);
    }
    char small[5];
    group_gem_label("gems/leaky-1.2.3/lib/x.rb", 25, small, sizeof small);
    assert_string_equal(small, "leak");
    /* By length: what follows is not part of the path. */
    char buf[64];
    group_gem_label("gems/leaky-1.2.3/lib/x.rb", 4, buf, sizeof buf);
    assert_string_equal(buf, "app");
}

/* The last gems/NAME-VERSION/ wins, not the last "gems/": a gem may well
 * have a directory of that name. */
static void gem_label_skips_plain_gems_dir(void **state)
{
    (void)state;
    char buf[64];
    const char *path = "/srv/bundle/gems/foo-1.0/lib/foo/gems/helper.rb";
    group_gem_label(path, strlen(path), buf, sizeof buf);
    assert_string_equal(buf, "foo-1.0");
}

static void names(void **state)
{
    (void)state;
    for (int by = 0; by < (int)group_by_count(); by++)
        assert_int_equal(group_by_from_name(group_by_name((group_by)by)), by);
    for (int key = 0; key < SORT_KEY_COUNT; key++)
        assert_int_equal(group_sort_from_name(group_sort_name((group_sort_key)key)), key);
    assert_string_equal(group_by_name(BY("gem")), "gem");
    assert_int_equal(group_by_from_name("type,file,line"), GROUP_SITE);
    assert_int_equal(group_by_from_name("location"), GROUP_SITE);
    assert_int_equal(group_by_from_name("colour"), -1);
    assert_int_equal(group_by_from_name(""), -1);
    assert_int_equal(group_sort_from_name("memsize"), SORT_MEMSIZE);
    assert_int_equal(group_sort_from_name("size"), -1);
}

/* Members partition the suspects; every group's all_count is its size. */
static void assert_well_formed(const group_set *s)
{
    uint64_t total = 0;
    assert_int_equal(s->member_start[0], 0);
    assert_int_equal(s->member_start[s->ngroups], s->diff->count);
    for (size_t g = 0; g < s->ngroups; g++) {
        assert_int_equal(s->groups[g].all_count, s->member_start[g + 1] - s->member_start[g]);
        for (size_t m = s->member_start[g]; m < s->member_start[g + 1]; m++)
            assert_int_equal(s->group_of[s->members[m]], g);
        total += s->groups[g].all_count;
    }
    assert_int_equal(total, s->diff->count);
}

static void by_site(void **state)
{
    (void)state;
    group_set *s = build(GROUP_SITE);
    assert_well_formed(s);
    assert_int_equal(s->ngroups, 32);
    assert_int_equal(s->nvisible, 32);
    assert_int_equal(s->total_count, 3485);
    assert_int_equal(s->total_memsize, 361171);
    assert_int_equal(s->total_bytesize, 78800);
    /* Two groups of 283 strings: the file decides. */
    assert_string_equal(label(s, 0), "app/controllers/products_controller.rb:7");
    assert_int_equal(at_rank(s, 0)->type, RT_STRING);
    assert_int_equal(at_rank(s, 0)->count, 283);
    assert_int_equal(at_rank(s, 0)->memsize, 63451);
    assert_int_equal(at_rank(s, 0)->bytesize, 51565);
    assert_string_equal(label(s, 1), "app/services/page_cache.rb:7");
    assert_string_equal(label(s, 2), "app/controllers/products_controller.rb:40");
    assert_int_equal(at_rank(s, 2)->count, 260);
    assert_string_equal(label(s, 31), "server.rb:90");
    group_free(s);
}

static void by_class(void **state)
{
    (void)state;
    group_set *s = build(BY("class"));
    assert_well_formed(s);
    assert_int_equal(s->ngroups, 7);
    assert_string_equal(label(s, 0), "String");
    assert_int_equal(at_rank(s, 0)->count, 2674);
    assert_int_equal(at_rank(s, 0)->memsize, 175123);
    assert_string_equal(label(s, 1), "Hash");
    assert_int_equal(at_rank(s, 1)->count, 260);
    /* 76 requests made 76 Sessions: the 77th was a call cache whose
     * "class" (junk in 3.1) held a Session's address. */
    assert_int_equal(find_group(s, "Session", RT_OTHER)->count, 76);
    assert_int_equal(find_group(s, "Time", RT_OTHER)->count, 76);
    /* IMEMOs name no class: one group, as many as the retained set's
     * IMEMOs (identity-diff.rb's IMEMO groups add up to 139). */
    assert_int_equal(find_group(s, "(IMEMO: no class)", RT_OTHER)->count, 139);
    group_free(s);
}

static void by_gem(void **state)
{
    (void)state;
    group_set *s = build(BY("gem"));
    assert_well_formed(s);
    assert_int_equal(s->ngroups, 3);
    assert_string_equal(label(s, 0), "app");
    assert_int_equal(at_rank(s, 0)->count, 3277);
    assert_string_equal(label(s, 1), "leaky-1.2.3");
    assert_int_equal(at_rank(s, 1)->count, 131);
    assert_int_equal(at_rank(s, 1)->memsize, 5240);
    assert_int_equal(at_rank(s, 1)->bytesize, 2620);
    assert_string_equal(label(s, 2), "stdlib");
    assert_int_equal(at_rank(s, 2)->count, 77);
    group_free(s);
}

static void by_file_method_generation(void **state)
{
    (void)state;
    group_set *s = build(BY("file"));
    assert_well_formed(s);
    assert_int_equal(s->ngroups, 9);
    assert_string_equal(label(s, 0), "server.rb");
    assert_int_equal(at_rank(s, 0)->count, 1258);
    assert_string_equal(label(s, 1), "app/controllers/products_controller.rb");
    assert_int_equal(at_rank(s, 1)->count, 858);
    assert_int_equal(at_rank(s, 1)->memsize, 103091);
    assert_string_equal(label(s, 8), "/usr/lib/ruby/3.1.0/objspace.rb");
    group_free(s);

    s = build(BY("method"));
    assert_well_formed(s);
    assert_int_equal(s->ngroups, 20);
    assert_string_equal(label(s, 0), "build_env in server.rb");
    assert_int_equal(at_rank(s, 0)->count, 917);
    assert_string_equal(label(s, 1), "call in app/controllers/products_controller.rb");
    assert_int_equal(at_rank(s, 1)->count, 433);
    group_free(s);

    s = build(BY("generation"));
    assert_well_formed(s);
    assert_int_equal(s->ngroups, 10);
    assert_string_equal(label(s, 0), "10");
    assert_int_equal(at_rank(s, 0)->count, 445);
    assert_int_equal(at_rank(s, 0)->number, 10);
    assert_string_equal(label(s, 1), "7");
    assert_int_equal(at_rank(s, 1)->count, 407);
    group_free(s);
}

/* A DATA's struct, an IMEMO's imemo_type (named as Ruby's
 * count_imemo_objects does), else the type. Checked with a few lines of
 * Ruby over the dumps: the identity diff, each object labelled so. */
static void by_struct(void **state)
{
    (void)state;
    group_set *s = build(BY("struct"));
    assert_well_formed(s);
    static const struct { const char *label; uint64_t count, bytesize, memsize; rtype type; } want[] = {
        { "STRING", 2674, 78800, 175123, RT_STRING }, { "HASH", 260, 0, 142480, RT_HASH },
        { "ARRAY", 130, 0, 5200, RT_ARRAY },           { "proc", 130, 0, 10400, RT_DATA },
        { "imemo_env", 130, 0, 15600, RT_IMEMO },      { "time", 76, 0, 6536, RT_DATA },
        { "OBJECT", 76, 0, 5472, RT_OBJECT },          { "imemo_callcache", 5, 0, 200, RT_IMEMO },
        { "imemo_constcache", 4, 0, 160, RT_IMEMO },
    };
    assert_int_equal(s->ngroups, 9);
    assert_int_equal(s->nvisible, 9);
    assert_int_equal(s->total_count, 3485);
    for (size_t r = 0; r < 9; r++) {
        const group *g = at_rank(s, r);
        if (strcmp(label(s, r), want[r].label) != 0 || g->count != want[r].count ||
            g->bytesize != want[r].bytesize || g->memsize != want[r].memsize || g->type != want[r].type)
            fail_msg("rank %zu: %s %" PRIu64 " %" PRIu64 "/%" PRIu64 ", want %s %" PRIu64 " %" PRIu64
                     "/%" PRIu64, r, label(s, r), g->count, g->bytesize, g->memsize, want[r].label,
                     want[r].count, want[r].bytesize, want[r].memsize);
    }
    /* No type shown beside the label: the label is the type or names it. */
    assert_false(group_shows_type(s));
    group_free(s);
    /* The one key that reads the subtype column, which loads may skip. */
    for (group_by by = 0; by < group_by_count(); by++)
        assert_int_equal(group_by_needs_subtypes(by), by == BY("struct"));
}

/* A struct or imemo_type of the same name is another group: DATA "iseq"
 * (an InstructionSequence) is not IMEMO "iseq"; untyped DATA is "DATA". */
static void struct_names_by_type(void **state)
{
    (void)state;
    static const char text[] =
        "{\"address\":\"0x10\", \"type\":\"DATA\", \"struct\":\"iseq\", \"memsize\":40}\n"
        "{\"address\":\"0x18\", \"type\":\"IMEMO\", \"imemo_type\":\"iseq\", \"memsize\":40}\n"
        "{\"address\":\"0x20\", \"type\":\"IMEMO\", \"imemo_type\":\"iseq\", \"memsize\":40}\n"
        "{\"address\":\"0x28\", \"type\":\"DATA\", \"memsize\":40}\n"
        "{\"address\":\"0x30\", \"type\":\"IMEMO\", \"memsize\":40}\n"
        "{\"address\":\"0x38\", \"type\":\"DATA\", \"struct\":\"Thread::Mutex\", \"memsize\":40}\n";
    const char *path = temp_file_with(text, sizeof text - 1);
    heap *h = NULL;
    hs_error err;
    heap_load_opts opts = { .mode = HEAP_FULL, .threads = 1 };
    assert_int_equal(heap_load(&h, path, &opts, &err), HS_OK);
    unlink(path);
    diff_result *d = NULL;
    assert_int_equal(diff_run(&d, &h, 1, DIFF_ID_EXACT, &err), HS_OK);
    test_load_details(h, d->objects, d->count, 1);
    session *one = session_borrow(&h, 1, d);
    group_set *s = build_in(one, BY("struct"), false);
    assert_int_equal(s->nvisible, 5);
    assert_string_equal(label(s, 0), "imemo_iseq");
    assert_int_equal(at_rank(s, 0)->count, 2);
    /* Ties: by type name (DATA before IMEMO), then by name. */
    assert_string_equal(label(s, 1), "DATA");
    assert_string_equal(label(s, 2), "Thread::Mutex");
    assert_string_equal(label(s, 3), "iseq");
    assert_int_equal(at_rank(s, 3)->type, RT_DATA);
    assert_string_equal(label(s, 4), "IMEMO");
    group_free(s);
    session_free(one);
    diff_free(d);
    heap_free(h);
}

static void sort_keys(void **state)
{
    (void)state;
    group_set *s = build(GROUP_SITE);
    group_set_sort(s, SORT_MEMSIZE, false);
    assert_string_equal(label(s, 0), "lib/rackish.rb:27");
    assert_int_equal(at_rank(s, 0)->memsize, 120640);
    assert_string_equal(label(s, 1), "app/controllers/products_controller.rb:7");
    group_set_sort(s, SORT_BYTESIZE, false);
    assert_int_equal(at_rank(s, 0)->bytesize, 51565);
    assert_int_equal(at_rank(s, 1)->bytesize, 7431);
    group_set_sort(s, SORT_LOCATION, false);
    assert_string_equal(label(s, 0), "/usr/lib/ruby/3.1.0/objspace.rb:88");
    assert_string_equal(label(s, 1), "<internal:timev>:224");
    assert_string_equal(label(s, 2), "app/controllers/products_controller.rb:7");
    assert_string_equal(label(s, 3), "app/controllers/products_controller.rb:22");
    assert_string_equal(label(s, 4), "app/controllers/products_controller.rb:37");
    /* One location, three types: the default order (count, then type) decides. */
    assert_string_equal(label(s, 5), "app/controllers/products_controller.rb:40");
    assert_int_equal(at_rank(s, 5)->type, RT_STRING);
    assert_int_equal(at_rank(s, 6)->type, RT_ARRAY);
    assert_int_equal(at_rank(s, 7)->type, RT_HASH);
    group_set_sort(s, SORT_LOCATION, true);
    assert_string_equal(label(s, 0), "server.rb:90");
    group_set_sort(s, SORT_TYPE, false);
    assert_int_equal(at_rank(s, 0)->type, RT_ARRAY);
    assert_int_equal(at_rank(s, 1)->type, RT_DATA);
    assert_string_equal(label(s, 1), "app/middleware/audit_log.rb:14");
    assert_string_equal(label(s, 2), "<internal:timev>:224");
    /* Reversed: the smallest group first; ties reversed too. */
    group_set_sort(s, SORT_COUNT, true);
    assert_string_equal(label(s, 0), "server.rb:90");
    assert_string_equal(label(s, 1), "/usr/lib/ruby/3.1.0/objspace.rb:88");
    assert_string_equal(label(s, 31), "app/controllers/products_controller.rb:7");
    group_free(s);
}

/* count desc, then type name, then file bytes (unsigned, missing first),
 * then line as a number (missing first). */
static void tie_break_order(void **state)
{
    (void)state;
    static const struct { const char *type, *where; int copies; } sites[] = {
        { "STRING", ", \"file\":\"b.rb\", \"line\":10", 2 },
        { "STRING", ", \"file\":\"b.rb\", \"line\":9", 2 },
        { "STRING", ", \"file\":\"\xe9.rb\", \"line\":1", 2 },
        { "STRING", ", \"file\":\"a.rb\", \"line\":5", 4 },
        { "STRING", ", \"file\":\"Z.rb\", \"line\":5", 2 },
        { "STRING", "", 2 },
        { "STRING", ", \"file\":\"a.rb\"", 2 },
        { "ARRAY", ", \"file\":\"z.rb\", \"line\":1", 2 },
        { "STRING", ", \"file\":\"a.rbx\", \"line\":1", 2 },
        { "HASH", ", \"file\":\"z.rb\", \"line\":1", 3 },
    };
    char text[4096];
    size_t n = 0;
    unsigned addr = 0x1000;
    for (size_t k = 0; k < sizeof sites / sizeof *sites; k++)
        for (int copy = 0; copy < sites[k].copies; copy++)
            n += (size_t)snprintf(text + n, sizeof text - n,
                                  "{\"address\":\"0x%x\", \"type\":\"%s\"%s, \"memsize\":40}\n",
                                  addr += 40, sites[k].type, sites[k].where);
    const char *path = temp_file_with(text, n);
    heap *h = NULL;
    hs_error err;
    heap_load_opts opts = { .mode = HEAP_FULL, .threads = 1 };
    assert_int_equal(heap_load(&h, path, &opts, &err), HS_OK);
    unlink(path);
    diff_result *d = NULL;
    assert_int_equal(diff_run(&d, &h, 1, DIFF_ID_EXACT, &err), HS_OK);
    test_load_details(h, d->objects, d->count, 1);
    session *one = session_borrow(&h, 1, d);
    group_set *s = build_in(one, GROUP_SITE, false);
    assert_int_equal(s->nvisible, 10);
    assert_string_equal(label(s, 0), "a.rb:5");
    assert_int_equal(at_rank(s, 0)->count, 4);
    assert_string_equal(label(s, 1), "z.rb:1");
    assert_int_equal(at_rank(s, 1)->type, RT_HASH);
    assert_string_equal(label(s, 2), "z.rb:1");
    assert_int_equal(at_rank(s, 2)->type, RT_ARRAY);
    assert_string_equal(label(s, 3), ":");         /* no file, no line */
    assert_string_equal(label(s, 4), "Z.rb:5");    /* 'Z' < 'a' */
    assert_string_equal(label(s, 5), "a.rb:");     /* no line */
    assert_string_equal(label(s, 6), "a.rbx:1");   /* after its prefix */
    assert_string_equal(label(s, 7), "b.rb:9");    /* 9 before 10: numeric */
    assert_string_equal(label(s, 8), "b.rb:10");
    assert_string_equal(label(s, 9), "\xe9.rb:1"); /* 0xE9 after ASCII */
    group_free(s);
    session_free(one);
    diff_free(d);
    heap_free(h);
}

static void path_patterns(void **state)
{
    (void)state;
    struct { const char *pattern, *path; bool want; } cases[] = {
        { "app/models", "/srv/app/models/user.rb", true },   /* substring */
        { "app/models", "/srv/app/model.rb", false },
        { "app/*", "/srv/app/models/user.rb", true },        /* a glob from any '/' */
        { "app/*", "/srv/webapp/x.rb", false },              /* ... not from inside a name */
        { "app/*.rb", "/srv/app/models/user.rb", true },
        { "*.rb", "x.rb", true },
        { "*.rb", "/srv/app/x.rb", true },
        { "*.rb", "x.rbx", false },
        { "*.rb", "x.rb.bak", false },
        { "[ab]pp", "app", true },
        { "[ab]pp", "lib/bpp", true },
        { "[ab]pp", "lib/cpp", false },
        { "[ab]pp/*", "/srv/app/x.rb", true },
        { "[ab]pp", "/srv/app/x.rb", false },                /* a glob matches to the end */
        { "?.rb", "lib/x.rb", true },
        { "?.rb", "lib/xy.rb", false },
        { "<internal:", "<internal:timev>", true },
        { "*", "", true },
        { "x", "", false },
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        if (filter_path_matches(cases[k].pattern, cases[k].path, strlen(cases[k].path)) != cases[k].want)
            fail_msg("%s on %s: want %d", cases[k].pattern, cases[k].path, cases[k].want);
    /* Matched by length; a path longer than any stack buffer. */
    assert_false(filter_path_matches("x.rb", "x.rb", 3));
    size_t long_len = 5000;
    char *long_path = malloc(long_len + 1);
    memset(long_path, 'd', long_len);
    memcpy(long_path + long_len - 8, "/app/x.r", 8);
    long_path[long_len] = 'b';
    assert_true(filter_path_matches("app/*.rb", long_path, long_len + 1));
    assert_true(filter_path_matches("ddd/app", long_path, long_len));
    free(long_path);
}

static void type_lists(void **state)
{
    (void)state;
    obj_filter f;
    filter_init(&f);
    assert_false(filter_active(&f));
    const char *bad = NULL;
    assert_true(filter_set_types(&f, "STRING,array", &bad));
    assert_true(f.types_set);
    assert_true(f.types[RT_STRING]);
    assert_true(f.types[RT_ARRAY]);
    assert_false(f.types[RT_HASH]);
    assert_true(filter_active(&f));
    const char *list = "HASH,WIDGET,DATA";
    assert_false(filter_set_types(&f, list, &bad));
    assert_ptr_equal(bad, list + 5);
    assert_true(f.types[RT_STRING]); /* unchanged */
    assert_false(f.types[RT_HASH]);
    assert_true(filter_set_types(&f, "", &bad));
    assert_false(f.types_set);
    f.min_count = 1;
    assert_false(filter_active(&f));
    f.min_count = 2;
    assert_true(filter_active(&f));
    filter_free(&f);
}

static void filters_on_app(void **state)
{
    (void)state;
    group_set *s = build(GROUP_SITE);
    obj_filter f;
    filter_init(&f);

    filter_set_include(&f, "app/models");
    group_set_filter(s, &f);
    group_set_sort(s, SORT_COUNT, false);
    assert_int_equal(s->nvisible, 2);
    assert_int_equal(s->total_count, 152);
    assert_string_equal(label(s, 0), "app/models/session.rb:9"); /* OBJECT before STRING */
    assert_int_equal(at_rank(s, 0)->count, 76);
    assert_string_equal(label(s, 1), "app/models/session.rb:20");
    /* Totals over all objects stay. */
    assert_int_equal(find_group(s, "server.rb:56", RT_STRING)->all_count, 202);
    assert_int_equal(find_group(s, "server.rb:56", RT_STRING)->count, 0);

    filter_set_include(&f, "app/*/*_controller.rb");
    group_set_filter(s, &f);
    assert_int_equal(s->nvisible, 6);
    assert_int_equal(s->total_count, 858);

    filter_set_include(&f, "app/");
    filter_set_exclude(&f, "products");
    group_set_filter(s, &f);
    assert_int_equal(s->total_count, 955);

    filter_set_include(&f, NULL);
    filter_set_exclude(&f, "server.rb");
    group_set_filter(s, &f);
    assert_int_equal(s->total_count, 3485 - 1258);

    filter_set_exclude(&f, "");
    const char *bad;
    assert_true(filter_set_types(&f, "STRING", &bad));
    group_set_filter(s, &f);
    assert_int_equal(s->total_count, 2674);
    assert_true(filter_set_types(&f, "DATA", &bad));
    group_set_filter(s, &f);
    assert_int_equal(s->total_count, 206);
    assert_int_equal(s->nvisible, 2);

    filter_copy(&f, &(obj_filter){ 0 });
    f.min_count = 131;
    group_set_filter(s, &f);
    assert_int_equal(s->nvisible, 11);
    assert_int_equal(s->total_count, 1945);

    group_set_filter(s, NULL);
    assert_int_equal(s->nvisible, 32);
    assert_int_equal(s->total_count, 3485);
    assert_int_equal(s->total_memsize, 361171);
    filter_free(&f);
    group_free(s);
}

/* Live objects with the group's key in each dump, suspects or not
 * (data/README: the leaks grow at every dump). */
static void trends(void **state)
{
    (void)state;
    /* Every object of the subject counts, not only the suspects. */
    uint32_t *all = malloc(app[1]->count * sizeof *all);
    for (size_t i = 0; i < app[1]->count; i++)
        all[i] = (uint32_t)i;
    test_load_details(app[1], all, app[1]->count, 0);
    free(all);
    group_set *s = build_in(ses, GROUP_SITE, true);
    assert_int_equal(s->ndumps, 3);
    const group *g = find_group(s, "app/controllers/products_controller.rb:7", RT_STRING);
    assert_int_equal(g->trend[0], 121);
    assert_int_equal(g->trend[1], 404);
    assert_int_equal(g->trend[2], 679);
    g = find_group(s, "gems/leaky-1.2.3/lib/leaky.rb:7", RT_STRING);
    assert_int_equal(g->trend[0], 60);
    assert_int_equal(g->trend[1], 191);
    assert_int_equal(g->trend[2], 357);
    g = find_group(s, "app/models/session.rb:9", RT_OBJECT);
    assert_int_equal(g->trend[0], 24);
    assert_int_equal(g->trend[1], 100);
    assert_int_equal(g->trend[2], 162);
    group_free(s);

    s = build_in(ses, BY("gem"), true);
    g = find_group(s, "leaky-1.2.3", RT_OTHER);
    assert_int_equal(g->trend[0], 67);
    assert_int_equal(g->trend[1], 198);
    assert_int_equal(g->trend[2], 364);
    group_free(s);

    /* A dump read for identity only has no sites: no trends at all. */
    heap *ident = NULL;
    hs_error err;
    heap_load_opts opts = { .mode = HEAP_IDENTITY, .threads = 0 };
    assert_int_equal(heap_load(&ident, data_path("app-3.json.gz"), &opts, &err), HS_OK);
    heap *mixed[3] = { app[0], app[1], ident };
    session *with_ident = session_borrow(mixed, 3, retained);
    s = build_in(with_ident, GROUP_SITE, true);
    for (size_t k = 0; k < s->ngroups; k++)
        assert_null(s->groups[k].trend);
    group_free(s);
    session_free(with_ident);
    heap_free(ident);
}

/* Struct groups counted in every dump: the dumps read with their sites
 * (HEAP_LIGHT) carry every object's subtype too. Counted in each dump with
 * zcat and grep. */
static void struct_trends(void **state)
{
    (void)state;
    uint32_t *all = malloc(app[1]->count * sizeof *all);
    for (size_t i = 0; i < app[1]->count; i++)
        all[i] = (uint32_t)i;
    test_load_details(app[1], all, app[1]->count, 0);
    free(all);
    group_set *s = build_in(ses, BY("struct"), true);
    static const struct { const char *label; rtype type; uint64_t trend[3]; } want[] = {
        { "proc", RT_DATA, { 56, 186, 328 } },
        { "imemo_env", RT_IMEMO, { 58, 188, 330 } },
        { "time", RT_DATA, { 24, 100, 162 } },
        { "imemo_callcache", RT_IMEMO, { 189, 194, 194 } },
        { "STRING", RT_STRING, { 5694, 8355, 11151 } },
    };
    for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
        const group *g = find_group(s, want[k].label, want[k].type);
        for (int d = 0; d < 3; d++)
            if (g->trend[d] != want[k].trend[d])
                fail_msg("%s in dump %d: %" PRIu64 ", want %" PRIu64, want[k].label, d + 1, g->trend[d],
                         want[k].trend[d]);
    }
    group_free(s);
}

/* --sort=live: by each group's live count in the latest dump (then the
 * dumps before it); the counts are the trends checked above. */
static void sort_by_live(void **state)
{
    (void)state;
    group_set *s = build_in(ses, GROUP_SITE, true);
    group_set_sort(s, SORT_LIVE, false);
    assert_string_equal(label(s, 0), "app/controllers/products_controller.rb:7");
    assert_int_equal(at_rank(s, 0)->trend[2], 679);
    /* 679 in dump 3 and 404 in dump 2 too: the default order decides. */
    assert_string_equal(label(s, 1), "app/services/page_cache.rb:7");
    assert_int_equal(at_rank(s, 1)->trend[2], 679);
    assert_string_equal(label(s, 2), "server.rb:56");
    assert_int_equal(at_rank(s, 2)->trend[2], 665);
    assert_string_equal(label(s, 3), "app/controllers/products_controller.rb:40");
    assert_int_equal(at_rank(s, 3)->trend[2], 656);
    for (size_t r = 1; r < s->nvisible; r++)
        assert_true(at_rank(s, r - 1)->trend[2] >= at_rank(s, r)->trend[2]);
    assert_int_equal(group_sort_from_name("live"), SORT_LIVE);
    group_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gem_labels),
        cmocka_unit_test(gem_label_skips_plain_gems_dir),
        cmocka_unit_test(names),
        cmocka_unit_test(by_site),
        cmocka_unit_test(by_class),
        cmocka_unit_test(by_gem),
        cmocka_unit_test(by_file_method_generation),
        cmocka_unit_test(by_struct),
        cmocka_unit_test(struct_names_by_type),
        cmocka_unit_test(sort_keys),
        cmocka_unit_test(tie_break_order),
        cmocka_unit_test(path_patterns),
        cmocka_unit_test(type_lists),
        cmocka_unit_test(filters_on_app),
        cmocka_unit_test(trends),
        cmocka_unit_test(struct_trends),
        cmocka_unit_test(sort_by_live),
    };
    return cmocka_run_group_tests(tests, load_app, free_app);
}
