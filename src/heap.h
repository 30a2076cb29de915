/* heap.h - one loaded heap dump: a struct-of-arrays table of its objects.
 *
 * Object i of a dump is described by column[i] of each array HEAP_COLUMNS
 * lists. Columns that the diff needs exist for every dump (13 bytes an
 * object); grouping columns exist from HEAP_LIGHT up (29 bytes), and the
 * columns only views need for HEAP_FULL (the dump whose objects are shown).
 *
 * heap_load() parses the file with one thread per chunk (split at newlines)
 * and may be called from any thread; a loaded heap is read-only and may be
 * read from any number of threads. Never draws, prints or exits.
 */
#ifndef HEAPSIFT_HEAP_H
#define HEAPSIFT_HEAP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dumpfile.h"
#include "json_scan.h"
#include "rtype.h"
#include "shapes.h"
#include "status.h"
#include "strtab.h"

#define HEAP_NO_GEN UINT32_MAX /* gen[i] when the object has no "generation" */
#define HEAP_NO_LINE 0u        /* heap_site.line when the object has no "line" */
#define HEAP_MAX_PROBLEMS 16   /* problem lines kept in detail per dump */

/* Where an object was allocated. Interned per dump: objects hold a site id. */
typedef struct heap_site {
    uint32_t file;   /* strtab id of the "file" path (STRTAB_NONE when absent) */
    uint32_t line;   /* "line" + 1, or HEAP_NO_LINE when absent */
    uint32_t method; /* strtab id of the "method" name */
} heap_site;

/* A line of the dump that was repaired or skipped. */
typedef struct heap_problem {
    int kind;          /* scan_problem_kind */
    uint64_t offset;   /* byte offset of the line in the (inflated) dump */
    uint64_t line_no;  /* 1-based line number in the dump */
    char why[SCAN_WHY_MAX]; /* what was wrong and what was kept */
} heap_problem;

typedef enum heap_mode {
    HEAP_IDENTITY, /* address, generation, type (and object_id): what the diff needs */
    HEAP_LIGHT,    /* also every object's site, class and subtype: what trends need */
    HEAP_FULL,     /* identity, line offsets and class names; the file stays
                      mapped and heap_try_load_details() reads the rest of the
                      objects that are shown */
} heap_mode;

/* When a column of the object table exists (is not NULL). */
typedef enum heap_col {
    HEAP_COL_IDENTITY,  /* every mode: what the diff needs */
    HEAP_COL_OBJECT_ID, /* every mode, from the first object that has one
                           (Ruby 3.5+); NULL when none has */
    HEAP_COL_FULL,      /* HEAP_FULL */
    HEAP_COL_SITE,      /* HEAP_LIGHT, read for every object; HEAP_FULL, read
                           for the objects given to heap_try_load_details (0 for
                           the others); NULL before */
    HEAP_COL_DETAILS,   /* HEAP_FULL, read for the objects given to
                           heap_try_load_details (0 for the others); NULL before */
    HEAP_COL_SUBTYPE,   /* as HEAP_COL_SITE, unless the load was told that
                           nothing groups by subtype (skip_subtypes): NULL then */
} heap_col;

/* How a column is filled from the records of its dump's lines. */
typedef enum heap_fill {
    HEAP_FILL_CODE,   /* by heap.c's own code (FROM is "-") */
    HEAP_FILL_NUMBER, /* the record's field FROM, as it is (0 when absent) */
    HEAP_FILL_STRING, /* the record's string field FROM, as a strtab id of the
                         dump's strings (STRTAB_NONE when absent) */
} heap_fill;

/* The object table: X(NAME, TYPE, WHEN, FILL, FROM) per column. struct heap
 * has a `TYPE *NAME` for each, holding count entries when the column exists
 * (see heap_col); heap.c grows, joins and frees them all from this list,
 * fills the HEAP_FILL_NUMBER and HEAP_FILL_STRING columns from scan_record's
 * field FROM (dump_members.h) wherever it reads full records, and moves the
 * strtab ids of HEAP_FILL_STRING columns when it merges string tables;
 * memcheck's estimate adds up their sizes. Those columns are read by the
 * full parser only, so WHEN is HEAP_COL_SITE, HEAP_COL_SUBTYPE or
 * HEAP_COL_DETAILS; each has an accessor heap_NAME_of() below. */
#define HEAP_COLUMNS(X)                                                                     \
    /* "address" */                                                                         \
    X(addr, uint64_t, HEAP_COL_IDENTITY, HEAP_FILL_CODE, -)                                 \
    /* "generation", or HEAP_NO_GEN */                                                      \
    X(gen, uint32_t, HEAP_COL_IDENTITY, HEAP_FILL_CODE, -)                                  \
    /* rtype */                                                                             \
    X(type, uint8_t, HEAP_COL_IDENTITY, HEAP_FILL_CODE, -)                                  \
    /* flags.object_id (Ruby 3.5+), 0 for the objects without one */                        \
    X(object_id, uint64_t, HEAP_COL_OBJECT_ID, HEAP_FILL_CODE, -)                           \
    /* byte offset of the object's line */                                                  \
    X(offset, uint64_t, HEAP_COL_FULL, HEAP_FILL_CODE, -)                                   \
    /* index into sites */                                                                  \
    X(site, uint32_t, HEAP_COL_SITE, HEAP_FILL_CODE, -)                                     \
    /* "class" address, 0 when absent */                                                    \
    X(class_addr, uint64_t, HEAP_COL_SITE, HEAP_FILL_NUMBER, class_addr)                    \
    /* strtab id of a DATA's "struct" or an IMEMO's "imemo_type" (which */                  \
    /* kind of either it is), STRTAB_NONE for the others */                                 \
    X(subtype, uint32_t, HEAP_COL_SUBTYPE, HEAP_FILL_STRING, subtype)                       \
    /* "memsize" (0 when absent) */                                                         \
    X(memsize, uint64_t, HEAP_COL_DETAILS, HEAP_FILL_NUMBER, memsize)                       \
    /* "bytesize" (0 when absent) */                                                        \
    X(bytesize, uint64_t, HEAP_COL_DETAILS, HEAP_FILL_NUMBER, bytesize)                     \
    /* HEAP_F_* bits */                                                                     \
    X(flags, uint8_t, HEAP_COL_FULL, HEAP_FILL_CODE, -)

/* A column as a struct field: TYPE *NAME. */
#define HEAP_COLUMN_FIELD(col, ctype, when, fill, from) ctype *col;

/* Object flag bits (flags column, HEAP_FULL only). */
enum {
    HEAP_F_REPAIRED = 1, /* read from a line that was not valid JSON */
    HEAP_F_DETAILED = 2, /* site, class and sizes have been read */
    HEAP_F_QUEUED = 4,   /* taken by the heap_try_load_details call under way */
};

typedef struct heap {
    char *path;            /* the dump file as given; owned */
    heap_mode mode;        /* which columns exist */
    bool keeps_subtypes;   /* the subtype column is kept where sites are
                              (heap_load_opts.skip_subtypes was false) */
    bool all_sites;        /* every object's site, class and subtype is read
                              (HEAP_LIGHT; HEAP_FULL with all_details or
                              all_sites, every object given to
                              heap_try_load_details, or heap_attach_sites): what
                              trends need */
    size_t detailed;       /* HEAP_FULL: objects whose details were read */
    dumpfile file;         /* still mapped for HEAP_FULL (to re-read lines); closed otherwise */
    uint64_t text_size;    /* bytes of dump text (inflated size for gzip) */
    bool compressed;       /* the file was gzip */

    size_t count;          /* objects (heap slots; ROOT lines are not objects,
                              SHAPE lines only with shapes_as_objects) */
    bool shapes_as_objects; /* heap_load_opts.shapes_as_objects */
    HEAP_COLUMNS(HEAP_COLUMN_FIELD) /* addr, gen, type ... flags: see HEAP_COLUMNS */

    strtab *strings;       /* file paths, method names, class names, subtypes */
    heap_site *sites;      /* by site id; sites[0] is "no file, no line, no method" */
    uint32_t nsites;       /* sites in use */
    struct site_table *site_index; /* finds a site's id; owned */
    struct heap_class *classes; /* uthash: CLASS/MODULE address -> name */

    bool has_generation;   /* at least one object has a generation (tracing was on) */
    uint32_t max_gen;      /* largest generation seen (0 when none) */
    uint64_t roots;        /* ROOT records */
    uint64_t shapes;       /* SHAPE records */
    shape_table shape_tree; /* the SHAPE records by id, edge names in strings
                              (HEAP_LIGHT and HEAP_FULL; empty before Ruby 3.2
                              and in HEAP_IDENTITY loads) */

    uint64_t lines;        /* non-empty lines */
    uint64_t repaired;     /* lines read by the repair path */
    uint64_t skipped;      /* lines dropped: nothing usable */
    uint64_t truncated;    /* 1 when the last line was cut short */
    uint64_t slow_lines;   /* lines the full parser read one at a time */
    uint64_t quick_lines;  /* lines the quick reader (json_quick) read */
    heap_problem problems[HEAP_MAX_PROBLEMS]; /* the first problem lines, by offset */
    unsigned nproblems;    /* entries used in problems */
    char warning[256];     /* file-level warning (damaged gzip), or "" */
} heap;

/* Shared with a loader thread that reports progress. */
typedef struct heap_progress {
    _Atomic uint64_t bytes_total; /* set once the file is open */
    _Atomic uint64_t bytes_done;  /* bytes parsed so far */
    _Atomic uint64_t objects;     /* records read so far (approximate while running) */
    _Atomic bool *cancel;         /* set by another thread to stop the load; may be NULL */
} heap_progress;

typedef struct heap_load_opts {
    heap_mode mode;
    bool all_details;          /* HEAP_FULL: read every object's site, class and
                                  sizes now, as heap_try_load_details would (slower) */
    bool all_sites;            /* HEAP_FULL: read every object's site, class and
                                  subtype now, with the quick reader as HEAP_LIGHT
                                  does (what trends need; the details of the
                                  objects shown are still heap_try_load_details's) */
    bool skip_subtypes;        /* keep no subtype column (HEAP_COL_SUBTYPE): for a
                                  caller that knows nothing will group by it, it
                                  saves 4 bytes an object wherever sites are read */
    bool shapes_as_objects;    /* SHAPE records (Ruby 3.2+) are objects too, of
                                  type SHAPE with no site, as the classic script
                                  counts them (--identity=address) */
    unsigned threads;          /* parser threads; 0 means one per online core */
    heap_progress *progress;   /* may be NULL */
} heap_load_opts;

/* Bytes a heap loaded in mode keeps per object in its columns; with
 * all_details (HEAP_FULL), once every object's details are read. object_id
 * is not counted: only Ruby 3.5+ dumps have it; subtype is (the loads that
 * skip it use less). For memory estimates. */
size_t heap_object_bytes(heap_mode mode, bool all_details);

/* Loads the dump at path. On success *out owns a new heap (free with
 * heap_free). Fails with the file named in err: HS_ERR_IO (cannot read or
 * map), HS_ERR_FORMAT (empty, or no line is a heap object), HS_ERR_NOMEM
 * (its table, or a stream's text, does not fit: the message says how much
 * it needed), HS_ERR_CANCELLED (also while it waits for a FIFO). */
hs_status heap_load(heap **out, const char *path, const heap_load_opts *opts, hs_error *err);

/* HEAP_FULL: reads site, class, subtype, memsize, bytesize and flags of objects
 * objs[0..n) (indices into h) from their lines, with `threads` parser
 * threads (0: one per core). Lines that are not valid JSON are repaired or
 * counted as for heap_load. Objects whose details were read already
 * (HEAP_F_DETAILED) are skipped, and an object given twice is read once.
 * Fails with HS_ERR_NOMEM, nothing read, when the columns cannot be
 * allocated (up to 32 bytes an object of h). */
hs_status heap_try_load_details(heap *h, const uint32_t *objs, size_t n, unsigned threads, hs_error *err);

/* Reads every object's site, class and subtype of h's dump again, for a
 * heap loaded without them (HEAP_IDENTITY, or HEAP_FULL with the details of
 * only some objects): a HEAP_LIGHT load of h->path into *out, which keeps
 * only those columns, for heap_attach_sites. Only reads h (its path, count,
 * addresses and types, which never change), so it may run on another thread
 * while h's owner uses it. Fails as heap_load does, and with HS_ERR_IO when
 * the file no longer holds h's objects (it changed since h was loaded). */
hs_status heap_read_sites(heap **out, const heap *h, unsigned threads, heap_progress *progress, hs_error *err);

/* Gives h the sites, classes and subtypes that heap_read_sites read into
 * `from` (freed here), for every object whose details h has not read
 * itself; h->all_sites is then true and a HEAP_IDENTITY heap becomes
 * HEAP_LIGHT. The thread that owns h only. */
void heap_attach_sites(heap *h, heap *from);

/* HEAP_FULL: the 1-based line number and byte offset of object i's line
 * (counts the newlines before it: one pass over the text up to there).
 * False for the other modes, which keep no offsets. */
bool heap_line_of(const heap *h, size_t i, uint64_t *line, uint64_t *offset);

/* HEAP_FULL: the dump's file stays mapped and its lines are re-read. Fails
 * (see dumpfile_check) when the file shrank since it was opened, so what was
 * read of it cannot be trusted; copies a warning (the file grew) into
 * h->warning. Call after each pass that read the file. Owner thread only:
 * it writes h->warning, which the owner's screens read. */
hs_status heap_check_file(heap *h, hs_error *err);

/* heap_check_file for a pass on another thread (the graph's): writes
 * nothing of h; the warning, if any, goes into warning[0..size) when that
 * is "", for the owner to give h when it takes the pass's result. */
hs_status heap_verify_file(const heap *h, char *warning, size_t size, hs_error *err);

/* For the explorer, which reads the dump's lines long after loading: the
 * first byte found gone because the file shrank, or MAPGUARD_NO_FAULT (see
 * dumpfile_fault; any thread). */
uint64_t heap_file_fault(const heap *h);

/* Watch mode: a HEAP_FULL heap whose lines will not be read again (a dump
 * that was the latest and is now one in the middle) lets its text go: the
 * file is unmapped and the line offsets freed, and it becomes HEAP_LIGHT
 * (all its sites read) or HEAP_IDENTITY. Owner thread, nothing else
 * reading it. */
void heap_release_text(heap *h);
void heap_free(heap *h);

/* HEAP_FULL: the first object whose line starts at or after byte offset
 * (h->count when none): objects are in file order, so their offsets ascend. */
size_t heap_first_line_from(const heap *h, uint64_t offset);

/* HEAP_FULL: folds in what a later pass over every line found damaged:
 * damaged[i] != 0 for object i's line, and the first such lines in detail
 * (line numbers absolute). Lines counted before are not counted again. */
void heap_add_damaged(heap *h, const uint8_t *damaged, const heap_problem *problems, unsigned nproblems);

/* Name of the class at class_addr ("" when unknown); *len gets its length. */
const char *heap_class_name(const heap *h, uint64_t class_addr, size_t *len);

/* strtab id of the name of the class at class_addr, STRTAB_NONE when the
 * dump has no named CLASS or MODULE there. */
uint32_t heap_class_name_id(const heap *h, uint64_t class_addr);

/* Object i's site: the empty site when sites were not read (HEAP_IDENTITY,
 * or HEAP_FULL before heap_try_load_details). */
static inline const heap_site *heap_site_of(const heap *h, size_t i)
{
    return &h->sites[h->site ? h->site[i] : 0];
}

/* The accessors of the columns filled from records: heap_NAME_of(h, i) is
 * object i's entry, 0 (STRTAB_NONE for strtab ids) when the column was not
 * read (see heap_col). */
#define HEAP_COLUMN_ACCESSOR(col, ctype, when, fill, from) HEAP_ACCESSOR_##fill(col, ctype)
#define HEAP_ACCESSOR_HEAP_FILL_CODE(col, ctype)
#define HEAP_ACCESSOR_HEAP_FILL_NUMBER(col, ctype)               \
    static inline ctype heap_##col##_of(const heap *h, size_t i) \
    {                                                            \
        return h->col ? h->col[i] : 0;                           \
    }
#define HEAP_ACCESSOR_HEAP_FILL_STRING(col, ctype)               \
    static inline ctype heap_##col##_of(const heap *h, size_t i) \
    {                                                            \
        return h->col ? h->col[i] : STRTAB_NONE;                 \
    }
HEAP_COLUMNS(HEAP_COLUMN_ACCESSOR)
#undef HEAP_COLUMN_ACCESSOR

/* Object i's class address, 0 when classes were not read. */
static inline uint64_t heap_class_of(const heap *h, size_t i)
{
    return heap_class_addr_of(h, i);
}

#endif
