/* dump_members.h - the members of a dump line that heapsift reads, in one table.
 *
 * DUMP_MEMBERS(X) calls X(ID, NAME, KIND) once per member: ID names the
 * scan_key KEY_ID, NAME is the member's JSON name and KIND what Ruby writes
 * as its value (dump_kind). The scan_key enum, the names used in messages,
 * the kinds and scan_key_of() are generated from it. The readers say what
 * each member is stored into: json_scan.cpp's member switch has no default
 * case, so a row it does not handle breaks the build (-Wswitch); json_repair
 * applies the rules members share (a number written as a string, a string
 * where a number belongs) by kind. Every other member of a line is skipped.
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

/* What a member's value is, as Ruby writes it. */
typedef enum dump_kind {
    DUMP_NONE,   /* KEY_OTHER: a member heapsift does not read */
    DUMP_STRING, /* a JSON string */
    DUMP_HEX,    /* a string holding a hex address, "0x7f..." */
    DUMP_U32,    /* a whole number that heapsift keeps in 32 bits */
    DUMP_U64,    /* a whole number */
    DUMP_REFS,   /* an array of hex address strings */
    DUMP_FLAGS,  /* an object of GC flags (booleans and small numbers) */
} dump_kind;

#define DUMP_MEMBERS(X)                                                                      \
    /* The slot's address: with generation or object_id, the object's identity. */          \
    X(ADDRESS, "address", DUMP_HEX)                                                          \
    /* Ruby's type without the T_ ("STRING", "DATA"), or "ROOT" / "SHAPE" for the lines */   \
    /* that describe no object. */                                                           \
    X(TYPE, "type", DUMP_STRING)                                                             \
    /* The address of the object's class. */                                                 \
    X(CLASS, "class", DUMP_HEX)                                                              \
    /* Allocation path (allocation tracing on); Ruby never escapes it, so it is read raw. */ \
    X(FILE, "file", DUMP_STRING)                                                             \
    /* Allocation line (allocation tracing on). */                                           \
    X(LINE, "line", DUMP_U32)                                                                \
    /* Allocating method (allocation tracing on). */                                         \
    X(METHOD, "method", DUMP_STRING)                                                         \
    /* GC count at allocation (allocation tracing on). */                                    \
    X(GENERATION, "generation", DUMP_U32)                                                    \
    /* Bytes the object holds outside its slot, as Ruby counts; omitted when 0. */           \
    X(MEMSIZE, "memsize", DUMP_U64)                                                          \
    /* Strings and symbols: their length in bytes. */                                        \
    X(BYTESIZE, "bytesize", DUMP_U64)                                                        \
    /* CLASS and MODULE: the constant name. */                                               \
    X(NAME, "name", DUMP_STRING)                                                             \
    /* CLASS and MODULE: the class name when the line has no "name". */                      \
    X(REAL_CLASS_NAME, "real_class_name", DUMP_STRING)                                       \
    /* ROOT lines: the root's category (vm, machine_context, ...). */                        \
    X(ROOT, "root", DUMP_STRING)                                                             \
    /* The addresses the object (or the root) refers to, repeats kept. */                    \
    X(REFERENCES, "references", DUMP_REFS)                                                   \
    /* GC flags; heapsift reads only object_id (Ruby 3.5+), the true identity. */            \
    X(FLAGS, "flags", DUMP_FLAGS)                                                            \
    /* The object's shape (Ruby 3.2+). */                                                    \
    X(SHAPE_ID, "shape_id", DUMP_U64)                                                        \
    /* SHAPE lines: the shape's id, kept as shape_id. */                                     \
    X(ID, "id", DUMP_U64)                                                                    \
    /* SHAPE lines: the shape this one extends. */                                           \
    X(PARENT_ID, "parent_id", DUMP_U64)                                                      \
    /* SHAPE lines: the instance variable the shape adds ("@foo"). */                        \
    X(EDGE_NAME, "edge_name", DUMP_STRING)                                                   \
    /* Last, so that the members every line has are matched without testing these: */      \
    /* DATA made by TypedData: the type's wrap_struct_name ("proc", "VM/thread"); never */   \
    /* escaped by Ruby, so read raw. Untyped DATA objects have none. */                      \
    X(STRUCT, "struct", DUMP_STRING)                                                         \
    /* IMEMO: which internal record ("env", "ment", "callcache"); read raw too. */         \
    X(IMEMO_TYPE, "imemo_type", DUMP_STRING)

/* The members heapsift reads; KEY_OTHER for everything else. */
typedef enum scan_key {
    KEY_OTHER = 0,
#define DUMP_MEMBER_ENUM(id, name, kind) KEY_##id,
    DUMP_MEMBERS(DUMP_MEMBER_ENUM)
#undef DUMP_MEMBER_ENUM
} scan_key;

/* The member named key[0..len) (not NUL-terminated), or KEY_OTHER. Runs for
 * every member of every line the full parser reads: each row is a test of
 * a constant length and a memcmp of a constant size, which the compiler
 * inlines as one or two loads (no table walk, no call). */
static inline scan_key scan_key_of(const char *key, size_t len)
{
#define DUMP_MEMBER_IS(id, name, kind)                                        \
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
#define DUMP_MEMBER_NAME(id, name, kind) case KEY_##id: return name;
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
#define DUMP_MEMBER_KIND(id, name, kind) case KEY_##id: return kind;
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
