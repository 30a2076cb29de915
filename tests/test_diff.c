/* test_diff.c - which objects are suspects, and "the same object" across
 * dumps: hand-made dumps for each rule, then the app dumps. */
#include "testutil.h"

#include "diff.h"
#include "heap.h"

/* One object line in Ruby 3.1's key order; gen_member is G(n) or NOGEN.
 * OID_LINE is the Ruby 3.5 form, with flags.object_id. (Parsing the other
 * shapes a line can take is test_heap's business.) */
#define LINE(addr, type, gen_member)                                                       \
    "{\"address\":\"" addr "\", \"type\":\"" type "\", \"file\":\"a.rb\", \"line\":1" gen_member \
    ", \"memsize\":40, \"flags\":{\"wb_protected\":true}}\n"
#define G(n) ", \"generation\":" #n
#define NOGEN ""
#define OID_LINE(addr, gen, oid)                                                              \
    "{\"address\":\"" addr "\", \"type\":\"STRING\", \"file\":\"a.rb\", \"line\":1, \"generation\":" #gen \
    ", \"memsize\":40, \"flags\":{\"wb_protected\":true, \"age\":3, \"object_id\":" #oid "}}\n"

static heap *dump_of(const char *text)
{
    const char *path = temp_file_with(text, strlen(text));
    heap *h = NULL;
    hs_error err;
    heap_load_opts opts = { .mode = HEAP_FULL, .threads = 1 };
    if (heap_load(&h, path, &opts, &err) != HS_OK)
        fail_msg("%s", err.msg);
    unlink(path); /* h->path still names it, for messages */
    return h;
}

static void free_dumps(heap **d, size_t n)
{
    for (size_t k = 0; k < n; k++)
        heap_free(d[k]);
}

static diff_result *run(heap *const *dumps, size_t n, diff_identity id)
{
    diff_result *d = NULL;
    hs_error err;
    if (diff_run(&d, dumps, n, id, &err) != HS_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(d->ndumps, n);
    assert_int_equal(d->identity, id);
    for (size_t k = 1; k < d->count; k++)
        assert_true(d->objects[k - 1] < d->objects[k]);
    return d;
}

/* The suspects are exactly want[0..n) (indices into the subject). */
static void assert_objects(const diff_result *d, const uint32_t *want, size_t n)
{
    assert_int_equal(d->count, n);
    for (size_t k = 0; k < n; k++)
        assert_int_equal(d->objects[k], want[k]);
}
#define ASSERT_OBJECTS(d, ...)                                            \
    do {                                                                  \
        static const uint32_t want_[] = { __VA_ARGS__ };                  \
        assert_objects(d, want_, sizeof want_ / sizeof *want_);           \
    } while (0)

static bool contains(const diff_result *d, uint32_t i)
{
    for (size_t k = 0; k < d->count; k++)
        if (d->objects[k] == i)
            return true;
    return false;
}

static size_t count_minus(const diff_result *a, const diff_result *b)
{
    size_t n = 0;
    for (size_t k = 0; k < a->count; k++)
        n += !contains(b, a->objects[k]);
    return n;
}

/* diff.h defines both counters by what address-only matching would do: a
 * reused slot is a suspect it misses, a moved object one it counts and
 * identity matching does not. */
static void assert_counters_defined(const char *what, heap *const *dumps, size_t n)
{
    diff_result *exact = run(dumps, n, DIFF_ID_EXACT);
    diff_result *addr = run(dumps, n, DIFF_ID_ADDRESS);
    size_t missed = count_minus(exact, addr), wrongly = count_minus(addr, exact);
    if (exact->reused_slots != missed || exact->moved != wrongly)
        fail_msg("%s: reused_slots %llu, moved %llu; address-only misses %zu and wrongly keeps %zu",
                 what, (unsigned long long)exact->reused_slots, (unsigned long long)exact->moved,
                 missed, wrongly);
    assert_int_equal(addr->reused_slots, 0);
    assert_int_equal(addr->moved, 0);
    diff_free(exact);
    diff_free(addr);
}

/* D2 is listed out of address order, as real dumps are. */
static const char slot_d1[] =
    LINE("0x10", "STRING", G(1)) LINE("0x20", "STRING", G(1)) LINE("0x30", "STRING", G(1));
static const char slot_d2[] =
    LINE("0x40", "STRING", G(5))  /* 0: new, kept */
    LINE("0x10", "STRING", G(5))  /* 1: new in a slot freed since dump 1 */
    LINE("0x60", "STRING", G(5))  /* 2: new, freed, its slot reused in dump 3 */
    LINE("0x20", "STRING", G(1))  /* 3: old */
    LINE("0x50", "STRING", G(5)); /* 4: new, freed */
static const char slot_d3[] =
    LINE("0x10", "STRING", G(5)) LINE("0x20", "STRING", G(1)) LINE("0x40", "STRING", G(5))
    LINE("0x60", "STRING", G(8)) LINE("0x70", "STRING", G(8));
static const char slot_d4[] =
    LINE("0x10", "STRING", G(9)) LINE("0x40", "STRING", G(5)) LINE("0x60", "STRING", G(8));

static void slot_reuse(void **state)
{
    (void)state;
    heap *d[3] = { dump_of(slot_d1), dump_of(slot_d2), dump_of(slot_d3) };
    diff_result *r = run(d, 3, DIFF_ID_EXACT);
    assert_int_equal(r->mode, DIFF_RETAINED);
    assert_int_equal(r->subject, 1);
    ASSERT_OBJECTS(r, 0, 1);
    assert_int_equal(r->reused_slots, 1);
    assert_int_equal(r->moved, 1);
    diff_free(r);

    r = run(d, 3, DIFF_ID_ADDRESS);
    ASSERT_OBJECTS(r, 0, 2);
    assert_int_equal(r->reused_slots, 0);
    assert_int_equal(r->moved, 0);
    diff_free(r);
    free_dumps(d, 3);
}

static void one_dump_lists_everything(void **state)
{
    (void)state;
    heap *d[1] = { dump_of(slot_d2) };
    diff_result *r = run(d, 1, DIFF_ID_EXACT);
    assert_int_equal(r->mode, DIFF_ALL);
    assert_int_equal(r->subject, 0);
    ASSERT_OBJECTS(r, 0, 1, 2, 3, 4);
    assert_int_equal(r->reused_slots, 0);
    assert_int_equal(r->moved, 0);
    diff_free(r);
    free_dumps(d, 1);
}

static void two_dumps_list_new_objects(void **state)
{
    (void)state;
    heap *d[2] = { dump_of(slot_d1), dump_of(slot_d2) };
    diff_result *r = run(d, 2, DIFF_ID_EXACT);
    assert_int_equal(r->mode, DIFF_NEW);
    assert_int_equal(r->subject, 1);
    ASSERT_OBJECTS(r, 0, 1, 2, 4);
    assert_int_equal(r->reused_slots, 1);
    assert_int_equal(r->moved, 0);
    diff_free(r);
    r = run(d, 2, DIFF_ID_ADDRESS);
    ASSERT_OBJECTS(r, 0, 2, 4);
    diff_free(r);
    free_dumps(d, 2);
}

/* Dump 4: 0x10's slot is reused again, 0x40 and 0x60 live on. */
static void four_dumps(void **state)
{
    (void)state;
    heap *d[4] = { dump_of(slot_d1), dump_of(slot_d2), dump_of(slot_d3), dump_of(slot_d4) };
    diff_result *r = run(d, 4, DIFF_ID_EXACT);
    assert_int_equal(r->mode, DIFF_RETAINED);
    assert_int_equal(r->subject, 1);
    ASSERT_OBJECTS(r, 0);
    assert_int_equal(r->reused_slots, 0);
    diff_free(r);
    r = run(d, 4, DIFF_ID_ADDRESS);
    ASSERT_OBJECTS(r, 0, 2);
    diff_free(r);
    free_dumps(d, 4);
}

/* Without generations (tracing off), the type tells reused slots apart. */
static void no_generation_matched_by_type(void **state)
{
    (void)state;
    heap *d[3] = {
        dump_of(LINE("0x10", "STRING", NOGEN) LINE("0x20", "ARRAY", NOGEN) LINE("0x30", "STRING", G(2))),
        dump_of(LINE("0x10", "STRING", NOGEN)   /* 0: same type, same object */
                LINE("0x20", "HASH", NOGEN)     /* 1: another type: new */
                LINE("0x30", "STRING", NOGEN)   /* 2: one side lacks a generation: by type */
                LINE("0x40", "STRING", G(3))),  /* 3: new */
        dump_of(LINE("0x10", "STRING", NOGEN) LINE("0x20", "HASH", NOGEN) LINE("0x30", "STRING", G(2))
                LINE("0x40", "STRING", G(3))),
    };
    diff_result *r = run(d, 3, DIFF_ID_EXACT);
    ASSERT_OBJECTS(r, 1, 3);
    assert_int_equal(r->reused_slots, 1);
    diff_free(r);
    r = run(d, 3, DIFF_ID_ADDRESS);
    ASSERT_OBJECTS(r, 3);
    diff_free(r);
    free_dumps(d, 3);
}

/* Ruby 3.5+: flags.object_id, when both sides have one, decides. */
static void object_id_takes_precedence(void **state)
{
    (void)state;
    heap *d[3] = {
        dump_of(OID_LINE("0x10", 3, 17) OID_LINE("0x20", 2, 20) LINE("0x30", "STRING", G(3))),
        dump_of(OID_LINE("0x10", 3, 18)    /* 0: same generation, other id: new */
                OID_LINE("0x20", 3, 20)    /* 1: other generation, same id: old */
                OID_LINE("0x30", 3, 30)),  /* 2: dump 1 has no id: by generation, old */
        dump_of(OID_LINE("0x10", 3, 18) OID_LINE("0x20", 3, 20) OID_LINE("0x30", 3, 30)),
    };
    assert_non_null(d[1]->object_id);
    assert_int_equal(d[1]->object_id[0], 18);
    assert_int_equal(d[0]->object_id[2], 0);
    diff_result *r = run(d, 3, DIFF_ID_EXACT);
    ASSERT_OBJECTS(r, 0);
    assert_int_equal(r->reused_slots, 1);
    diff_free(r);
    r = run(d, 3, DIFF_ID_ADDRESS);
    assert_int_equal(r->count, 0);
    diff_free(r);
    free_dumps(d, 3);
}

/* Compaction moved objects: an object_id follows its object to any
 * address; a generation older than dump 1 proves an object is no suspect;
 * what moved is counted per dump. */
static void compaction_followed_and_named(void **state)
{
    (void)state;
    heap *d[3] = {
        dump_of(OID_LINE("0x10", 2, 5) LINE("0x20", "STRING", G(3)) LINE("0x30", "STRING", G(5))),
        dump_of(OID_LINE("0x50", 2, 5)            /* 0: moved, followed by its id: old */
                LINE("0x60", "STRING", G(3))      /* 1: moved, gen 3 < 5: old */
                OID_LINE("0x70", 7, 9)            /* 2: a leak, moves with its id */
                LINE("0x80", "STRING", G(7))      /* 3: a leak, moves without one */
                LINE("0x30", "STRING", G(5))      /* 4: stayed */
                LINE("0xb0", "STRING", G(8))),    /* 5: a leak, stays */
        dump_of(OID_LINE("0x50", 2, 5) LINE("0x60", "STRING", G(3)) OID_LINE("0x90", 7, 9)
                LINE("0xa0", "STRING", G(7)) LINE("0x30", "STRING", G(5)) LINE("0xb0", "STRING", G(8))),
    };
    diff_result *r = run(d, 3, DIFF_ID_EXACT);
    ASSERT_OBJECTS(r, 2, 5);
    assert_int_equal(r->predate, 1);
    assert_int_equal(r->followed, 1);
    assert_int_equal(r->moved_in[0], 0);
    assert_int_equal(r->moved_in[1], 2);
    assert_int_equal(r->oid_moved_in[1], 1);
    assert_int_equal(r->moved_in[2], 2);
    assert_int_equal(r->oid_moved_in[2], 1);
    assert_int_equal(r->untraced_in[1] + r->untraced_in[2], 0);
    diff_free(r);
    /* By address alone, as the classic script: nothing followed or ruled
     * out, so the two old objects are listed and the moved leaks are not. */
    r = run(d, 3, DIFF_ID_ADDRESS);
    ASSERT_OBJECTS(r, 0, 1, 5);
    assert_int_equal(r->predate, 0);
    assert_int_equal(r->followed, 0);
    diff_free(r);
    free_dumps(d, 3);
}

/* Ruby 3.1 drops a moved object's file, line and generation: with tracing
 * on in both dumps, an object without a generation at a new address is
 * counted as moved. */
static void untraced_objects_at_new_addresses(void **state)
{
    (void)state;
    heap *d[2] = {
        dump_of(LINE("0x10", "STRING", G(4)) LINE("0x20", "STRING", NOGEN)),
        dump_of(LINE("0x10", "STRING", G(4)) LINE("0x20", "STRING", NOGEN) LINE("0x40", "STRING", NOGEN)
                LINE("0x50", "STRING", G(6))),
    };
    diff_result *r = run(d, 2, DIFF_ID_EXACT);
    ASSERT_OBJECTS(r, 2, 3);
    assert_int_equal(r->untraced_in[1], 1);
    assert_int_equal(r->moved_in[1], 0);
    diff_free(r);
    free_dumps(d, 2);
}

/* One object with a generation and one without, at the same address, are
 * two objects: a generation never appears or goes away. */
static void generation_and_none_differ(void **state)
{
    (void)state;
    heap *d[3] = {
        dump_of(LINE("0x10", "IMEMO", NOGEN) LINE("0x20", "IMEMO", G(2))),
        dump_of(LINE("0x10", "IMEMO", G(3)) LINE("0x20", "IMEMO", NOGEN) LINE("0x30", "STRING", G(3))),
        dump_of(LINE("0x10", "IMEMO", G(3)) LINE("0x20", "IMEMO", NOGEN) LINE("0x30", "STRING", G(3))),
    };
    diff_result *r = run(d, 3, DIFF_ID_EXACT);
    ASSERT_OBJECTS(r, 0, 1, 2);
    diff_free(r);
    free_dumps(d, 3);
}

/* Hostile dumps may repeat an address: every object there is tried. */
static void duplicate_addresses(void **state)
{
    (void)state;
    heap *d[3] = {
        dump_of(LINE("0x10", "STRING", G(1)) LINE("0x10", "STRING", G(5))),
        dump_of(LINE("0x10", "STRING", G(5))   /* 0: matches dump 1's second 0x10 */
                LINE("0x10", "STRING", G(6))   /* 1: new */
                LINE("0x20", "STRING", G(6))   /* 2: new */
                LINE("0x20", "STRING", G(6))), /* 3: new, repeated */
        dump_of(LINE("0x20", "STRING", G(6)) LINE("0x10", "STRING", G(6))),
    };
    diff_result *r = run(d, 3, DIFF_ID_EXACT);
    ASSERT_OBJECTS(r, 1, 2, 3);
    diff_free(r);
    r = run(d, 3, DIFF_ID_ADDRESS);
    ASSERT_OBJECTS(r, 2, 3);
    diff_free(r);
    free_dumps(d, 3);
}

static void out_of_order(void **state)
{
    (void)state;
    heap *d[3] = { dump_of(slot_d3), dump_of(slot_d2), dump_of(slot_d1) };
    diff_result *r = NULL;
    hs_error err;
    assert_int_equal(diff_run(&r, d, 3, DIFF_ID_EXACT, &err), HS_ERR_FORMAT);
    assert_null(r);
    assert_int_equal(err.status, HS_ERR_FORMAT);
    assert_non_null(strstr(err.msg, d[0]->path));
    assert_non_null(strstr(err.msg, d[1]->path));
    assert_null(strstr(err.msg, d[2]->path));
    /* Identity does not matter: the order is wrong either way. */
    assert_int_equal(diff_run(&r, d + 1, 2, DIFF_ID_ADDRESS, &err), HS_ERR_FORMAT);
    assert_non_null(strstr(err.msg, d[1]->path));
    assert_non_null(strstr(err.msg, d[2]->path));
    free_dumps(d, 3);

    /* Equal generations, and dumps without any, cannot be ordered: accepted. */
    heap *same[2] = { dump_of(LINE("0x10", "STRING", G(4))), dump_of(LINE("0x20", "STRING", G(4))) };
    r = run(same, 2, DIFF_ID_EXACT);
    ASSERT_OBJECTS(r, 0);
    diff_free(r);
    free_dumps(same, 2);
    heap *none[2] = { dump_of(LINE("0x10", "STRING", NOGEN)), dump_of(LINE("0x10", "ARRAY", NOGEN)) };
    r = run(none, 2, DIFF_ID_EXACT);
    ASSERT_OBJECTS(r, 0);
    diff_free(r);
    free_dumps(none, 2);
}

static void no_dumps(void **state)
{
    (void)state;
    diff_result *r = NULL;
    hs_error err;
    assert_int_equal(diff_run(&r, NULL, 0, DIFF_ID_EXACT, &err), HS_ERR_USAGE);
    assert_null(r);
    diff_free(NULL);
    assert_int_equal(diff_subject_index(1), 0);
    assert_int_equal(diff_subject_index(2), 1);
    assert_int_equal(diff_subject_index(7), 1);
    assert_string_equal(diff_mode_name(DIFF_ALL), "all objects");
    assert_string_equal(diff_mode_name(DIFF_NEW), "new objects");
    assert_string_equal(diff_mode_name(DIFF_RETAINED), "retained objects");
}

/* reused_slots and moved against what the two identities actually list. */
static void counters_match_their_definitions(void **state)
{
    (void)state;
    heap *d[3] = { dump_of(slot_d1), dump_of(slot_d2), dump_of(slot_d3) };
    assert_counters_defined("two dumps", d, 2);
    assert_counters_defined("three dumps", d, 3);
    free_dumps(d, 3);
}

/* 0x10 is new in a reused slot (address-only matching never counts it), and
 * its slot is reused again before dump 3: it is not "moved". */
static void moved_ignores_reused_slots(void **state)
{
    (void)state;
    heap *d[3] = {
        dump_of(LINE("0x10", "STRING", G(1))),
        dump_of(LINE("0x10", "STRING", G(5)) LINE("0x20", "STRING", G(5))),
        dump_of(LINE("0x10", "STRING", G(8)) LINE("0x20", "STRING", G(5))),
    };
    assert_counters_defined("reused slot reused again", d, 3);
    free_dumps(d, 3);
}

/* 0x60 is replaced in dump 3 and gone in dump 4: address-only matching
 * drops it at dump 4, so it is not "moved" either. */
static void moved_with_four_dumps(void **state)
{
    (void)state;
    heap *d[4] = {
        dump_of(LINE("0x10", "STRING", G(1))),
        dump_of(LINE("0x60", "STRING", G(5)) LINE("0x20", "STRING", G(5))),
        dump_of(LINE("0x60", "STRING", G(8)) LINE("0x20", "STRING", G(5))),
        dump_of(LINE("0x20", "STRING", G(5)) LINE("0x90", "STRING", G(9))),
    };
    assert_counters_defined("replaced, then gone", d, 4);
    free_dumps(d, 4);
}

/* ---- the app dumps (data/README) ------------------------------------------ */

static heap *app[3];

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
    return 0;
}

static int free_app(void **state)
{
    (void)state;
    free_dumps(app, 3);
    return 0;
}

static void app_retained(void **state)
{
    (void)state;
    diff_result *exact = run(app, 3, DIFF_ID_EXACT);
    assert_int_equal(exact->count, 3485);
    assert_int_equal(exact->reused_slots, 191);
    assert_int_equal(exact->moved, 6);
    diff_result *addr = run(app, 3, DIFF_ID_ADDRESS);
    assert_int_equal(addr->count, 3300);
    assert_int_equal(count_minus(exact, addr), 191);
    assert_int_equal(count_minus(addr, exact), 6);
    diff_free(exact);
    diff_free(addr);
}

static void app_two_and_one(void **state)
{
    (void)state;
    diff_result *r = run(app, 2, DIFF_ID_EXACT);
    assert_int_equal(r->mode, DIFF_NEW);
    assert_int_equal(r->count, 5000);
    diff_free(r);
    r = run(app, 2, DIFF_ID_ADDRESS);
    assert_int_equal(r->count, 4361);
    diff_free(r);
    r = run(app + 2, 1, DIFF_ID_EXACT);
    assert_int_equal(r->mode, DIFF_ALL);
    assert_int_equal(r->count, 17468);
    diff_free(r);
}

/* A copy of h with its objects in the opposite file order (what the diff
 * reads of them): each heap page is then in descending order, so the diff
 * sorts a copy rather than take the dump's own runs. Free with
 * free_reversed. */
static heap *reversed(const heap *h)
{
    heap *r = malloc(sizeof *r);
    *r = *h;
    size_t n = h->count;
    r->addr = malloc(n * sizeof *r->addr);
    r->gen = malloc(n * sizeof *r->gen);
    r->type = malloc(n * sizeof *r->type);
    r->object_id = h->object_id ? malloc(n * sizeof *r->object_id) : NULL;
    for (size_t i = 0; i < n; i++) {
        r->addr[i] = h->addr[n - 1 - i];
        r->gen[i] = h->gen[n - 1 - i];
        r->type[i] = h->type[n - 1 - i];
        if (r->object_id)
            r->object_id[i] = h->object_id[n - 1 - i];
    }
    return r;
}

static void free_reversed(heap *r)
{
    free(r->addr);
    free(r->gen);
    free(r->type);
    free(r->object_id);
    free(r);
}

/* Every figure of two diffs equal, and the suspects the same objects:
 * b's subject is a's reversed when subject_reversed. */
static void assert_same_diff(const diff_result *a, const diff_result *b, size_t subject_count, bool subject_reversed)
{
    assert_int_equal(a->count, b->count);
    for (size_t k = 0; k < a->count; k++) {
        uint32_t want = subject_reversed ? (uint32_t)(subject_count - 1 - a->objects[a->count - 1 - k]) : a->objects[k];
        assert_int_equal(b->objects[k], want);
    }
    assert_int_equal(a->reused_slots, b->reused_slots);
    assert_int_equal(a->moved, b->moved);
    assert_int_equal(a->predate, b->predate);
    assert_int_equal(a->followed, b->followed);
    for (size_t k = 0; k < a->ndumps; k++) {
        assert_int_equal(a->moved_in[k], b->moved_in[k]);
        assert_int_equal(a->untraced_in[k], b->untraced_in[k]);
        assert_int_equal(a->oid_moved_in[k], b->oid_moved_in[k]);
        assert_int_equal(a->dups[k].count, b->dups[k].count);
    }
}

/* Any dump order gives the same answer as the dumps' own, with every dump
 * reversed and with one of them (the merge then walks one dump of each
 * kind). */
static void assert_any_order(heap *const *dumps)
{
    for (int id = 0; id < 2; id++) {
        diff_identity identity = id ? DIFF_ID_ADDRESS : DIFF_ID_EXACT;
        diff_result *plain = run(dumps, 3, identity);
        for (int which = -1; which < 3; which++) {
            heap *r[3] = { NULL, NULL, NULL }, *mixed[3];
            for (int k = 0; k < 3; k++) {
                if (which < 0 || which == k)
                    r[k] = reversed(dumps[k]);
                mixed[k] = r[k] ? r[k] : dumps[k];
            }
            diff_result *other = run(mixed, 3, identity);
            assert_same_diff(plain, other, dumps[1]->count, r[1] != NULL);
            diff_free(other);
            for (int k = 0; k < 3; k++)
                if (r[k])
                    free_reversed(r[k]);
        }
        diff_free(plain);
    }
}

/* Ruby lists each heap page in address order, which the diff takes as it
 * is; the same objects in the opposite order are sorted instead. The app
 * dumps, and two compacted trios whose objects moved (Ruby 3.1 dropping
 * their generations, Ruby 4.0 carrying object ids). */
static void dumps_in_any_order(void **state)
{
    (void)state;
    assert_any_order(app);
    static const char *const compacted[] = { "compact-3.1", "compact-4.0-synthetic" };
    for (size_t c = 0; c < sizeof compacted / sizeof *compacted; c++) {
        heap *d[3];
        for (int k = 0; k < 3; k++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/tests/modern/%s/d%d.json.gz", TOP_SRCDIR, compacted[c], k + 1);
            heap_load_opts opts = { .mode = HEAP_IDENTITY, .threads = 1 };
            hs_error err;
            if (heap_load(&d[k], path, &opts, &err) != HS_OK)
                fail_msg("%s", err.msg);
        }
        diff_result *r = run(d, 3, DIFF_ID_EXACT);
        /* What makes them worth the test: moves to be found. */
        assert_true(r->moved_in[1] + r->moved_in[2] + r->untraced_in[1] + r->untraced_in[2] > 0);
        diff_free(r);
        assert_any_order(d);
        free_dumps(d, 3);
    }
}

static void app_out_of_order(void **state)
{
    (void)state;
    heap *rev[3] = { app[2], app[1], app[0] };
    diff_result *r = NULL;
    hs_error err;
    assert_int_equal(diff_run(&r, rev, 3, DIFF_ID_EXACT, &err), HS_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "app-3.json.gz"));
    assert_non_null(strstr(err.msg, "app-2.json.gz"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(slot_reuse),
        cmocka_unit_test(one_dump_lists_everything),
        cmocka_unit_test(two_dumps_list_new_objects),
        cmocka_unit_test(four_dumps),
        cmocka_unit_test(no_generation_matched_by_type),
        cmocka_unit_test(object_id_takes_precedence),
        cmocka_unit_test(compaction_followed_and_named),
        cmocka_unit_test(generation_and_none_differ),
        cmocka_unit_test(untraced_objects_at_new_addresses),
        cmocka_unit_test(duplicate_addresses),
        cmocka_unit_test(out_of_order),
        cmocka_unit_test(no_dumps),
        cmocka_unit_test(counters_match_their_definitions),
        cmocka_unit_test(moved_ignores_reused_slots),
        cmocka_unit_test(moved_with_four_dumps),
        cmocka_unit_test(app_retained),
        cmocka_unit_test(app_two_and_one),
        cmocka_unit_test(dumps_in_any_order),
        cmocka_unit_test(app_out_of_order),
    };
    return cmocka_run_group_tests(tests, load_app, free_app);
}
