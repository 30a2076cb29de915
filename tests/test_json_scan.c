/* test_json_scan.c - the scanner: simdjson path, line fallback, repair. */
#include "testutil.h"

#include <dirent.h>
#include <limits.h>

#include "dumpfile.h"
#include "json_quick.h"
#include "json_repair.h"
#include "json_scan.h"
#include "same_record.h"

/* What a test keeps of each record (the pointers die with the callback). */
typedef struct seen {
    int kind;
    uint64_t address, class_addr, memsize, bytesize, offset, line_no;
    char type[16], file[128], method[64], name[64], root[32], subtype[48];
    uint32_t line, generation, file_len, method_len;
    int has_line, has_generation, has_class_addr, repaired;
    size_t nrefs;
    uint64_t refs[8];
} seen;

typedef struct collector {
    seen rec[64];
    size_t n;
    int problems[3];       /* by scan_problem_kind */
    uint64_t problem_line[8];
    char problem_why[8][SCAN_WHY_MAX];
    size_t nproblems;
} collector;

static void copy_str(char *dst, size_t size, scan_str s)
{
    size_t n = s.len < size - 1 ? s.len : size - 1;
    memcpy(dst, s.ptr ? s.ptr : "", n);
    dst[n] = '\0';
}

static void on_record(void *ctx, const scan_record *r)
{
    collector *c = ctx;
    assert_true(c->n < 64);
    seen *s = &c->rec[c->n++];
    memset(s, 0, sizeof *s);
    s->kind = r->kind;
    s->address = r->address;
    s->class_addr = r->class_addr;
    s->memsize = r->memsize;
    s->bytesize = r->bytesize;
    s->offset = r->offset;
    s->line_no = r->line_no;
    copy_str(s->type, sizeof s->type, r->type);
    copy_str(s->file, sizeof s->file, r->file);
    copy_str(s->method, sizeof s->method, r->method);
    copy_str(s->name, sizeof s->name, r->name);
    copy_str(s->root, sizeof s->root, r->root);
    copy_str(s->subtype, sizeof s->subtype, r->subtype);
    s->file_len = r->file.ptr ? r->file.len : UINT32_MAX;
    s->method_len = r->method.ptr ? r->method.len : UINT32_MAX;
    s->has_class_addr = r->has_class_addr;
    s->line = r->line;
    s->has_line = r->has_line;
    s->generation = r->generation;
    s->has_generation = r->has_generation;
    s->repaired = r->repaired;
    s->nrefs = r->nrefs;
    for (size_t i = 0; i < r->nrefs && i < 8; i++)
        s->refs[i] = r->refs[i];
}

static void on_problem(void *ctx, const scan_problem *p)
{
    collector *c = ctx;
    c->problems[p->kind]++;
    if (c->nproblems < 8) {
        c->problem_line[c->nproblems] = p->line_no;
        snprintf(c->problem_why[c->nproblems], SCAN_WHY_MAX, "%s", p->why);
        c->nproblems++;
    }
}

/* Scans text (copied into a padded buffer) with the given window size. */
static scan_stats scan_text(const char *text, size_t len, size_t window, bool refs, collector *c)
{
    char *buf = calloc(1, len + DUMPFILE_PADDING);
    memcpy(buf, text, len);
    memset(c, 0, sizeof *c);
    json_scanner *sc = json_scanner_new();
    scan_options opts = { .want_refs = refs, .window_bytes = window };
    scan_sink sink = { c, on_record, on_problem, NULL };
    scan_stats st;
    hs_error err;
    assert_int_equal(json_scan_run(sc, buf, 0, len, &opts, &sink, &st, &err), HS_OK);
    json_scanner_free(sc);
    free(buf);
    return st;
}

#define SCAN(text, window, refs, c) scan_text(text, sizeof(text) - 1, window, refs, c)

static const char ruby31_line[] =
    "{\"address\":\"0x7f66b8074218\", \"type\":\"STRING\", \"class\":\"0x7f66bb59a438\", "
    "\"embedded\":true, \"bytesize\":7, \"value\":\"leak-99\", \"encoding\":\"UTF-8\", "
    "\"file\":\"g.rb\", \"line\":4, \"method\":\"leak\", \"generation\":10, \"memsize\":40, "
    "\"flags\":{\"wb_protected\":true}}\n";

static void valid_line_fields(void **state)
{
    (void)state;
    collector c;
    scan_stats st = SCAN(ruby31_line, 0, false, &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(st.slow_lines, 0);
    assert_int_equal(st.line_count, 1);
    seen *s = &c.rec[0];
    assert_int_equal(s->kind, SCAN_OBJECT);
    assert_int_equal(s->address, 0x7f66b8074218ULL);
    assert_int_equal(s->class_addr, 0x7f66bb59a438ULL);
    assert_string_equal(s->type, "STRING");
    assert_string_equal(s->file, "g.rb");
    assert_string_equal(s->method, "leak");
    assert_int_equal(s->line, 4);
    assert_int_equal(s->generation, 10);
    assert_int_equal(s->memsize, 40);
    assert_int_equal(s->bytesize, 7);
    assert_false(s->repaired);
}

static void root_and_refs(void **state)
{
    (void)state;
    static const char text[] =
        "{\"type\":\"ROOT\", \"root\":\"vm\", \"references\":[\"0x10\", \"0x20\", \"0x10\"]}\n"
        "{\"address\":\"0x30\", \"type\":\"ARRAY\", \"length\":2, \"references\":[\"0x40\", \"0x50\"], \"memsize\":40}\n";
    collector c;
    SCAN(text, 0, true, &c);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.rec[0].kind, SCAN_ROOT);
    assert_string_equal(c.rec[0].root, "vm");
    assert_int_equal(c.rec[0].nrefs, 3); /* repeats kept */
    assert_int_equal(c.rec[0].refs[2], 0x10);
    assert_int_equal(c.rec[1].nrefs, 2);
    assert_int_equal(c.rec[1].refs[1], 0x50);
    assert_int_equal(c.rec[1].line_no, 2);
}

/* Ruby never escapes "file": a quote in a path breaks the line. */
static void unescaped_quote_in_file(void **state)
{
    (void)state;
    static const char text[] =
        "{\"address\":\"0x10\", \"type\":\"STRING\", \"bytesize\":1, \"file\":\"lib/we\"ird.rb\", "
        "\"line\":3, \"method\":\"go\", \"generation\":7, \"memsize\":40}\n"
        "{\"address\":\"0x18\", \"type\":\"STRING\", \"file\":\"ok.rb\", \"line\":1, \"memsize\":40}\n";
    collector c;
    scan_stats st = SCAN(text, 0, false, &c);
    assert_int_equal(c.n, 2);
    assert_int_equal(st.repaired, 1);
    assert_int_equal(c.problems[SCAN_REPAIRED], 1);
    assert_int_equal(c.problem_line[0], 1);
    assert_true(c.rec[0].repaired);
    assert_string_equal(c.rec[0].file, "lib/we\"ird.rb");
    assert_int_equal(c.rec[0].line, 3);
    assert_int_equal(c.rec[0].generation, 7);
    assert_int_equal(c.rec[0].memsize, 40);
    assert_string_equal(c.rec[0].method, "go");
    /* The valid line after it is unaffected. */
    assert_false(c.rec[1].repaired);
    assert_string_equal(c.rec[1].file, "ok.rb");
    assert_int_equal(c.rec[1].line_no, 2);
}

/* A backslash in a path is kept as it is, not read as an escape. */
static void backslash_in_file_is_raw(void **state)
{
    (void)state;
    static const char text[] =
        "{\"address\":\"0x10\", \"type\":\"STRING\", \"file\":\"C:\\new\\x.rb\", \"line\":3, \"memsize\":40}\n"
        "{\"address\":\"0x18\", \"type\":\"STRING\", \"file\":\"end\\\", \"line\":4, \"memsize\":40}\n";
    collector c;
    SCAN(text, 0, false, &c);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.rec[0].file, "C:\\new\\x.rb");
    assert_string_equal(c.rec[1].file, "end\\");
    assert_int_equal(c.rec[1].line, 4);
}

/* A DATA's "struct" and an IMEMO's "imemo_type" are the record's subtype,
 * read raw by simdjson and by the repair path alike (lines as Ruby 3.1
 * writes them; the third is broken by a quote in its path). */
static void subtype_members(void **state)
{
    (void)state;
    static const char text[] =
        "{\"address\":\"0x10\", \"type\":\"DATA\", \"class\":\"0x7f0\", \"struct\":\"VM/thread\", "
        "\"references\":[\"0x20\"], \"memsize\":1064, \"flags\":{\"wb_protected\":true}}\n"
        "{\"address\":\"0x18\", \"type\":\"IMEMO\", \"class\":\"0x7f8\", \"imemo_type\":\"callcache\", "
        "\"references\":[\"0x30\"], \"file\":\"server.rb\", \"line\":93, \"generation\":5, \"memsize\":40}\n"
        "{\"address\":\"0x28\", \"type\":\"DATA\", \"class\":\"0x800\", \"struct\":\"proc\", "
        "\"file\":\"lib/we\"ird.rb\", \"line\":14, \"method\":\"proc\", \"generation\":2, \"memsize\":80}\n"
        "{\"address\":\"0x38\", \"type\":\"DATA\", \"class\":\"0x808\", \"memsize\":40}\n"
        "{\"address\":\"0x40\", \"type\":\"STRING\", \"bytesize\":6, \"value\":\"struct\", \"memsize\":40}\n";
    collector c;
    scan_stats st = SCAN(text, 0, true, &c);
    assert_int_equal(c.n, 5);
    assert_int_equal(st.repaired, 1);
    assert_string_equal(c.rec[0].subtype, "VM/thread");
    assert_false(c.rec[0].repaired);
    assert_int_equal(c.rec[0].nrefs, 1);
    assert_string_equal(c.rec[1].subtype, "callcache");
    assert_int_equal(c.rec[1].line, 93);
    /* Repaired: the struct before the broken path, the members after it. */
    assert_true(c.rec[2].repaired);
    assert_string_equal(c.rec[2].subtype, "proc");
    assert_string_equal(c.rec[2].file, "lib/we\"ird.rb");
    assert_int_equal(c.rec[2].line, 14);
    assert_int_equal(c.rec[2].memsize, 80);
    /* An untyped DATA has none; a string's value is no subtype. */
    assert_string_equal(c.rec[3].subtype, "");
    assert_string_equal(c.rec[4].subtype, "");

    /* The repair parser alone, on a line cut short inside the struct's
     * value: what was read is kept and the line still yields its object. */
    static const char cut[] = "{\"address\":\"0x48\", \"type\":\"DATA\", \"struct\":\"mute";
    scan_refbuf refs = { 0 };
    scan_record r;
    memset(&r, 0, sizeof r);
    char why[JSON_REPAIR_WHY_MAX];
    assert_true(json_repair_line(cut, sizeof cut - 1, false, &refs, &r, why, sizeof why));
    char buf[16];
    copy_str(buf, sizeof buf, r.subtype);
    assert_string_equal(buf, "mute");
    assert_string_equal(why, "line ends inside the object");
    /* A struct that is not a string is left out, and said so. */
    static const char bare[] = "{\"address\":\"0x50\", \"type\":\"DATA\", \"struct\":7, \"memsize\":40}";
    memset(&r, 0, sizeof r);
    assert_true(json_repair_line(bare, sizeof bare - 1, false, &refs, &r, why, sizeof why));
    assert_null(r.subtype.ptr);
    assert_string_equal(why, "struct is not a string (left out)");
    free(refs.v);
}

/* Every row of DUMP_MEMBERS whose value is a string, an address or a number
 * fills its scan_record field, by simdjson and by the repair path alike: a
 * member added to the table is read without a line of the parsers. */
typedef struct one_record {
    scan_record r; /* its strings valid until the scanner reads again */
    int n;
} one_record;

static void keep_record(void *ctx, const scan_record *r)
{
    one_record *o = ctx;
    o->r = *r;
    o->n++;
}

/* The line of one member: an object line with it, in Ruby's spelling. */
static size_t member_line(char *buf, size_t size, const char *name, const char *value)
{
    int n;
    if (strcmp(name, "address") == 0)
        n = snprintf(buf, size, "{\"address\":%s, \"type\":\"DATA\"}", value);
    else if (strcmp(name, "type") == 0)
        n = snprintf(buf, size, "{\"address\":\"0x10\", \"type\":%s}", value);
    else
        n = snprintf(buf, size, "{\"address\":\"0x10\", \"type\":\"DATA\", \"%s\":%s}", name, value);
    assert_true(n > 0 && (size_t)n + DUMPFILE_PADDING < size);
    memset(buf + n, 0, DUMPFILE_PADDING);
    return (size_t)n;
}

/* Reads line with simdjson (path 0, through sc) or the repair parser
 * (path 1) into o. */
static void read_member_line(json_scanner *sc, const char *line, size_t len, int path, one_record *o)
{
    memset(o, 0, sizeof *o);
    if (path == 0) {
        scan_options opts = { 0 };
        scan_sink sink = { o, keep_record, NULL, NULL };
        assert_true(json_scan_line(sc, line, len, 0, &opts, &sink));
        assert_false(o->r.repaired);
    } else {
        scan_refbuf refs = { 0 };
        char why[JSON_REPAIR_WHY_MAX];
        assert_true(json_repair_line(line, len, false, &refs, &o->r, why, sizeof why));
        assert_string_equal(why, "");
        free(refs.v);
        o->n = 1;
    }
    assert_int_equal(o->n, 1);
}

static void assert_field_is(scan_str s, const char *want)
{
    char buf[32];
    assert_non_null(s.ptr);
    copy_str(buf, sizeof buf, s);
    assert_string_equal(buf, want);
}

/* A value of each kind, and what its field holds then. */
#define MEMBER_VALUE_DUMP_RAW "\"dir/raw.rb\""
#define MEMBER_VALUE_DUMP_STRING "\"a string\""
#define MEMBER_VALUE_DUMP_HEX "\"0x7f00ab\""
#define MEMBER_VALUE_DUMP_U32 "4000000000"
#define MEMBER_VALUE_DUMP_U64 "98765432101"
#define MEMBER_EXPECT_NUMBER(r, field, n) \
    assert_true((r).has_##field);         \
    assert_true((r).field == (n));
#define MEMBER_EXPECT_DUMP_RAW(r, field) assert_field_is((r).field, "dir/raw.rb");
#define MEMBER_EXPECT_DUMP_STRING(r, field) assert_field_is((r).field, "a string");
#define MEMBER_EXPECT_DUMP_HEX(r, field) MEMBER_EXPECT_NUMBER(r, field, 0x7f00abu)
#define MEMBER_EXPECT_DUMP_U32(r, field) MEMBER_EXPECT_NUMBER(r, field, 4000000000u)
#define MEMBER_EXPECT_DUMP_U64(r, field) MEMBER_EXPECT_NUMBER(r, field, 98765432101u)
#define MEMBER_VALUE_CHECK(json_name, kind, field)                                   \
    {                                                                                \
        char line[256];                                                              \
        size_t len = member_line(line, sizeof line, json_name, MEMBER_VALUE_##kind); \
        for (int path = 0; path < 2; path++) {                                       \
            one_record o;                                                            \
            read_member_line(sc, line, len, path, &o);                               \
            MEMBER_EXPECT_##kind(o.r, field)                                         \
            checked++;                                                               \
        }                                                                            \
    }
#define MEMBER_CHECK_DUMP_RAW(json_name, field) MEMBER_VALUE_CHECK(json_name, DUMP_RAW, field)
#define MEMBER_CHECK_DUMP_STRING(json_name, field) MEMBER_VALUE_CHECK(json_name, DUMP_STRING, field)
#define MEMBER_CHECK_DUMP_HEX(json_name, field) MEMBER_VALUE_CHECK(json_name, DUMP_HEX, field)
#define MEMBER_CHECK_DUMP_U32(json_name, field) MEMBER_VALUE_CHECK(json_name, DUMP_U32, field)
#define MEMBER_CHECK_DUMP_U64(json_name, field) MEMBER_VALUE_CHECK(json_name, DUMP_U64, field)
/* References and flags have tests of their own. */
#define MEMBER_CHECK_DUMP_REFS(json_name, field)
#define MEMBER_CHECK_DUMP_FLAGS(json_name, field)
#define MEMBER_CHECK(id, json_name, kind, field, how) MEMBER_CHECK_##kind(json_name, field)

static void every_member_fills_its_field(void **state)
{
    (void)state;
    json_scanner *sc = json_scanner_new();
    int checked = 0;
    DUMP_MEMBERS(MEMBER_CHECK)
    /* Every row but references and flags, by both parsers. */
#define MEMBER_COUNTED(id, json_name, kind, field, how) +(kind != DUMP_REFS && kind != DUMP_FLAGS)
    assert_int_equal(checked, 2 * (0 DUMP_MEMBERS(MEMBER_COUNTED)));
#undef MEMBER_COUNTED
    json_scanner_free(sc);
}

/* An unquoted address (heap-profiler's malformed-mid-stream fixture). */
static void bare_address(void **state)
{
    (void)state;
    static const char text[] =
        "{\"address\":\"0x000000000001\",\"type\":\"STRING\",\"value\":\"before\",\"memsize\":40,\"file\":\"x.rb\",\"line\":1}\n"
        "{\"address\":123abc,\"type\":\"STRING\",\"value\":\"bad\",\"memsize\":40,\"file\":\"x.rb\",\"line\":1}\n"
        "{\"address\":\"0x000000000005\",\"type\":\"STRING\",\"value\":\"after\",\"memsize\":40,\"file\":\"x.rb\",\"line\":1}\n";
    collector c;
    SCAN(text, 0, false, &c);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.rec[1].address, 0x123abc);
    assert_true(c.rec[1].repaired);
    assert_non_null(strstr(c.problem_why[0], "unquoted address"));
    assert_int_equal(c.rec[2].address, 5);
    assert_false(c.rec[2].repaired);
}

/* The last line of a dump from a dying process. */
static void truncated_last_line(void **state)
{
    (void)state;
    static const char text[] =
        "{\"address\":\"0x1\",\"type\":\"STRING\",\"value\":\"ok\",\"memsize\":40,\"file\":\"x.rb\",\"line\":1}\n"
        "{\"address\":\"0x3\",\"type\":\"STRING\",\"class\":\"0x2\",\"value\":\"trun";
    collector c;
    scan_stats st = SCAN(text, 0, false, &c);
    assert_int_equal(st.line_count, 2);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.problems[SCAN_TRUNCATED], 1);
    assert_int_equal(c.problem_line[0], 2);
    assert_int_equal(c.rec[1].address, 3);
    assert_int_equal(c.rec[1].class_addr, 2);
    assert_true(c.rec[1].repaired);
}

/* Garbage that is no object at all is skipped and counted, never fatal. */
static void garbage_line_skipped(void **state)
{
    (void)state;
    static const char text[] =
        "{\"address\":\"0x1\", \"type\":\"STRING\", \"memsize\":40}\n"
        "this is not json\n"
        "{\"address\":\"0x2\", \"type\":\"STRING\", \"memsize\":40}\n";
    collector c;
    scan_stats st = SCAN(text, 0, false, &c);
    assert_int_equal(c.n, 2);
    assert_int_equal(st.skipped, 1);
    assert_int_equal(c.problems[SCAN_SKIPPED], 1);
    assert_int_equal(c.problem_line[0], 2);
    assert_int_equal(c.rec[1].address, 2);
    assert_int_equal(c.rec[1].line_no, 3);
}

/* NUL bytes inside a line: read by length, never with strlen. */
static void nul_bytes(void **state)
{
    (void)state;
    static const char text[] =
        "{\"address\":\"0x1\", \"type\":\"STRING\", \"value\":\"a\0b\", \"file\":\"x\0y.rb\", \"line\":2, \"memsize\":40}\n"
        "{\"address\":\"0x2\", \"type\":\"STRING\", \"memsize\":40}\n";
    collector c;
    SCAN(text, 0, false, &c);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.rec[0].address, 1);
    assert_int_equal(c.rec[0].line, 2);
    assert_memory_equal(c.rec[0].file, "x\0y.rb", 6);
    assert_int_equal(c.rec[1].address, 2);
}

/* A line longer than the window is read whole, never ending the stream. */
static void line_longer_than_window(void **state)
{
    (void)state;
    size_t nrefs = 20000;
    size_t cap = nrefs * 12 + 1024;
    char *text = malloc(cap);
    size_t n = (size_t)sprintf(text, "{\"address\":\"0x1\", \"type\":\"STRING\", \"memsize\":40}\n"
                                     "{\"type\":\"ROOT\", \"root\":\"vm\", \"references\":[");
    for (size_t i = 0; i < nrefs; i++)
        n += (size_t)sprintf(text + n, "%s\"0x%zx\"", i ? ", " : "", i + 16);
    n += (size_t)sprintf(text + n, "]}\n{\"address\":\"0x2\", \"type\":\"ARRAY\", \"memsize\":40}\n");
    collector c;
    scan_stats st = scan_text(text, n, 4096, false, &c);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.rec[1].kind, SCAN_ROOT);
    assert_int_equal(c.rec[2].address, 2);
    assert_int_equal(c.rec[2].line_no, 3);
    assert_int_equal(st.slow_lines, 0);
    free(text);
}

/* Lines split across windows, blank lines, CRLF. */
static void windows_and_blank_lines(void **state)
{
    (void)state;
    char text[8192];
    size_t n = 0;
    for (int i = 1; i <= 60; i++) {
        n += (size_t)sprintf(text + n, "{\"address\":\"0x%x\", \"type\":\"STRING\", \"memsize\":%d}%s\n",
                             i * 8, i, i % 7 ? "" : "\r");
        if (i % 10 == 0)
            n += (size_t)sprintf(text + n, "\n");
    }
    collector c;
    scan_stats st = scan_text(text, n, 256, false, &c);
    assert_int_equal(c.n, 60);
    assert_int_equal(st.line_count, 66);
    assert_int_equal(c.rec[59].memsize, 60);
    assert_int_equal(c.rec[59].address, 60 * 8);
    assert_int_equal(c.rec[10].line_no, 12); /* a blank line after the tenth */
    assert_int_equal(st.skipped + st.repaired, 0);
}

/* Numbers where strings belong and the reverse. */
static void wrong_value_types(void **state)
{
    (void)state;
    static const char text[] =
        "{\"address\":\"0x1\", \"type\":\"STRING\", \"line\":\"12\", \"file\":7, \"memsize\":40}\n";
    collector c;
    SCAN(text, 0, false, &c);
    assert_int_equal(c.n, 1);
    assert_true(c.rec[0].repaired);
    assert_int_equal(c.rec[0].line, 12);
    assert_int_equal(c.rec[0].memsize, 40);
}

/* A line wrong in more members than its reason has room for names those it
 * can and says there were more; the object is kept all the same. */
static void many_wrong_members(void **state)
{
    (void)state;
    static const char text[] =
        "{\"address\":\"0x3000\", \"type\":\"STRING\", \"file\":42, \"line\":\"x\", \"method\":7, "
        "\"name\":3, \"generation\":\"y\", \"memsize\":\"z\", \"bytesize\":\"q\", \"root\":2, "
        "\"edge_name\":4, \"shape_id\":\"s\", \"flags\":1, \"references\":[1,2,3]}\n";
    collector c;
    SCAN(text, 0, false, &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.rec[0].address, 0x3000);
    assert_string_equal(c.problem_why[0],
                        "not a heap object line: file is not a string (left out); line is a string, not a "
                        "number (left out); method is not a string (left out); name is not a string (left "
                        "out); generation is a string, not a number (left out); ...");
}

/* A valid line with references that are no addresses loses only those:
 * the rest of it is read as it is, not guessed at as a broken line would
 * be (a key with a '}' in it once cost such a line its class). */
static void bad_references_in_valid_line(void **state)
{
    (void)state;
    static const char text[] =
        "{\"address\":\"0x7ffe4904f840\", \"type\":\"IMEMO\", \"class\":\"0x8\", \"i}emo_type\":\"cref\", "
        "\"references\":[\"0x7!ffe490c68a0\", \"0x7ffe490c68a8\", 12], \"memsize\":40, "
        "\"flags\":{\"wb_protected\":true}}\n";
    collector c;
    scan_stats st = SCAN(text, 0, true, &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(st.repaired, 1);
    assert_true(c.rec[0].repaired);
    assert_true(c.rec[0].has_class_addr);
    assert_int_equal(c.rec[0].class_addr, 0x8);
    assert_int_equal(c.rec[0].memsize, 40);
    assert_int_equal(c.rec[0].nrefs, 1);
    assert_int_equal(c.rec[0].refs[0], 0x7ffe490c68a8ULL);
    assert_int_equal(c.problems[SCAN_REPAIRED], 1);
    assert_string_equal(c.problem_why[0], "2 references are not quoted hex addresses (left out)");
}

/* Addresses that overflow 64 bits or are not hex lose only the address. */
static void bad_addresses(void **state)
{
    (void)state;
    static const char text[] =
        "{\"address\":\"0x1ffffffffffffffff\", \"type\":\"STRING\", \"memsize\":40}\n"
        "{\"address\":\"0xzz\", \"type\":\"STRING\", \"memsize\":40}\n"
        "{\"address\":\"0x0000000000000000000010\", \"type\":\"STRING\", \"memsize\":40}\n";
    collector c;
    scan_stats st = SCAN(text, 0, false, &c);
    assert_int_equal(st.skipped, 2);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.rec[0].address, 0x10); /* zero padding is not overflow */
}

static void hex_and_uint_helpers(void **state)
{
    (void)state;
    uint64_t v;
    assert_true(scan_parse_hex("0xffffffffffffffff", 18, &v));
    assert_true(v == UINT64_MAX);
    assert_false(scan_parse_hex("0x", 2, &v));
    assert_false(scan_parse_hex("0x1g", 4, &v));
    assert_true(scan_parse_uint("18446744073709551615", 20, &v));
    assert_true(v == UINT64_MAX);
    assert_false(scan_parse_uint("18446744073709551616", 20, &v));
    assert_false(scan_parse_uint("-1", 2, &v));
}

/* scan_parse_hex, one digit at a time: what its eight-at-a-time path must
 * give on every input, the bytes next to the digits' ranges above all
 * ('/', ':', '@', 'G', '`', 'g', 0x7f, 0x80 and up). */
static bool hex_by_digit(const char *p, size_t len, uint64_t *out)
{
    if (len >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        len -= 2;
    }
    if (len == 0)
        return false;
    while (len > 1 && *p == '0') {
        p++;
        len--;
    }
    if (len > 16)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return true;
}

/* Two million random strings of digits and their neighbours. */
static void hex_agrees_with_digit_by_digit(void **state)
{
    (void)state;
    static const char digits[] = "0123456789abcdefABCDEF";
    static const char near[] = "/:@`GgxX \x7f\x80\xff\x01";
    uint32_t seed = 12345;
    for (int n = 0; n < 2000000; n++) {
        char buf[24];
        seed = seed * 1103515245u + 12345u;
        size_t len = (seed >> 16) % 21;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 16;
            buf[i] = r % 8 ? digits[(r >> 3) % 22] : near[(r >> 3) % (sizeof near - 1)];
        }
        if (len >= 2 && (seed >> 20) % 2) {
            buf[0] = '0';
            buf[1] = 'x';
        }
        uint64_t want = 0, got = 0;
        bool w = hex_by_digit(buf, len, &want), g = scan_parse_hex(buf, len, &got);
        if (w != g || (w && want != got))
            fail_msg("\"%.*s\": %d %d %llx %llx", (int)len, buf, w, g, (unsigned long long)want,
                     (unsigned long long)got);
    }
    uint64_t v;
    assert_true(scan_parse_hex("0x7f0b7a5ddfb8", 14, &v));
    assert_true(v == 0x7f0b7a5ddfb8u);
    assert_true(scan_parse_hex("0xABCDEF0123456789", 18, &v));
    assert_true(v == 0xabcdef0123456789u);
    assert_false(scan_parse_hex("0x7f0b7a5:dfb8", 14, &v));
    assert_false(scan_parse_hex("0x7f0b7a5Gdfb8", 14, &v));
}

/* Every byte value at every position of addresses of 1 to 16 digits, with
 * and without "0x" and zero padding. */
static void hex_eight_at_a_time(void **state)
{
    (void)state;
    static const char *const bases[] = { "7f0b761a8848", "0x7f0b761a8848", "0XABCDEF0123456789", "0x00000000000000001f",
                                         "1", "0x123456789", "DeadBeefCafe", "0x0000000000000010" };
    for (size_t b = 0; b < sizeof bases / sizeof *bases; b++) {
        size_t len = strlen(bases[b]);
        for (size_t cut = 1; cut <= len; cut++)
            for (size_t pos = 0; pos < cut; pos++)
                for (int c = 0; c < 256; c++) {
                    char buf[32];
                    memcpy(buf, bases[b], cut);
                    buf[pos] = (char)c;
                    uint64_t got = 0, want = 0;
                    bool ok = scan_parse_hex(buf, cut, &got);
                    assert_int_equal(ok, hex_by_digit(buf, cut, &want));
                    if (ok)
                        assert_true(got == want);
                    /* The inline reader, with and without "0x". */
                    uint64_t inl = 0;
                    assert_int_equal(scan_parse_hex_inline(buf, cut, &inl), ok);
                    if (ok)
                        assert_true(inl == want);
#ifdef __SSE2__
                    /* The sixteen-at-once reader (digits alone, no "0x"),
                     * whatever follows them. */
                    bool digits_ok = ok && !(buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X'));
                    if (cut >= 8 && cut <= 16)
                        for (int after = 0; after < 256; after += 51) {
                            memset(buf + cut, after, sizeof buf - cut);
                            uint64_t wide = 0;
                            bool wide_ok = scan_hex_8_16_wide(buf, cut, &wide);
                            assert_int_equal(wide_ok, digits_ok);
                            if (digits_ok)
                                assert_true(wide == want);
                        }
#endif
                }
    }
}

static void counting(void *ctx, const scan_record *r)
{
    (void)r;
    (*(size_t *)ctx)++;
}

/* Counts from real dumps of other projects: every line read, none lost. */
static void external_fixtures(void **state)
{
    (void)state;
    struct { const char *name; uint64_t lines, records, repaired, skipped; } cases[] = {
        { "ruby-3.0-singleton-classes.json", 6759, 6759, 0, 0 },
        { "heapy-my_dump_1.json", 14405, 14405, 0, 0 },
        { "heap-profiler-retained.json", 516, 516, 0, 0 },
        { "malformed-mid-stream.json", 3, 3, 1, 0 },
        { "truncated-final-line.json", 2, 2, 1, 0 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        EXTERNAL_OR_RETURN(path, cases[k].name);
        dumpfile df;
        hs_error err;
        assert_int_equal(dumpfile_open(&df, path, &err), HS_OK);
        json_scanner *sc = json_scanner_new();
        scan_options opts = { .want_refs = true };
        /* Count records without keeping them. */
        size_t count = 0;
        scan_sink sink = { &count, counting, NULL, NULL };
        scan_stats st;
        assert_int_equal(json_scan_run(sc, df.data, 0, df.size, &opts, &sink, &st, &err), HS_OK);
        assert_int_equal(st.lines, cases[k].lines);
        assert_int_equal(st.records, cases[k].records);
        assert_int_equal(count, cases[k].records);
        assert_int_equal(st.repaired, cases[k].repaired);
        assert_int_equal(st.skipped, cases[k].skipped);
        json_scanner_free(sc);
        dumpfile_close(&df);
    }
}

/* The repair path must read every valid line exactly as simdjson does: run
 * both over each line of a real dump and compare what they return. */
static void repair_agrees_with_simdjson(void **state)
{
    (void)state;
    EXTERNAL_OR_RETURN(path, "ruby-3.0-singleton-classes.json");
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, path, &err), HS_OK);
    json_scanner *sc = json_scanner_new();
    scan_options opts = { .want_refs = true };
    scan_refbuf refs = { 0 };
    size_t checked = 0;
    for (size_t pos = 0; pos < df.size;) {
        const char *line = df.data + pos;
        const char *nl = memchr(line, '\n', df.size - pos);
        size_t len = nl ? (size_t)(nl - line) : df.size - pos;
        collector c;
        memset(&c, 0, sizeof c);
        scan_sink sink = { &c, on_record, on_problem, NULL };
        assert_true(json_scan_line(sc, line, len, pos, &opts, &sink));
        scan_record r;
        memset(&r, 0, sizeof r);
        char why[256];
        assert_true(json_repair_line(line, len, true, &refs, &r, why, sizeof why));
        seen *s = &c.rec[0];
        assert_int_equal(r.kind, s->kind);
        assert_int_equal(r.address, s->address);
        assert_int_equal(r.class_addr, s->class_addr);
        assert_int_equal(r.memsize, s->memsize);
        assert_int_equal(r.bytesize, s->bytesize);
        assert_int_equal(r.line, s->line);
        assert_int_equal(r.generation, s->generation);
        assert_int_equal(r.nrefs, s->nrefs);
        char buf[128];
        copy_str(buf, sizeof buf, r.type);
        assert_string_equal(buf, s->type);
        copy_str(buf, sizeof buf, r.file);
        assert_string_equal(buf, s->file);
        assert_string_equal(why, "");
        checked++;
        pos += len + 1;
    }
    assert_int_equal(checked, 6759);
    free(refs.v);
    json_scanner_free(sc);
    dumpfile_close(&df);
}

/* json_quick_sites on one line that json_quick_line took: when it takes it
 * too, site, class and subtype are what the full parser read (s). Returns
 * whether it took it. With a memo of the sites seen (kept from line to line
 * of a dump, as a loader thread keeps it) it answers the same. */
static quick_site_memo *sites_memo;

static bool sites_agree(const char *line, size_t len, const seen *s)
{
    scan_record q, m;
    memset(&q, 0, sizeof q);
    memset(&m, 0, sizeof m);
    bool took = json_quick_sites(line, len, &q, NULL);
    assert_int_equal(json_quick_sites(line, len, &m, sites_memo), took);
    if (!took)
        return false;
    assert_ptr_equal(m.file.ptr, q.file.ptr);
    assert_int_equal(m.file.len, q.file.len);
    assert_ptr_equal(m.method.ptr, q.method.ptr);
    assert_int_equal(m.method.len, q.method.len);
    assert_int_equal(m.has_line, q.has_line);
    assert_int_equal(m.line, q.line);
    assert_ptr_equal(m.subtype.ptr, q.subtype.ptr);
    assert_int_equal(m.class_addr, q.class_addr);
    char buf[128];
    assert_int_equal(q.address, s->address);
    assert_int_equal(q.file.ptr ? q.file.len : UINT32_MAX, s->file_len);
    copy_str(buf, sizeof buf, q.file);
    assert_string_equal(buf, s->file);
    assert_int_equal(q.method.ptr ? q.method.len : UINT32_MAX, s->method_len);
    copy_str(buf, sizeof buf, q.method);
    assert_string_equal(buf, s->method);
    assert_int_equal(q.has_line, s->has_line);
    if (q.has_line)
        assert_int_equal(q.line, s->line);
    assert_int_equal(q.has_class_addr, s->has_class_addr);
    assert_int_equal(q.class_addr, s->class_addr);
    copy_str(buf, sizeof buf, q.subtype);
    assert_string_equal(buf, s->subtype);
    return true;
}

/* json_quick reads address, type and generation from Ruby's usual line
 * shape; on every line of real dumps it must agree with the full parser
 * whenever it accepts a line, and it must accept the usual lines; so must
 * json_quick_sites, with the sites too. */
static size_t quick_sites_taken;

static void quick_agrees(const char *path, size_t min_accepted)
{
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, path, &err), HS_OK);
    json_scanner *sc = json_scanner_new();
    sites_memo = json_quick_site_memo_new();
    assert_non_null(sites_memo);
    scan_options opts = { 0 };
    size_t lines = 0, accepted = 0;
    for (size_t pos = 0; pos < df.size;) {
        const char *line = df.data + pos;
        const char *nl = memchr(line, '\n', df.size - pos);
        size_t len = nl ? (size_t)(nl - line) : df.size - pos;
        scan_record q;
        memset(&q, 0, sizeof q);
        if (json_quick_line(line, len, &q)) {
            collector c;
            memset(&c, 0, sizeof c);
            scan_sink sink = { &c, on_record, on_problem, NULL };
            assert_true(json_scan_line(sc, line, len, pos, &opts, &sink));
            seen *s = &c.rec[0];
            assert_int_equal(q.kind, s->kind);
            assert_int_equal(q.address, s->address);
            assert_int_equal(q.has_generation, s->has_generation);
            assert_int_equal(q.generation, s->generation);
            char type[16];
            copy_str(type, sizeof type, q.type);
            assert_string_equal(type, s->type);
            quick_sites_taken += sites_agree(line, len, s);
            accepted++;
        }
        lines++;
        pos += len + 1;
    }
    assert_true(accepted >= min_accepted);
    json_quick_site_memo_free(sites_memo);
    sites_memo = NULL;
    json_scanner_free(sc);
    dumpfile_close(&df);
}

/* json_quick_details must read every line it takes exactly as the full
 * parser does (every member, and no repair): it replaces the full parser
 * for the objects shown. On each line of a dump, when it takes the line,
 * the full parser's record (compared in its callback, while its strings
 * live) must be the same; and json_quick_details_refs, for the graph, must
 * take the same lines and give the same references, address by address,
 * as the full parser with want_refs. Returns the lines it took. */
typedef struct details_check {
    const scan_record *quick; /* json_quick_details' record of the line */
    size_t records;           /* records the full parser gave */
    size_t problems;          /* problems it reported */
} details_check;

static void details_record(void *ctx, const scan_record *r)
{
    details_check *d = ctx;
    const char *differs = scan_record_differs(d->quick, r);
    if (differs)
        fail_msg("json_quick_details and the full parser differ on %s (line at byte %llu)", differs,
                 (unsigned long long)r->offset);
    d->records++;
}

static void details_problem(void *ctx, const scan_problem *p)
{
    ((details_check *)ctx)->problems++;
    fail_msg("json_quick_details took a line the full parser repairs: %s", p->why);
}

static size_t details_agree(const char *path, size_t min_taken)
{
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, path, &err), HS_OK);
    json_scanner *sc = json_scanner_new();
    scan_options full = { 0 }, full_refs = { .want_refs = true };
    scan_refbuf refs = { 0 };
    size_t taken = 0, objects = 0, with_refs = 0;
    for (size_t pos = 0; pos < df.size;) {
        const char *line = df.data + pos;
        const char *nl = memchr(line, '\n', df.size - pos);
        size_t len = nl ? (size_t)(nl - line) : df.size - pos;
        scan_record q;
        memset(&q, 0, sizeof q);
        q.offset = pos;
        q.line_no = 1;
        bool plain = json_quick_details(line, len, &q);
        if (plain) {
            details_check d = { &q, 0, 0 };
            scan_sink sink = { &d, details_record, details_problem, NULL };
            assert_true(json_scan_line(sc, line, len, pos, &full, &sink));
            assert_int_equal(d.records, 1);
            assert_int_equal(d.problems, 0);
            taken++;
        }
        scan_record qr;
        memset(&qr, 0, sizeof qr);
        qr.offset = pos;
        qr.line_no = 1;
        bool took = json_quick_details_refs(line, len, &qr, &refs);
        assert_int_equal(took, plain);
        if (took) {
            assert_true(qr.refs == refs.v && qr.nrefs == refs.n);
            details_check d = { &qr, 0, 0 };
            scan_sink sink = { &d, details_record, details_problem, NULL };
            assert_true(json_scan_line(sc, line, len, pos, &full_refs, &sink));
            assert_int_equal(d.records, 1);
            with_refs += qr.nrefs;
        }
        objects += len > 0 && strncmp(line, "{\"address\"", 10) == 0;
        pos += len + 1;
    }
    print_message("# json_quick_details took %zu of %zu object lines of %s (%zu references)\n", taken, objects, path,
                  with_refs);
    assert_true(taken >= min_taken);
    free(refs.v);
    json_scanner_free(sc);
    dumpfile_close(&df);
    return taken;
}

/* The dumps that ship, then those of other Rubies and real applications. */
static void quick_details_agrees_with_full_parser(void **state)
{
    (void)state;
    details_agree(data_path("app-2.json.gz"), 13000); /* of 13838 objects */
    details_agree(data_path("app-3.json.gz"), 13000);
    details_agree(data_path("broken-paths.json"), 60);
    details_agree(data_path("truncated.json"), 300);
    static const char *const modern[] = { "ruby-3.1", "ruby-3.2", "ruby-3.3", "ruby-3.4", "ruby-4.0",
                                          "compact-3.1", "invalid-utf8" };
    for (size_t k = 0; k < sizeof modern / sizeof *modern; k++) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/tests/modern/%s", TOP_SRCDIR, modern[k]);
        DIR *d = opendir(dir);
        assert_non_null(d);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!strstr(e->d_name, ".json"))
                continue;
            char path[PATH_MAX + 256];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            details_agree(path, 0);
        }
        closedir(d);
    }
}

static void quick_details_agrees_on_other_rubies(void **state)
{
    (void)state;
    EXTERNAL_OR_RETURN(ruby30, "ruby-3.0-singleton-classes.json");
    details_agree(ruby30, 6000);
    EXTERNAL_OR_RETURN(ruby32, "heap-profiler-retained.json");
    details_agree(ruby32, 0);
    EXTERNAL_OR_RETURN(heapy, "heapy-my_dump_1.json");
    details_agree(heapy, 0);
    EXTERNAL_OR_RETURN(malformed, "malformed-mid-stream.json");
    details_agree(malformed, 0);
    EXTERNAL_OR_RETURN(cut, "truncated-final-line.json");
    details_agree(cut, 0);
}

static void quick_agrees_with_full_parser(void **state)
{
    (void)state;
    quick_sites_taken = 0;
    quick_agrees(data_path("app-2.json.gz"), 13000);   /* of 13838 objects */
    /* All but the CLASS and MODULE lines (read in full for their names)
     * and the lines with non-ASCII or quoted paths. */
    print_message("# json_quick_sites took %zu lines of app-2\n", quick_sites_taken);
    assert_true(quick_sites_taken >= 13000);
    quick_agrees(data_path("broken-paths.json"), 90);
    quick_agrees(data_path("truncated.json"), 300);
}

static void quick_agrees_on_other_rubies(void **state)
{
    (void)state;
    EXTERNAL_OR_RETURN(ruby30, "ruby-3.0-singleton-classes.json");
    quick_agrees(ruby30, 6000);
    EXTERNAL_OR_RETURN(ruby32, "heap-profiler-retained.json"); /* SHAPE records, slot_size */
    quick_agrees(ruby32, 500);
    EXTERNAL_OR_RETURN(older, "heapy-my_dump_1.json");
    quick_agrees(older, 14000);
}

/* Lines json_quick must leave to the full parser. */
static void quick_refuses_other_shapes(void **state)
{
    (void)state;
    static const char *const lines[] = {
        /* a number member it does not know where generation should be */
        "{\"address\":\"0x10\", \"type\":\"STRING\", \"generation\":5, \"age\":3, \"memsize\":40}",
        /* a nested object in flags */
        "{\"address\":\"0x10\", \"type\":\"STRING\", \"flags\":{\"x\":{\"y\":1}}}",
        /* no space after the comma: not the shape Ruby writes */
        "{\"address\":\"0x10\",\"type\":\"STRING\"}",
        /* a bare address */
        "{\"address\":0x10, \"type\":\"STRING\"}",
        /* cut short */
        "{\"address\":\"0x10\", \"type\":\"STRING\", \"value\":\"ab",
        /* a generation that is not a number */
        "{\"address\":\"0x10\", \"type\":\"STRING\", \"generation\":\"5\"}",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        scan_record r;
        memset(&r, 0, sizeof r);
        assert_false(json_quick_line(lines[i], strlen(lines[i]), &r));
    }
    /* And reads these. */
    scan_record r;
    memset(&r, 0, sizeof r);
    static const char ok1[] = "{\"address\":\"0x7f10\", \"type\":\"OBJECT\", \"file\":\"a\"b.rb\", "
                              "\"line\":2, \"generation\":77, \"memsize\":40, \"flags\":{\"age\":2, \"object_id\":99}}";
    assert_true(json_quick_line(ok1, strlen(ok1), &r));
    assert_int_equal(r.address, 0x7f10);
    assert_true(r.has_generation);
    assert_int_equal(r.generation, 77);
    assert_true(r.has_object_id);
    assert_int_equal(r.object_id, 99);
    memset(&r, 0, sizeof r);
    static const char ok2[] = "{\"address\":\"0x20\", \"type\":\"DATA\", \"struct\":\"mutex\", \"memsize\":72}";
    assert_true(json_quick_line(ok2, strlen(ok2), &r));
    assert_false(r.has_generation);
    assert_false(r.has_object_id);
}

/* A line in Ruby's member order but for a space before its last brace:
 * the identity reader does not see the flags there, misses the generation
 * and takes the line without one, so the full parser repairs it; the
 * details reader must then decline it (and read it as the full parser
 * does), not keep its own reading. */
static void details_decline_what_the_identity_reader_misreads(void **state)
{
    (void)state;
    static const char line[] =
        "{\"address\":\"0x7f0b7a5e4688\", \"type\":\"STRING\", \"class\":\"0x7f0b79d3e6a0\", \"bytesize\":3, "
        "\"value\":\"abc\", \"generation\":38, \"memsize\":40, \"flags\":{\"wb_protected\":true, \"old\":true, "
        "\"uncollectible\":true, \"marked\":true} }";
    scan_record q;
    memset(&q, 0, sizeof q);
    assert_true(json_quick_line(line, strlen(line), &q));
    assert_false(q.has_generation); /* what the identity reader sees */
    memset(&q, 0, sizeof q);
    assert_false(json_quick_details(line, strlen(line), &q));
    collector c;
    char text[512];
    snprintf(text, sizeof text, "%s\n", line);
    scan_text(text, strlen(text), 0, false, &c);
    assert_int_equal(c.n, 1);
    assert_true(c.rec[0].repaired);
    assert_false(c.rec[0].has_generation);
    /* Without the space, all three read the generation. */
    static const char plain[] =
        "{\"address\":\"0x7f0b7a5e4688\", \"type\":\"STRING\", \"class\":\"0x7f0b79d3e6a0\", \"bytesize\":3, "
        "\"value\":\"abc\", \"generation\":38, \"memsize\":40, \"flags\":{\"wb_protected\":true, \"old\":true, "
        "\"uncollectible\":true, \"marked\":true}}";
    memset(&q, 0, sizeof q);
    assert_true(json_quick_details(plain, strlen(plain), &q));
    assert_true(q.has_generation);
    assert_int_equal(q.generation, 38);
    assert_false(q.repaired);
}

/* A valid line that the identity reader reads otherwise (a space before
 * its last brace hides the flags, and with them the generation): the
 * identity is the identity reader's, as an identity load takes it, and the
 * rest is the full parser's reading, not json_repair's guess (which took
 * the class's string to run on past a key it does not know, "?bytesize",
 * and lost the class). */
static void valid_line_read_otherwise_keeps_the_rest(void **state)
{
    (void)state;
    static const char line[] =
        "{\"address\":\"0x7f0b7a5e4688\", \"type\":\"STRING\", \"class\":\"0x7f0b79d3e6a0\", \"?bytesize\":3, "
        "\"value\":\"abc\", \"generation\":38, \"memsize\":40, \"flags\":{\"wb_protected\":true, \"old\":true} }\n";
    collector c;
    scan_text(line, strlen(line), 0, false, &c);
    assert_int_equal(c.n, 1);
    assert_true(c.rec[0].repaired);
    assert_int_equal(c.rec[0].address, 0x7f0b7a5e4688);
    assert_false(c.rec[0].has_generation); /* as json_quick_line reads it */
    assert_true(c.rec[0].has_class_addr);
    assert_int_equal(c.rec[0].class_addr, 0x7f0b79d3e6a0);
    assert_int_equal(c.rec[0].memsize, 40);
    assert_int_equal(c.nproblems, 1);
    assert_non_null(strstr(c.problem_why[0], "valid JSON, but not laid out as Ruby writes it"));
}

/* The site reader knows a line holds none of the keys it must look for
 * between the type and the site (a second address, type, class or site
 * key, a DATA's struct, an IMEMO's imemo_type) by a quick test of each
 * key's last four letters. Each key put there must still be found: the
 * line declined (the full parser reads it), or its subtype read; and each
 * answer is the same with the memo of sites primed by the plain line. */
static void sites_see_every_key_in_the_middle(void **state)
{
    (void)state;
    static const char head[] = "{\"address\":\"0x7f0b7648ced8\", \"type\":\"DATA\", \"class\":\"0x7f0b79d2a420\", "
                               "\"embedded\":true";
    static const char site[] = ", \"file\":\"app/models/part_55.rb\", \"line\":38, \"method\":\"b6\", "
                               "\"generation\":38, \"memsize\":40, \"flags\":{\"wb_protected\":true}}";
    static const struct {
        const char *member; /* put between head and site */
        bool taken;
        const char *subtype;
    } cases[] = {
        { "", true, "" },
        { ", \"bytesize\":13, \"value\":\"leaf 289744.3\"", true, "" },
        { ", \"value\":\"file: line\"", true, "" }, /* the names inside a value: no key */
        { ", \"address\":\"0x1\"", false, "" },
        { ", \"type\":\"STRING\"", false, "" },
        { ", \"class\":\"0x2\"", false, "" },
        { ", \"file\":\"other.rb\"", false, "" },
        { ", \"line\":7", false, "" },
        { ", \"method\":\"m\"", false, "" },
        { ", \"struct\":\"mutex\"", true, "mutex" },
        { ", \"imemo_type\":\"env\"", true, "env" },
        { ", \"xfile\":1", true, "" },    /* ends like a key, is none */
        { ", \"typex\":1", true, "" },
    };
    quick_site_memo *memo = json_quick_site_memo_new();
    assert_non_null(memo);
    char line[512];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(line, sizeof line, "%s%s%s", head, cases[i].member, site);
        size_t len = strlen(line);
        for (int primed = 0; primed < 2; primed++) {
            scan_record q;
            memset(&q, 0, sizeof q);
            bool took = json_quick_sites(line, len, &q, primed ? memo : NULL);
            if (took != cases[i].taken)
                fail_msg("%s: taken %d, expected %d (memo %d)", line, took, cases[i].taken, primed);
            if (!took)
                continue;
            char buf[64];
            copy_str(buf, sizeof buf, q.subtype);
            assert_string_equal(buf, cases[i].subtype);
            copy_str(buf, sizeof buf, q.file);
            assert_string_equal(buf, "app/models/part_55.rb");
            assert_int_equal(q.line, 38);
            copy_str(buf, sizeof buf, q.method);
            assert_string_equal(buf, "b6");
            assert_true(q.has_class_addr);
            assert_int_equal(q.class_addr, 0x7f0b79d2a420);
        }
    }
    /* A subtype right after the class, where Ruby writes it, is read
     * without the key-by-key walk: each must answer as that walk does. */
    static const char head2[] = "{\"address\":\"0x7f0b7648ced8\", \"type\":\"DATA\", \"class\":\"0x7f0b79d2a420\"";
    static const struct {
        const char *members;
        bool taken;
        const char *subtype;
    } after_class[] = {
        { ", \"struct\":\"mutex\"", true, "mutex" },
        { ", \"imemo_type\":\"env\"", true, "env" },
        { ", \"struct\":\"mutex\", \"references\":[\"0x7f0b79d2a420\"]", true, "mutex" },
        { ", \"struct\":\"mutex\", \"frozen\":true", false, "" },    /* not what Ruby writes next */
        { ", \"struct\":\"mutex\", \"struct\":\"cond\"", false, "" }, /* a second one */
        { ", \"struct\":\"mutex\", \"imemo_type\":\"env\"", false, "" },
        { ", \"struct\":\"mu\\\"tex\"", false, "" },                   /* not plain */
    };
    for (size_t i = 0; i < sizeof after_class / sizeof *after_class; i++) {
        snprintf(line, sizeof line, "%s%s%s", head2, after_class[i].members, site);
        for (int primed = 0; primed < 2; primed++) {
            scan_record r;
            memset(&r, 0, sizeof r);
            bool took = json_quick_sites(line, strlen(line), &r, primed ? memo : NULL);
            if (took != after_class[i].taken)
                fail_msg("%s: taken %d, expected %d (memo %d)", line, took, after_class[i].taken, primed);
            char buf[64];
            copy_str(buf, sizeof buf, r.subtype);
            if (took)
                assert_string_equal(buf, after_class[i].subtype);
        }
    }
    /* The memo holds the site's text; a line that ends with it but holds a
     * second file before it is still declined. */
    snprintf(line, sizeof line, "%s, \"file\":\"x.rb\"%s", head, site);
    scan_record q;
    memset(&q, 0, sizeof q);
    assert_false(json_quick_sites(line, strlen(line), &q, memo));
    json_quick_site_memo_free(memo);
}

/* The quick readers keep the flags objects they checked (a handful of
 * texts, each on thousands of lines). A line ending with a kept text must
 * be answered as if it had never been seen: every line below is read
 * first with the memo primed by the one before it, and the answers must
 * be those of each line read after lines with other flags only. */
static void flags_seen_before_change_nothing(void **state)
{
    (void)state;
    static const char flags[] = ", \"flags\":{\"wb_protected\":true, \"old\":true}}";
    static const char *const heads[] = {
        /* Ruby's lines: taken */
        "{\"address\":\"0x7f10\", \"type\":\"STRING\", \"bytesize\":3, \"value\":\"abc\", \"generation\":5, \"memsize\":40",
        "{\"address\":\"0x7f38\", \"type\":\"ARRAY\", \"length\":1, \"references\":[\"0x7f10\"], \"generation\":6",
        "{\"address\":\"0x7f60\", \"type\":\"DATA\", \"struct\":\"mutex\", \"memsize\":72",
        /* declined for what comes before the flags: each must stay declined
         * (but the nested object, which the identity reader skips) */
        "{\"address\":\"0x7f88\", \"type\":\"STRING\", \"generation\":5, \"age\":3, \"memsize\":40",
        "{\"address\":\"0x7fb0\",\"type\":\"STRING\"",
        "{\"address\":\"0x7fd8\", \"type\":\"STRING\", \"generation\":\"5\"",
        "{\"address\":\"0x8000\", \"type\":\"HASH\", \"x\":{\"y\":1}, \"generation\":5",
        /* the flags text alone, and the flags repeated */
        "{\"address\":\"0x8028\", \"type\":\"OBJECT\"",
        "{\"address\":\"0x8050\", \"type\":\"OBJECT\", \"flags\":{\"object_id\":7}",
    };
    static const char other[] = ", \"flags\":{\"marked\":true}}";
    enum { N = sizeof heads / sizeof *heads };
    char line[512];
    struct answer {
        bool ident, details;
        scan_record id, det;
    } fresh[N];
    /* Fresh: each line read after one with other flags (which the memo then holds). */
    for (size_t i = 0; i < N; i++) {
        snprintf(line, sizeof line, "%s%s", heads[0], other);
        scan_record r;
        memset(&r, 0, sizeof r);
        assert_true(json_quick_line(line, strlen(line), &r));
        assert_true(json_quick_details(line, strlen(line), &r));
        snprintf(line, sizeof line, "%s%s", heads[i], flags);
        memset(&fresh[i], 0, sizeof fresh[i]);
        fresh[i].ident = json_quick_line(line, strlen(line), &fresh[i].id);
        fresh[i].details = json_quick_details(line, strlen(line), &fresh[i].det);
        /* The same line again, now that the memo holds its flags. */
        scan_record again;
        memset(&again, 0, sizeof again);
        assert_int_equal(json_quick_line(line, strlen(line), &again), fresh[i].ident);
        if (fresh[i].ident) {
            assert_int_equal(again.address, fresh[i].id.address);
            assert_int_equal(again.has_generation, fresh[i].id.has_generation);
            assert_int_equal(again.generation, fresh[i].id.generation);
            assert_int_equal(again.has_object_id, fresh[i].id.has_object_id);
        }
        memset(&again, 0, sizeof again);
        assert_int_equal(json_quick_details(line, strlen(line), &again), fresh[i].details);
        if (fresh[i].details) {
            assert_int_equal(again.memsize, fresh[i].det.memsize);
            assert_int_equal(again.has_object_id, fresh[i].det.has_object_id);
        }
    }
    /* Every line after every other, memo primed by the one before. */
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            snprintf(line, sizeof line, "%s%s", heads[j], flags);
            scan_record r;
            memset(&r, 0, sizeof r);
            json_quick_line(line, strlen(line), &r);
            json_quick_details(line, strlen(line), &r);
            snprintf(line, sizeof line, "%s%s", heads[i], flags);
            memset(&r, 0, sizeof r);
            assert_int_equal(json_quick_line(line, strlen(line), &r), fresh[i].ident);
            if (fresh[i].ident)
                assert_int_equal(r.generation, fresh[i].id.generation);
            memset(&r, 0, sizeof r);
            assert_int_equal(json_quick_details(line, strlen(line), &r), fresh[i].details);
        }
    /* What the list says of each. */
    bool want[N] = { true, true, true, false, false, false, true, true, true };
    for (size_t i = 0; i < N; i++)
        assert_int_equal(fresh[i].ident, want[i]);
    assert_int_equal(fresh[0].id.generation, 5);
    assert_false(fresh[2].id.has_generation);
    assert_true(fresh[0].details);
    assert_int_equal(fresh[0].det.memsize, 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_line_fields),
        cmocka_unit_test(hex_agrees_with_digit_by_digit),
        cmocka_unit_test(root_and_refs),
        cmocka_unit_test(unescaped_quote_in_file),
        cmocka_unit_test(backslash_in_file_is_raw),
        cmocka_unit_test(subtype_members),
        cmocka_unit_test(every_member_fills_its_field),
        cmocka_unit_test(bare_address),
        cmocka_unit_test(truncated_last_line),
        cmocka_unit_test(garbage_line_skipped),
        cmocka_unit_test(nul_bytes),
        cmocka_unit_test(line_longer_than_window),
        cmocka_unit_test(windows_and_blank_lines),
        cmocka_unit_test(wrong_value_types),
        cmocka_unit_test(many_wrong_members),
        cmocka_unit_test(bad_addresses),
        cmocka_unit_test(bad_references_in_valid_line),
        cmocka_unit_test(valid_line_read_otherwise_keeps_the_rest),
        cmocka_unit_test(sites_see_every_key_in_the_middle),
        cmocka_unit_test(flags_seen_before_change_nothing),
        cmocka_unit_test(details_decline_what_the_identity_reader_misreads),
        cmocka_unit_test(hex_and_uint_helpers),
        cmocka_unit_test(hex_eight_at_a_time),
        cmocka_unit_test(external_fixtures),
        cmocka_unit_test(repair_agrees_with_simdjson),
        cmocka_unit_test(quick_agrees_with_full_parser),
        cmocka_unit_test(quick_agrees_on_other_rubies),
        cmocka_unit_test(quick_details_agrees_with_full_parser),
        cmocka_unit_test(quick_details_agrees_on_other_rubies),
        cmocka_unit_test(quick_refuses_other_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
