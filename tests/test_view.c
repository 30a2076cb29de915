/* test_view.c - the explorer's view-model on the real dumps in data/: the
 * group list, moving, sorting, filtering and regrouping with the selection
 * kept, drilling into groups and objects and back, search, row text, trends,
 * and export. Expected values come from data/README, data/expected/ (the
 * Ruby oracle) and Ruby one-liners over the dumps (quoted where used). */
#include "config.h"
#include "testutil.h"

#include "columns.h"

/* A grouping key by name (only the classic one has a constant). */
#define BY(name) ((group_by)group_by_from_name(name))

#include <dirent.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "loader.h"
#include "view.h"
#include "view_kinds.h" /* view_open_object */

/* The three app dumps as the explorer loads them (trends on). */
static loader *app;
/* The same dumps with the latest one's graph attached, as the explorer has
 * them once its references are read: the object views' referrers come
 * from it. */
static loader *graphed;

static loader *load_graphed(const char *const *paths);

static int load_app(void **state)
{
    (void)state;
    app = load_app_dumps();
    graphed = load_graphed(app_dump_paths());
    loader_unreserve(graphed);
    loader_attach_graph(graphed);
    return app && graphed ? 0 : -1;
}

static int free_app(void **state)
{
    (void)state;
    loader_free(app);
    loader_free(graphed);
    return 0;
}

/* The view the explorer opens with: by site, by count, no filter. */
static void open_view(view *v)
{
    assert_int_equal(view_init(v, app->session, &(group_query){ .by = GROUP_SITE, .sort = SORT_COUNT, .trends = true }, TAB_GROUPS, NULL), HS_OK);
}

/* Row text in a rotating static buffer. */
static const char *row_text(view *v, size_t row)
{
    static char buf[4][4096];
    static int next;
    char *b = buf[next++ % 4];
    view_row_text(v, row, b, sizeof buf[0]);
    return b;
}

/* "TYPE file:line" of a group (site grouping). */
static const char *site_of(view *v, const group *g)
{
    static char buf[2][1200];
    static int next;
    char *b = buf[next++ % 2];
    char label[1024];
    size_t len;
    group_label(v->set, g, label, sizeof label, &len);
    snprintf(b, sizeof buf[0], "%s %.*s", rtype_name(g->type), (int)len, label);
    return b;
}

/* The row of the group list showing "TYPE file:line"; fails when absent. */
static size_t row_of_site(view *v, const char *site)
{
    for (size_t r = 0; r < v->set->nvisible; r++)
        if (strcmp(site_of(v, view_group_at(v, r)), site) == 0)
            return r;
    fail_msg("no group %s", site);
    return 0;
}

static size_t selected(view *v)
{
    return view_top(v)->selected;
}

static const group *selected_group(view *v)
{
    return view_group_at(v, v->stack[0].selected);
}

/* The text view_write writes (caller frees). */
static char *written(view *v, const char *when)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    hs_error err;
    assert_int_equal(view_write(v, out, when, &err), HS_OK);
    fclose(out);
    return buf;
}

/* Opens the Session object 0x7f587bff4aa8 (the first of
 * app/models/session.rb:9 in dump order) from a fresh view with the graph:
 * as dump 3 has it, with its referrers from the graph. */
static void open_session(view *v)
{
    assert_int_equal(view_init(v, graphed->session, &(group_query){ .by = GROUP_SITE, .sort = SORT_COUNT, .trends = true }, TAB_GROUPS, NULL), HS_OK);
    v->stack[0].selected = row_of_site(v, "OBJECT app/models/session.rb:9");
    assert_true(view_enter(v));
    const view_frame *list = view_top(v);
    size_t row = 0;
    while (row < list->nobjects && v->subject->addr[list->objects[row]] != 0x7f587bff4aa8)
        row++;
    assert_true(row < list->nobjects);
    view_top(v)->selected = row;
    assert_true(view_enter(v));
    assert_true(view_top(v)->h == v->session->latest);
    assert_int_equal(v->session->latest->addr[view_top(v)->info.index], 0x7f587bff4aa8);
}

/* ---- the group list ----------------------------------------------------------- */

/* data/expected/app-identity.txt (the Ruby oracle) lists the groups in the
 * order the explorer must open with. */
static void initial_group_list(void **state)
{
    (void)state;
    view v;
    open_view(&v);
    assert_int_equal(v.depth, 1);
    assert_int_equal(view_top(&v)->kind, VIEW_GROUPS);
    assert_int_equal(view_rows(&v), 32);
    assert_int_equal(v.set->total_count, 3485);
    assert_int_equal(v.set->total_bytesize, 78800);
    assert_int_equal(v.set->total_memsize, 361171);
    assert_int_equal(selected(&v), 0);
    const group *g = view_group_at(&v, 0);
    assert_int_equal(g->count, 283);
    assert_int_equal(g->bytesize, 51565);
    assert_int_equal(g->memsize, 63451);
    assert_string_equal(site_of(&v, g), "STRING app/controllers/products_controller.rb:7");
    assert_null(view_group_at(&v, 32));

    char *oracle = read_file(data_path("expected/app-identity.txt"));
    char *line = oracle;
    for (size_t r = 0; r < 32; r++) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        g = view_group_at(&v, r);
        char want[1200];
        char label[1024];
        size_t len;
        group_label(v.set, g, label, sizeof label, &len);
        snprintf(want, sizeof want, "Retained %" PRIu64 " %s objects of size %" PRIu64 "/%" PRIu64 " at: %.*s",
                 g->count, rtype_name(g->type), g->bytesize, g->memsize, (int)len, label);
        assert_string_equal(want, line);
        line = nl + 1;
    }
    assert_string_equal(line, "\n\nTotal Size: 78800/361171\n");
    free(oracle);
    view_free(&v);
}

static void moves_on_group_list(void **state)
{
    (void)state;
    view v;
    open_view(&v);
    view_move(&v, 5);
    assert_int_equal(selected(&v), 5);
    view_move(&v, -2);
    assert_int_equal(selected(&v), 3);
    view_move(&v, -100);
    assert_int_equal(selected(&v), 0);
    view_move(&v, -1);
    assert_int_equal(selected(&v), 0);
    view_move(&v, 1000);
    assert_int_equal(selected(&v), 31);
    view_move(&v, 1);
    assert_int_equal(selected(&v), 31);
    view_home(&v);
    assert_int_equal(selected(&v), 0);
    view_end(&v);
    assert_int_equal(selected(&v), 31);

    /* Scrolling keeps the selection within the rows on screen. */
    view_scroll(&v, 20);
    assert_int_equal(view_top(&v)->top, 12);
    view_move(&v, -6);
    view_scroll(&v, 20);
    assert_int_equal(view_top(&v)->top, 12); /* row 25 is still on screen */
    view_move(&v, -20);
    view_scroll(&v, 20);
    assert_int_equal(selected(&v), 5);
    assert_int_equal(view_top(&v)->top, 5);
    view_home(&v);
    view_scroll(&v, 20);
    assert_int_equal(view_top(&v)->top, 0);
    /* A screen taller than the list starts at the top. */
    view_end(&v);
    view_scroll(&v, 40);
    assert_int_equal(view_top(&v)->top, 0);
    view_free(&v);
}

/* The Session object's rows, as dump 3 has it: 0 its retained size, 1 the
 * path's heading, 2-5 its hops, 6 heading, 7-17 members, 18 heading, 19-23
 * references, 24 heading, 25 the referrer. Headings are never selected. */
static void moves_on_object_view(void **state)
{
    (void)state;
    view v;
    open_session(&v);
    assert_int_equal(view_rows(&v), 26);
    assert_int_equal(selected(&v), 19); /* the first reference */
    view_move(&v, -1);
    assert_int_equal(selected(&v), 17); /* over the heading */
    view_move(&v, 1);
    assert_int_equal(selected(&v), 19);
    view_move(&v, 5);
    assert_int_equal(selected(&v), 25); /* over the Referrers heading */
    view_move(&v, 1);
    assert_int_equal(selected(&v), 25);
    view_home(&v);
    assert_int_equal(selected(&v), 2); /* the path's first hop */
    view_move(&v, -1);
    assert_int_equal(selected(&v), 2);
    view_end(&v);
    assert_int_equal(selected(&v), 25);
    /* Page moves that would land past the top stop at the first selectable
     * row, as they stop at row 0 in the group list. */
    view_move(&v, -30);
    assert_int_equal(selected(&v), 2);
    view_move(&v, 30);
    assert_int_equal(selected(&v), 25);
    view_move(&v, -12);
    assert_int_equal(selected(&v), 13);
    view_free(&v);
}

/* ---- sort, reverse, filter, grouping ----------------------------------------------- */

static void sort_keeps_selected_group(void **state)
{
    (void)state;
    view v;
    open_view(&v);
    v.stack[0].selected = row_of_site(&v, "OBJECT app/models/session.rb:9");
    assert_int_equal(selected(&v), 21);
    const group *g = selected_group(&v);

    /* `heapsift --sort=memsize`: 5472 bytes is the 11th largest memsize. */
    view_set_sort(&v, SORT_MEMSIZE);
    assert_int_equal(v.set->sort, SORT_MEMSIZE);
    assert_int_equal(selected(&v), 10);
    assert_ptr_equal(selected_group(&v), g);
    assert_string_equal(site_of(&v, view_group_at(&v, 0)), "HASH lib/rackish.rb:27");
    assert_int_equal(view_group_at(&v, 0)->memsize, 120640);
    for (size_t r = 1; r < 32; r++)
        assert_true(view_group_at(&v, r - 1)->memsize >= view_group_at(&v, r)->memsize);

    /* By file then line: /usr/lib/ruby..., <internal:timev>, 8 groups in
     * app/controllers and app/middleware, then this one. */
    view_set_sort(&v, SORT_LOCATION);
    assert_int_equal(selected(&v), 12);
    assert_ptr_equal(selected_group(&v), g);
    assert_string_equal(site_of(&v, view_group_at(&v, 0)), "IMEMO /usr/lib/ruby/3.1.0/objspace.rb:88");

    view_set_sort(&v, SORT_COUNT);
    assert_int_equal(selected(&v), 21);
    assert_ptr_equal(selected_group(&v), g);
    view_free(&v);
}

static void reverse_keeps_selected_group(void **state)
{
    (void)state;
    view v;
    open_view(&v);
    const group *first = view_group_at(&v, 0);
    view_toggle_reverse(&v);
    assert_true(v.set->reverse);
    /* The whole order reversed (`heapsift --reverse`): the 283-object tie
     * comes last in reverse too. */
    assert_int_equal(selected(&v), 31);
    assert_ptr_equal(selected_group(&v), first);
    assert_string_equal(site_of(&v, view_group_at(&v, 0)), "IMEMO server.rb:90");
    assert_string_equal(site_of(&v, view_group_at(&v, 30)), "STRING app/services/page_cache.rb:7");

    view_set_sort(&v, SORT_MEMSIZE); /* stays reversed */
    assert_string_equal(site_of(&v, view_group_at(&v, 31)), "HASH lib/rackish.rb:27");
    assert_int_equal(selected(&v), 30);
    v.stack[0].selected = row_of_site(&v, "OBJECT app/models/session.rb:9");
    assert_int_equal(selected(&v), 21); /* 21 groups have less memsize */
    view_toggle_reverse(&v);
    assert_false(v.set->reverse);
    assert_int_equal(selected(&v), 10);
    view_free(&v);
}

static void filter_include_keeps_selection(void **state)
{
    (void)state;
    view v;
    open_view(&v);
    v.stack[0].selected = row_of_site(&v, "STRING app/models/session.rb:20");
    assert_int_equal(selected(&v), 22);
    const group *g = selected_group(&v);

    obj_filter f;
    filter_init(&f);
    filter_set_include(&f, "app/models");
    view_set_filter(&v, &f);
    /* data/README: 76 OBJECT at app/models/session.rb:9, 76 STRING at :20. */
    assert_int_equal(view_rows(&v), 2);
    assert_int_equal(v.set->total_count, 152);
    assert_int_equal(v.set->total_bytesize, 1208);
    assert_int_equal(v.set->total_memsize, 8512);
    assert_string_equal(site_of(&v, view_group_at(&v, 0)), "OBJECT app/models/session.rb:9");
    assert_string_equal(site_of(&v, view_group_at(&v, 1)), "STRING app/models/session.rb:20");
    assert_int_equal(selected(&v), 1);
    assert_ptr_equal(selected_group(&v), g);
    /* The view keeps its own copy. */
    filter_set_include(&f, "lib/");
    assert_string_equal(v.set->filter.include, "app/models");

    /* Cleared: all 32 again, the same group still selected. */
    filter_free(&f);
    filter_init(&f);
    view_set_filter(&v, &f);
    assert_int_equal(view_rows(&v), 32);
    assert_int_equal(v.set->total_count, 3485);
    assert_int_equal(selected(&v), 22);
    assert_ptr_equal(selected_group(&v), g);
    filter_free(&f);
    view_free(&v);
}

static void filter_exclude_types_min_count(void **state)
{
    (void)state;
    view v;
    open_view(&v);
    obj_filter f;

    /* Totals from data/expected/app-identity.txt, summed by Ruby per filter;
     * `heapsift --filter=app/ --exclude=controllers` says the same. */
    filter_init(&f);
    filter_set_include(&f, "app/");
    filter_set_exclude(&f, "controllers");
    view_set_filter(&v, &f);
    assert_int_equal(view_rows(&v), 7);
    assert_int_equal(v.set->total_count, 955);
    assert_int_equal(v.set->total_memsize, 72264);
    assert_string_equal(site_of(&v, view_group_at(&v, 0)), "STRING app/services/page_cache.rb:7");
    filter_free(&f);

    filter_init(&f);
    const char *bad;
    assert_true(filter_set_types(&f, "STRING", &bad));
    view_set_filter(&v, &f);
    assert_int_equal(view_rows(&v), 21);
    assert_int_equal(v.set->total_count, 2674);
    assert_int_equal(v.set->total_memsize, 175123);
    filter_free(&f);

    /* Select the last group, then hide it: the selection comes back to the
     * first row. */
    filter_init(&f);
    view_set_filter(&v, &f);
    view_end(&v);
    assert_string_equal(site_of(&v, selected_group(&v)), "IMEMO server.rb:90");
    f.min_count = 100;
    view_set_filter(&v, &f);
    assert_int_equal(view_rows(&v), 18);
    assert_int_equal(v.set->total_count, 2855);
    assert_int_equal(v.set->total_memsize, 330043);
    assert_int_equal(selected(&v), 0);
    /* A selection that stays within the rows survives. */
    view_move(&v, 17);
    assert_string_equal(site_of(&v, selected_group(&v)), "STRING app/middleware/audit_log.rb:12");
    f.min_count = 130;
    view_set_filter(&v, &f);
    assert_int_equal(view_rows(&v), 18);
    assert_int_equal(selected(&v), 17);
    f.min_count = 131;
    view_set_filter(&v, &f);
    assert_int_equal(view_rows(&v), 11);
    assert_int_equal(selected(&v), 0);
    filter_free(&f);

    /* Nothing passes: an empty list, and Enter says why it does nothing. */
    filter_init(&f);
    filter_set_include(&f, "no/such/file.rb");
    view_set_filter(&v, &f);
    assert_int_equal(view_rows(&v), 0);
    assert_int_equal(v.set->total_count, 0);
    assert_null(view_group_at(&v, 0));
    view_move(&v, 1);
    view_end(&v);
    assert_int_equal(selected(&v), 0);
    assert_false(view_enter(&v));
    assert_int_equal(v.depth, 1);
    assert_true(v.message[0] != '\0');
    filter_free(&f);
    view_free(&v);
}

static void group_by_resets_stack(void **state)
{
    (void)state;
    view v;
    open_session(&v);
    assert_int_equal(v.depth, 3);
    view_set_group_by(&v, BY("class"));
    assert_int_equal(v.set->by, BY("class"));
    assert_int_equal(v.depth, 1);
    assert_int_equal(view_top(&v)->kind, VIEW_GROUPS);
    assert_int_equal(selected(&v), 0);
    /* `heapsift --group-by=class`; Ruby: 14 distinct classes of the 3485. */
    assert_int_equal(view_rows(&v), 7);
    assert_int_equal(v.set->total_count, 3485);
    char label[256];
    size_t len;
    group_label(v.set, view_group_at(&v, 0), label, sizeof label, &len);
    assert_string_equal(label, "String");
    assert_int_equal(view_group_at(&v, 0)->count, 2674);

    /* tests/test_report.c other_groupings: app 3277, leaky-1.2.3 131, stdlib 77. */
    view_move(&v, 5);
    view_set_group_by(&v, BY("gem"));
    assert_int_equal(view_rows(&v), 3);
    assert_int_equal(selected(&v), 0);
    static const char *const gems[3] = { "app", "leaky-1.2.3", "stdlib" };
    static const uint64_t counts[3] = { 3277, 131, 77 };
    for (size_t r = 0; r < 3; r++) {
        group_label(v.set, view_group_at(&v, r), label, sizeof label, &len);
        assert_string_equal(label, gems[r]);
        assert_int_equal(view_group_at(&v, r)->count, counts[r]);
    }

    /* The filter stays across regrouping. */
    obj_filter f;
    filter_init(&f);
    filter_set_include(&f, "app/models");
    view_set_filter(&v, &f);
    assert_int_equal(view_rows(&v), 1);
    view_set_group_by(&v, BY("class"));
    assert_int_equal(view_rows(&v), 2); /* Session 76, String 76 */
    assert_int_equal(v.set->total_count, 152);
    view_set_group_by(&v, GROUP_SITE);
    assert_int_equal(view_rows(&v), 2);
    filter_set_include(&f, NULL);
    view_set_filter(&v, &f);
    assert_int_equal(view_rows(&v), 32);
    filter_free(&f);
    view_free(&v);
}

/* ---- drilling in ------------------------------------------------------------------- */

static void enter_group(void **state)
{
    (void)state;
    view v;
    open_view(&v);
    assert_true(view_enter(&v));
    assert_int_equal(v.depth, 2);
    view_frame *f = view_top(&v);
    assert_int_equal(f->kind, VIEW_OBJECTS);
    assert_ptr_equal(&v.set->groups[f->group], view_group_at(&v, 0));
    assert_int_equal(view_rows(&v), 283);
    assert_int_equal(selected(&v), 0);
    heap *h = v.subject;
    /* Ruby, sorting the group's objects by memsize descending then dump
     * order: 0x7f587bff5b38 (225 bytes) first. */
    size_t i = view_object_at(&v, 0);
    assert_int_equal(h->addr[i], 0x7f587bff5b38);
    assert_int_equal(h->type[i], RT_STRING);
    assert_int_equal(h->memsize[i], 225);
    uint64_t sum = 0;
    for (size_t r = 0; r < 283; r++) {
        size_t k = view_object_at(&v, r);
        sum += h->memsize[k];
        if (r)
            assert_true(h->memsize[view_object_at(&v, r - 1)] >= h->memsize[k]);
    }
    assert_int_equal(sum, 63451);
    assert_int_equal(view_object_at(&v, 283), OBJ_NONE);
    assert_null(view_group_at(&v, 283));
    assert_true(view_back(&v));
    assert_int_equal(v.depth, 1);
    assert_false(view_back(&v));
    assert_int_equal(v.depth, 1);

    v.stack[0].selected = row_of_site(&v, "STRING app/models/session.rb:20");
    assert_true(view_enter(&v));
    assert_int_equal(view_rows(&v), 76);
    assert_int_equal(h->addr[view_object_at(&v, 0)], 0x7f587bff4a58);
    view_back(&v);
    assert_int_equal(selected(&v), 22); /* the group list kept its selection */

    /* A filter applies to the objects listed: by gem, OBJECT only, the
     * app group holds the 76 sessions. */
    view_set_group_by(&v, BY("gem"));
    obj_filter flt;
    filter_init(&flt);
    const char *bad;
    assert_true(filter_set_types(&flt, "OBJECT", &bad));
    view_set_filter(&v, &flt);
    assert_int_equal(view_rows(&v), 1);
    assert_true(view_enter(&v));
    assert_int_equal(view_rows(&v), 76);
    for (size_t r = 0; r < 76; r++)
        assert_int_equal(h->type[view_object_at(&v, r)], RT_OBJECT);
    filter_free(&flt);
    view_free(&v);
}

/* `ruby -rjson -rzlib -e '...'` on app-2 and app-3: the first Session's
 * line has 11 members and references user8043 (lib/rackish.rb:37),
 * probe/1.0 (server.rb:56), tok-user8043-780 (app/models/session.rb:20)
 * and a Time; its class is Session; the one line naming it is Session.all,
 * the ARRAY allocated at app/models/session.rb:3, as the graph of dump 3
 * says too: a constant of the class Session, itself Object's. */
static void object_view(void **state)
{
    (void)state;
    view v;
    open_session(&v);
    view_frame *f = view_top(&v);
    assert_int_equal(f->kind, VIEW_OBJECT);
    assert_int_equal(f->info.nmembers, 11);
    assert_int_equal(f->info.nrefs, 5);
    assert_int_equal(f->info.nreferrers, 1);
    assert_false(f->info.referrers_capped);
    static const struct {
        orow_kind kind;
        const char *text;
    } rows[26] = {
        { OROW_RETAINED, "Retained size: 278 B (what freeing it would free, in dump 3)" },
        { OROW_HEADING, "Path from a GC root (4 hops from the vm root, in dump 3)" },
        { OROW_PATH, "  0x7f587b736858 CLASS Object (retained 8.0 KB)" },
        { OROW_PATH, "  0x7f587bfe4360 CLASS Session app/models/session.rb:2 (retained 47 KB)" },
        { OROW_PATH, "  0x7f587bfe42e8 ARRAY Array app/models/session.rb:3 (retained 46 KB)" },
        { OROW_PATH, "  0x7f587bff4aa8 OBJECT Session app/models/session.rb:9 (retained 278 B)" },
        { OROW_HEADING, "Members of its line (11)" },
        { OROW_MEMBER, "  address: \"0x7f587bff4aa8\"" },
        { OROW_MEMBER, "  type: \"OBJECT\"" },
        { OROW_MEMBER, "  class: \"0x7f587bfe4360\"" },
        { OROW_MEMBER, "  ivars: 4" },
        { OROW_MEMBER, "  references: [\"0x7f587bff4b48\", \"0x7f587bff5430\", \"0x7f587bff4a58\", \"0x7f587bff4a08\"]" },
        { OROW_MEMBER, "  file: \"app/models/session.rb\"" },
        { OROW_MEMBER, "  line: 9" },
        { OROW_MEMBER, "  method: \"new\"" },
        { OROW_MEMBER, "  generation: 15" },
        { OROW_MEMBER, "  memsize: 72" },
        { OROW_MEMBER, "  flags: {\"wb_protected\":true, \"old\":true, \"uncollectible\":true, \"marked\":true}" },
        { OROW_HEADING, "References (5)" },
        { OROW_REF, "  0x7f587bff4b48 STRING String lib/rackish.rb:37 \"user8043\"" },
        { OROW_REF, "  0x7f587bff5430 STRING String server.rb:56 \"probe/1.0\"" },
        { OROW_REF, "  0x7f587bff4a58 STRING String app/models/session.rb:20 \"tok-user8043-780\"" },
        { OROW_REF, "  0x7f587bff4a08 DATA Time <internal:timev>:224" },
        { OROW_REF, "  0x7f587bfe4360 (class) CLASS Session app/models/session.rb:2" },
        { OROW_HEADING, "Referrers (1)" },
        { OROW_REFERRER, "  0x7f587bfe42e8 ARRAY Array app/models/session.rb:3" },
    };
    assert_int_equal(view_rows(&v), 26);
    for (size_t r = 0; r < 26; r++) {
        assert_int_equal(view_orow_at(&v, r)->kind, rows[r].kind);
        assert_string_equal(row_text(&v, r), rows[r].text);
    }
    assert_null(view_orow_at(&v, 26));
    assert_int_equal(f->info.refs[2].address, 0x7f587bff4a58);
    assert_int_equal(v.session->latest->addr[f->info.refs[2].index], 0x7f587bff4a58);
    assert_int_equal(f->info.referrers[0].address, 0x7f587bfe42e8);

    /* Every Session of the group is held by that same array. */
    view_back(&v);
    for (size_t r = 0; r < view_rows(&v); r += 25) {
        view_top(&v)->selected = r;
        assert_true(view_enter(&v));
        const objinfo *oi = &view_top(&v)->info;
        assert_int_equal(oi->nreferrers, 1);
        assert_int_equal(oi->referrers[0].address, 0x7f587bfe42e8);
        view_back(&v);
    }
    view_free(&v);
}

static void follow_and_back(void **state)
{
    (void)state;
    view v;
    open_session(&v);
    /* The referrer: Session.all, 162 sessions in app-3 (data/README), 10
     * members, its class Array; held by the class Session (3 hops from the
     * vm root, retained size, path heading). */
    view_end(&v);
    assert_int_equal(selected(&v), 25);
    assert_true(view_enter(&v));
    assert_int_equal(v.depth, 4);
    view_frame *f = view_top(&v);
    assert_int_equal(f->kind, VIEW_OBJECT);
    assert_true(f->h == v.session->latest);
    assert_int_equal(f->h->addr[f->info.index], 0x7f587bfe42e8);
    assert_int_equal(f->info.nmembers, 10);
    assert_int_equal(f->info.nrefs, 163);
    assert_int_equal(f->info.nreferrers, 1);
    assert_int_equal(view_rows(&v), 5 + 1 + 10 + 1 + 163 + 1 + 1);
    assert_string_equal(row_text(&v, 16), "References (163)");
    assert_string_equal(row_text(&v, 17), "  0x7f587bfec8f8 OBJECT Session app/models/session.rb:9");
    assert_string_equal(row_text(&v, 179), "  0x7f587b74bfa0 (class) CLASS Array");
    assert_string_equal(row_text(&v, 180), "Referrers (1)");
    assert_string_equal(row_text(&v, 181), "  0x7f587bfe4360 CLASS Session app/models/session.rb:2");
    assert_int_equal(selected(&v), 17);
    assert_true(view_back(&v));
    assert_int_equal(v.depth, 3);
    assert_int_equal(selected(&v), 25); /* as it was */
    assert_int_equal(v.session->latest->addr[view_top(&v)->info.index], 0x7f587bff4aa8);

    /* A reference: the token string, held by the session alone. */
    view_top(&v)->selected = 21;
    assert_int_equal(view_orow_at(&v, 21)->kind, OROW_REF);
    assert_true(view_enter(&v));
    assert_int_equal(v.depth, 4);
    f = view_top(&v);
    assert_int_equal(f->h->addr[f->info.index], 0x7f587bff4a58);
    assert_int_equal(f->info.nreferrers, 1);
    assert_string_equal(row_text(&v, view_rows(&v) - 1), "  0x7f587bff4aa8 OBJECT Session app/models/session.rb:9");
    assert_true(view_back(&v));
    assert_true(view_back(&v));
    assert_true(view_back(&v));
    assert_int_equal(v.depth, 1);
    assert_false(view_back(&v));
    view_free(&v);
}

/* The class String has more referrers than the view keeps (every String
 * of dump 3 references its class in the graph): a note says so. */
static void capped_referrers(void **state)
{
    (void)state;
    view v;
    open_session(&v);
    view_top(&v)->selected = 19; /* user8043 */
    assert_true(view_enter(&v));
    /* Its class, the last reference. */
    const objinfo *oi = &view_top(&v)->info;
    for (size_t r = 0; r < view_rows(&v); r++)
        if (view_orow_at(&v, r)->kind == OROW_REF)
            view_top(&v)->selected = r;
    assert_int_equal(view_orow_at(&v, selected(&v))->kind, OROW_REF);
    assert_int_equal(view_orow_at(&v, selected(&v))->item, oi->nrefs - 1);
    assert_true(view_enter(&v));
    view_frame *f = view_top(&v);
    assert_int_equal(f->h->addr[f->info.index], 0x7f587b73a458);
    assert_true(f->info.referrers_capped);
    assert_int_equal(f->info.nreferrers, OBJINFO_MAX_REFERRERS);
    size_t n = view_rows(&v);
    assert_int_equal(view_orow_at(&v, n - 1)->kind, OROW_NOTE);
    assert_string_equal(row_text(&v, n - 1), "  (more than 5000 referrers; the first are shown)");
    assert_string_equal(row_text(&v, n - 2 - OBJINFO_MAX_REFERRERS), "Referrers (5000+)");
    /* The note is not selectable: End stops on the last referrer. */
    view_end(&v);
    assert_int_equal(selected(&v), n - 2);
    view_free(&v);
}

static void enter_on_heading_or_member(void **state)
{
    (void)state;
    view v;
    open_session(&v);
    view_top(&v)->selected = 18; /* "References (5)" */
    assert_false(view_enter(&v));
    assert_int_equal(v.depth, 3);
    assert_string_equal(v.message, "select a reference or a referrer to follow it");
    view_top(&v)->selected = 10; /* ivars: 4 */
    v.message[0] = '\0';
    assert_false(view_enter(&v));
    assert_int_equal(v.depth, 3);
    assert_string_equal(v.message, "select a reference or a referrer to follow it");
    /* A successful action clears the message. */
    view_top(&v)->selected = 19;
    assert_true(view_enter(&v));
    assert_string_equal(v.message, "");
    view_free(&v);
}

/* ---- search ------------------------------------------------------------------------ */

static void search(void **state)
{
    (void)state;
    view v;
    open_view(&v);
    /* Rows 21 and 22 are app/models/session.rb:9 and :20. */
    assert_true(view_search(&v, "SESSION.rb", 1));
    assert_int_equal(selected(&v), 21);
    assert_string_equal(v.search, "SESSION.rb");
    assert_int_equal(v.match_count, 2);
    assert_int_equal(v.match_at, 1);
    assert_true(view_row_matches(&v, 22));
    assert_false(view_row_matches(&v, 20));
    assert_true(view_search(&v, NULL, 1));
    assert_int_equal(selected(&v), 22);
    assert_int_equal(v.match_at, 2);
    assert_true(view_search(&v, "", 1)); /* empty repeats, and wraps */
    assert_int_equal(selected(&v), 21);
    assert_true(view_search(&v, NULL, -1));
    assert_int_equal(selected(&v), 22); /* backward, wrapping */
    assert_true(view_search(&v, NULL, -1));
    assert_int_equal(selected(&v), 21);
    /* The type column matches too; backward from row 0 wraps to the end. */
    view_home(&v);
    assert_true(view_search(&v, "imemo", -1));
    assert_int_equal(selected(&v), 31);
    assert_true(view_search(&v, NULL, -1));
    assert_int_equal(selected(&v), 30);
    /* 14 of the 32 site groups are server.rb's (app-site.txt); moving off
     * the match keeps the count, not the place; opening a group ends it. */
    view_home(&v);
    assert_true(view_search(&v, "server.rb", 1));
    assert_int_equal(v.match_count, 14);
    assert_int_equal(v.match_at, 1);
    view_move(&v, 1);
    assert_int_equal(v.match_count, 14);
    assert_int_equal(v.match_at, 0);
    assert_true(view_enter(&v));
    assert_int_equal(v.match_count, 0);
    assert_false(view_row_matches(&v, 0));
    view_back(&v);
    view_home(&v);
    /* The only match is the selected row: found again, in place. */
    assert_true(view_search(&v, "leaky", 1));
    assert_int_equal(selected(&v), 4);
    assert_true(view_search(&v, NULL, 1));
    assert_int_equal(selected(&v), 4);

    assert_false(view_search(&v, "no-such-text", 1));
    assert_string_equal(v.message, "not found: no-such-text");
    assert_int_equal(selected(&v), 4);

    /* In an object view headings are skipped: "references" finds the member. */
    view_free(&v);
    open_session(&v);
    assert_true(view_search(&v, "references", 1));
    assert_int_equal(selected(&v), 11);
    assert_true(view_search(&v, "array", -1));
    assert_int_equal(selected(&v), 4); /* the path's hop through Session.all */
    view_free(&v);

    open_view(&v);
    assert_false(view_search(&v, NULL, 1));
    assert_string_equal(v.message, "no search yet: press / to search");
    view_free(&v);
}

/* ---- row text and trends ---------------------------------------------------------------- */

static void row_text_kinds(void **state)
{
    (void)state;
    view v;
    open_view(&v);
    /* Group rows are the screen's: human units, the trend's glyphs. */
    assert_string_equal(row_text(&v, 0),
                        "     283     52 KB     63 KB STRING   \u2583\u2586\u2588   app/controllers/products_controller.rb:7");
    assert_string_equal(row_text(&v, 31), "       1       0 B      40 B IMEMO    \u2581\u2588\u2588   server.rb:90");
    assert_string_equal(row_text(&v, 32), "");
    char small[16];
    assert_int_equal(view_row_text(&v, 0, small, sizeof small), 15);
    assert_string_equal(small, "     283     52");

    /* Object rows: address, type, class, memsize, bytesize, generation and
     * the start of the value (60 characters, decoded). */
    assert_true(view_enter(&v));
    assert_string_equal(row_text(&v, 0),
                        "0x7f587bff5b38 STRING  String                    225      183      7 "
                        "\"<li>item 214862-0</li>\n<li>item 214862-1</li>\n<li>item 21486...\"");
    view_back(&v);
    v.stack[0].selected = row_of_site(&v, "OBJECT app/models/session.rb:9");
    assert_true(view_enter(&v));
    assert_string_equal(row_text(&v, 0), "0x7f587bff4aa8 OBJECT  Session                    72        0     15");
    view_back(&v);
    v.stack[0].selected = row_of_site(&v, "STRING app/models/session.rb:20");
    assert_true(view_enter(&v));
    assert_string_equal(row_text(&v, 0),
                        "0x7f587bff4a58 STRING  String                     40       16     15 \"tok-user8043-780\"");
    view_back(&v);
    /* Sorted by the live counts, the row shows them as numbers. */
    view_set_sort(&v, SORT_LIVE);
    assert_string_equal(row_text(&v, 0), "     283     52 KB     63 KB STRING   \u2583\u2586\u2588   "
                                         "121 404 679 app/controllers/products_controller.rb:7");
    view_set_sort(&v, SORT_COUNT);

    view_free(&v);

    /* Other groupings leave the type column blank. */
    assert_int_equal(view_init(&v, app->session, &(group_query){ .by = BY("gem"), .sort = SORT_COUNT, .trends = true }, TAB_GROUPS, NULL), HS_OK);
    /* No type column: a gem's groups mix types. */
    assert_string_equal(row_text(&v, 1), "     131    2.6 KB    5.2 KB \u2583\u2585\u2588   leaky-1.2.3");
    view_free(&v);
    /* Headings, members, references and referrers: object_view. */
}

/* Every row kind honours the buffer size: a NUL-terminated text of at most
 * size - 1 bytes, nothing written past size. The buffer is larger than the
 * size given, so an overrun shows as bytes changed past it instead of
 * corrupting memory. */
static void row_text_short_buffer(void **state)
{
    (void)state;
    view v;
    open_session(&v);
    for (size_t r = 0; r < view_rows(&v); r++) {
        const char *full = row_text(&v, r);
        for (size_t size = 1; size <= 24; size++) {
            char buf[256];
            memset(buf, 'Z', sizeof buf);
            size_t len = view_row_text(&v, r, buf, size);
            for (size_t k = size; k < sizeof buf; k++)
                if (buf[k] != 'Z')
                    fail_msg("row %zu (\"%s\") with size %zu: byte %zu written", r, full, size, k);
            assert_true(len < size);
            assert_int_equal(buf[len], '\0');
        }
    }
    view_free(&v);
}

/* Trends, per dump, counted by Ruby over every object of each dump
 * (`ruby -rjson -rzlib -e 'p Zlib::GzipReader.open(f).each_line.count { |l|
 * o = JSON.parse(l); o["type"] == T && o["file"] == F && o["line"] == L }'`):
 *   STRING app/models/session.rb:20   24 100 162
 *   STRING server.rb:48               44  80  90
 *   IMEMO  server.rb:89                0   4   4
 * A level is ceil(7 * count / max) of "_.-=+*#@" or U+2581..U+2588. */
static void trend_glyphs(void **state)
{
    (void)state;
    view v;
    open_view(&v);
    char buf[64];
    const group *g = view_group_at(&v, row_of_site(&v, "STRING app/models/session.rb:20"));
    assert_non_null(g->trend);
    assert_int_equal(g->trend[0], 24);
    assert_int_equal(g->trend[1], 100);
    assert_int_equal(g->trend[2], 162);
    column_cell(v.set, g, COL_TREND, false, buf, sizeof buf);
    assert_string_equal(buf, "-*@");
    column_cell(v.set, g, COL_TREND, true, buf, sizeof buf);
    assert_string_equal(buf, "\u2583\u2586\u2588");

    g = view_group_at(&v, row_of_site(&v, "STRING server.rb:48"));
    assert_int_equal(g->trend[0], 44);
    assert_int_equal(g->trend[1], 80);
    assert_int_equal(g->trend[2], 90);
    column_cell(v.set, g, COL_TREND, false, buf, sizeof buf);
    assert_string_equal(buf, "+@@");
    column_cell(v.set, g, COL_TREND, true, buf, sizeof buf);
    assert_string_equal(buf, "\u2585\u2588\u2588");

    g = view_group_at(&v, row_of_site(&v, "IMEMO server.rb:89"));
    assert_int_equal(g->trend[0], 0);
    assert_int_equal(g->trend[1], 4);
    assert_int_equal(g->trend[2], 4);
    column_cell(v.set, g, COL_TREND, false, buf, sizeof buf);
    assert_string_equal(buf, "_@@");
    column_cell(v.set, g, COL_TREND, true, buf, sizeof buf);
    assert_string_equal(buf, "\u2581\u2588\u2588");

    /* Whole glyphs only when the buffer is short. */
    column_cell(v.set, g, COL_TREND, true, buf, 7);
    assert_string_equal(buf, "\u2581\u2588");
    column_cell(v.set, g, COL_TREND, false, buf, 3);
    assert_string_equal(buf, "_@");
    view_free(&v);
}

/* ---- export ------------------------------------------------------------------------------ */

/* The group list exports as --report does: body byte for byte the Ruby
 * oracle's (data/expected/app-identity.txt), and with a filter the same as
 * `heapsift --no-header --filter=app/models` (golden file, checked against
 * data/README's table). */
/* The export's body with what the classic report lacks (each line's
 * "  retained: N" and "  trend: ..." suffixes) cut off, so it can be
 * compared with the classic oracle's output. Caller frees. */
static char *classic_body(const char *text)
{
    const char *body = body_of(text);
    char *out = malloc(strlen(body) + 1), *o = out;
    for (const char *p = body; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *cut = NULL;
        for (const char *q = p; q + 2 < p + len && !cut; q++)
            if (strncmp(q, "  retained: ", 12) == 0 || strncmp(q, "  trend: ", 9) == 0)
                cut = q;
        size_t keep = cut ? (size_t)(cut - p) : len;
        memcpy(o, p, keep);
        o += keep;
        if (nl)
            *o++ = '\n';
        p = nl ? nl + 1 : p + len;
    }
    *o = '\0';
    return out;
}

static void write_group_list(void **state)
{
    (void)state;
    view v;
    open_view(&v);
    char *text = written(&v, "2024-05-01 12:00");
    char *want = read_file(data_path("expected/app-identity.txt"));
    /* The classic report's lines, each with the trend the screen shows. */
    char *classic = classic_body(text);
    assert_text_equal(classic, want);
    free(classic);
    assert_non_null(strstr(text, "\nRetained 76 OBJECT objects of size 0/5472 at: app/models/session.rb:9  trend: 24 100 162\n"));
    assert_memory_equal(text, "# heapsift ", 11);
    assert_non_null(strstr(text, "\n# written 2024-05-01 12:00\n"));
    assert_non_null(strstr(text, "\n# 32 groups, 3485 objects\n"));
    free(want);
    free(text);

    obj_filter f;
    filter_init(&f);
    filter_set_include(&f, "app/models");
    view_set_filter(&v, &f);
    filter_free(&f);
    text = written(&v, NULL);
    char golden[1024];
    snprintf(golden, sizeof golden, "%s/tests/golden/screens/export-app-models.txt", TOP_SRCDIR);
    want = read_file(golden);
    classic = classic_body(text);
    assert_text_equal(classic, want);
    free(classic);
    assert_non_null(strstr(text, "\n# filter: path app/models\n"));
    assert_non_null(strstr(text, "\n# 2 groups, 152 objects\n"));
    assert_null(strstr(text, "# written"));
    free(want);
    free(text);

    /* Sorted and reversed as shown. */
    view_set_sort(&v, SORT_MEMSIZE);
    view_toggle_reverse(&v);
    text = written(&v, NULL);
    assert_string_equal(body_of(text),
                        "Retained 76 STRING objects of size 1208/3040 at: app/models/session.rb:20  trend: 24 100 162\n"
                        "Retained 76 OBJECT objects of size 0/5472 at: app/models/session.rb:9  trend: 24 100 162\n"
                        "\n\nTotal Size: 1208/8512\n");
    free(text);
    view_free(&v);
}

/* A string's newline never splits an exported line: the objects of
 * products_controller.rb:7 hold "<li>...</li>\n<li>..." values. */
static void export_escapes_newlines(void **state)
{
    (void)state;
    view v;
    open_view(&v);
    v.stack[0].selected = row_of_site(&v, "STRING app/controllers/products_controller.rb:7");
    assert_true(view_enter(&v));
    assert_true(view_enter(&v));
    char *text = written(&v, NULL);
    assert_non_null(strstr(text, "\\n<li>"));
    for (const char *line = text; *line; line = strchr(line, '\n') + 1) {
        if (strncmp(line, "<li>", 4) == 0)
            fail_msg("an exported line starts inside a value:\n%s", text);
        if (!strchr(line, '\n'))
            break;
    }
    assert_non_null(strstr(text, "# object 0x"));
    free(text);
    view_free(&v);
}

static void write_objects_and_object(void **state)
{
    (void)state;
    view v;
    open_view(&v);
    v.stack[0].selected = row_of_site(&v, "STRING app/models/session.rb:20");
    assert_true(view_enter(&v));
    char *text = written(&v, "2024-05-01 12:00");
    char want[4096];
    snprintf(want, sizeof want,
             "# heapsift " PACKAGE_VERSION ": objects of a group\n"
             "# dump 1: %s\n# dump 2: %s\n# dump 3: %s\n"
             "# group (site): STRING app/models/session.rb:20\n"
             "# address        type    class                 memsize bytesize    gen value\n"
             "# written 2024-05-01 12:00\n"
             "0x7f587bff4a58 STRING  String                     40       16     15 \"tok-user8043-780\"\n",
             app->session->dumps[0]->path, app->session->dumps[1]->path, app->session->dumps[2]->path);
    assert_memory_equal(text, want, strlen(want));
    /* One line a row. */
    size_t lines = 0;
    for (const char *p = body_of(text); *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 76);
    free(text);
    view_back(&v);

    view_free(&v);
    open_session(&v);
    text = written(&v, NULL);
    snprintf(want, sizeof want,
             "# heapsift " PACKAGE_VERSION ": one object\n"
             "# dump 1: %s\n# dump 2: %s\n# dump 3: %s\n"
             "# object 0x7f587bff4aa8 in dump 3: OBJECT Session app/models/session.rb:9\n"
             "Retained size: 278 B (what freeing it would free, in dump 3)\n"
             "Path from a GC root (4 hops from the vm root, in dump 3)\n",
             app->session->dumps[0]->path, app->session->dumps[1]->path, app->session->dumps[2]->path);
    assert_memory_equal(text, want, strlen(want));
    assert_non_null(strstr(text, "\nReferrers (1)\n  0x7f587bfe42e8 ARRAY Array app/models/session.rb:3\n"));
    assert_int_equal(text[strlen(text) - 1], '\n');
    free(text);
    view_free(&v);
}

static size_t dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static void export_and_names(void **state)
{
    (void)state;
    view v;
    open_view(&v);
    char name[256];
    view_default_export_name(&v, name, sizeof name);
    assert_string_equal(name, "heapsift-report.txt");

    char dir[] = "/tmp/heapsift-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    hs_error err;
    assert_int_equal(view_export(&v, path, false, "2024-05-01 12:00", &err), HS_OK);
    char *got = read_file(path);
    char *want = written(&v, "2024-05-01 12:00");
    assert_string_equal(got, want);
    free(got);

    /* Not replaced without force; replaced with it. */
    view_set_sort(&v, SORT_MEMSIZE);
    assert_int_equal(view_export(&v, path, false, "2024-05-01 12:00", &err), HS_ERR_EXISTS);
    assert_int_equal(err.status, HS_ERR_EXISTS);
    assert_non_null(strstr(err.msg, path));
    got = read_file(path);
    assert_string_equal(got, want);
    free(got);
    free(want);
    assert_int_equal(view_export(&v, path, true, "2024-05-01 12:00", &err), HS_OK);
    got = read_file(path);
    assert_non_null(strstr(got, "\nRetained 130 HASH objects of size 0/120640 at: lib/rackish.rb:27  trend: "));
    assert_memory_equal(body_of(got), "Retained 130 HASH ", 18);
    free(got);
    assert_int_equal(dir_entries(dir), 1);
    unlink(path);

    /* A group's and an object's names differ by view. */
    view_set_sort(&v, SORT_COUNT);
    v.stack[0].selected = row_of_site(&v, "STRING app/models/session.rb:20");
    assert_true(view_enter(&v));
    view_default_export_name(&v, name, sizeof name);
    size_t number = 0;
    char tail[16] = "";
    assert_int_equal(sscanf(name, "heapsift-group-%zu%15s", &number, tail), 2);
    assert_string_equal(tail, ".txt");
    assert_true(number >= 1 && number <= 32);
    char other[256];
    view_back(&v);
    v.stack[0].selected = row_of_site(&v, "OBJECT app/models/session.rb:9");
    assert_true(view_enter(&v));
    view_default_export_name(&v, other, sizeof other);
    assert_string_not_equal(name, other);
    assert_true(view_enter(&v));
    view_default_export_name(&v, name, sizeof name);
    assert_string_equal(name, "heapsift-object-0x7f587bff4aa8.txt");
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(view_export(&v, path, false, NULL, &err), HS_OK);
    got = read_file(path);
    assert_memory_equal(got, "# heapsift " PACKAGE_VERSION ": one object\n", strlen("# heapsift " PACKAGE_VERSION ": one object\n"));
    free(got);
    unlink(path);

    /* A directory that does not exist. */
    snprintf(path, sizeof path, "%s/no/such/dir/x.txt", dir);
    assert_int_equal(view_export(&v, path, false, NULL, &err), HS_ERR_IO);
    assert_int_equal(dir_entries(dir), 0);
    rmdir(dir);
    view_free(&v);
}

/* The three dumps at paths loaded with trends and the graph (read, not
 * attached: the tests attach it when they want the view to see it). */
static loader *load_graphed(const char *const *paths)
{
    loader_opts opts = { .identity = DIFF_ID_EXACT, .want_trends = true, .want_graph = true };
    hs_error err;
    loader *l;
    assert_int_equal(loader_start(&l, paths, 3, &opts, &err), HS_OK);
    assert_int_equal(loader_join(l), HS_OK);
    return l;
}

/* The explorer shows the list before the graph is read: the object view
 * says the retained size is coming; once the graph is attached the groups
 * have retained sizes and an object opens as the latest dump has it, with
 * its referrers from the graph. */
static void graph_arrives_later(void **state)
{
    (void)state;
    loader *l = load_graphed(app_dump_paths());
    assert_int_equal(l->graph_status, HS_OK);
    assert_int_equal(atomic_load(&l->graph_state), LOADER_GRAPH_READY);
    view v;
    assert_int_equal(view_init(&v, l->session, &(group_query){ .by = GROUP_SITE, .sort = SORT_COUNT, .trends = true }, TAB_GROUPS, NULL), HS_OK);
    v.graph_pending = true; /* as the UI sets it while the pass runs */
    assert_false(v.set->has_retained);
    v.stack[0].selected = row_of_site(&v, "OBJECT app/models/session.rb:9");
    assert_true(view_enter(&v));
    assert_true(view_enter(&v));
    assert_ptr_equal(view_top(&v)->h, l->session->dumps[1]); /* dump 2, as the diff lists it */
    assert_string_equal(row_text(&v, 0), "Retained size and root path: being computed (reading dump 3's references)");
    view_back(&v);
    view_back(&v);

    assert_true(loader_attach_graph(l));
    assert_false(loader_attach_graph(l)); /* once */
    view_graph_ready(&v);
    assert_false(v.graph_pending);
    assert_true(v.set->has_retained);
    assert_int_equal(v.stack[0].selected, row_of_site(&v, "OBJECT app/models/session.rb:9"));
    assert_true(view_enter(&v));
    assert_true(view_enter(&v));
    view_frame *f = view_top(&v);
    assert_ptr_equal(f->h, l->session->dumps[2]);
    assert_int_equal(f->h->addr[f->info.index], 0x7f587bff4aa8);
    assert_true(f->in_graph);
    assert_string_equal(row_text(&v, 0), "Retained size: 278 B (what freeing it would free, in dump 3)");
    assert_string_equal(row_text(&v, 1), "Path from a GC root (4 hops from the vm root, in dump 3)");
    /* Referrers: the class-level array (from the graph, no text scan). */
    assert_int_equal(f->info.nreferrers, 1);
    assert_int_equal(f->info.referrers[0].address, 0x7f587bfe42e8);
    view_free(&v);
    loader_free(l);
}

/* An object opened while the graph is read fills in when it comes: its
 * retained size and root path show without reopening it, as dump 3 has
 * it, with its referrers from the graph (never a search of a dump's text:
 * until then a note says they come), and the row that was selected stays
 * selected. */
static void open_object_fills_in(void **state)
{
    (void)state;
    loader *l = load_graphed(app_dump_paths());
    view v;
    assert_int_equal(view_init(&v, l->session, &(group_query){ .by = GROUP_SITE, .sort = SORT_COUNT, .trends = true }, TAB_GROUPS, NULL), HS_OK);
    v.graph_pending = true;
    v.stack[0].selected = row_of_site(&v, "OBJECT app/models/session.rb:9");
    assert_true(view_enter(&v));
    assert_true(view_enter(&v));
    view_frame *f = view_top(&v);
    assert_string_equal(row_text(&v, 0), "Retained size and root path: being computed (reading dump 3's references)");
    assert_ptr_equal(f->h, l->session->dumps[1]);
    assert_int_equal(f->info.nreferrers, 0);
    size_t n = view_rows(&v);
    assert_string_equal(row_text(&v, n - 2), "Referrers (0)");
    assert_int_equal(view_orow_at(&v, n - 1)->kind, OROW_NOTE);
    assert_string_equal(row_text(&v, n - 1), "  (listed once dump 3's references are read: they come from its graph)");
    orow was = f->orows[f->selected];
    assert_int_equal(was.kind, OROW_REF);
    assert_true(loader_attach_graph(l));
    view_graph_ready(&v);
    f = view_top(&v);
    assert_int_equal(f->kind, VIEW_OBJECT);
    assert_true(f->in_graph);
    assert_ptr_equal(f->h, l->session->dumps[2]);
    assert_int_equal(f->info.nreferrers, 1);
    assert_string_equal(row_text(&v, view_rows(&v) - 1), "  0x7f587bfe42e8 ARRAY Array app/models/session.rb:3");
    assert_string_equal(row_text(&v, 0), "Retained size: 278 B (what freeing it would free, in dump 3)");
    assert_string_equal(row_text(&v, 1), "Path from a GC root (4 hops from the vm root, in dump 3)");
    assert_int_equal(f->orows[f->selected].kind, was.kind);
    assert_int_equal(f->orows[f->selected].item, was.item);
    view_free(&v);
    loader_free(l);
}

/* Ruby 4.0 (tests/modern/ruby-4.0): the object view lists an object's
 * ivars by name from its shape, each with its value where the references
 * line up with them, and the path's hops name the ivar that holds them.
 * Accounts::DIRECTORY (a Directory, shape 14) has @name @owner @active
 * @archived, all objects: four references for four ivars. */
static void ivars_from_shapes(void **state)
{
    (void)state;
    char paths[3][1024];
    const char *p[3];
    for (int k = 0; k < 3; k++) {
        snprintf(paths[k], sizeof paths[k], "%s/tests/modern/ruby-4.0/d%d.json.gz", TOP_SRCDIR, k + 1);
        p[k] = paths[k];
    }
    loader *l = load_graphed(p);
    assert_true(loader_attach_graph(l));
    view v;
    assert_int_equal(view_init(&v, l->session, &(group_query){ .by = GROUP_SITE, .sort = SORT_COUNT }, TAB_GROUPS, NULL), HS_OK);
    uint32_t dir = session_node_at(l->session, 0x13f56690);
    assert_int_not_equal(dir, GRAPH_NONE);
    assert_true(view_open_object(&v, l->session->latest, dir));
    view_frame *f = view_top(&v);
    size_t head = SIZE_MAX;
    for (size_t r = 0; r < f->norows; r++)
        if (strcmp(row_text(&v, r), "Instance variables (4, from shape 14)") == 0)
            head = r;
    assert_int_not_equal(head, SIZE_MAX);
    assert_string_equal(row_text(&v, head + 3), "  @active = 0x13fa46f0 ARRAY Array /app/accounts.rb:27");
    assert_int_equal(f->orows[head + 3].kind, OROW_IVAR);
    /* Its references, named too. */
    size_t refs = SIZE_MAX;
    for (size_t r = 0; r < f->norows; r++)
        if (f->orows[r].kind == OROW_REF && refs == SIZE_MAX)
            refs = r;
    assert_string_equal(row_text(&v, refs + 2), "  0x13fa46f0     @active ARRAY Array /app/accounts.rb:27");
    /* Enter on the ivar follows its value; its path's last hop is named. */
    f->selected = head + 3;
    assert_true(view_enter(&v));
    f = view_top(&v);
    assert_int_equal(f->h->addr[f->info.index], 0x13fa46f0);
    assert_true(f->npath >= 2);
    assert_string_equal(f->path_ivar[f->npath - 1], "@active");
    view_free(&v);
    loader_free(l);
}

/* The Suspects tab: empty until the graph is attached, then the rows of
 * `heapsift --suspects` (tests/golden/app-suspects.txt) in its order; a
 * suspect opens on what it holds, a group of it lists the objects it holds
 * of that group; Tab keeps each tab's place; sorting and the filter. */
static void suspects_tab(void **state)
{
    (void)state;
    loader *l = load_graphed(app_dump_paths());
    view v;
    assert_int_equal(view_init(&v, l->session, &(group_query){ .by = GROUP_SITE, .sort = SORT_COUNT, .trends = true }, TAB_SUSPECTS, NULL), HS_OK);
    v.graph_pending = true;
    assert_int_equal(v.tab, TAB_SUSPECTS);
    assert_int_equal(view_top(&v)->kind, VIEW_SUSPECTS);
    assert_int_equal(view_rows(&v), 0);
    assert_false(view_enter(&v));
    assert_string_equal(v.message, "the suspects come with the graph: Tab shows the groups meanwhile");
    /* Tab: the groups are there before the graph. */
    view_switch_tab(&v);
    assert_int_equal(view_top(&v)->kind, VIEW_GROUPS);
    assert_int_equal(view_rows(&v), 32);
    view_move(&v, 3);
    view_switch_tab(&v);

    assert_true(loader_attach_graph(l));
    view_graph_ready(&v);
    assert_true(v.sp_ready);
    assert_int_equal(view_rows(&v), 9);
    char buf[2048];
    view_suspects_row_text(&v, 0, false, buf, sizeof buf);
    assert_string_equal(buf, "    2080    233 KB #######...  64.6% grows       ARRAY Array at app/middleware/audit_log.rb:4 "
                             "(0x7f587bfeaff8)");
    view_suspects_row_text(&v, 3, false, buf, sizeof buf);
    assert_string_equal(buf, "     313     13 KB #.........   3.5% grew once   HASH Hash at lib/rackish.rb:27 (35 holders)");
    assert_non_null(strstr(row_text(&v, 8), "[dump_all's own objects] several GC roots"));
    /* The counts add up to the report's total. */
    uint64_t total = 0;
    for (size_t r = 0; r < v.sp.nrows; r++)
        total += v.sp.rows[r].count;
    assert_int_equal(total, 3485);
    assert_int_equal(view_current_suspect(&v), 0);

    /* Suspect 1: the path, then its 21 groups; the cursor on the first. */
    assert_true(view_enter(&v));
    view_frame *f = view_top(&v);
    assert_int_equal(f->kind, VIEW_SUSPECT);
    assert_string_equal(row_text(&v, 0), "Path from a GC root to the holder (3 hops from the vm root, in dump 3)");
    assert_string_equal(row_text(&v, 3), "  0x7f587bfeaff8 ARRAY Array app/middleware/audit_log.rb:4 (retained 623 KB)");
    assert_string_equal(row_text(&v, 4), "What it holds: 21 groups (count and sizes of its objects; retained and "
                                         "trend: the whole group's)");
    assert_int_equal(f->selected, 6);
    assert_non_null(strstr(row_text(&v, 6), "     260    1.4 KB     10 KB"));
    assert_non_null(strstr(row_text(&v, 6), "app/controllers/products_controller.rb:40"));
    assert_int_equal(view_rows(&v), 6 + 21);
    size_t crumb = view_breadcrumb(&v, false, buf, sizeof buf);
    assert_string_equal(buf, "Suspects > ARRAY audit_log.rb:4");
    assert_int_equal(crumb, strlen(buf));
    /* Its objects of the group lib/rackish.rb:27 HASH: 130, all of them. */
    size_t row = 6;
    while (row < view_rows(&v) && !strstr(row_text(&v, row), "lib/rackish.rb:27"))
        row++;
    f->selected = row;
    assert_true(view_enter(&v));
    assert_int_equal(view_top(&v)->kind, VIEW_OBJECTS);
    assert_int_equal(view_rows(&v), 130);
    view_back(&v);
    view_back(&v);

    /* Suspect 4 folds 35 holders: they are listed first, 9 objects each at most. */
    view_move(&v, 3);
    assert_true(view_enter(&v));
    assert_string_equal(row_text(&v, 0), "Held by 35 objects of one type and site, the most first");
    assert_non_null(strstr(row_text(&v, 1), "0x7f58781f8718 HASH Hash lib/rackish.rb:27  holds 9 ("));
    view_back(&v);

    /* Tab kept the group list where it was. */
    view_switch_tab(&v);
    assert_int_equal(view_top(&v)->selected, 3);
    view_switch_tab(&v);
    assert_int_equal(view_top(&v)->selected, 3);

    /* Sorting: by count the roots' 68 come after the 131 of leaky.rb; by
     * growth the suspects that grew once come after those that grow. */
    view_sort_by(&v, SSORT_COUNT);
    assert_non_null(strstr(row_text(&v, 4), "leaky.rb:4"));
    assert_int_equal(view_current_suspect(&v), 3); /* the selection stays on the 35 holders */
    view_sort_by(&v, SSORT_GROWTH);
    for (size_t r = 0; r < 5; r++)
        assert_non_null(strstr(row_text(&v, r), " grows "));
    view_reverse(&v);
    assert_non_null(strstr(row_text(&v, 8), "dump_all")); /* the noise stays last */
    view_sort_by(&v, SSORT_BYTES);
    view_reverse(&v);

    /* A filter change keeps the selected suspect selected. */
    view_move(&v, 2);
    size_t picked = view_current_suspect(&v);
    view_set_filter(&v, &v.set->filter);
    assert_int_equal(view_current_suspect(&v), picked);
    view_home(&v);

    /* The filter chooses what counts: only app/models, one suspect holds it
     * (the Session array), and the tab returns to its list; the group
     * list's open object list closes too (it would show what is hidden). */
    view_switch_tab(&v);
    assert_true(view_enter(&v));
    assert_int_equal(view_top(&v)->kind, VIEW_OBJECTS);
    view_switch_tab(&v);
    assert_true(view_enter(&v));
    obj_filter flt;
    filter_init(&flt);
    filter_set_include(&flt, "app/models");
    view_set_filter(&v, &flt);
    filter_free(&flt);
    assert_int_equal(view_top(&v)->kind, VIEW_SUSPECTS);
    total = 0;
    for (size_t r = 0; r < v.sp.nrows; r++)
        total += v.sp.rows[r].count;
    assert_int_equal(total, 152); /* the filtered report's total (app-filter) */
    assert_non_null(strstr(row_text(&v, 0), "ARRAY Array at app/models/session.rb:3"));
    view_switch_tab(&v);
    assert_int_equal(view_top(&v)->kind, VIEW_GROUPS);
    /* A filter changed over the group list waits for the Suspects tab: no
     * keystroke in the pane waits for the suspects. */
    obj_filter none;
    filter_init(&none);
    view_set_filter(&v, &none);
    filter_free(&none);
    assert_true(v.sp_stale);
    view_switch_tab(&v);
    assert_false(v.sp_stale);
    total = 0;
    for (size_t r = 0; r < v.sp.nrows; r++)
        total += v.sp.rows[r].count;
    assert_int_equal(total, 3485);
    view_free(&v);
    loader_free(l);
}

/* A loader that reads the trends after the diff is handed over, as the
 * explorer's does, joined: every pass has ended. */
static loader *load_trends_later(bool alongside)
{
    loader_opts opts = { .identity = DIFF_ID_EXACT, .want_graph = true, .trends_later = true,
                         .trends_alongside = alongside };
    hs_error err;
    loader *l;
    assert_int_equal(loader_start(&l, app_dump_paths(), 3, &opts, &err), HS_OK);
    assert_int_equal(loader_join(l), HS_OK);
    return l;
}

/* The trends pass: after the graph's (or beside it), every dump's sites;
 * attached once; the session then has what a load with want_trends has.
 * Asked for with want_trends, or not at all, there is no such pass. */
static void trends_pass_states(void **state)
{
    (void)state;
    for (int alongside = 0; alongside < 2; alongside++) {
        loader *l = load_trends_later(alongside);
        assert_int_equal(atomic_load(&l->graph_state), LOADER_GRAPH_READY);
        assert_int_equal(atomic_load(&l->trends_state), LOADER_TRENDS_READY);
        assert_int_equal(l->trends_status, HS_OK);
        assert_int_equal(atomic_load(&l->trends_dump), 3); /* the last read */
        const session *ses = l->session;
        /* Handed over as the report loads them: dumps 1 and 3 by identity,
         * dump 2 with the details of its retained objects only. */
        assert_int_equal(ses->dumps[0]->mode, HEAP_IDENTITY);
        assert_int_equal(ses->dumps[1]->detailed, ses->diff->count);
        assert_int_equal(ses->diff->count, 3485);
        for (size_t k = 0; k < 3; k++) {
            assert_false(ses->dumps[k]->all_sites);
            assert_non_null(l->sites[k]);
        }
        assert_false(session_has_trends(ses));
        assert_true(loader_attach_trends(l));
        assert_false(loader_attach_trends(l)); /* once */
        assert_int_equal(atomic_load(&l->trends_state), LOADER_TRENDS_ATTACHED);
        assert_true(session_has_trends(ses));
        assert_int_equal(ses->dumps[0]->mode, HEAP_LIGHT);
        assert_int_equal(ses->dumps[2]->mode, HEAP_FULL);
        for (size_t k = 0; k < 3; k++)
            assert_null(l->sites[k]);
        assert_true(loader_attach_graph(l));
        loader_free(l);
    }
    loader_opts none[] = {
        { .identity = DIFF_ID_EXACT, .want_graph = true },
        { .identity = DIFF_ID_EXACT, .want_trends = true, .trends_later = true },
    };
    for (size_t k = 0; k < 2; k++) {
        hs_error err;
        loader *l;
        assert_int_equal(loader_start(&l, app_dump_paths(), 3, &none[k], &err), HS_OK);
        assert_int_equal(loader_join(l), HS_OK);
        assert_int_equal(atomic_load(&l->trends_state), LOADER_TRENDS_NONE);
        assert_false(loader_attach_trends(l));
        assert_int_equal(session_has_trends(l->session), none[k].want_trends);
        loader_free(l);
    }
}

/* The group list shows before the trends: no TREND or LIVE column, and
 * sorted by live counts it is in count order meanwhile. When they come,
 * every group's counts are those of a load that read the trends first
 * (tests/golden/app-trend.txt for the largest), the list is sorted by them,
 * and the selected group stays selected. */
static void trends_arrive_later(void **state)
{
    (void)state;
    loader *l = load_trends_later(false);
    assert_true(loader_attach_graph(l));
    view v;
    assert_int_equal(view_init(&v, l->session, &(group_query){ .by = GROUP_SITE, .sort = SORT_LIVE, .trends = true }, TAB_GROUPS, NULL), HS_OK);
    view_graph_ready(&v);
    v.trends_pending = true; /* as the UI sets it while the pass runs */
    column_id shown[COL_COUNT_ALL];
    size_t n = columns_shown(v.set, shown);
    for (size_t k = 0; k < n; k++)
        assert_true(shown[k] != COL_TREND && shown[k] != COL_LIVE);
    assert_null(view_group_at(&v, 0)->trend);
    assert_int_equal(v.set->trend_max, 0);
    /* Count order, as the open view of the trends' own load has. */
    view counted;
    open_view(&counted);
    assert_int_equal(v.set->nvisible, counted.set->nvisible);
    for (size_t r = 0; r < v.set->nvisible; r++)
        assert_string_equal(site_of(&v, view_group_at(&v, r)), site_of(&counted, view_group_at(&counted, r)));
    view_free(&counted);
    v.stack[0].selected = row_of_site(&v, "STRING server.rb:48");

    assert_true(loader_attach_trends(l));
    view_trends_ready(&v);
    assert_false(v.trends_pending);
    assert_string_equal(site_of(&v, selected_group(&v)), "STRING server.rb:48");
    n = columns_shown(v.set, shown);
    bool trend = false, live = false;
    for (size_t k = 0; k < n; k++) {
        trend |= shown[k] == COL_TREND;
        live |= shown[k] == COL_LIVE;
    }
    assert_true(trend && live);
    static const struct {
        const char *site;
        uint64_t trend[3];
    } golden[] = {
        { "STRING app/controllers/products_controller.rb:7", { 121, 404, 679 } },
        { "STRING app/services/page_cache.rb:7", { 121, 404, 679 } },
        { "STRING app/controllers/products_controller.rb:40", { 112, 372, 656 } },
        { "STRING server.rb:56", { 276, 470, 665 } },
        { "STRING gems/leaky-1.2.3/lib/leaky.rb:7", { 60, 191, 357 } },
        { "STRING server.rb:52", { 256, 386, 528 } },
        { "STRING server.rb:59", { 256, 386, 528 } },
    };
    for (size_t k = 0; k < sizeof golden / sizeof *golden; k++) {
        const group *g = view_group_at(&v, row_of_site(&v, golden[k].site));
        assert_non_null(g->trend);
        for (size_t d = 0; d < 3; d++)
            assert_int_equal(g->trend[d], golden[k].trend[d]);
    }
    /* Every grouping: the same counts, and the same live order, as the
     * load that read every site first. */
    for (unsigned by = 0; by < group_by_count(); by++) {
        group_query q = { .by = by, .sort = SORT_LIVE, .trends = true };
        group_set *later = test_group_new(l->session, &q), *first = test_group_new(app->session, &q);
        assert_int_equal(later->nvisible, first->nvisible);
        assert_int_equal(later->trend_max, first->trend_max);
        for (size_t r = 0; r < later->nvisible; r++) {
            const group *a = &later->groups[later->order[r]], *b = &first->groups[first->order[r]];
            char la[1024], lb[1024];
            group_label(later, a, la, sizeof la, NULL);
            group_label(first, b, lb, sizeof lb, NULL);
            assert_string_equal(la, lb);
            assert_int_equal(a->count, b->count);
            assert_memory_equal(a->trend, b->trend, 3 * sizeof *a->trend);
        }
        group_free(later);
        group_free(first);
    }
    /* Sorted by the latest dump's count: the first row has the most. */
    assert_int_equal(view_group_at(&v, 0)->trend[2], 679);
    view_free(&v);
    loader_free(l);
}

/* The graph comes with the node of each of the subject's objects, made on
 * the graph's thread: session_node_of reads it, and it says what the
 * address index says. */
static void node_maps_agree(void **state)
{
    (void)state;
    loader *l = load_trends_later(false);
    assert_true(loader_attach_graph(l));
    session *ses = l->session;
    assert_non_null(ses->nodes);
    assert_null(ses->nodes[0]);
    assert_non_null(ses->nodes[1]);
    assert_null(ses->nodes[2]);
    const heap *h = ses->dumps[1];
    uint32_t *mapped = malloc(h->count * sizeof *mapped);
    size_t found = 0;
    for (size_t i = 0; i < h->count; i++) {
        mapped[i] = session_node_of(ses, h, i);
        found += mapped[i] != GRAPH_NONE;
    }
    uint32_t **maps = ses->nodes;
    ses->nodes = NULL; /* as a graph attached without them */
    for (size_t i = 0; i < h->count; i++)
        assert_int_equal(mapped[i], session_node_of(ses, h, i));
    ses->nodes = maps;
    assert_true(found > 0 && found < h->count);
    free(mapped);
    loader_free(l);
}

/* A dump that cannot be read twice (a FIFO) gets its sites while it loads:
 * the trends pass reads the others, and the trends are the same. */
static void trends_of_a_fifo(void **state)
{
    (void)state;
    char dir[] = "/tmp/heapsift-fifo-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char fifo[64], cmd[1024];
    snprintf(fifo, sizeof fifo, "%s/dump-1", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    const char *const *app_paths = app_dump_paths();
    snprintf(cmd, sizeof cmd, "gzip -dc '%s' > '%s' &", app_paths[0], fifo);
    assert_int_equal(system(cmd), 0);
    const char *paths[3] = { fifo, app_paths[1], app_paths[2] };
    loader_opts opts = { .identity = DIFF_ID_EXACT, .want_graph = true, .trends_later = true };
    hs_error err;
    loader *l;
    assert_int_equal(loader_start(&l, paths, 3, &opts, &err), HS_OK);
    assert_int_equal(loader_join(l), HS_OK);
    unlink(fifo);
    rmdir(dir);
    assert_int_equal(atomic_load(&l->trends_state), LOADER_TRENDS_READY);
    assert_true(l->session->dumps[0]->all_sites);
    assert_null(l->sites[0]);
    assert_non_null(l->sites[1]);
    assert_true(loader_attach_trends(l));
    group_query q = { .by = GROUP_SITE, .sort = SORT_LIVE, .trends = true };
    group_set *later = test_group_new(l->session, &q), *first = test_group_new(app->session, &q);
    assert_int_equal(later->nvisible, first->nvisible);
    for (size_t r = 0; r < later->nvisible; r++)
        assert_memory_equal(later->groups[later->order[r]].trend, first->groups[first->order[r]].trend,
                            3 * sizeof(uint64_t));
    group_free(later);
    group_free(first);
    loader_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(initial_group_list),
        cmocka_unit_test(moves_on_group_list),
        cmocka_unit_test(moves_on_object_view),
        cmocka_unit_test(sort_keeps_selected_group),
        cmocka_unit_test(reverse_keeps_selected_group),
        cmocka_unit_test(filter_include_keeps_selection),
        cmocka_unit_test(filter_exclude_types_min_count),
        cmocka_unit_test(group_by_resets_stack),
        cmocka_unit_test(enter_group),
        cmocka_unit_test(object_view),
        cmocka_unit_test(follow_and_back),
        cmocka_unit_test(capped_referrers),
        cmocka_unit_test(enter_on_heading_or_member),
        cmocka_unit_test(search),
        cmocka_unit_test(row_text_kinds),
        cmocka_unit_test(row_text_short_buffer),
        cmocka_unit_test(trend_glyphs),
        cmocka_unit_test(write_group_list),
        cmocka_unit_test(write_objects_and_object),
        cmocka_unit_test(export_escapes_newlines),
        cmocka_unit_test(export_and_names),
        cmocka_unit_test(graph_arrives_later),
        cmocka_unit_test(open_object_fills_in),
        cmocka_unit_test(ivars_from_shapes),
        cmocka_unit_test(suspects_tab),
        cmocka_unit_test(trends_pass_states),
        cmocka_unit_test(trends_arrive_later),
        cmocka_unit_test(node_maps_agree),
        cmocka_unit_test(trends_of_a_fifo),
    };
    return cmocka_run_group_tests(tests, load_app, free_app);
}
