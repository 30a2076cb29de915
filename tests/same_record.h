/* same_record.h - do two scan_records say the same of a line? For the tests
 * and the fuzzer, which compare json_quick_details with the full parser.
 * Every member heapsift reads (dump_members.h) is compared: strings by
 * their bytes (and whether they are there), numbers and addresses with
 * their has_ flags, the number of references; and kind and repaired. */
#ifndef HEAPSIFT_TESTS_SAME_RECORD_H
#define HEAPSIFT_TESTS_SAME_RECORD_H

#include <stdbool.h>
#include <string.h>

#include "json_scan.h"

static inline bool same_scan_str(scan_str a, scan_str b)
{
    if (!a.ptr || !b.ptr)
        return !a.ptr && !b.ptr;
    return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

/* The first member in which a and b differ ("kind", "repaired" or the
 * member's field name), or NULL when they agree on all. */
static inline const char *scan_record_differs(const scan_record *a, const scan_record *b)
{
    if (a->kind != b->kind)
        return "kind";
    if (a->repaired != b->repaired)
        return "repaired";
#define SAME_MEMBER(id, json_name, kind, field, how) SAME_##how(kind, field)
#define SAME_DUMP_OWN(kind, field) SAME_##kind(field)
#define SAME_DUMP_SHARED(kind, field)
#define SAME_DUMP_FALLBACK(kind, field)
#define SAME_DUMP_RAW(field)                    \
    if (!same_scan_str(a->field, b->field))     \
        return #field;
#define SAME_DUMP_STRING(field) SAME_DUMP_RAW(field)
#define SAME_NUMBER(field)                                                                     \
    if (a->has_##field != b->has_##field || (a->has_##field && a->field != b->field))        \
        return #field;
#define SAME_DUMP_HEX(field) SAME_NUMBER(field)
#define SAME_DUMP_U32(field) SAME_NUMBER(field)
#define SAME_DUMP_U64(field) SAME_NUMBER(field)
#define SAME_DUMP_FLAGS(field) SAME_NUMBER(field)
#define SAME_DUMP_REFS(field)                                                                    \
    if (a->n##field != b->n##field || a->bad_##field != b->bad_##field ||                          \
        (a->field && b->field && a->n##field && memcmp(a->field, b->field, a->n##field * sizeof *a->field) != 0)) \
        return #field;
    DUMP_MEMBERS(SAME_MEMBER)
#undef SAME_MEMBER
#undef SAME_DUMP_OWN
#undef SAME_DUMP_SHARED
#undef SAME_DUMP_FALLBACK
#undef SAME_DUMP_RAW
#undef SAME_DUMP_STRING
#undef SAME_NUMBER
#undef SAME_DUMP_HEX
#undef SAME_DUMP_U32
#undef SAME_DUMP_U64
#undef SAME_DUMP_FLAGS
#undef SAME_DUMP_REFS
    return NULL;
}

#endif
