/* test_heap.c - loading dumps into object tables, in each mode. Expected
 * numbers were counted independently with Ruby's JSON over the same files. */
#include "testutil.h"

#include "dumpfile.h"
#include "columns.h"
#include "heap.h"
#include "json_scan.h" /* scan_problem_kind */

static heap *load(const char *path, heap_mode mode, unsigned threads)
{
    heap *h = NULL;
    hs_error err;
    heap_load_opts opts = { .mode = mode, .threads = threads };
    if (heap_load(&h, path, &opts, &err) != HS_OK)
        fail_msg("%s", err.msg);
    return h;
}

/* heap_try_load_details on every object, as the loader does for trends. */
static void detail_all(heap *h, unsigned threads)
{
    uint32_t *all = malloc((h->count ? h->count : 1) * sizeof *all);
    for (size_t i = 0; i < h->count; i++)
        all[i] = (uint32_t)i;
    test_load_details(h, all, h->count, threads);
    free(all);
}

static heap *load_full(const char *path, unsigned threads)
{
    heap *h = load(path, HEAP_FULL, threads);
    detail_all(h, threads);
    return h;
}

/* A temporary dump a test made, removed by remove_temp even when the test
 * fails half way. */
static const char *temp_dump;

static int remove_temp(void **state)
{
    (void)state;
    if (temp_dump)
        unlink(temp_dump);
    temp_dump = NULL;
    return 0;
}

static size_t find_addr(const heap *h, uint64_t addr)
{
    for (size_t i = 0; i < h->count; i++)
        if (h->addr[i] == addr)
            return i;
    fail_msg("no object at 0x%llx", (unsigned long long)addr);
    return 0;
}

static const char *file_of(const heap *h, size_t i, size_t *len)
{
    return strtab_str(h->strings, heap_site_of(h, i)->file, len);
}

static size_t count_type(const heap *h, rtype t)
{
    size_t n = 0;
    for (size_t i = 0; i < h->count; i++)
        n += h->type[i] == t;
    return n;
}

static void app2_counts(void **state)
{
    (void)state;
    heap *h = load(data_path("app-2.json.gz"), HEAP_FULL, 1);
    assert_int_equal(h->count, 13838);
    assert_int_equal(h->roots, 4);
    assert_int_equal(h->shapes, 0);
    assert_int_equal(h->lines, 13842);
    assert_int_equal(h->repaired, 0);
    assert_int_equal(h->skipped, 0);
    assert_int_equal(h->truncated, 0);
    assert_int_equal(h->nproblems, 0);
    assert_true(h->compressed);
    assert_int_equal(h->text_size, 4213983);
    assert_true(h->has_generation);
    assert_int_equal(h->max_gen, 17);
    assert_null(h->object_id);
    assert_string_equal(h->warning, "");
    assert_int_equal(count_type(h, RT_STRING), 8355);
    assert_int_equal(count_type(h, RT_IMEMO), 3319);
    assert_int_equal(count_type(h, RT_CLASS), 562);
    assert_int_equal(count_type(h, RT_OTHER), 0);
    size_t nogen = 0;
    for (size_t i = 0; i < h->count; i++)
        nogen += h->gen[i] == HEAP_NO_GEN;
    assert_int_equal(nogen, 6644);

    /* File order is kept; offsets are into the inflated text (4 ROOT lines first). */
    assert_int_equal(h->addr[0], 0x7f587bff4008);
    assert_int_equal(h->offset[0], 14462);
    assert_int_equal(h->addr[h->count - 1], 0x7f5878233fc0);
    assert_int_equal(h->offset[h->count - 1], 4213737);
    const char *line;
    size_t len;
    hs_error err;
    assert_int_equal(dumpfile_line(&h->file, h->offset[0], &line, &len, &err), HS_OK);
    assert_memory_equal(line, "{\"address\":\"0x7f587bff4008\"", 27);

    detail_all(h, 1);
    uint64_t memsize = 0, bytesize = 0;
    for (size_t i = 0; i < h->count; i++) {
        memsize += h->memsize[i];
        bytesize += h->bytesize[i];
    }
    assert_int_equal(memsize, 3561872);
    assert_int_equal(bytesize, 158064);
    assert_int_equal(h->nsites, 158);
    assert_int_equal(h->repaired, 0);
    heap_free(h);
}

/* Which columns each mode fills. */
static void columns_by_mode(void **state)
{
    (void)state;
    heap *h = load(data_path("app-2.json.gz"), HEAP_IDENTITY, 0);
    assert_int_equal(h->mode, HEAP_IDENTITY);
    assert_int_equal(h->count, 13838);
    assert_non_null(h->addr);
    assert_non_null(h->gen);
    assert_non_null(h->type);
    assert_null(h->site);
    assert_null(h->class_addr);
    assert_null(h->memsize);
    assert_null(h->offset);
    assert_null(h->flags);
    assert_null(h->file.data); /* not kept mapped */
    heap_free(h);

    h = load(data_path("app-2.json.gz"), HEAP_LIGHT, 0);
    assert_non_null(h->site);
    assert_non_null(h->class_addr);
    assert_null(h->memsize);
    assert_null(h->bytesize);
    assert_null(h->offset);
    assert_null(h->flags);
    assert_null(h->file.data);
    assert_int_equal(h->nsites, 158);
    assert_string_equal(heap_class_name(h, 0x7f587bfe4360, NULL), "Session");
    heap_free(h);

    h = load(data_path("app-2.json.gz"), HEAP_FULL, 0);
    assert_non_null(h->offset);
    assert_non_null(h->flags);
    assert_non_null(h->file.data);
    assert_null(h->site); /* until heap_try_load_details */
    assert_null(h->memsize);
    assert_string_equal(heap_class_name(h, 0x7f587bfe4360, NULL), "Session");
    heap_free(h);
}

static void app2_sites_and_classes(void **state)
{
    (void)state;
    heap *h = load(data_path("app-2.json.gz"), HEAP_LIGHT, 1);
    /* 157 distinct (file, line, method) plus site 0, "none of them". */
    assert_int_equal(h->nsites, 158);
    assert_int_equal(h->sites[0].file, STRTAB_NONE);
    assert_int_equal(h->sites[0].line, HEAP_NO_LINE);
    assert_int_equal(h->sites[0].method, STRTAB_NONE);

    uint32_t leaky = strtab_find(h->strings, "gems/leaky-1.2.3/lib/leaky.rb", 29);
    assert_int_not_equal(leaky, STRTAB_NONE);
    uint32_t objs[256];
    size_t n = 0;
    for (size_t i = 0; i < h->count; i++) {
        const heap_site *s = heap_site_of(h, i);
        if (s->file != leaky || s->line != 7 + 1)
            continue;
        assert_true(n < 256);
        objs[n++] = (uint32_t)i;
        assert_string_equal(strtab_str(h->strings, s->method, NULL), "instrument");
    }
    assert_int_equal(n, 191);

    /* A Session (app/models/session.rb:9) and its class. */
    size_t i = find_addr(h, 0x7f587bff4300);
    assert_int_equal(h->type[i], RT_OBJECT);
    assert_int_equal(h->gen[i], 0);
    assert_int_equal(h->class_addr[i], 0x7f587bfe4360);
    assert_int_equal(heap_site_of(h, i)->line, 9 + 1);
    assert_string_equal(file_of(h, i, NULL), "app/models/session.rb");
    size_t len = 0;
    assert_string_equal(heap_class_name(h, 0x7f587bfe4360, &len), "Session");
    assert_int_equal(len, 7);
    assert_string_equal(heap_class_name(h, 0x7f587b73a458, NULL), "String");
    uint32_t id = heap_class_name_id(h, 0x7f587bfe4360);
    assert_string_equal(strtab_str(h->strings, id, NULL), "Session");
    assert_string_equal(heap_class_name(h, 0, &len), "");
    assert_int_equal(len, 0);
    assert_int_equal(heap_class_name_id(h, 0x7f587bff4300), STRTAB_NONE);

    /* HEAP_FULL with details of those 191 objects only (same file order),
     * each given twice after the Session alone: read once each, so their
     * sites come out right. */
    heap *full = load(data_path("app-2.json.gz"), HEAP_FULL, 1);
    uint32_t session_obj = (uint32_t)i;
    test_load_details(full, &session_obj, 1, 1); /* the dump's sites now differ from a new call's */
    uint32_t *twice = malloc(2 * n * sizeof *twice);
    for (size_t k = 0; k < n; k++)
        twice[k] = twice[n + k] = (uint32_t)objs[k];
    test_load_details(full, twice, 2 * n, 1);
    free(twice);
    assert_string_equal(file_of(full, i, NULL), "app/models/session.rb");
    assert_int_equal(heap_site_of(full, i)->line, 9 + 1);
    assert_false(full->flags[i] & HEAP_F_QUEUED);
    uint64_t memsize = 0, bytesize = 0;
    for (size_t k = 0; k < n; k++) {
        size_t o = objs[k];
        memsize += full->memsize[o];
        bytesize += full->bytesize[o];
        assert_string_equal(file_of(full, o, NULL), "gems/leaky-1.2.3/lib/leaky.rb");
        assert_int_equal(heap_site_of(full, o)->line, 7 + 1);
        assert_int_equal(full->class_addr[o], h->class_addr[o]);
    }
    assert_int_equal(memsize, 7640);
    assert_int_equal(bytesize, 3820);
    /* The others were not read. */
    size_t other = find_addr(h, 0x7f587bfe4360);
    assert_int_equal(full->site[other], 0);
    assert_int_equal(full->memsize[other], 0);
    heap_free(full);
    heap_free(h);
}

/* The identity columns are the diff's input: every mode must read the same
 * addresses, generations and types, whichever parser reads a line. */
static void assert_identity_agrees(const heap *a, const heap *b, const char *what)
{
    assert_int_equal(a->count, b->count);
    for (size_t i = 0; i < a->count; i++)
        if (a->addr[i] != b->addr[i] || a->gen[i] != b->gen[i] || a->type[i] != b->type[i])
            fail_msg("%s: object %zu (0x%llx) is 0x%llx gen %u type %d in mode %d, gen %u type %d in mode %d",
                     what, i, (unsigned long long)b->addr[i], (unsigned long long)a->addr[i], a->gen[i],
                     a->type[i], a->mode, b->gen[i], b->type[i], b->mode);
    assert_int_equal(a->object_id == NULL, b->object_id == NULL);
    if (a->object_id)
        assert_memory_equal(a->object_id, b->object_id, a->count * sizeof *a->object_id);
    assert_int_equal(a->has_generation, b->has_generation);
    assert_int_equal(a->max_gen, b->max_gen);
    assert_int_equal(a->roots, b->roots);
    assert_int_equal(a->lines, b->lines);
}

static void check_modes_agree(const char *path)
{
    heap *light = load(path, HEAP_LIGHT, 1);
    heap *identity = load(path, HEAP_IDENTITY, 1);
    heap *full = load(path, HEAP_FULL, 1);
    assert_identity_agrees(identity, light, path);
    assert_identity_agrees(full, light, path);
    heap_free(light);
    heap_free(identity);
    heap_free(full);
}

static void modes_agree_on_real_dumps(void **state)
{
    (void)state;
    check_modes_agree(data_path("app-1.json.gz"));
    check_modes_agree(data_path("app-2.json.gz"));
    check_modes_agree(data_path("app-3.json.gz"));
    check_modes_agree(data_path("broken-paths.json"));
    check_modes_agree(data_path("truncated.json"));
    const char *names[] = { "ruby-3.0-singleton-classes.json", "heapy-my_dump_1.json",
                            "heap-profiler-retained.json", "malformed-mid-stream.json",
                            "truncated-final-line.json" };
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        EXTERNAL_OR_RETURN(path, names[k]);
        check_modes_agree(path);
    }
}

/* Ruby's key order is a fast path, never required: the same objects written
 * with and without flags, in other orders, with other members at the end. */
static void key_order_and_flags(void **state)
{
    (void)state;
    static const char text[] =
        /* Ruby 3.1: generation, memsize, flags */
        "{\"address\":\"0x10\", \"type\":\"STRING\", \"line\":1, \"generation\":5, \"memsize\":40, \"flags\":{\"wb_protected\":true}}\n"
        /* no flags (not write-barrier protected, not old: FILE, many DATA) */
        "{\"address\":\"0x18\", \"type\":\"FILE\", \"fd\":5, \"line\":28, \"generation\":6, \"memsize\":8432}\n"
        /* no memsize (0), no flags */
        "{\"address\":\"0x20\", \"type\":\"STRING\", \"generation\":7}\n"
        /* no generation at all */
        "{\"address\":\"0x28\", \"type\":\"STRING\", \"line\":1, \"memsize\":40}\n"
        /* flags before memsize */
        "{\"address\":\"0x30\", \"type\":\"STRING\", \"generation\":8, \"flags\":{\"old\":true}, \"memsize\":40}\n"
        /* generation first */
        "{\"generation\":9, \"address\":\"0x38\", \"type\":\"HASH\", \"size\":0, \"memsize\":40}\n"
        /* a number member between generation and memsize */
        "{\"address\":\"0x40\", \"type\":\"STRING\", \"generation\":10, \"bytesize\":3, \"memsize\":40}\n"
        /* Ruby 3.5: object_id among numeric flags */
        "{\"address\":\"0x48\", \"type\":\"STRING\", \"generation\":11, \"memsize\":40, \"flags\":{\"age\":2, \"object_id\":77}}\n"
        "{\"address\":\"0x50\", \"type\":\"STRING\", \"generation\":12, \"flags\":{\"object_id\":78, \"wb_protected\":true}, \"memsize\":40}\n"
        /* padded address, CRLF */
        "{\"address\":\"0x000000000058\", \"type\":\"STRING\", \"generation\":13, \"memsize\":40}\r\n";
    static const struct { uint64_t addr; uint32_t gen; rtype type; uint64_t oid; } want[] = {
        { 0x10, 5, RT_STRING, 0 },  { 0x18, 6, RT_FILE, 0 },    { 0x20, 7, RT_STRING, 0 },
        { 0x28, HEAP_NO_GEN, RT_STRING, 0 }, { 0x30, 8, RT_STRING, 0 }, { 0x38, 9, RT_HASH, 0 },
        { 0x40, 10, RT_STRING, 0 }, { 0x48, 11, RT_STRING, 77 }, { 0x50, 12, RT_STRING, 78 },
        { 0x58, 13, RT_STRING, 0 },
    };
    const char *path = temp_dump = temp_file_with(text, sizeof text - 1);
    for (int mode = HEAP_IDENTITY; mode <= HEAP_FULL; mode++) {
        heap *h = load(path, (heap_mode)mode, 1);
        assert_int_equal(h->count, 10);
        assert_non_null(h->object_id);
        for (size_t i = 0; i < 10; i++) {
            if (h->addr[i] != want[i].addr || h->gen[i] != want[i].gen || h->type[i] != want[i].type ||
                h->object_id[i] != want[i].oid)
                fail_msg("mode %d, line %zu: 0x%llx gen %u type %d object_id %llu", mode, i + 1,
                         (unsigned long long)h->addr[i], h->gen[i], h->type[i],
                         (unsigned long long)h->object_id[i]);
        }
        assert_int_equal(h->max_gen, 13);
        heap_free(h);
    }
}

/* Everything an object is, by text rather than by id. */
static void assert_same_tables(const heap *a, const heap *b)
{
    assert_identity_agrees(a, b, a->path);
    assert_int_equal(a->nsites, b->nsites);
    assert_int_equal(strtab_count(a->strings), strtab_count(b->strings));
    assert_int_equal(a->repaired, b->repaired);
    assert_int_equal(a->skipped, b->skipped);
    assert_int_equal(a->nproblems, b->nproblems);
    for (unsigned p = 0; p < a->nproblems; p++) {
        assert_int_equal(a->problems[p].line_no, b->problems[p].line_no);
        assert_int_equal(a->problems[p].offset, b->problems[p].offset);
        assert_int_equal(a->problems[p].kind, b->problems[p].kind);
    }
    assert_memory_equal(a->class_addr, b->class_addr, a->count * sizeof *a->class_addr);
    if (a->memsize) {
        assert_memory_equal(a->memsize, b->memsize, a->count * sizeof *a->memsize);
        assert_memory_equal(a->bytesize, b->bytesize, a->count * sizeof *a->bytesize);
        assert_memory_equal(a->offset, b->offset, a->count * sizeof *a->offset);
        assert_memory_equal(a->flags, b->flags, a->count * sizeof *a->flags);
    }
    for (size_t i = 0; i < a->count; i++) {
        const heap_site *sa = heap_site_of(a, i), *sb = heap_site_of(b, i);
        size_t la, lb;
        const char *fa = strtab_str(a->strings, sa->file, &la);
        const char *fb = strtab_str(b->strings, sb->file, &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(fa, fb, la);
        assert_string_equal(strtab_str(a->strings, sa->method, NULL),
                            strtab_str(b->strings, sb->method, NULL));
        assert_int_equal(sa->line, sb->line);
        assert_string_equal(heap_class_name(a, a->class_addr[i], NULL),
                            heap_class_name(b, b->class_addr[i], NULL));
    }
}

/* app-2 inflates to 4.2 MB, past the size where the loader splits. */
static void threads_give_identical_tables(void **state)
{
    (void)state;
    heap *one = load(data_path("app-2.json.gz"), HEAP_LIGHT, 1);
    heap *two = load(data_path("app-2.json.gz"), HEAP_LIGHT, 2);
    assert_same_tables(one, two);
    heap_free(two);
    heap *seven = load(data_path("app-2.json.gz"), HEAP_IDENTITY, 7);
    assert_identity_agrees(seven, one, "identity, 7 threads");
    heap_free(seven);
    heap_free(one);

    one = load_full(data_path("app-2.json.gz"), 1);
    two = load_full(data_path("app-2.json.gz"), 2);
    assert_same_tables(one, two);
    heap_free(one);
    heap_free(two);
}

/* Objects of h whose subtype is name. */
static size_t count_subtype(const heap *h, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < h->count; i++)
        n += strcmp(strtab_str(h->strings, heap_subtype_of(h, i), NULL), name) == 0 &&
             heap_subtype_of(h, i) != STRTAB_NONE;
    return n;
}

/* The subtype column against app-2's text (counted there with zcat and
 * grep: 402 of its 403 DATA objects have a "struct", all 3319 IMEMOs an
 * "imemo_type"), read with one chunk and with two (4.2 MB of text is
 * split: the second chunk's ids are remapped), and by heap_try_load_details. */
static void app2_subtypes(void **state)
{
    (void)state;
    static const struct { const char *name; size_t count; } want[] = {
        { "proc", 186 }, { "encoding", 103 }, { "time", 100 }, { "tracepoint", 2 }, { "VM/thread", 1 },
        { "mutex", 1 }, { "ment", 2612 }, { "iseq", 197 }, { "callcache", 194 }, { "env", 188 },
        { "cref", 56 }, { "constcache", 54 }, { "callinfo", 16 }, { "throw_data", 1 }, { "ast", 1 },
    };
    heap *full = load_full(data_path("app-2.json.gz"), 1);
    for (unsigned threads = 1; threads <= 3; threads++) {
        heap *h = threads == 3 ? full : load(data_path("app-2.json.gz"), HEAP_LIGHT, threads);
        size_t with = 0, data_without = 0;
        for (size_t i = 0; i < h->count; i++) {
            with += heap_subtype_of(h, i) != STRTAB_NONE;
            data_without += h->type[i] == RT_DATA && heap_subtype_of(h, i) == STRTAB_NONE;
            if (heap_subtype_of(h, i) != STRTAB_NONE && h->type[i] != RT_DATA && h->type[i] != RT_IMEMO)
                fail_msg("a subtype on a %s", rtype_name(h->type[i]));
        }
        assert_int_equal(with, 402 + 3319);
        assert_int_equal(data_without, 1);
        for (size_t k = 0; k < sizeof want / sizeof *want; k++)
            if (count_subtype(h, want[k].name) != want[k].count)
                fail_msg("%u threads: %zu objects of subtype %s, want %zu", threads,
                         count_subtype(h, want[k].name), want[k].name, want[k].count);
        size_t i = find_addr(h, 0x7f587b763c90);
        assert_string_equal(strtab_str(h->strings, heap_subtype_of(h, i), NULL), "VM/thread");
        if (h != full)
            heap_free(h);
    }
    heap_free(full);

    /* Details of one object: the others keep none, and identity loads
     * have no column at all. */
    full = load(data_path("app-2.json.gz"), HEAP_FULL, 1);
    assert_null(full->subtype);
    uint32_t one = (uint32_t)find_addr(full, 0x7f587b763c90);
    test_load_details(full, &one, 1, 1);
    assert_string_equal(strtab_str(full->strings, heap_subtype_of(full, one), NULL), "VM/thread");
    assert_int_equal(count_subtype(full, "VM/thread"), 1);
    assert_int_equal(count_subtype(full, "ment"), 0);
    heap_free(full);
    heap *ident = load(data_path("app-2.json.gz"), HEAP_IDENTITY, 1);
    assert_null(ident->subtype);
    assert_int_equal(heap_subtype_of(ident, 0), STRTAB_NONE);
    heap_free(ident);

    /* A load told that nothing groups by subtype keeps none, and no more
     * strings than the sites and classes need; the rest is the same. */
    heap *with = load(data_path("app-2.json.gz"), HEAP_LIGHT, 2);
    for (int mode = HEAP_LIGHT; mode <= HEAP_FULL; mode++) {
        heap_load_opts opts = { .mode = (heap_mode)mode, .threads = 2, .skip_subtypes = true };
        heap *h = NULL;
        hs_error err;
        assert_int_equal(heap_load(&h, data_path("app-2.json.gz"), &opts, &err), HS_OK);
        if (mode == HEAP_FULL)
            detail_all(h, 1);
        assert_false(h->keeps_subtypes);
        assert_null(h->subtype);
        assert_int_equal(heap_subtype_of(h, find_addr(h, 0x7f587b763c90)), STRTAB_NONE);
        assert_non_null(h->site);
        assert_int_equal(h->nsites, with->nsites);
        assert_memory_equal(h->class_addr, with->class_addr, h->count * sizeof *h->class_addr);
        assert_true(strtab_count(h->strings) < strtab_count(with->strings));
        heap_free(h);
    }
    heap_free(with);
}

/* app-2's text with a repaired and a skipped line after 1 MB and after
 * 3 MB; want_* get their 1-based line numbers and offsets. */
static const char *app2_with_bad_lines(uint64_t want_line[4], uint64_t want_offset[4])
{
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, data_path("app-2.json.gz"), &err), HS_OK);
    static const char repaired[] =
        "{\"address\":\"0x10\", \"type\":\"STRING\", \"file\":\"we\"ird.rb\", \"line\":3, \"generation\":9, \"memsize\":40}\n";
    static const char garbage[] = "this is not json\n";
    size_t at[2] = { 1000000, 3000000 };
    char *text = malloc(df.size + 2 * (sizeof repaired + sizeof garbage));
    size_t n = 0, from = 0;
    for (int k = 0; k < 2; k++) {
        const char *nl = memchr(df.data + at[k], '\n', df.size - at[k]);
        size_t to = (size_t)(nl - df.data) + 1;
        memcpy(text + n, df.data + from, to - from);
        n += to - from;
        from = to;
        want_offset[2 * k] = n;
        memcpy(text + n, repaired, sizeof repaired - 1);
        n += sizeof repaired - 1;
        want_offset[2 * k + 1] = n;
        memcpy(text + n, garbage, sizeof garbage - 1);
        n += sizeof garbage - 1;
    }
    memcpy(text + n, df.data + from, df.size - from);
    n += df.size - from;
    dumpfile_close(&df);
    for (int k = 0; k < 4; k++) {
        want_line[k] = 1;
        for (size_t i = 0; i < want_offset[k]; i++)
            want_line[k] += text[i] == '\n';
    }
    const char *path = temp_file_with(text, n);
    free(text);
    return path;
}

static void assert_bad_lines(const heap *h, const uint64_t want_line[4], const uint64_t want_offset[4])
{
    assert_int_equal(h->count, 13840);
    assert_int_equal(h->repaired, 2);
    assert_int_equal(h->skipped, 2);
    assert_int_equal(h->nproblems, 4);
    for (int k = 0; k < 4; k++) {
        assert_int_equal(h->problems[k].line_no, want_line[k]);
        assert_int_equal(h->problems[k].offset, want_offset[k]);
        assert_int_equal(h->problems[k].kind, k % 2 ? SCAN_SKIPPED : SCAN_REPAIRED);
    }
}

/* Bad lines in every chunk: their line numbers and offsets must not depend
 * on how the file was split, nor on whether they were found by the first
 * pass (HEAP_LIGHT) or when details were read (HEAP_FULL). */
static void problems_across_chunks(void **state)
{
    (void)state;
    uint64_t want_line[4], want_offset[4];
    const char *path = temp_dump = app2_with_bad_lines(want_line, want_offset);
    heap *one = load(path, HEAP_LIGHT, 1);
    assert_bad_lines(one, want_line, want_offset);
    for (unsigned threads = 2; threads <= 5; threads++) {
        heap *many = load(path, HEAP_LIGHT, threads);
        assert_same_tables(one, many);
        heap_free(many);
    }
    heap_free(one);
    for (unsigned threads = 1; threads <= 3; threads++) {
        heap *full = load_full(path, threads);
        assert_bad_lines(full, want_line, want_offset);
        heap_free(full);
    }
}

/* 16 lines Ruby's JSON rejects, and line 34 whose file name holds a raw
 * 0xE9: valid to Ruby but not UTF-8, so it too goes through repair. */
static void assert_broken_paths(const heap *h)
{
    assert_int_equal(h->count, 99);
    assert_int_equal(h->roots, 4);
    assert_int_equal(h->lines, 103);
    assert_int_equal(h->repaired, 17);
    assert_int_equal(h->skipped, 0);
    assert_int_equal(h->truncated, 0);
    assert_int_equal(h->max_gen, 1);
    /* The first 16 problem lines are kept in detail, in file order. */
    static const uint64_t want[] = { 11, 12, 16, 17, 34, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47 };
    assert_int_equal(h->nproblems, HEAP_MAX_PROBLEMS);
    for (unsigned p = 0; p < h->nproblems; p++) {
        assert_int_equal(h->problems[p].line_no, want[p]);
        assert_int_equal(h->problems[p].kind, SCAN_REPAIRED);
        assert_true(h->problems[p].why[0] != '\0');
    }
    assert_int_equal(h->problems[0].offset, 15428);
    assert_int_equal(h->problems[1].offset, 15771);
    assert_int_equal(h->problems[4].offset, 22277);
    assert_int_equal(h->problems[5].offset, 23111);

    /* Line 11: garbage method name, the rest recovered. */
    size_t i = find_addr(h, 0x7f48febc9690);
    assert_int_equal(h->type[i], RT_IMEMO);
    assert_int_equal(h->gen[i], 0);
    assert_int_equal(h->class_addr[i], 0x7f48fe3626a0);
    assert_string_equal(file_of(h, i, NULL), "broken_paths.rb");
    assert_int_equal(heap_site_of(h, i)->line, 31 + 1);
    /* Line 34: the raw Latin-1 byte is kept as it is. */
    i = find_addr(h, 0x7f48febc9b18);
    size_t len;
    const char *file = file_of(h, i, &len);
    assert_int_equal(len, 11);
    assert_memory_equal(file, "lib/caf\xe9.rb", 11);
    assert_string_equal(strtab_str(h->strings, heap_site_of(h, i)->method, NULL), "dup");
    /* Line 38: the unescaped quote and backslash. */
    i = find_addr(h, 0x7f48febc9de8);
    assert_string_equal(file_of(h, i, NULL), "lib/we\"ird\\path.rb");
    assert_int_equal(heap_site_of(h, i)->line, 2 + 1);
    assert_int_equal(heap_site_of(h, i)->method, STRTAB_NONE);
    assert_int_equal(h->type[i], RT_STRING);
    assert_int_equal(h->gen[i], 0);
}

static void broken_paths(void **state)
{
    (void)state;
    heap *h = load(data_path("broken-paths.json"), HEAP_LIGHT, 0);
    assert_broken_paths(h);
    heap_free(h);

    h = load_full(data_path("broken-paths.json"), 0);
    assert_broken_paths(h);
    size_t flagged = 0;
    for (size_t i = 0; i < h->count; i++)
        flagged += (h->flags[i] & HEAP_F_REPAIRED) != 0;
    assert_int_equal(flagged, 17);
    size_t i = find_addr(h, 0x7f48febc9690);
    assert_int_equal(h->memsize[i], 40);
    assert_int_equal(h->offset[i], 15428);
    i = find_addr(h, 0x7f48febc9de8);
    assert_int_equal(h->bytesize[i], 4);
    /* Reading the details again counts nothing twice. */
    detail_all(h, 0);
    assert_broken_paths(h);
    heap_free(h);
}

static void truncated_dump_keeps_last_object(void **state)
{
    (void)state;
    heap *h = load_full(data_path("truncated.json"), 0);
    assert_int_equal(h->count, 302); /* 301 whole lines and the cut one */
    assert_int_equal(h->roots, 4);
    assert_int_equal(h->truncated, 1);
    assert_int_equal(h->skipped, 0);
    assert_true(h->has_generation);
    assert_int_equal(h->max_gen, 0);
    size_t last = h->count - 1;
    assert_int_equal(h->addr[last], 0x7f51a5fd6d50);
    assert_int_equal(h->type[last], RT_STRING);
    assert_int_equal(h->class_addr[last], 0x7f51a5f92420);
    assert_int_equal(h->bytesize[last], 45);
    assert_true(h->flags[last] & HEAP_F_REPAIRED);
    assert_int_equal(h->nproblems, 1);
    assert_int_equal(h->problems[0].kind, SCAN_TRUNCATED);
    assert_int_equal(h->problems[0].line_no, 306);
    assert_int_equal(h->problems[0].offset, h->offset[last]);
    assert_int_equal(count_type(h, RT_STRING), 250);
    assert_int_equal(count_type(h, RT_HASH), 50);
    heap_free(h);
}

static void external_fixtures(void **state)
{
    (void)state;
    struct {
        const char *name;
        size_t count;
        uint64_t roots, shapes, repaired, truncated;
        bool has_generation;
        uint32_t max_gen;
    } cases[] = {
        { "ruby-3.0-singleton-classes.json", 6755, 4, 0, 0, 0, true, 0 },
        { "heapy-my_dump_1.json", 14401, 4, 0, 0, 0, true, 10 },
        { "heap-profiler-retained.json", 28, 0, 488, 0, 0, true, 28 },
        { "malformed-mid-stream.json", 3, 0, 0, 1, 0, false, 0 },
        { "truncated-final-line.json", 2, 0, 0, 1, 1, false, 0 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        EXTERNAL_OR_RETURN(path, cases[k].name);
        heap *h = load(path, HEAP_LIGHT, 0);
        assert_int_equal(h->count, cases[k].count);
        assert_int_equal(h->roots, cases[k].roots);
        assert_int_equal(h->shapes, cases[k].shapes);
        assert_int_equal(h->repaired, cases[k].repaired);
        assert_int_equal(h->truncated, cases[k].truncated);
        assert_int_equal(h->skipped, 0);
        assert_int_equal(h->has_generation, cases[k].has_generation);
        assert_int_equal(h->max_gen, cases[k].max_gen);
        if (k == 3)
            assert_int_equal(h->addr[1], 0x123abc);
        heap_free(h);
    }
}

static void assert_load_fails(const char *path, hs_status want, const char *msg_part)
{
    for (int mode = HEAP_IDENTITY; mode <= HEAP_FULL; mode++) {
        heap *h = NULL;
        hs_error err;
        heap_load_opts opts = { .mode = (heap_mode)mode, .threads = 0 };
        assert_int_equal(heap_load(&h, path, &opts, &err), want);
        assert_null(h);
        assert_int_equal(err.status, want);
        assert_non_null(strstr(err.msg, path));
        if (!strstr(err.msg, msg_part))
            fail_msg("mode %d: \"%s\" does not say \"%s\"", mode, err.msg, msg_part);
    }
}

static void not_a_dump(void **state)
{
    (void)state;
    const char *path = temp_file_with("", 0);
    assert_load_fails(path, HS_ERR_FORMAT, "empty");
    unlink(path);
    path = temp_file_with("hello\nworld\n", 12);
    assert_load_fails(path, HS_ERR_FORMAT, "line 1, byte 0");
    unlink(path);
    /* JSON, but no heap object on any line. */
    path = temp_file_with("{\"hello\":1}\n[1, 2]\n", 19);
    assert_load_fails(path, HS_ERR_FORMAT, "not a Ruby heap dump");
    unlink(path);
    assert_load_fails("/tmp/heapsift-test-no-such-dump.json", HS_ERR_IO, "cannot open");
}

static void progress_and_cancel(void **state)
{
    (void)state;
    heap_progress progress = { 0 };
    heap_load_opts opts = { .mode = HEAP_LIGHT, .threads = 2, .progress = &progress };
    heap *h = NULL;
    hs_error err;
    assert_int_equal(heap_load(&h, data_path("app-2.json.gz"), &opts, &err), HS_OK);
    assert_int_equal(atomic_load(&progress.bytes_total), 4213983);
    assert_int_equal(atomic_load(&progress.bytes_done), 4213983);
    assert_int_equal(atomic_load(&progress.objects), 13838);
    heap_free(h);

    _Atomic bool cancel = true;
    heap_progress stop = { .cancel = &cancel };
    opts.progress = &stop;
    h = NULL;
    assert_int_equal(heap_load(&h, data_path("app-2.json.gz"), &opts, &err), HS_ERR_CANCELLED);
    assert_null(h);
    assert_non_null(strstr(err.msg, "app-2.json.gz"));
}

/* The object list's row keeps its columns in line under a long class
 * name: cut to 20 cells, its end marked. */
static void object_row_long_class(void **state)
{
    (void)state;
    char path[] = "/tmp/heapsift-class-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "{\"address\":\"0x7f0000000010\", \"type\":\"CLASS\", \"name\":\"Admin::Reports::QuarterlyRevenueExporter\", \"memsize\":40}\n");
    fprintf(f, "{\"address\":\"0x7f0000000020\", \"type\":\"OBJECT\", \"class\":\"0x7f0000000010\", \"memsize\":40}\n");
    fclose(f);
    heap *h = load_full(path, 1);
    char row[256];
    columns_object_row(h, 1, NULL, 0, row, sizeof row);
    assert_string_equal(row, "0x7f0000000020 OBJECT  Admin::Reports::Q...       40        0      -");
    /* No class: a "-", not a blank. */
    columns_object_row(h, 0, NULL, 0, row, sizeof row);
    assert_string_equal(row, "0x7f0000000010 CLASS   -                          40        0      -");
    heap_free(h);
    unlink(path);
}

/* Object i's site, class name and subtype as text, to compare two heaps
 * whose string ids differ. */
static void site_text(const heap *h, size_t i, char *buf, size_t size)
{
    const heap_site *site = heap_site_of(h, i);
    size_t fl, ml, cl, sl;
    const char *file = strtab_str(h->strings, site->file, &fl);
    const char *method = strtab_str(h->strings, site->method, &ml);
    const char *cls = heap_class_name(h, heap_class_of(h, i), &cl);
    const char *sub = strtab_str(h->strings, heap_subtype_of(h, i), &sl);
    snprintf(buf, size, "%.*s:%u %.*s class %.*s (0x%llx) subtype %.*s", (int)fl, file, site->line, (int)ml, method,
             (int)cl, cls, (unsigned long long)heap_class_of(h, i), (int)sl, sub);
}

/* heap_read_sites then heap_attach_sites give a dump loaded without its
 * sites what a HEAP_LIGHT load reads: for a HEAP_IDENTITY heap (which
 * becomes HEAP_LIGHT) and a HEAP_FULL one with the details of some
 * objects only (those keep theirs, and the heap stays HEAP_FULL). */
static void sites_read_later(void **state)
{
    (void)state;
    const char *path = data_path("app-2.json.gz");
    heap *light = load(path, HEAP_LIGHT, 1);
    assert_true(light->all_sites);
    heap_mode modes[] = { HEAP_IDENTITY, HEAP_FULL };
    for (size_t m = 0; m < 2; m++) {
        heap *h = load(path, modes[m], 2);
        assert_false(h->all_sites);
        uint32_t some[] = { 3, 500, 13837 };
        if (modes[m] == HEAP_FULL) {
            test_load_details(h, some, 3, 1);
            assert_false(h->all_sites);
            assert_int_equal(h->detailed, 3);
        }
        heap *sites;
        hs_error err;
        assert_int_equal(heap_read_sites(&sites, h, 2, NULL, &err), HS_OK);
        assert_null(sites->addr); /* only the site columns are kept */
        assert_false(h->all_sites); /* not before they are attached */
        uint32_t before = modes[m] == HEAP_FULL ? h->site[500] : 0;
        heap_attach_sites(h, sites);
        assert_true(h->all_sites);
        assert_int_equal(h->mode, modes[m] == HEAP_IDENTITY ? HEAP_LIGHT : HEAP_FULL);
        if (modes[m] == HEAP_FULL)
            assert_int_equal(h->site[500], before);
        assert_int_equal(h->count, light->count);
        for (size_t i = 0; i < h->count; i++) {
            char want[2048], got[2048];
            site_text(light, i, want, sizeof want);
            site_text(h, i, got, sizeof got);
            if (strcmp(want, got) != 0)
                fail_msg("object %zu: %s, not %s", i, got, want);
        }
        assert_string_equal(heap_class_name(h, 0x7f587bfe4360, NULL), "Session");
        heap_free(h);
    }
    heap_free(light);
}

/* The file is read again by its path: when it no longer holds the heap's
 * objects, heap_read_sites says so and gives nothing. */
static void sites_of_a_changed_dump(void **state)
{
    (void)state;
    static const char text[] =
        "{\"address\":\"0x7f0000000010\", \"type\":\"STRING\", \"file\":\"a.rb\", \"line\":1}\n"
        "{\"address\":\"0x7f0000000020\", \"type\":\"ARRAY\", \"file\":\"a.rb\", \"line\":2}\n";
    const char *path = temp_dump = temp_file_with(text, sizeof text - 1);
    heap *h = load(path, HEAP_IDENTITY, 1);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"address\":\"0x7f0000000010\", \"type\":\"STRING\", \"file\":\"a.rb\", \"line\":1}\n"
          "{\"address\":\"0x7f0000000030\", \"type\":\"ARRAY\", \"file\":\"a.rb\", \"line\":2}\n",
          f);
    fclose(f);
    heap *sites = NULL;
    hs_error err;
    assert_int_equal(heap_read_sites(&sites, h, 1, NULL, &err), HS_ERR_IO);
    assert_null(sites);
    assert_non_null(strstr(err.msg, "the dump changed since it was loaded"));
    assert_false(h->all_sites);
    heap_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(object_row_long_class),
        cmocka_unit_test(app2_counts),
        cmocka_unit_test(columns_by_mode),
        cmocka_unit_test(app2_sites_and_classes),
        cmocka_unit_test(modes_agree_on_real_dumps),
        cmocka_unit_test_teardown(key_order_and_flags, remove_temp),
        cmocka_unit_test(threads_give_identical_tables),
        cmocka_unit_test(app2_subtypes),
        cmocka_unit_test_teardown(problems_across_chunks, remove_temp),
        cmocka_unit_test(broken_paths),
        cmocka_unit_test(truncated_dump_keeps_last_object),
        cmocka_unit_test(external_fixtures),
        cmocka_unit_test(not_a_dump),
        cmocka_unit_test(progress_and_cancel),
        cmocka_unit_test(sites_read_later),
        cmocka_unit_test_teardown(sites_of_a_changed_dump, remove_temp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
