/* fuzz_line.c - one input through every reader of a dump line.
 *
 * The input's first line (up to the first newline) is read by the strict
 * quick reader (json_quick), by the scanner one line at a time (json_scan_line:
 * simdjson, then json_repair) in full and identity-only mode, by the repair
 * parser alone, and split by json_members with each string unescaped. The
 * whole input is also scanned as a dump by json_scan_run, with tiny and
 * default windows, in full and identity-only mode.
 *
 * Whatever line json_quick_details takes, the full parser must read the
 * same record from it, without a repair: it stands in for the full parser.
 *
 * Where two readers both give a record for the same line they must agree on
 * the object's identity (address, type, generation, object_id): the diff
 * reads dumps with the quick reader, the details and the graph with the full
 * one, so a disagreement is the same object seen as two. abort() makes the
 * fuzzer report it.
 *
 * Buffers are sized exactly (no slack) for the readers that promise to stay
 * inside the line, so AddressSanitizer sees any byte read past it; the
 * scanner gets DUMPFILE_PADDING bytes more, as it requires.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpfile.h"
#include "json_quick.h"
#include "json_repair.h"
#include "json_scan.h"
#include "../same_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Lines longer than this are not worth the time: every reader is linear. */
#define MAX_INPUT (256 * 1024)
/* Records compared between json_scan_run passes. */
#define MAX_KEPT 256

/* The identity of one record, copied out of the callback. */
typedef struct ident {
    int kind;              /* scan_kind */
    uint64_t offset;       /* byte offset of the line */
    bool repaired;         /* read by json_repair */
    bool has_address;      /* "address" was read */
    uint64_t address;      /* "address" */
    char type[32];         /* "type", cut to 31 bytes, NUL-terminated */
    uint32_t type_len;     /* the full length of "type" */
    bool has_generation;   /* "generation" was read */
    uint32_t generation;   /* "generation" */
    bool has_object_id;    /* flags.object_id was read */
    uint64_t object_id;    /* flags.object_id */
} ident;

/* What a scan delivered. */
typedef struct kept {
    ident rec[MAX_KEPT];   /* the first MAX_KEPT records */
    size_t n;              /* records delivered (may exceed MAX_KEPT) */
    size_t problems;       /* problems reported */
} kept;

static void fail(const char *what, const ident *a, const ident *b)
{
    fprintf(stderr,
            "fuzz_line: %s\n"
            "  a: kind %d address %d/0x%llx type '%s' (%u) generation %d/%u object_id %d/%llu repaired %d\n"
            "  b: kind %d address %d/0x%llx type '%s' (%u) generation %d/%u object_id %d/%llu repaired %d\n",
            what, a->kind, a->has_address, (unsigned long long)a->address, a->type, a->type_len,
            a->has_generation, a->generation, a->has_object_id, (unsigned long long)a->object_id,
            a->repaired, b->kind, b->has_address, (unsigned long long)b->address, b->type,
            b->type_len, b->has_generation, b->generation, b->has_object_id,
            (unsigned long long)b->object_id, b->repaired);
    abort();
}

static void take(ident *out, const scan_record *r)
{
    memset(out, 0, sizeof *out);
    out->kind = (int)r->kind;
    out->offset = r->offset;
    out->repaired = r->repaired;
    out->has_address = r->has_address;
    out->address = r->address;
    out->type_len = r->type.len;
    size_t n = r->type.len < sizeof out->type - 1 ? r->type.len : sizeof out->type - 1;
    if (r->type.ptr)
        memcpy(out->type, r->type.ptr, n);
    out->has_generation = r->has_generation;
    out->generation = r->generation;
    out->has_object_id = r->has_object_id;
    out->object_id = r->object_id;
}

/* Touches every byte a record points to, so ASan checks the pointers. */
static unsigned touch(scan_str s)
{
    unsigned sum = 0;
    for (uint32_t i = 0; s.ptr && i < s.len; i++)
        sum += (unsigned char)s.ptr[i];
    return sum;
}

static volatile unsigned sink_sum; /* keeps touch() from being optimised away */

static void touch_record(const scan_record *r)
{
    unsigned sum = touch(r->type) + touch(r->file) + touch(r->method) + touch(r->name) +
                   touch(r->root) + touch(r->edge_name);
    for (size_t k = 0; k < r->nrefs; k++)
        sum += (unsigned)r->refs[k];
    sink_sum += sum;
}

static void on_record(void *ctx, const scan_record *r)
{
    kept *k = ctx;
    touch_record(r);
    if (k->n < MAX_KEPT)
        take(&k->rec[k->n], r);
    k->n++;
}

static void on_problem(void *ctx, const scan_problem *p)
{
    kept *k = ctx;
    sink_sum += (unsigned)strlen(p->why);
    k->problems++;
}

static bool same_identity(const ident *a, const ident *b)
{
    if (a->has_address != b->has_address || (a->has_address && a->address != b->address))
        return false;
    if (a->type_len != b->type_len || strcmp(a->type, b->type) != 0)
        return false;
    if (a->has_generation != b->has_generation ||
        (a->has_generation && a->generation != b->generation))
        return false;
    if (a->has_object_id != b->has_object_id ||
        (a->has_object_id && a->object_id != b->object_id))
        return false;
    return true;
}

/* json_scan_line with the given options; true when it gave a record. */
static bool scan_line(json_scanner *sc, const char *line, size_t len, const scan_options *opts,
                      ident *out)
{
    kept k = { .n = 0 };
    scan_sink sink = { &k, on_record, on_problem, NULL };
    bool got = json_scan_line(sc, line, len, 0, opts, &sink);
    if (got != (k.n == 1) || k.n > 1)
        fail("json_scan_line's answer and its records differ", &k.rec[0], &k.rec[0]);
    if (got)
        *out = k.rec[0];
    return got;
}

/* Where an object comes from (what json_quick_sites reads), as hashes of
 * the strings: the two readers must agree on every byte. */
typedef struct origin {
    uint64_t file, method, subtype;  /* FNV-1a of the bytes, 0 when absent */
    bool has_line, has_class;
    uint32_t line;
    uint64_t class_addr;
    bool repaired;                   /* the full parser had to repair the line */
} origin;

static uint64_t fnv(scan_str s)
{
    if (!s.ptr)
        return 0;
    uint64_t h = 1469598103934665603ULL;
    for (uint32_t i = 0; i < s.len; i++)
        h = (h ^ (unsigned char)s.ptr[i]) * 1099511628211ULL;
    return h | 1; /* never 0: present and empty differ from absent */
}

static origin origin_of(const scan_record *r)
{
    origin o = { fnv(r->file), fnv(r->method), fnv(r->subtype), r->has_line, r->has_class_addr,
                 r->has_line ? r->line : 0, r->class_addr, false };
    return o;
}

static void on_origin(void *ctx, const scan_record *r)
{
    *(origin *)ctx = origin_of(r);
    ((origin *)ctx)->repaired = r->repaired;
}

static bool same_origin(const origin *a, const origin *b)
{
    return a->file == b->file && a->method == b->method && a->subtype == b->subtype && a->has_line == b->has_line &&
           a->line == b->line && a->has_class == b->has_class && a->class_addr == b->class_addr;
}

/* The strict reader of sites, against the full parser: when it takes a
 * line that is valid JSON (simdjson's DOM parser checks every byte), both
 * read the same site, class and subtype. (A broken line is a guess either
 * way; both keep its object's identity, which the checks below compare.)
 * With its memo of sites (kept from input to input, as a loader thread
 * keeps its own from line to line) it must answer as without, on any
 * line: once with what earlier inputs left in it, and once more now that
 * it holds this line's site. */
static quick_site_memo *site_memo;

static void check_sites(json_scanner *sc, const char *line, const char *buf, size_t len)
{
    scan_record q, m;
    memset(&q, 0, sizeof q);
    bool took = json_quick_sites(line, len, &q, NULL);
    for (int pass = 0; pass < 2; pass++) {
        memset(&m, 0, sizeof m);
        bool took_m = json_quick_sites(line, len, &m, site_memo);
        origin a = origin_of(&q), b = origin_of(&m);
        if (took_m != took || (took && (!same_origin(&a, &b) || m.file.ptr != q.file.ptr ||
                                       m.method.ptr != q.method.ptr || m.subtype.ptr != q.subtype.ptr))) {
            fprintf(stderr, "fuzz_line: json_quick_sites answers otherwise with its memo of sites\n");
            abort();
        }
    }
    if (!took)
        return;
    origin quick = origin_of(&q), full;
    memset(&full, 0, sizeof full);
    scan_options o = { 0 };
    scan_sink sink = { &full, on_origin, NULL, NULL };
    bool got = json_scan_line(sc, buf, len, 0, &o, &sink);
    if (!json_scan_valid(line, len))
        return; /* broken: the readers may guess differently */
    if (!got || !same_origin(&quick, &full)) {
        fprintf(stderr, "fuzz_line: json_quick_sites and the full parser disagree on the site\n");
        abort();
    }
}

/* json_quick_details stands in for the full parser on the lines of the
 * objects shown, broken or not: whatever line it takes, the full parser
 * must read it without a repair or a problem, into the same record
 * (compared in the callback, while the full parser's strings live). */
typedef struct details_cmp {
    const scan_record *quick;
    size_t records, problems;
} details_cmp;

static void on_details(void *ctx, const scan_record *r)
{
    details_cmp *d = ctx;
    touch_record(r);
    const char *differs = scan_record_differs(d->quick, r);
    if (differs) {
        fprintf(stderr, "fuzz_line: json_quick_details and the full parser differ on %s\n", differs);
        abort();
    }
    d->records++;
}

static void on_details_problem(void *ctx, const scan_problem *p)
{
    sink_sum += (unsigned)strlen(p->why);
    ((details_cmp *)ctx)->problems++;
}

static void check_details(json_scanner *sc, const char *line, const char *buf, size_t len)
{
    scan_record q;
    memset(&q, 0, sizeof q);
    if (!json_quick_details(line, len, &q))
        return;
    /* Its strings lie inside the line (ASan checks the bytes). */
    touch_record(&q);
    const scan_str strs[] = { q.type, q.file, q.method, q.name, q.root, q.subtype, q.edge_name, q.shape_type };
    for (size_t k = 0; k < sizeof strs / sizeof *strs; k++)
        if (strs[k].ptr && (strs[k].ptr < line || strs[k].ptr + strs[k].len > line + len))
            abort();
    details_cmp d = { &q, 0, 0 };
    scan_options o = { 0 };
    scan_sink sink = { &d, on_details, on_details_problem, NULL };
    json_scan_line(sc, buf, len, 0, &o, &sink);
    if (d.records != 1 || d.problems != 0) {
        fprintf(stderr, "fuzz_line: json_quick_details took a line the full parser %s\n",
                d.records ? "repaired" : "did not read");
        abort();
    }
    /* With the references, for the graph: the same line, the same
     * addresses as the full parser with want_refs. */
    static scan_refbuf refs;
    scan_record qr;
    memset(&qr, 0, sizeof qr);
    if (!json_quick_details_refs(line, len, &qr, &refs)) {
        fprintf(stderr, "fuzz_line: json_quick_details_refs declined a line json_quick_details took\n");
        abort();
    }
    details_cmp dr = { &qr, 0, 0 };
    scan_options with_refs = { .want_refs = true };
    scan_sink sink_refs = { &dr, on_details, on_details_problem, NULL };
    json_scan_line(sc, buf, len, 0, &with_refs, &sink_refs);
    if (dr.records != 1 || dr.problems != 0) {
        fprintf(stderr, "fuzz_line: json_quick_details_refs took a line the full parser did not read plainly\n");
        abort();
    }
}

/* The forgiving readers alone: members, unescaping, repair. */
static void forgiving(const char *line, size_t len, ident *repaired, bool *got_repaired)
{
    json_member members[16];
    size_t n = json_members(line, len, members, 16);
    char out[512];
    for (size_t m = 0; m < n && m < 16; m++) {
        const json_member *jm = &members[m];
        sink_sum += touch(jm->key) + touch(jm->value);
        if (jm->value.ptr && (jm->value.ptr < line || jm->value.ptr + jm->value.len > line + len))
            abort();
        if (jm->is_string) {
            size_t cap = jm->value.len < sizeof out ? jm->value.len : sizeof out;
            size_t got = json_unescape(jm->value.ptr, jm->value.len, out, cap);
            if (got > jm->value.len || got > cap)
                abort();
            /* A small output buffer, to check the bound. */
            got = json_unescape(jm->value.ptr, jm->value.len, out, 3);
            if (got > 3)
                abort();
        }
    }
    /* The whole line as one string: every escape at every position. */
    char *whole = malloc(len ? len : 1);
    size_t got = json_unescape(line, len, whole, len);
    if (got > len)
        abort();
    free(whole);

    scan_refbuf refs = { NULL, 0, 0 };
    scan_record rec;
    memset(&rec, 0, sizeof rec);
    char why[JSON_REPAIR_WHY_MAX];
    *got_repaired = json_repair_line(line, len, true, &refs, &rec, why, sizeof why);
    if (strlen(why) >= sizeof why)
        abort();
    if (*got_repaired) {
        touch_record(&rec);
        take(repaired, &rec);
    }
    free(refs.v);
}

/* Scans the whole input as a dump; every record's offset must be a line
 * start and the records must come in file order. */
static void scan_run(json_scanner *sc, const char *buf, size_t size, const scan_options *opts,
                     kept *k)
{
    memset(k, 0, sizeof *k);
    scan_sink sink = { k, on_record, on_problem, NULL };
    scan_stats stats;
    hs_error err;
    if (json_scan_run(sc, buf, 0, size, opts, &sink, &stats, &err) != HS_OK)
        abort();
    if (stats.records != k->n)
        fail("json_scan_run counts records it did not deliver", &k->rec[0], &k->rec[0]);
    for (size_t i = 0; i < k->n && i < MAX_KEPT; i++) {
        uint64_t off = k->rec[i].offset;
        if (off >= size || (off > 0 && buf[off - 1] != '\n'))
            fail("a record's offset is not the start of a line", &k->rec[i], &k->rec[i]);
        if (i > 0 && off <= k->rec[i - 1].offset)
            fail("records out of order", &k->rec[i - 1], &k->rec[i]);
    }
}

/* Two scans of the same dump must deliver the same objects. */
static void compare_runs(const char *what, const kept *a, const kept *b)
{
    if (a->n != b->n) {
        ident none;
        memset(&none, 0, sizeof none);
        fail(what, a->n ? &a->rec[0] : &none, b->n ? &b->rec[0] : &none);
    }
    for (size_t i = 0; i < a->n && i < MAX_KEPT; i++)
        if (a->rec[i].offset != b->rec[i].offset || !same_identity(&a->rec[i], &b->rec[i]))
            fail(what, &a->rec[i], &b->rec[i]);
}

static json_scanner *scanner; /* reused, as a loader thread reuses its own */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    if (!scanner)
        scanner = json_scanner_new();
    if (!site_memo)
        site_memo = json_quick_site_memo_new();

    /* The whole input, padded as a dumpfile is: the line's padding is the
     * rest of the dump, then zeros. */
    char *buf = calloc(1, size + DUMPFILE_PADDING);
    memcpy(buf, data, size);
    const char *nl = memchr(buf, '\n', size);
    size_t len = nl ? (size_t)(nl - buf) : size;

    /* An exact copy of the line for the readers that must stay inside it. */
    char *line = malloc(len ? len : 1);
    memcpy(line, buf, len);

    scan_record qrec;
    memset(&qrec, 0, sizeof qrec);
    ident quick;
    bool got_quick = json_quick_line(line, len, &qrec);
    if (got_quick) {
        if (qrec.type.ptr < line || qrec.type.ptr + qrec.type.len > line + len)
            abort();
        take(&quick, &qrec);
    }

    check_sites(scanner, line, buf, len);
    check_details(scanner, line, buf, len);

    ident repaired;
    bool got_repaired = false;
    forgiving(line, len, &repaired, &got_repaired);

    ident full, full_refs, ident_only, ident_classes;
    scan_options o_full = { .want_refs = false };
    scan_options o_refs = { .want_refs = true };
    scan_options o_ident = { .identity_only = true };
    scan_options o_classes = { .identity_only = true, .want_class_names = true };
    bool got_full = scan_line(scanner, buf, len, &o_full, &full);
    bool got_refs = scan_line(scanner, buf, len, &o_refs, &full_refs);
    bool got_ident = scan_line(scanner, buf, len, &o_ident, &ident_only);
    bool got_classes = scan_line(scanner, buf, len, &o_classes, &ident_classes);

    /* The options choose what is read, never whether the line is an object
     * or which object it is. */
    if (got_full != got_refs || (got_full && !same_identity(&full, &full_refs)))
        fail("want_refs changes the object read", &full, &full_refs);
    if (got_ident != got_classes || (got_ident && !same_identity(&ident_only, &ident_classes)))
        fail("want_class_names changes the object read", &ident_only, &ident_classes);
    if (got_full != got_ident || (got_full && !same_identity(&full, &ident_only)))
        fail("identity_only and full reading disagree", &full, &ident_only);
    /* The strict reader answers only for lines it is sure of: the full
     * reader must read those the same. */
    if (got_quick && (!got_full || !same_identity(&quick, &full)))
        fail("json_quick and the full scanner disagree", &quick, &full);
    /* json_scan_line repairs what simdjson rejects: the same answer, but
     * for the members it takes from json_quick when that accepts the line.
     * A valid line is repaired only by leaving out references that are no
     * addresses; the rest is simdjson's reading, not json_repair's guess. */
    if (got_repaired && got_full && full.repaired && !got_quick && !json_scan_valid(line, len) &&
        !same_identity(&repaired, &full))
        fail("json_repair alone and the scanner's repair disagree", &repaired, &full);

    /* The whole input as a dump: by windows of 1 byte (every line its own
     * window), 64 bytes and the default, full and identity-only. */
    kept *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    scan_options w_default = { .want_refs = true };
    scan_options w_tiny = { .want_refs = true, .window_bytes = 1 };
    scan_options w_small = { .want_refs = true, .window_bytes = 64 };
    scan_options w_ident = { .identity_only = true, .want_class_names = true, .window_bytes = 64 };
    scan_run(scanner, buf, size, &w_default, a);
    scan_run(scanner, buf, size, &w_tiny, b);
    compare_runs("json_scan_run: windows of 1 MiB and 1 byte disagree", a, b);
    scan_run(scanner, buf, size, &w_small, b);
    compare_runs("json_scan_run: windows of 1 MiB and 64 bytes disagree", a, b);
    scan_run(scanner, buf, size, &w_ident, b);
    compare_runs("json_scan_run: full and identity-only disagree", a, b);

    free(a);
    free(b);
    free(line);
    free(buf);
    return 0;
}
