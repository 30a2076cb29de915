/* json_quick.c - the identity-only reader (see json_quick.h). */
#define _GNU_SOURCE /* memrchr */
#include "json_quick.h"

#include <string.h>

#include "json_repair.h"

/* The flags object: a few booleans and small numbers. */
#define FLAGS_WINDOW 256

/* memcmp for short constant strings, inlined (the libc call costs more than
 * the comparison on this path, which runs once per line). */
static inline bool same_bytes(const char *p, const char *lit, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != lit[i])
            return false;
    return true;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

typedef enum member_result { MEMBER_NONE, MEMBER_FOUND, MEMBER_UNSURE } member_result;

/* The member that ends just before `at` (which points at the ',' or '}'
 * after its value), read backward: `"KEY":VALUE`. Sets *key to the key's
 * opening quote and *value to the value's first byte. MEMBER_NONE when the
 * value is not a plain number (a string, true, false: then it is no member
 * heapsift wants here). */
static member_result member_before(const char *start, const char *at, const char **key,
                                   const char **value)
{
    const char *v = at;
    while (v > start && is_digit(v[-1]))
        v--;
    if (v == at)
        return MEMBER_NONE;
    if (v - start < 4 || v[-1] != ':' || v[-2] != '"')
        return MEMBER_UNSURE;
    const char *k = v - 3;
    while (k > start && *k != '"')
        k--;
    if (*k != '"')
        return MEMBER_UNSURE;
    *key = k;
    *value = v;
    return MEMBER_FOUND;
}

/* Skips back over ", " before a member; returns the position of the ','. */
static const char *comma_before(const char *start, const char *p)
{
    while (p > start && p[-1] == ' ')
        p--;
    return p > start && p[-1] == ',' ? p - 1 : NULL;
}

/* Is the member whose key's opening quote is at key, and whose value starts
 * at value, named name? (name is a constant: the length folds away.) */
static inline bool key_is(const char *key, const char *value, const char *name)
{
    size_t len = strlen(name);
    return (size_t)(value - key) == len + 3 && same_bytes(key + 1, name, len);
}

/* True when "generation": appears in the 64 bytes before `at`: a
 * generation written in some other form than a plain number. */
static bool generation_key_near(const char *start, const char *at)
{
    static const char key[] = "\"generation\":";
    const size_t klen = sizeof key - 1;
    const char *from = at - start > 64 ? at - 64 : start;
    for (const char *p = from; p + klen <= at; p++)
        if (*p == '"' && same_bytes(p, key, klen))
            return true;
    return false;
}

/* "generation":N is the member before "memsize" (optional), which is the
 * last member before the flags object (optional), which is last. Walks back
 * from member_end, the byte after the value of the last member before the
 * flags (the ',' before "flags", or the closing brace). */
static member_result find_generation(const char *start, const char *member_end, uint64_t *gen)
{
    const char *key, *value;
    member_result r = member_before(start, member_end, &key, &value);
    if (r == MEMBER_NONE && generation_key_near(start, member_end))
        return MEMBER_UNSURE;
    if (r != MEMBER_FOUND)
        return r;
    if (key_is(key, value, scan_key_name(KEY_MEMSIZE))) {
        member_end = comma_before(start, key);
        if (!member_end)
            return MEMBER_NONE;
        r = member_before(start, member_end, &key, &value);
        if (r == MEMBER_NONE && generation_key_near(start, member_end))
            return MEMBER_UNSURE;
        if (r != MEMBER_FOUND)
            return r;
    }
    if (key_is(key, value, scan_key_name(KEY_GENERATION)))
        return scan_parse_uint(value, (size_t)(member_end - value), gen) ? MEMBER_FOUND : MEMBER_UNSURE;
    /* Ruby writes the members of each type (these) before the allocation
     * site and generation: finding one here means there is no generation.
     * Any other number member is a layout heapsift does not know. */
    static const char *const before_site[] = {
        "length", "size", "ivars", "bytesize", "capacity", "fd", "slot_size", "shape_id",
        "edges", "depth", "id", "parent_id", "embedded_length", "line",
    };
    for (size_t i = 0; i < sizeof before_site / sizeof *before_site; i++)
        if (key_is(key, value, before_site[i]))
            /* Key order is Ruby's habit, not a rule: be sure. */
            return memmem(start, (size_t)(key - start), "\"generation\":", 13) ? MEMBER_UNSURE
                                                                                : MEMBER_NONE;
    return MEMBER_UNSURE;
}

/* flags.object_id (Ruby 3.5+) inside the flags object [open, close). The
 * 'j' of "object_id" is found with memchr: no other flag name has one. */
static member_result find_object_id(const char *open, const char *close, uint64_t *oid)
{
    static const char key[] = "\"object_id\":";
    const size_t klen = sizeof key - 1;
    for (const char *j = open; (j = memchr(j + 1, 'j', (size_t)(close - j - 1))) != NULL;) {
        const char *p = j - 3;
        if (p <= open || close - p < (ptrdiff_t)klen || !same_bytes(p, key, klen))
            continue;
        const char *v = p + klen, *e = v;
        while (e < close && is_digit(*e))
            e++;
        return e > v && scan_parse_uint(v, (size_t)(e - v), oid) ? MEMBER_FOUND : MEMBER_UNSURE;
    }
    return MEMBER_NONE;
}

bool json_quick_line(const char *line, size_t len, scan_record *rec)
{
    static const char addr_key[] = "{\"address\":\"0x";
    static const char type_key[] = ", \"type\":\"";
    const size_t alen = sizeof addr_key - 1, tlen = sizeof type_key - 1;
    const char *end = line + len;
    while (end > line && (end[-1] == ' ' || end[-1] == '\r'))
        end--;
    if (end - line < (ptrdiff_t)(alen + tlen + 4) || end[-1] != '}' || !same_bytes(line, addr_key, alen))
        return false;
    const char *h = line + alen, *q = h;
    while (q < end && *q != '"')
        q++;
    if (q >= end || !scan_parse_hex(h, (size_t)(q - h), &rec->address))
        return false;
    if (end - q < (ptrdiff_t)tlen + 1 || !same_bytes(q + 1, type_key, tlen))
        return false;
    const char *t = q + 1 + tlen, *te = t;
    while (te < end && ((*te >= 'A' && *te <= 'Z') || *te == '_'))
        te++;
    if (te >= end || te == t || *te != '"' || (te[1] != ',' && te[1] != '}'))
        return false;
    /* The flags object, when the line ends with one: `"flags":{...}}`. */
    static const char flags_key[] = "\"flags\":{";
    const size_t flen = sizeof flags_key - 1;
    const char *member_end = end - 1; /* just after the last member before the flags */
    const char *flags = NULL;
    uint64_t gen = 0, oid = 0;
    member_result oidr = MEMBER_NONE;
    if (end - te > 2 && end[-2] == '}') {
        const char *stop = end - te > FLAGS_WINDOW ? end - FLAGS_WINDOW : te;
        flags = memrchr(stop, '{', (size_t)(end - 2 - stop));
        if (!flags || flags - te < (ptrdiff_t)flen || !same_bytes(flags - flen + 1, flags_key, flen))
            return false;
        /* A flat object: no nested object or array (else the full parser decides). */
        size_t inner = (size_t)(end - 2 - flags - 1);
        if (memchr(flags + 1, '}', inner) || memchr(flags + 1, '[', inner))
            return false;
        member_end = comma_before(te, flags - flen + 1);
        if (!member_end)
            return false;
        oidr = find_object_id(flags, end - 2, &oid);
    }
    member_result gr = find_generation(te, member_end, &gen);
    if (gr == MEMBER_UNSURE || oidr == MEMBER_UNSURE || gen >= UINT32_MAX)
        return false;
    rec->has_address = true;
    rec->type.ptr = t;
    rec->type.len = (uint32_t)(te - t);
    rec->has_generation = gr == MEMBER_FOUND;
    rec->generation = (uint32_t)gen;
    rec->has_object_id = oidr == MEMBER_FOUND;
    rec->object_id = oid;
    scan_record_finish(rec);
    return true;
}
