/* json_scan.h - turns the lines of a heap dump into plain C records.
 *
 * Callers see records, never JSON. Lines go through simdjson On-Demand
 * (iterate_many over windows of about a megabyte that end at a newline) in
 * json_scan.cpp; for identity-only scans, lines in Ruby's usual shape are
 * read by json_quick instead. A line simdjson rejects is parsed alone, and
 * when that fails too it is repaired by json_repair, which relies on how
 * Ruby joins the members of a line. The members read are listed in
 * dump_members.h. No simdjson type appears here: this header is C.
 *
 * A json_scanner holds parser buffers and is used by one thread at a time;
 * create one per thread.
 *
 * simdjson's On-Demand reader is compiled once per simdjson kernel (on
 * x86-64: icelake, haswell, westmere, fallback; elsewhere the one the
 * compiler targets) and one is chosen when the first scanner is made: the
 * kernel simdjson chose for this CPU, or the one the environment variable
 * HEAPSIFT_SIMD names (for simdjson's stage 1 too).
 */
#ifndef HEAPSIFT_JSON_SCAN_H
#define HEAPSIFT_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dump_members.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a line describes. */
typedef enum scan_kind {
    SCAN_OBJECT, /* a heap slot: has an address and a type */
    SCAN_ROOT,   /* {"type":"ROOT", "root":CATEGORY, "references":[...]} */
    SCAN_SHAPE,  /* {"type":"SHAPE", "id":N, "parent_id":P, ...} (Ruby 3.2+) */
} scan_kind;

/* Bytes of a string value, not NUL-terminated. ptr is NULL when the line had
 * no such member. Points into the dump or into the scanner's buffers: valid
 * only during the callback that received it. */
typedef struct scan_str {
    const char *ptr;
    uint32_t len;
} scan_str;

/* What a record's consumer keeps with a site it has seen, for the next
 * record whose reader knows its site is the same text (json_quick_sites'
 * memo of sites): the consumer's id for it, which it need not look up again. */
typedef struct scan_site_tag {
    uint64_t owner;  /* whose id it is: a number unique to the consumer's
                        table of sites (0: nobody's) */
    uint32_t id;     /* the site's id in that table */
} scan_site_tag;

/* One line of a dump, as the callback sees it. Every pointer is valid only
 * during the callback. Besides where the line is, it holds a field for each
 * member heapsift reads, generated from dump_members.h (FIELD of each row;
 * what a row's comment says of the member): strings (scan_str, ptr NULL when
 * absent; as written when the line was repaired), numbers and addresses
 * (0 when absent, with their has_ flag false), "references" (refs, nrefs,
 * bad_refs: those that were not hex addresses, skipped) and
 * flags.object_id. For instance: type (exactly as written: "STRING",
 * "ROOT" ...), file (raw: Ruby never escapes it), method, name (a CLASS's
 * or MODULE's "name", else its "real_class_name"), subtype (a DATA's
 * "struct" or an IMEMO's "imemo_type"), shape_id (an object's "shape_id",
 * or a SHAPE line's "id"). refs is filled only with scan_options.want_refs. */
typedef struct scan_record {
    scan_kind kind;
    uint64_t offset;         /* byte offset of the line's first byte in the dump */
    uint64_t line_no;        /* 1-based line number within the scanned range */
    DUMP_MEMBERS(DUMP_MEMBER_VALUES)
    DUMP_MEMBERS(DUMP_MEMBER_PRESENCE)
    bool repaired;           /* the line was not read as it is: not valid JSON
                                (read by json_repair), or valid with references
                                left out or its identity as json_quick reads
                                it; a problem says which */
    scan_site_tag *site_tag; /* the tag of this site's text, for the consumer
                                to read and set during the callback; NULL
                                when the reader knows none */
} scan_record;

/* A line that was not read as-is. */
typedef enum scan_problem_kind {
    SCAN_REPAIRED,  /* invalid JSON, but every member needed was recovered */
    SCAN_SKIPPED,   /* nothing usable on the line (or no address/type) */
    SCAN_TRUNCATED, /* the range ended without a newline inside an object */
} scan_problem_kind;

/* Room for the longest reason a problem gives, with its NUL: simdjson's
 * message and json_repair's notes (JSON_REPAIR_WHY_MAX). */
#define SCAN_WHY_MAX 384

typedef struct scan_problem {
    scan_problem_kind kind;
    uint64_t offset;        /* byte offset of the line in the dump */
    uint64_t line_no;       /* 1-based line number within the scanned range */
    const char *why;        /* what was wrong, a short phrase; valid during the callback */
} scan_problem;

/* Where the scanner sends what it reads. Callbacks run on the scanning
 * thread. */
typedef struct scan_sink {
    void *ctx;
    void (*record)(void *ctx, const scan_record *rec);
    void (*problem)(void *ctx, const scan_problem *prob); /* may be NULL */
    /* Called after each window with the bytes finished so far in this range;
     * returning false cancels the scan (json_scan_run returns HS_ERR_CANCELLED). */
    bool (*progress)(void *ctx, size_t bytes_done);        /* may be NULL */
} scan_sink;

typedef struct scan_options {
    bool want_refs;      /* collect "references" (the graph needs them, the diff does not) */
    bool identity_only;  /* only kind, address, type, generation and object_id are
                            needed: lines in Ruby's usual shape are read by
                            json_quick, the rest by the full parser */
    bool quick_sites;    /* (not with identity_only) lines in Ruby's usual shape
                            are read by json_quick_sites: identity, site, class
                            and subtype, what HEAP_LIGHT keeps; the rest by the
                            full parser */
    bool quick_details;  /* (not with identity_only or quick_sites) lines
                            json_quick_details takes are read by it, every
                            member as the full parser reads it (with
                            want_refs the references too); the rest by the
                            full parser */
    bool want_class_names; /* with identity_only: CLASS and MODULE lines are
                              read in full for their "name", SHAPE lines
                              for the shape tree */
    size_t window_bytes; /* target window; 0 means 1 MiB for iterate_many, 4 MiB for the quick readers */
} scan_options;

/* Counts for one scanned range. */
typedef struct scan_stats {
    uint64_t lines;      /* non-empty lines seen */
    uint64_t records;    /* records delivered */
    uint64_t repaired;   /* lines read by the repair path */
    uint64_t skipped;    /* lines dropped */
    uint64_t slow_lines; /* lines the full parser read one at a time: those
                            iterate_many could not read, and in identity
                            scans those json_quick declined */
    uint64_t quick_lines; /* lines json_quick read (identity scans) */
    uint64_t line_count; /* lines in the range, blank ones included */
} scan_stats;

typedef struct json_scanner json_scanner;

/* Chooses the kernel now (it is chosen once, by the first call that needs
 * it: this, json_scanner_new or json_scan_valid). Fails (HS_ERR_USAGE) when
 * HEAPSIFT_SIMD names a kernel this build lacks or this CPU cannot run:
 * call it before scanning to say so, since json_scanner_new would abort
 * with the message. Any thread. */
hs_status json_scan_simd_init(hs_error *err);

/* The chosen kernel's name ("icelake", "haswell", "westmere", "fallback",
 * or another machine's builtin kernel), or "none" when HEAPSIFT_SIMD named
 * one that cannot run. Static storage. */
const char *json_scan_simd_kernel(void);

/* One line for a person: simdjson's version, the kernel chosen for the
 * On-Demand reader and for stage 1, the kernels built and those this CPU
 * runs. */
void json_scan_simd_describe(char *buf, size_t size);

json_scanner *json_scanner_new(void);

/* A scanner for json_scan_line of that one line (len bytes, as long as its
 * object has references: an Array of millions), with what reading it
 * needs allocated now: the addresses of its references, through m, and the
 * parser's buffers (about 5 bytes a byte of the line, by simdjson, whose
 * failure m counts as failed). NULL, with m failed, when any of it cannot
 * be allocated. */
json_scanner *json_scanner_for_line(const char *line, size_t len, hs_mem *m);

void json_scanner_free(json_scanner *sc);

/* Scans data[begin, end): begin must be a line start, end a line start or the
 * end of the data. data must stay readable for DUMPFILE_PADDING bytes past
 * end. Line numbers in records count from 1 at begin. Returns HS_OK, or
 * HS_ERR_CANCELLED when progress() said stop; stats are filled either way. */
hs_status json_scan_run(json_scanner *sc, const char *data, size_t begin, size_t end,
                        const scan_options *opts, const scan_sink *sink,
                        scan_stats *stats, hs_error *err);

/* Is line[0..len) one JSON document, valid to its last byte (every value
 * checked, which the On-Demand reader does not do for values it skips)?
 * For the tests and the fuzzer, which compare readers on valid lines. */
bool json_scan_valid(const char *line, size_t len);

/* Parses one line alone (no newline) the way json_scan_run would, for
 * re-reading a line in detail views and for tests. Returns true and calls
 * sink->record when the line yields a record; line must be readable for
 * DUMPFILE_PADDING bytes past len. A broken line counts as cut short
 * (SCAN_TRUNCATED) only when line[len] is not a newline. */
bool json_scan_line(json_scanner *sc, const char *line, size_t len, uint64_t offset,
                    const scan_options *opts, const scan_sink *sink);

#ifdef __cplusplus
}
#endif

#endif
