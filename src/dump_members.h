/* dump_members.h - the members of a dump line that heapsift reads, in one table.
 *
 * DUMP_MEMBERS(X) calls X(ID, NAME, KIND, FIELD, HOW) once per member: ID
 * names the scan_key KEY_ID, NAME is the member's JSON name, KIND what Ruby
 * writes as its value and how it is read (dump_kind), FIELD the scan_record
 * field it fills and HOW whether the row declares that field or fills one an
 * earlier row declared (dump_how). Generated from it: the scan_key enum, the
 * names used in messages, the kinds, scan_key_of(), scan_record's member
 * fields (json_scan.h) and what both parsers do with each member (the
 * simdjson switch in json_scan.cpp, the repair parser's stores in
 * json_repair.c). A member that becomes a scan_record field is one row
 * here. Every other member of a line is skipped.
 *
 * C and C++; no state: safe from any thread.
 */
#ifndef HEAPSIFT_DUMP_MEMBERS_H
#define HEAPSIFT_DUMP_MEMBERS_H

#include <stddef.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a member's value is, as Ruby writes it, and the scan_record field it
 * makes (FIELD names it). The repair parser keeps every string as written. */
typedef enum dump_kind {
    DUMP_NONE,   /* KEY_OTHER: a member heapsift does not read */
    DUMP_RAW,    /* a string Ruby never escapes, kept as written (scan_str FIELD) */
    DUMP_STRING, /* a JSON string, unescaped by simdjson (scan_str FIELD) */
    DUMP_HEX,    /* a string holding a hex address, "0x7f..." (uint64_t FIELD,
                    bool has_FIELD) */
    DUMP_U32,    /* a whole number that heapsift keeps in 32 bits (uint32_t
                    FIELD, bool has_FIELD) */
    DUMP_U64,    /* a whole number (uint64_t FIELD, bool has_FIELD) */
    DUMP_REFS,   /* an array of hex address strings (const uint64_t *FIELD,
                    size_t nFIELD, uint32_t bad_FIELD: those that were not
                    addresses) */
    DUMP_FLAGS,  /* an object of GC flags, of which only "object_id" is read
                    (uint64_t FIELD, bool has_FIELD) */
} dump_kind;

/* Whether a row declares its scan_record field. A row that fills another
 * row's field names that row's FIELD, of the same kind, and comes after it. */
typedef enum dump_how {
    DUMP_OWN,      /* the row declares FIELD and fills it */
    DUMP_SHARED,   /* fills FIELD, declared by an earlier row; the last member
                      of the line that has either wins */
    DUMP_FALLBACK, /* fills FIELD, declared by an earlier row, only when no
                      member has filled it yet */
} dump_how;

/* scan_record's fields, generated from the rows (json_scan.h): the values
 * of every DUMP_OWN row, then their has_ flags, so the flags pack together. */
#define DUMP_MEMBER_VALUES(id, json_name, kind, field, how) DUMP_VALUES_##how(kind, field)
#define DUMP_MEMBER_PRESENCE(id, json_name, kind, field, how) DUMP_PRESENCE_##how(kind, field)
#define DUMP_VALUES_DUMP_OWN(kind, field) DUMP_VALUE_##kind(field)
#define DUMP_VALUES_DUMP_SHARED(kind, field)
#define DUMP_VALUES_DUMP_FALLBACK(kind, field)
#define DUMP_PRESENCE_DUMP_OWN(kind, field) DUMP_HAS_##kind(field)
#define DUMP_PRESENCE_DUMP_SHARED(kind, field)
#define DUMP_PRESENCE_DUMP_FALLBACK(kind, field)
#define DUMP_VALUE_DUMP_RAW(field) scan_str field;
#define DUMP_VALUE_DUMP_STRING(field) scan_str field;
#define DUMP_VALUE_DUMP_HEX(field) uint64_t field;
#define DUMP_VALUE_DUMP_U32(field) uint32_t field;
#define DUMP_VALUE_DUMP_U64(field) uint64_t field;
#define DUMP_VALUE_DUMP_REFS(field) \
    const uint64_t *field;          \
    size_t n##field;                \
    uint32_t bad_##field;
#define DUMP_VALUE_DUMP_FLAGS(field) uint64_t field;
#define DUMP_HAS_DUMP_RAW(field)
#define DUMP_HAS_DUMP_STRING(field)
#define DUMP_HAS_DUMP_HEX(field) bool has_##field;
#define DUMP_HAS_DUMP_U32(field) bool has_##field;
#define DUMP_HAS_DUMP_U64(field) bool has_##field;
#define DUMP_HAS_DUMP_REFS(field)
#define DUMP_HAS_DUMP_FLAGS(field) bool has_##field;

/* Has a member filled rec's field of that kind yet? (DUMP_FALLBACK rows.) */
#define DUMP_FILLED(kind, rec, field) DUMP_FILLED_##kind(rec, field)
#define DUMP_FILLED_DUMP_RAW(rec, field) ((rec)->field.ptr != NULL)
#define DUMP_FILLED_DUMP_STRING(rec, field) ((rec)->field.ptr != NULL)
#define DUMP_FILLED_DUMP_HEX(rec, field) ((rec)->has_##field)
#define DUMP_FILLED_DUMP_U32(rec, field) ((rec)->has_##field)
#define DUMP_FILLED_DUMP_U64(rec, field) ((rec)->has_##field)
#define DUMP_FILLED_DUMP_REFS(rec, field) ((rec)->n##field != 0)
#define DUMP_FILLED_DUMP_FLAGS(rec, field) ((rec)->has_##field)

#define DUMP_MEMBERS(X)                                                                      \
    /* The slot's address: with generation or object_id, the object's identity. */          \
    X(ADDRESS, "address", DUMP_HEX, address, DUMP_OWN)                                       \
    /* Ruby's type without the T_ ("STRING", "DATA"), or "ROOT" / "SHAPE" for the lines */   \
    /* that describe no object; never escaped. */                                            \
    X(TYPE, "type", DUMP_RAW, type, DUMP_OWN)                                                \
    /* The address of the object's class. */                                                 \
    X(CLASS, "class", DUMP_HEX, class_addr, DUMP_OWN)                                        \
    /* Allocation path (allocation tracing on); Ruby never escapes it, so it is read raw. */ \
    X(FILE, "file", DUMP_RAW, file, DUMP_OWN)                                                \
    /* Allocation line (allocation tracing on). */                                           \
    X(LINE, "line", DUMP_U32, line, DUMP_OWN)                                                \
    /* Allocating method (allocation tracing on). */                                         \
    X(METHOD, "method", DUMP_STRING, method, DUMP_OWN)                                       \
    /* GC count at allocation (allocation tracing on). */                                    \
    X(GENERATION, "generation", DUMP_U32, generation, DUMP_OWN)                              \
    /* Bytes the object holds outside its slot, as Ruby counts; omitted when 0. */           \
    X(MEMSIZE, "memsize", DUMP_U64, memsize, DUMP_OWN)                                       \
    /* Strings and symbols: their length in bytes. */                                        \
    X(BYTESIZE, "bytesize", DUMP_U64, bytesize, DUMP_OWN)                                    \
    /* CLASS and MODULE: the constant name. */                                               \
    X(NAME, "name", DUMP_STRING, name, DUMP_OWN)                                             \
    /* CLASS and MODULE: the class name when the line has no "name". */                      \
    X(REAL_CLASS_NAME, "real_class_name", DUMP_STRING, name, DUMP_FALLBACK)                  \
    /* ROOT lines: the root's category (vm, machine_context, ...). */                        \
    X(ROOT, "root", DUMP_STRING, root, DUMP_OWN)                                             \
    /* The addresses the object (or the root) refers to, repeats kept. */                    \
    X(REFERENCES, "references", DUMP_REFS, refs, DUMP_OWN)                                   \
    /* GC flags; heapsift reads only object_id (Ruby 3.5+), the true identity. */            \
    X(FLAGS, "flags", DUMP_FLAGS, object_id, DUMP_OWN)                                       \
    /* The object's shape (Ruby 3.2+). */                                                    \
    X(SHAPE_ID, "shape_id", DUMP_U64, shape_id, DUMP_OWN)                                    \
    /* SHAPE lines: the shape's id, kept as shape_id. */                                     \
    X(ID, "id", DUMP_U64, shape_id, DUMP_SHARED)                                             \
    /* SHAPE lines: the shape this one extends. */                                           \
    X(PARENT_ID, "parent_id", DUMP_U64, parent_id, DUMP_OWN)                                 \
    /* SHAPE lines: the instance variable the shape adds ("@foo"). */                        \
    X(EDGE_NAME, "edge_name", DUMP_STRING, edge_name, DUMP_OWN)                              \
    /* SHAPE lines: what the shape is (ROOT, IVAR, FROZEN, OBJ_TOO_COMPLEX ...). */           \
    X(SHAPE_TYPE, "shape_type", DUMP_RAW, shape_type, DUMP_OWN)                              \
    /* Last, so that the members every line has are matched without testing these: */      \
    /* DATA made by TypedData: the type's wrap_struct_name ("proc", "VM/thread"); never */   \
    /* escaped by Ruby, so read raw. Untyped DATA objects have none. Kept as the */          \
    /* record's subtype: what kind of DATA or IMEMO it is. */                                \
    X(STRUCT, "struct", DUMP_RAW, subtype, DUMP_OWN)                                         \
    /* IMEMO: which internal record ("env", "ment", "callcache"); read raw too. */         \
    X(IMEMO_TYPE, "imemo_type", DUMP_RAW, subtype, DUMP_SHARED)

/* The members heapsift reads; KEY_OTHER for everything else. */
typedef enum scan_key {
    KEY_OTHER = 0,
#define DUMP_MEMBER_ENUM(id, name, kind, field, how) KEY_##id,
    DUMP_MEMBERS(DUMP_MEMBER_ENUM)
#undef DUMP_MEMBER_ENUM
} scan_key;

/* The member named key[0..len) (not NUL-terminated), or KEY_OTHER. Runs for
 * every member of every line the full parser reads: each row is a test of
 * a constant length and a memcmp of a constant size, which the compiler
 * inlines as one or two loads (no table walk, no call). */
static inline scan_key scan_key_of(const char *key, size_t len)
{
#define DUMP_MEMBER_IS(id, name, kind, field, how)                           \
    if (len == sizeof(name) - 1 && memcmp(key, name, sizeof(name) - 1) == 0) \
        return KEY_##id;
    DUMP_MEMBERS(DUMP_MEMBER_IS)
#undef DUMP_MEMBER_IS
    return KEY_OTHER;
}

/* The member's JSON name, for messages ("?" for KEY_OTHER). */
static inline const char *scan_key_name(scan_key key)
{
    switch (key) {
#define DUMP_MEMBER_NAME(id, name, kind, field, how) case KEY_##id: return name;
    DUMP_MEMBERS(DUMP_MEMBER_NAME)
#undef DUMP_MEMBER_NAME
    case KEY_OTHER: break;
    }
    return "?";
}

/* What Ruby writes as the member's value (DUMP_NONE for KEY_OTHER). */
static inline dump_kind scan_key_kind(scan_key key)
{
    switch (key) {
#define DUMP_MEMBER_KIND(id, name, kind, field, how) case KEY_##id: return kind;
    DUMP_MEMBERS(DUMP_MEMBER_KIND)
#undef DUMP_MEMBER_KIND
    case KEY_OTHER: break;
    }
    return DUMP_NONE;
}

#ifdef __cplusplus
}
#endif

#endif
