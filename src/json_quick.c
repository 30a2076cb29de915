/* json_quick.c - the identity-only reader (see json_quick.h). */
#define _GNU_SOURCE /* memrchr */
#include "json_quick.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "json_repair.h"

/* The flags object: a few booleans and small numbers. */
#define FLAGS_WINDOW 256

/* memcmp for short constant strings, inlined (the libc call costs more than
 * the comparison on this path, which runs several times a line): eight,
 * four, two and one bytes at a time, so that with len and lit constants it
 * is a few loads compared with immediates. Reads p[0..len) only. */
static inline bool same_bytes(const char *p, const char *lit, size_t len)
{
    uint64_t a8, b8;
    uint32_t a4, b4;
    uint16_t a2, b2;
    for (; len >= 8; p += 8, lit += 8, len -= 8) {
        memcpy(&a8, p, 8);
        memcpy(&b8, lit, 8);
        if (a8 != b8)
            return false;
    }
    if (len >= 4) {
        memcpy(&a4, p, 4);
        memcpy(&b4, lit, 4);
        if (a4 != b4)
            return false;
        p += 4, lit += 4, len -= 4;
    }
    if (len >= 2) {
        memcpy(&a2, p, 2);
        memcpy(&b2, lit, 2);
        if (a2 != b2)
            return false;
        p += 2, lit += 2, len -= 2;
    }
    return len == 0 || *p == *lit;
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
    /* The key's opening quote, the first one back from v - 3: where the
     * keys find_generation looks for put it, those checked first (the same
     * quote the walk back finds: there is none in either name). */
    const char *k;
    if (v - start >= 10 && same_bytes(v - 10, "\"memsize\":", 10)) {
        k = v - 10;
    } else if (v - start >= 13 && same_bytes(v - 13, "\"generation\":", 13)) {
        k = v - 13;
    } else {
        k = v - 3;
        while (k > start && *k != '"')
            k--;
    }
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

/* The digits that end just before at, read backward (at most 19, so that
 * the value cannot overflow): their first byte, or NULL when there are
 * none, or more. */
static inline const char *digits_before(const char *start, const char *at, uint64_t *value)
{
    const char *p = at;
    uint64_t v = 0, scale = 1;
    while (p > start && is_digit(p[-1]) && at - p < 19) {
        v += (uint64_t)(p[-1] - '0') * scale;
        scale *= 10;
        p--;
    }
    if (p == at || (p > start && is_digit(p[-1])))
        return NULL;
    *value = v;
    return p;
}

/* Ruby's usual end, `"generation":G, "memsize":M` or `"generation":G`
 * just before member_end: what find_generation's walk below concludes for
 * it, found with fewer steps. NULL for anything else (the walk decides). */
static inline const char *usual_generation(const char *start, const char *member_end, uint64_t *gen)
{
    static const char memsize_key[] = "\"memsize\":", gen_key[] = "\"generation\":";
    const size_t mlen = sizeof memsize_key - 1, glen = sizeof gen_key - 1;
    uint64_t v;
    const char *d = digits_before(start, member_end, &v);
    if (!d)
        return NULL;
    if (d - start >= (ptrdiff_t)(mlen + 2)) {
        const char *k = d - mlen; /* where "memsize" would begin */
        if (same_bytes(k, memsize_key, mlen) && k[-1] == ' ' && k[-2] == ',') {
            d = digits_before(start, k - 2, &v);
            if (!d)
                return NULL;
        }
    }
    if (d - start < (ptrdiff_t)glen || !same_bytes(d - glen, gen_key, glen))
        return NULL;
    *gen = v;
    return d - glen;
}

/* "generation":N is the member before "memsize" (optional), which is the
 * last member before the flags object (optional), which is last. Walks back
 * from member_end, the byte after the value of the last member before the
 * flags (the ',' before "flags", or the closing brace). */
static member_result find_generation(const char *start, const char *member_end, uint64_t *gen, const char **gen_key)
{
    const char *usual = usual_generation(start, member_end, gen);
    if (usual) {
        *gen_key = usual;
        return MEMBER_FOUND;
    }
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
    if (key_is(key, value, scan_key_name(KEY_GENERATION))) {
        *gen_key = key;
        return scan_parse_uint(value, (size_t)(member_end - value), gen) ? MEMBER_FOUND : MEMBER_UNSURE;
    }
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

/* What the identity read found beyond the record: where the generation's
 * key starts (the site members come just before it), and the type's end. */
typedef struct quick_marks {
    const char *gen_key;  /* the '"' of "generation", or NULL without one */
    const char *type_end; /* the '"' closing the type's value */
    const char *end;      /* the line's end, trailing blanks dropped */
} quick_marks;

/* n bytes at p and q the same, for the memo of sites' texts (a few dozen
 * bytes of changing length, nearly always equal): sixteen at a time, the
 * last sixteen overlapping the ones before, not a libc call. Reads p[0..n)
 * and q[0..n) only. (The flags memos keep memcmp: most of their compares
 * fail in the first bytes, where it is quicker.) */
static inline bool same_text(const char *p, const char *q, size_t n)
{
#ifdef __SSE2__
    if (n >= 16) {
        const char *last = p + n - 16;
        for (; p < last; p += 16, q += 16)
            if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p),
                                                 _mm_loadu_si128((const __m128i *)(const void *)q))) != 0xffff)
                return false;
        q -= p - last;
        return _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)last),
                                                _mm_loadu_si128((const __m128i *)(const void *)q))) == 0xffff;
    }
#endif
    return memcmp(p, q, n) == 0;
}

/* Flags objects a thread has read lately, each as the text from where its
 * reader began (see the two memos below) to the end of its line: every
 * check the flags get depends on those bytes alone, so a line that ends
 * with the same bytes passes them with the same result, and is known by one
 * compare. Ruby writes a handful of flag sets, each on thousands of lines.
 * Flags with an object_id (different on every line) are not kept. */
#define FLAGS_SEEN_SLOTS 8
#define FLAGS_SEEN_MAX 120
typedef struct flags_seen_memo {
    char text[FLAGS_SEEN_SLOTS][FLAGS_SEEN_MAX]; /* each slot's text */
    uint8_t len[FLAGS_SEEN_SLOTS];               /* its length; 0: an empty slot */
    unsigned next;                               /* the slot the next one replaces */
} flags_seen_memo;
/* quick_identity's, from the ',' before "flags": `, "flags":{...}}`. */
static _Thread_local flags_seen_memo flags_checked;
/* read_members', from the flags object's '{': `{...}}`, read by
 * read_flat_object, the line's closing brace right after it. */
static _Thread_local flags_seen_memo flags_read;

/* Where the text kept in memo that [from, end) ends with starts, or NULL
 * when [from, end) ends with none (or is no longer than it). */
static const char *memo_suffix(const flags_seen_memo *memo, const char *from, const char *end)
{
    for (unsigned k = 0; k < FLAGS_SEEN_SLOTS; k++) {
        size_t n = memo->len[k];
        if (n && (size_t)(end - from) > n && memcmp(end - n, memo->text[k], n) == 0)
            return end - n;
    }
    return NULL;
}

/* Is [at, end) a text kept in memo? */
static bool memo_holds(const flags_seen_memo *memo, const char *at, const char *end)
{
    size_t n = (size_t)(end - at);
    for (unsigned k = 0; k < FLAGS_SEEN_SLOTS; k++)
        if (memo->len[k] == n && memcmp(at, memo->text[k], n) == 0)
            return true;
    return false;
}

/* Keeps [at, end) in memo, replacing the oldest. */
static void memo_keep(flags_seen_memo *memo, const char *at, const char *end)
{
    size_t n = (size_t)(end - at);
    if (n == 0 || n >= FLAGS_SEEN_MAX)
        return;
    unsigned k = memo->next;
    memo->next = (k + 1) % FLAGS_SEEN_SLOTS;
    memcpy(memo->text[k], at, n);
    memo->len[k] = (uint8_t)n;
}

/* How many bytes from p on, up to end, are 'A'..'Z' or '_' (a type's
 * name): sixteen at a time with SSE2, where signed compares leave out every
 * byte from 0x80 up. */
static inline size_t type_name_run(const char *p, const char *end)
{
    const char *s = p;
#ifdef __SSE2__
    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('A' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('Z' + 1)));
        unsigned name = (unsigned)_mm_movemask_epi8(_mm_or_si128(upper, _mm_cmpeq_epi8(x, _mm_set1_epi8('_'))));
        if (name != 0xffff)
            return (size_t)(p - s) + (size_t)__builtin_ctz(~name);
        p += 16;
    }
#endif
    while (p < end && ((*p >= 'A' && *p <= 'Z') || *p == '_'))
        p++;
    return (size_t)(p - s);
}

/* The end of line[0..len) without its trailing blanks (spaces, and the
 * '\r' of a dump written with CRLF), as every quick reader takes it. */
static inline const char *line_end(const char *line, size_t len)
{
    const char *end = line + len;
    while (end > line && (end[-1] == ' ' || end[-1] == '\r'))
        end--;
    return end;
}

static bool quick_identity(const char *line, size_t len, scan_record *rec, quick_marks *marks)
{
    static const char addr_key[] = "{\"address\":\"0x";
    static const char type_key[] = ", \"type\":\"";
    const size_t alen = sizeof addr_key - 1, tlen = sizeof type_key - 1;
    const char *end = line_end(line, len);
    if (end - line < (ptrdiff_t)(alen + tlen + 4) || end[-1] != '}' || !same_bytes(line, addr_key, alen))
        return false;
    const char *h = line + alen, *q = h;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* The address's closing quote, eight bytes at a time (the lowest zero
     * byte of x xor '"' is flagged exactly). */
    for (; end - q >= 8; q += 8) {
        const uint64_t ones = 0x0101010101010101u;
        uint64_t x;
        memcpy(&x, q, 8);
        x ^= ones * '"';
        uint64_t zero = (x - ones) & ~x & (ones * 0x80);
        if (zero) {
            q += __builtin_ctzll(zero) / 8;
            break;
        }
    }
#endif
    while (q < end && *q != '"')
        q++;
    if (q >= end || !(end - h >= 16 ? scan_parse_hex_wide(h, (size_t)(q - h), &rec->address)
                                    : scan_parse_hex_inline(h, (size_t)(q - h), &rec->address)))
        return false;
    if (end - q < (ptrdiff_t)tlen + 1 || !same_bytes(q + 1, type_key, tlen))
        return false;
    const char *t = q + 1 + tlen, *te = t + type_name_run(t, end);
    if (te >= end || te == t || *te != '"' || (te[1] != ',' && te[1] != '}'))
        return false;
    /* The flags object, when the line ends with one: `"flags":{...}}`. */
    static const char flags_key[] = "\"flags\":{";
    const size_t flen = sizeof flags_key - 1;
    const char *member_end = end - 1; /* just after the last member before the flags */
    const char *flags = NULL;
    uint64_t gen = 0, oid = 0;
    member_result oidr = MEMBER_NONE;
    const char *seen = end - te > 2 && end[-2] == '}' ? memo_suffix(&flags_checked, te, end) : NULL;
    if (seen) {
        member_end = seen; /* the flags read before: no object_id */
    } else if (end - te > 2 && end[-2] == '}') {
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
        if (oidr == MEMBER_NONE)
            memo_keep(&flags_checked, member_end, end);
    }
    const char *gen_key = NULL;
    member_result gr = find_generation(te, member_end, &gen, &gen_key);
    if (gr == MEMBER_UNSURE || oidr == MEMBER_UNSURE || gen >= UINT32_MAX)
        return false;
    marks->gen_key = gr == MEMBER_FOUND ? gen_key : NULL;
    marks->type_end = te;
    marks->end = end;
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

bool json_quick_line(const char *line, size_t len, scan_record *rec)
{
    quick_marks marks;
    return quick_identity(line, len, rec, &marks);
}

/* ---- sites, read back from the generation ----------------------------------------- */

/* Bytes a string may hold as they are: printable ASCII but the quote and
 * the backslash. Anything else (an escape, a control byte, a byte outside
 * ASCII, whose UTF-8 simdjson validates) ends the fast scan. */
static inline bool string_byte_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

#ifdef __SSE2__
/* The bytes of p[0..16) that are not string_byte_plain, as a bit mask: a
 * signed compare below 0x20 flags the control bytes and every byte from
 * 0x80 up, with the quote and backslash compares. */
static inline unsigned specials16(const char *p)
{
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
                                   _mm_cmplt_epi8(x, space));
    return (unsigned)_mm_movemask_epi8(special);
}
#endif

/* How many bytes from p on, up to end, are string_byte_plain: sixteen at a
 * time with SSE2 (specials16), then eight at a time while eight remain. For
 * eight bytes x, ((x - 0x20..) | x) has the
 * high bit of every byte below 0x20 or from 0x80 up, and (y - 0x01..) & ~y
 * that of every zero byte of y (x xor '"', x xor '\\': the quotes and the
 * backslashes); a borrow can also flag a byte above one of those, never one
 * below, so the lowest flagged byte is the first special one. */
static size_t plain_run(const char *p, const char *end)
{
    const char *s = p;
#ifdef __SSE2__
    /* Sixteen bytes at a time (SSE2 is part of x86-64). */
    while (end - p >= 16) {
        unsigned mask = specials16(p);
        if (mask)
            return (size_t)(p - s) + (size_t)__builtin_ctz(mask);
        p += 16;
    }
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    while (end - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
        uint64_t special = ((x - ones * 0x20) | x | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs;
        if (special)
            return (size_t)(p - s) + (size_t)__builtin_ctzll(special) / 8;
        p += 8;
    }
#endif
    while (p < end && string_byte_plain((unsigned char)*p))
        p++;
    return (size_t)(p - s);
}

/* plain_run for the short texts keys and most values are: one SSE2 test
 * of sixteen bytes here, the rest of a longer one by plain_run. */
static inline __attribute__((always_inline)) size_t plain_prefix(const char *p, const char *end)
{
#ifdef __SSE2__
    if (end - p >= 16) {
        unsigned mask = specials16(p);
        return mask ? (size_t)__builtin_ctz(mask) : 16 + plain_run(p + 16, end);
    }
#endif
    return plain_run(p, end);
}

/* `"0x`, 8 to 16 hex digits and `"` at p (its opening quote), as Ruby
 * writes every element of "references": the address into *addr, and one
 * past the closing quote. NULL for anything else, which read_scalar then
 * reads to the same answer, slower. */
static inline __attribute__((always_inline)) const char *hex_string_at(const char *p, const char *end, uint64_t *addr)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (end - p < 20 || p[1] != '0' || p[2] != 'x')
        return NULL;
    const char *d = p + 3; /* the digits */
    /* The closing quote among d[8..16]: the lowest zero byte of x xor '"'
     * is flagged exactly (a quote before d[8] fails the digits below). */
    const uint64_t ones = 0x0101010101010101u;
    uint64_t x;
    memcpy(&x, d + 8, 8);
    x ^= ones * '"';
    uint64_t zero = (x - ones) & ~x & (ones * 0x80);
    size_t n = zero ? 8 + (size_t)__builtin_ctzll(zero) / 8 : 16;
#ifdef __SSE2__
    /* d[0..16) is in the line (end - p >= 20). */
    if (d[n] != '"' || !scan_hex_8_16_wide(d, n, addr))
#else
    if (d[n] != '"' || !scan_hex_8_16(d, n, addr))
#endif
        return NULL;
    return d + n + 1;
#else
    (void)p, (void)end, (void)addr;
    return NULL;
#endif
}

/* Is [p, e) text the full parser would keep byte for byte: no quote,
 * backslash, control character or byte outside ASCII (those lines are the
 * full parser's to judge)? limit (>= e) is how far the line may be read. */
static bool plain_text(const char *p, const char *e, const char *limit)
{
#ifdef __SSE2__
    /* Bytes up to limit (>= e, the rest of the line) may be read: a text
     * shorter than sixteen bytes takes one load, the bytes past e masked. */
    while (p < e && limit - p >= 16) {
        unsigned mask = specials16(p);
        if (e - p < 16)
            return (mask & ((1u << (e - p)) - 1)) == 0;
        if (mask)
            return false;
        p += 16;
    }
#else
    (void)limit;
#endif
    return plain_run(p, e) == (size_t)(e - p);
}

/* The string member `, "NAME":"TEXT"` that ends just before at (the ','
 * of the next member): on success *value gets TEXT and the result is
 * where the member's ", " starts. NULL when the member before at is not
 * that one with plain text. */
static inline __attribute__((always_inline)) const char *string_member_before(const char *start, const char *at, const char *limit, const char *name,
                                                                      scan_str *value)
{
    if (at - start < 2 || at[-1] != '"')
        return NULL;
    const char *close = at - 1;
    const char *quote = memrchr(start, '"', (size_t)(close - start));
    if (!quote || quote == start)
        return NULL;
    const char *open = quote + 1;
    /* open is just after the value's opening quote: `, "NAME":"` before it. */
    size_t nlen = strlen(name);
    const char *key = open - 1 - 2 - nlen - 1; /* the '"' before NAME */
    if (key - start < 2 || key[-1] != ' ' || key[-2] != ',' || key[0] != '"' || !same_bytes(key + 1, name, nlen) ||
        key[1 + nlen] != '"' || key[2 + nlen] != ':')
        return NULL;
    if (!plain_text(open, close, limit))
        return NULL;
    value->ptr = open;
    value->len = (uint32_t)(close - open);
    return key - 2;
}

/* `, "line":N` ending just before at; the result as above. */
static inline __attribute__((always_inline)) const char *line_member_before(const char *start, const char *at, uint32_t *line)
{
    const char *key, *value;
    if (member_before(start, at, &key, &value) != MEMBER_FOUND || !key_is(key, value, "line"))
        return NULL;
    uint64_t v;
    if (!scan_parse_uint(value, (size_t)(at - value), &v) || v >= UINT32_MAX || key - start < 2 || key[-1] != ' ' ||
        key[-2] != ',')
        return NULL;
    *line = (uint32_t)v;
    return key - 2;
}

/* `"NAME":"0x..."` right at p, after ", " (the class): its address, and
 * the end of the member. */
static inline __attribute__((always_inline)) const char *hex_member_at(const char *p, const char *end, const char *name, uint64_t *addr)
{
    size_t nlen = strlen(name);
    if (end - p < (ptrdiff_t)(nlen + 10) || p[0] != ',' || p[1] != ' ' || p[2] != '"' || !same_bytes(p + 3, name, nlen) ||
        !same_bytes(p + 3 + nlen, "\":\"0x", 5))
        return NULL;
    const char *fast = hex_string_at(p + 3 + nlen + 2, end, addr);
    if (fast)
        return fast;
    const char *h = p + 3 + nlen + 5, *q = h;
    while (q < end && *q != '"')
        q++;
    if (q >= end || !scan_parse_hex(h, (size_t)(q - h), addr))
        return NULL;
    return q + 1;
}

/* `, "NAME":N` right at p: the end of the member, or p when it is not there. */
static inline __attribute__((always_inline)) const char *skip_number_member(const char *p, const char *end, const char *name)
{
    size_t nlen = strlen(name);
    if (end - p < (ptrdiff_t)(nlen + 6) || p[0] != ',' || p[1] != ' ' || p[2] != '"' || !same_bytes(p + 3, name, nlen) ||
        p[3 + nlen] != '"' || p[4 + nlen] != ':' || !is_digit(p[5 + nlen]))
        return p;
    const char *q = p + 5 + nlen;
    while (q < end && is_digit(*q))
        q++;
    return q;
}

/* ---- the keys in the middle of a line, found in one pass ----------------------------- */

/* The keys json_quick_sites must know of between the type and the end of a
 * line: where each is, to answer "is `"KEY":` in [from, to)?" as memmem
 * would, for several ranges, from one pass over the line. */
typedef enum middle_key {
    MK_LINE, MK_FILE, MK_METHOD, MK_CLASS, MK_STRUCT, MK_IMEMO_TYPE,
    MK_ADDRESS, MK_TYPE, /* a second one: the full parser takes the last, the identity reader the first */
    MK_COUNT
} middle_key;
/* The names' lengths: "line", "file", "method", "class", "struct", "imemo_type", "address", "type". */
static const size_t middle_key_len[MK_COUNT] = { 4, 4, 6, 5, 6, 10, 7, 4 };
#define MIDDLE_KEY_SEEN 4 /* occurrences kept per key: more, and the line is the full parser's */

typedef struct middle_keys {
    const char *at[MK_COUNT][MIDDLE_KEY_SEEN]; /* each occurrence's opening quote, in order */
    unsigned n[MK_COUNT];                      /* occurrences found */
} middle_keys;

/* Records an occurrence of key k at q (its opening quote); false when k
 * was seen MIDDLE_KEY_SEEN times already. */
static inline bool middle_key_add(middle_keys *mk, middle_key k, const char *q)
{
    if (mk->n[k] == MIDDLE_KEY_SEEN)
        return false;
    mk->at[k][mk->n[k]++] = q;
    return true;
}

/* The colons in p[0..n), n <= 16, as a bit mask (bit k: p[k]): one SSE2
 * compare for a whole block, byte by byte for the last, shorter one. */
static inline unsigned colons_in(const char *p, size_t n)
{
#ifdef __SSE2__
    if (n == 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(':')));
    }
#endif
    unsigned mask = 0;
    for (size_t k = 0; k < n; k++)
        mask |= (unsigned)(p[k] == ':') << k;
    return mask;
}

/* Finds every `"KEY":` of the middle keys in [from, to). A key ends with
 * the `":` before its value: the colons are few (one a member, and those
 * inside string values), found sixteen bytes at a time, and before each
 * the names wanted that end with the letter there are tried. False when a
 * key is there more often than MIDDLE_KEY_SEEN. */
static bool find_middle_keys(const char *from, const char *to, middle_keys *mk)
{
    memset(mk->n, 0, sizeof mk->n);
    for (const char *block = from; block < to; block += 16) {
        unsigned mask = colons_in(block, to - block < 16 ? (size_t)(to - block) : 16);
        for (; mask; mask &= mask - 1) {
            const char *c = block + __builtin_ctz(mask);
            const char *e = c - 1; /* the key's closing quote */
            if (e <= from || *e != '"')
                continue;
            /* NAME between a quote at e - len - 1 and e, wholly in [from, to). */
#define MIDDLE_KEY_IS(name) \
    (e - from >= (ptrdiff_t)sizeof name && e[-(ptrdiff_t)sizeof name] == '"' && same_bytes(e - (sizeof name - 1), name, sizeof name - 1))
#define MIDDLE_KEY_TRY(k, name)                                                   \
    if (MIDDLE_KEY_IS(name)) {                                                    \
        if (!middle_key_add(mk, k, e - sizeof name))                               \
            return false;                                                         \
        continue;                                                                 \
    }
            /* By the name's last letter, the names that end with it. */
            switch (e[-1]) {
            case 'e':
                MIDDLE_KEY_TRY(MK_LINE, "line")
                MIDDLE_KEY_TRY(MK_FILE, "file")
                MIDDLE_KEY_TRY(MK_IMEMO_TYPE, "imemo_type")
                MIDDLE_KEY_TRY(MK_TYPE, "type")
                break;
            case 's':
                MIDDLE_KEY_TRY(MK_CLASS, "class")
                MIDDLE_KEY_TRY(MK_ADDRESS, "address")
                break;
            case 'd': MIDDLE_KEY_TRY(MK_METHOD, "method") break;
            case 't': MIDDLE_KEY_TRY(MK_STRUCT, "struct") break;
            default: break;
            }
#undef MIDDLE_KEY_TRY
#undef MIDDLE_KEY_IS
        }
    }
    return true;
}

/* Is `"KEY":` wholly in [from, to)? */
static bool has_key(const middle_keys *mk, middle_key k, const char *from, const char *to)
{
    size_t len = middle_key_len[k] + 3;
    for (unsigned i = 0; i < mk->n[k]; i++)
        if (mk->at[k][i] >= from && mk->at[k][i] + len <= to)
            return true;
    return false;
}

/* The first `, "KEY":"` wholly in [from, to): its comma, or NULL. */
static const char *key_with_string(const middle_keys *mk, middle_key k, const char *from, const char *to)
{
    size_t len = middle_key_len[k] + 3;
    for (unsigned i = 0; i < mk->n[k]; i++) {
        const char *q = mk->at[k][i];
        if (q - 2 >= from && q + len + 1 <= to && q[-2] == ',' && q[-1] == ' ' && q[len] == '"')
            return q - 2;
    }
    return NULL;
}

/* Does the subtype's value, its closing quote at q, end where Ruby ends
 * it (before to)? Ruby writes references, the site, memsize or flags
 * next: anything else and the line is not the one it seems (the full
 * parser's). */
static bool subtype_ends(const char *q, const char *to)
{
    static const char *const next[] = { ", \"references\":[", ", \"file\":\"", ", \"line\":", ", \"method\":\"",
                                        ", \"generation\":", ", \"memsize\":", ", \"flags\":{" };
    bool known = q + 1 == to || q[1] == '}';
    for (size_t n = 0; n < sizeof next / sizeof *next && !known; n++) {
        size_t nlen = strlen(next[n]);
        known = to - (q + 1) >= (ptrdiff_t)nlen && same_bytes(q + 1, next[n], nlen);
    }
    return known;
}

/* A subtype's value from v (after its opening quote), before to: plain
 * and ending as subtype_ends wants. Into *out, and one past its closing
 * quote; NULL when it is not one (the line is the full parser's). */
static const char *subtype_value(const char *v, const char *to, const char *limit, scan_str *out)
{
    const char *q = memchr(v, '"', (size_t)(to - v));
    if (!q || !plain_text(v, q, limit) || !subtype_ends(q, to))
        return NULL;
    *out = (scan_str){ v, (uint32_t)(q - v) };
    return q + 1;
}

/* A DATA's "struct" or an IMEMO's "imemo_type" between from and to (the
 * members Ruby writes for the type come before the site): plain text or
 * the line is the full parser's. */
static bool find_subtype(const middle_keys *mk, middle_key key, const char *from, const char *to, const char *limit,
                         scan_str *out)
{
    size_t plen = middle_key_len[key] + 6; /* `, "NAME":"` */
    const char *k = key_with_string(mk, key, from, to);
    if (!k) /* untyped DATA: none; the key in another form (no space
             * before it, not a string) is the full parser's to read */
        return !has_key(mk, key, from, to);
    return subtype_value(k + plen, to, limit, out) != NULL;
}

/* `, "struct":"S"` or `, "imemo_type":"S"` right at p, S plain and
 * ending as subtype_ends wants, before to: S into *sub and the member's
 * end; p when there is none. */
static const char *subtype_at(const char *p, const char *to, const char *limit, scan_str *sub)
{
    static const char st[] = ", \"struct\":\"", it[] = ", \"imemo_type\":\"";
    size_t n = to - p > (ptrdiff_t)sizeof st - 1 && same_bytes(p, st, sizeof st - 1)   ? sizeof st - 1
               : to - p > (ptrdiff_t)sizeof it - 1 && same_bytes(p, it, sizeof it - 1) ? sizeof it - 1
                                                                                     : 0;
    const char *after = n ? subtype_value(p + n, to, limit, sub) : NULL;
    return after ? after : p;
}

/* Does [from, to) hold the key "file", "line" or "method"? */
static bool has_site_key(const middle_keys *mk, const char *from, const char *to)
{
    return has_key(mk, MK_LINE, from, to) || has_key(mk, MK_FILE, from, to) || has_key(mk, MK_METHOD, from, to);
}

/* ---- the middle keys' quick test ------------------------------------------------ */

/* The last four letters of every middle key's name ("line", "file",
 * "thod", "lass", "ruct", "type" for imemo_type and type, "ress"), each in
 * its slot of this table: a key ends with one of them only if its four
 * bytes, multiplied by SLOT_MUL, give that slot in the top three bits
 * (SLOT_MUL found by search: no two of the seven share a slot). */
#define SLOT_MUL 0x81af14c1u
#define WORD4(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
static const uint32_t middle_key_tail[8] = {
    WORD4('l', 'a', 's', 's'), WORD4('r', 'u', 'c', 't'), WORD4('t', 'h', 'o', 'd'), WORD4('f', 'i', 'l', 'e'),
    WORD4('l', 'i', 'n', 'e'), WORD4('t', 'y', 'p', 'e'), WORD4('r', 'e', 's', 's'), 0,
};

/* Is one of the colons (a mask of block's bytes) a middle key's, or
 * maybe one (see middle_key_maybe)? */
static inline bool middle_key_in(unsigned colons, const char *block, const char *from)
{
    for (; colons; colons &= colons - 1) {
        const char *e = block + __builtin_ctz(colons) - 1; /* the key's closing quote */
        if (e < from || *e != '"')
            continue;
        if (e - from < 4)
            return true;
        uint32_t w;
        memcpy(&w, e - 4, 4);
        if (middle_key_tail[(uint32_t)(w * SLOT_MUL) >> 29] == w)
            return true;
    }
    return false;
}

/* Could [from, to) hold `"KEY":` for a middle key, as find_middle_keys
 * would find it there? Each `":` whose four bytes before the quote are
 * not a middle key's last four letters cannot be one (every name has four
 * letters or more); any other is a maybe, and so is a key too close to
 * from to tell. One load and compare per colon where find_middle_keys
 * tries names; limit (>= to) is how far the line may be read, so the last
 * block is one load too. */
static bool middle_key_maybe(const char *from, const char *to, const char *limit)
{
    const char *block = from;
    for (; to - block >= 16; block += 16)
        if (middle_key_in(colons_in(block, 16), block, from))
            return true;
    if (block == to)
        return false;
    size_t n = (size_t)(to - block);
    unsigned colons = limit - block >= 16 ? colons_in(block, 16) & ((1u << n) - 1) : colons_in(block, n);
    return middle_key_in(colons, block, from);
}

/* ---- sites seen lately --------------------------------------------------------- */

/* A site's members as a line writes them, `, "file":"F"[, "line":N][,
 * "method":"M"]` (the file first: what the walk back from the generation
 * reads last), with what the walk read from them. The walk looks at no byte
 * before the file's ", ", so a line whose site ends with the same bytes
 * before its generation has the same site: one compare, no walk. */
#define SITE_TEXT_MAX 224 /* the slot 256 bytes: room for a gem's absolute path */
typedef struct site_text {
    uint8_t len;                  /* bytes of text (a slot is empty when its hash is 0) */
    uint8_t file_at, file_len;    /* the file's value within text */
    uint8_t method_at, method_len; /* the method's; method_at 0: none */
    bool has_line;
    uint32_t line;
    scan_site_tag tag;            /* the consumer's, for this text (owner 0 when it is new) */
    char text[SITE_TEXT_MAX];
} site_text;

_Static_assert(sizeof(site_text) == 256, "a slot is four cache lines");

/* Four ways a set, each set's text hashes on one cache line, so that a
 * few thousand sites stay (a Rails service writes thousands). */
#define SITE_WAYS 4
#define SITE_SETS 2048 /* a power of two: 2 MB of slots, touched as used */
struct quick_site_memo {
    uint32_t hash[SITE_SETS][SITE_WAYS]; /* each slot's text hash (odd), 0 when it is empty */
    uint8_t next[SITE_SETS];             /* the way a set's next new text takes, round robin */
    site_text slot[SITE_SETS][SITE_WAYS];
};

quick_site_memo *json_quick_site_memo_new(void)
{
    return calloc(1, sizeof(quick_site_memo));
}

void json_quick_site_memo_free(quick_site_memo *memo)
{
    free(memo);
}

/* Where the file's member ends in a site `, "file":"F", "line":N,
 * "method":"M"` that ends at site_end: skips back over the method (a
 * name of fifteen bytes or fewer) and the line, those that are there, as
 * far as start. Only for the hash: a site written otherwise gives some
 * other place, always the same for the same bytes. */
static inline const char *site_file_end(const char *start, const char *site_end)
{
    const char *p = site_end;
    if (p - start >= 28 && p[-1] == '"') {
        /* The method's opening quote: the last quote of the 16 bytes before its closing one. */
        unsigned quotes = 0;
#ifdef __SSE2__
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p - 17));
        quotes = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')));
#else
        for (int k = 0; k < 16; k++)
            quotes |= (unsigned)(p[-17 + k] == '"') << k;
#endif
        if (quotes) {
            const char *q = p - 17 + (31 - __builtin_clz(quotes));
            if (same_bytes(q - 11, ", \"method\":", 11))
                p = q - 11;
        }
    }
    const char *d = p;
    while (d > start && p - d < 10 && is_digit(d[-1]))
        d--;
    if (d < p && d - start >= 9 && same_bytes(d - 9, ", \"line\":", 9))
        p = d - 9;
    return p;
}

/* The hash of the site that ends at site_end: the 32 bytes before it (the
 * method and the line, mostly) and the 16 before the file's member ends
 * (the file's last letters: sites alike but for their file, which Ruby
 * writes by the thousand, must not share a set), mixed. line: the first
 * byte that may be read. */
static inline uint64_t site_hash(const char *line, const char *start, const char *site_end)
{
    const char *f = site_file_end(start, site_end);
    if (f - line < 16)
        f = site_end;
    uint64_t w[6];
    memcpy(w, site_end - 32, 32);
    memcpy(w + 4, f - 16, 16);
    uint64_t h = (w[0] * 0x9e3779b97f4a7c15u) ^ (w[1] * 0xc2b2ae3d27d4eb4fu) ^ (w[2] * 0x165667b19e3779f9u) ^ w[3] ^
                 ((w[4] ^ (w[5] >> 7)) * 0xff51afd7ed558ccdu);
    h ^= h >> 32;
    return h * 0x9e3779b97f4a7c15u;
}

/* The memo's set for the site that ends at site_end and its hash there
 * (0: no memo, or too short a line), its slot asked for from memory now:
 * site_before compares it after the members before it are read. */
typedef struct site_probe {
    uint32_t set, hash;
} site_probe;

static inline site_probe site_probe_start(quick_site_memo *memo, const char *line, const char *start,
                                          const char *site_end)
{
    site_probe probe = { 0, 0 };
    if (!memo || site_end - line < 32)
        return probe;
    uint64_t h = site_hash(line, start, site_end);
    probe.set = (uint32_t)(h >> 40) & (SITE_SETS - 1);
    probe.hash = (uint32_t)h | 1;
    for (unsigned w = 0; w < SITE_WAYS; w++)
        if (memo->hash[probe.set][w] == probe.hash) {
            const char *slot = (const char *)&memo->slot[probe.set][w];
            __builtin_prefetch(slot);
            __builtin_prefetch(slot + 64);
            break;
        }
    return probe;
}

/* The site members before site_end (the ", " before "generation"), walked
 * back from it: [, "file":"F"][, "line":N][, "method":"M"], each plain.
 * Sets what it finds in rec and returns where the first of them begins
 * (site_end when there is none). start: the first byte the walk may look
 * at (after the type); limit: how far the line may be read. The memo (the
 * probe's set and hash; none when its hash is 0) answers for a site seen
 * before, and keeps the new ones. */
static const char *site_before(const char *start, const char *site_end, const char *limit, scan_record *rec,
                               quick_site_memo *memo, site_probe probe)
{
    uint32_t set = probe.set, hash = probe.hash;
    if (hash) {
        for (unsigned w = 0; w < SITE_WAYS; w++) {
            const site_text *s = &memo->slot[set][w];
            if (memo->hash[set][w] != hash || site_end - start < s->len || !same_text(site_end - s->len, s->text, s->len))
                continue;
            const char *at = site_end - s->len;
            rec->file = (scan_str){ at + s->file_at, s->file_len };
            if (s->method_at)
                rec->method = (scan_str){ at + s->method_at, s->method_len };
            rec->has_line = s->has_line;
            rec->line = s->line;
            rec->site_tag = &memo->slot[set][w].tag;
            return at;
        }
    }
    const char *at = site_end;
    const char *m = string_member_before(start, at, limit, "method", &rec->method);
    if (m)
        at = m;
    const char *l = line_member_before(start, at, &rec->line);
    if (l) {
        rec->has_line = true;
        at = l;
    }
    const char *f = string_member_before(start, at, limit, "file", &rec->file);
    if (!f)
        return at;
    if (hash && site_end - f <= SITE_TEXT_MAX) {
        unsigned w = memo->next[set]++ % SITE_WAYS;
        site_text *s = &memo->slot[set][w];
        memo->hash[set][w] = hash;
        s->len = (uint8_t)(site_end - f);
        memcpy(s->text, f, s->len);
        s->file_at = (uint8_t)(rec->file.ptr - f);
        s->file_len = (uint8_t)rec->file.len;
        s->method_at = m ? (uint8_t)(rec->method.ptr - f) : 0;
        s->method_len = m ? (uint8_t)rec->method.len : 0;
        s->has_line = rec->has_line;
        s->line = rec->line;
        s->tag = (scan_site_tag){ 0, 0 };
        rec->site_tag = &s->tag;
    }
    return f;
}

bool json_quick_sites(const char *line, size_t len, scan_record *rec, quick_site_memo *memo)
{
    quick_marks marks;
    if (!quick_identity(line, len, rec, &marks))
        return false;
    rec->file = (scan_str){ NULL, 0 };
    rec->method = (scan_str){ NULL, 0 };
    rec->subtype = (scan_str){ NULL, 0 };
    rec->name = (scan_str){ NULL, 0 };
    rec->has_line = false;
    rec->line = 0;
    rec->has_class_addr = false;
    rec->class_addr = 0;
    rec->site_tag = NULL;
    if (rec->kind != SCAN_OBJECT)
        return false; /* ROOT and SHAPE lines: few, and the full parser's */
    /* CLASS and MODULE lines carry the names the views show. */
    scan_str t = rec->type;
    if ((t.len == 5 && same_bytes(t.ptr, "CLASS", 5)) || (t.len == 6 && same_bytes(t.ptr, "MODULE", 6)))
        return false;
    const char *te = marks.type_end + 1; /* after the type's closing quote */
    /* Every question below is about [te, site_end): the ", " before
     * "generation", or the end without a generation (the members after the
     * generation, memsize and flags, are not looked at). at: where the site
     * begins ([, "file":"F"][, "line":N][, "method":"M"] just before the
     * generation), or site_end without one. */
    const char *site_end = marks.end, *at = marks.end;
    site_probe probe = { 0, 0 };
    if (marks.gen_key) {
        if (marks.gen_key - te < 2 || marks.gen_key[-1] != ' ' || marks.gen_key[-2] != ',')
            return false;
        site_end = marks.gen_key - 2;
        probe = site_probe_start(memo, line, te, site_end);
    }
    /* After the type: [, "shape_id":N][, "slot_size":N][, "class":"0x..."]. */
    const char *p = skip_number_member(te, marks.end, "shape_id");
    p = skip_number_member(p, marks.end, "slot_size");
    const char *c = hex_member_at(p, marks.end, "class", &rec->class_addr);
    if (c) {
        rec->has_class_addr = true;
        p = c;
    }
    /* The full parser takes the site's keys wherever they are: checked below. */
    if (marks.gen_key)
        at = site_before(te, site_end, marks.end, rec, memo, probe);
    /* Where Ruby writes them, the members read so far hold none of the
     * keys find_middle_keys looks for but their own: with none between
     * them either, every check below passes, and there is no subtype. So
     * too with a subtype where Ruby writes it, right after them, ending as
     * find_subtype wants: it is the one find_subtype finds. */
    if (p <= at) {
        scan_str sub = { NULL, 0 };
        const char *after = subtype_at(p, at, marks.end, &sub);
        if (!middle_key_maybe(after, at, marks.end)) {
            rec->subtype = sub;
            return true;
        }
    }
    middle_keys mk;
    if (!find_middle_keys(te, site_end, &mk))
        return false;
    /* A second address or type: the full parser reads the last, finds it
     * is not what the identity reader read, and repairs the line. */
    if (mk.n[MK_ADDRESS] || mk.n[MK_TYPE])
        return false;
    /* Any site key before the site (a value it cannot take plain, a member
     * between them that Ruby does not write), or without a generation (not
     * Ruby's usual line), and the line is the full parser's to read. */
    if (has_site_key(&mk, te, at))
        return false;
    /* A second class, or one elsewhere than Ruby writes it: the full
     * parser would take it. */
    if (has_key(&mk, MK_CLASS, c ? c : te, at))
        return false;
    /* Ruby writes "struct" for DATA and "imemo_type" for IMEMO, but the
     * full parser takes either on any line: so does this. */
    scan_str st = { NULL, 0 }, it = { NULL, 0 };
    if (!find_subtype(&mk, MK_STRUCT, p, at, marks.end, &st) ||
        !find_subtype(&mk, MK_IMEMO_TYPE, p, at, marks.end, &it) ||
        (st.ptr && it.ptr))
        return false;
    rec->subtype = st.ptr ? st : it;
    return true;
}

/* ---- every member, read forward ---------------------------------------------- */

/* What a value of a line is, as the forward reader found it. */
typedef enum qvalue_kind { QV_STRING, QV_NUMBER, QV_LITERAL, QV_ARRAY, QV_OBJECT } qvalue_kind;

typedef struct qvalue {
    qvalue_kind kind;
    const char *start;  /* the value's first byte */
    const char *end;    /* one past its last */
    bool plain;         /* QV_STRING: no escape in it (its bytes are its text);
                           QV_NUMBER: a whole number without sign, fraction,
                           exponent or leading zero (what get_uint64 takes) */
    bool all_hex;       /* QV_ARRAY: every element a plain string holding a
                           hex address (what "references" must be) */
    bool has_object_id; /* QV_OBJECT: an "object_id" member, a plain number */
    unsigned object_ids; /* QV_OBJECT: how many "object_id" members it has */
    uint64_t object_id; /* its value (the last one) */
} qvalue;

static bool is_hex_digit(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The JSON string whose opening quote is at p: one past its closing quote,
 * or NULL when it is not a string this reader takes (a control byte, a
 * byte outside ASCII, an escape JSON does not have, no closing quote).
 * *plain: it has no escape, so its bytes are its text. */
static inline __attribute__((always_inline)) const char *read_string(const char *p, const char *end, bool *plain)
{
    bool escaped = false;
    p++;
    for (;;) {
        p += plain_prefix(p, end);
        if (p >= end)
            return NULL;
        if (*p == '"') {
            *plain = !escaped;
            return p + 1;
        }
        if (*p != '\\' || end - p < 2)
            return NULL;
        escaped = true;
        switch (p[1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            p += 2;
            break;
        case 'u':
            if (end - p < 6 || !is_hex_digit(p[2]) || !is_hex_digit(p[3]) || !is_hex_digit(p[4]) ||
                !is_hex_digit(p[5]))
                return NULL;
            p += 6;
            break;
        default:
            return NULL;
        }
    }
}

/* The JSON number at p: one past it, or NULL when it is not one. *whole:
 * digits alone, without a leading zero (what simdjson's get_uint64 reads;
 * anything else it refuses, and the full parser then repairs the line). */
static inline __attribute__((always_inline)) const char *read_number(const char *p, const char *end, bool *whole)
{
    const char *s = p;
    if (p < end && *p == '-')
        p++;
    if (p >= end || !is_digit(*p))
        return NULL;
    if (*p == '0')
        p++;
    else
        while (p < end && is_digit(*p))
            p++;
    bool simple = *s != '-';
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !is_digit(*p))
            return NULL;
        while (p < end && is_digit(*p))
            p++;
        simple = false;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !is_digit(*p))
            return NULL;
        while (p < end && is_digit(*p))
            p++;
        simple = false;
    }
    *whole = simple;
    return p;
}

/* A string, number, true, false or null at p, into v: one past it, or NULL. */
static inline __attribute__((always_inline)) const char *read_scalar(const char *p, const char *end, qvalue *v)
{
    v->start = p;
    v->plain = false;
    if (*p == '"') {
        v->kind = QV_STRING;
        p = read_string(p, end, &v->plain);
    } else if (*p == '-' || is_digit(*p)) {
        v->kind = QV_NUMBER;
        p = read_number(p, end, &v->plain);
    } else {
        v->kind = QV_LITERAL;
        const char *lit = *p == 't' ? "true" : *p == 'f' ? "false" : *p == 'n' ? "null" : NULL;
        size_t n = lit ? strlen(lit) : 0;
        p = lit && end - p >= (ptrdiff_t)n && same_bytes(p, lit, n) ? p + n : NULL;
    }
    v->end = p;
    return p;
}

/* Past ", " (or a bare ',', with any spaces) between two elements:
 * *closed is set and the byte after close returned when close comes
 * instead. NULL when neither does. */
static const char *next_element_any(const char *p, const char *end, char close, bool *closed)
{
    while (p < end && *p == ' ')
        p++;
    if (p < end && *p == close) {
        *closed = true;
        return p + 1;
    }
    if (p >= end || *p != ',')
        return NULL;
    p++;
    while (p < end && *p == ' ')
        p++;
    *closed = false;
    return p < end ? p : NULL;
}

/* next_element, Ruby's ", " and closing bracket seen here, without a call. */
static inline __attribute__((always_inline)) const char *next_element(const char *p, const char *end, char close,
                                                                     bool *closed)
{
    if (end - p >= 3 && p[0] == ',' && p[1] == ' ' && p[2] != ' ') {
        *closed = false;
        return p + 2;
    }
    if (p < end && *p == close) {
        *closed = true;
        return p + 1;
    }
    return next_element_any(p, end, close, closed);
}

/* A key, `"NAME":`, at p, its name plain text (then the bytes are the
 * name the full parser compares): sets *name and *len, returns the
 * value's first byte. */
static inline __attribute__((always_inline)) const char *read_key(const char *p, const char *end, const char **name, size_t *len)
{
    if (*p != '"')
        return NULL;
    const char *k = p + 1, *e = k + plain_prefix(k, end);
    if (end - e < 3 || e[0] != '"' || e[1] != ':')
        return NULL;
    *name = k;
    *len = (size_t)(e - k);
    return e + 2;
}

/* An array of scalars at p (its '['), into v: one past it, or NULL (an
 * array or object inside it too: the full parser's). With refs, each
 * element that is a hex address is pushed onto it, in order (as the full
 * parser pushes the addresses of "references"). */
static const char *read_flat_array(const char *p, const char *end, qvalue *v, scan_refbuf *refs)
{
    v->kind = QV_ARRAY;
    v->start = p;
    v->all_hex = true;
    p++;
    while (p < end && *p == ' ')
        p++;
    bool closed = p < end && *p == ']';
    if (closed)
        p++;
    while (!closed) {
        if (p >= end)
            return NULL;
        uint64_t addr;
        bool hex;
        const char *after = *p == '"' ? hex_string_at(p, end, &addr) : NULL;
        if (after) {
            p = after;
            hex = true;
        } else {
            qvalue e;
            p = read_scalar(p, end, &e);
            if (!p)
                return NULL;
            hex = e.kind == QV_STRING && e.plain && scan_parse_hex(e.start + 1, (size_t)(e.end - e.start - 2), &addr);
        }
        v->all_hex &= hex;
        if (hex && refs) {
            if (refs->n < refs->cap)
                refs->v[refs->n++] = addr; /* scan_refbuf_push, without the call */
            else
                scan_refbuf_push(refs, addr);
        }
        p = next_element(p, end, ']', &closed);
        if (!p)
            return NULL;
    }
    v->end = p;
    return p;
}

/* An object of scalars at p (its '{'), into v, with its "object_id": one
 * past it, or NULL. */
static const char *read_flat_object(const char *p, const char *end, qvalue *v)
{
    v->kind = QV_OBJECT;
    v->start = p;
    v->has_object_id = false;
    v->object_ids = 0;
    p++;
    while (p < end && *p == ' ')
        p++;
    bool closed = p < end && *p == '}';
    if (closed)
        p++;
    while (!closed) {
        const char *name;
        size_t len;
        if (p >= end || !(p = read_key(p, end, &name, &len)))
            return NULL;
        qvalue e;
        p = read_scalar(p, end, &e);
        if (!p)
            return NULL;
        if (len == 9 && same_bytes(name, "object_id", 9)) {
            /* As the full parser: the last one counts, and it must be a
             * whole number. */
            if (e.kind != QV_NUMBER || !e.plain || !scan_parse_uint(e.start, (size_t)(e.end - e.start), &v->object_id))
                return NULL;
            v->has_object_id = true;
            v->object_ids++;
        }
        p = next_element(p, end, '}', &closed);
        if (!p)
            return NULL;
    }
    v->end = p;
    return p;
}

/* The object value of member name[0..len) at p (its '{'), as
 * read_flat_object reads it: flags objects read before are known from
 * flags_read instead. */
static const char *read_object_member(const char *p, const char *end, const char *name, size_t len, qvalue *v)
{
    bool flags = len == 5 && same_bytes(name, "flags", 5);
    if (flags && memo_holds(&flags_read, p, end)) {
        /* Read before: flat, no object_id, and the line's '}' after it. */
        *v = (qvalue){ .kind = QV_OBJECT, .start = p, .end = end - 1 };
        return end - 1;
    }
    const char *after = read_flat_object(p, end, v);
    if (after && flags && !v->has_object_id && end - after == 1 && *after == '}')
        memo_keep(&flags_read, p, end);
    return after;
}

static scan_str qvalue_text(const qvalue *v)
{
    return (scan_str){ v->start + 1, (uint32_t)(v->end - v->start - 2) };
}

static bool qvalue_u32(const qvalue *v, uint32_t *out)
{
    uint64_t n;
    if (!scan_parse_uint(v->start, (size_t)(v->end - v->start), &n) || n > UINT32_MAX)
        return false;
    *out = (uint32_t)n;
    return true;
}

/* How each kind of member (dump_members.h) is read from v into rec->field,
 * as json_scan_kernel.cpp's extract reads it: false where that would fail
 * (and send the line to the repair path). Strings are taken only plain, so
 * their bytes are what simdjson's unescaping gives. */
#define QREAD_DUMP_RAW(field) (v.kind == QV_STRING && v.plain && (rec->field = qvalue_text(&v), true))
#define QREAD_DUMP_STRING(field) QREAD_DUMP_RAW(field)
#define QREAD_DUMP_HEX(field)                   \
    (v.kind == QV_STRING && v.plain &&          \
     (rec->has_##field = scan_parse_hex_inline(v.start + 1, (size_t)(v.end - v.start - 2), &rec->field)))
#define QREAD_DUMP_U32(field) (rec->has_##field = v.kind == QV_NUMBER && v.plain && qvalue_u32(&v, &rec->field))
#define QREAD_DUMP_U64(field) \
    (rec->has_##field = v.kind == QV_NUMBER && v.plain && scan_parse_uint(v.start, (size_t)(v.end - v.start), &rec->field))
#define QREAD_DUMP_REFS(field) (v.kind == QV_ARRAY && v.all_hex)
#define QREAD_DUMP_FLAGS(field) \
    (v.kind == QV_OBJECT && (!v.has_object_id || (rec->field = v.object_id, rec->has_##field = true)))
#define QSTORE_DUMP_OWN(kind, field) ok = QREAD_##kind(field)
#define QSTORE_DUMP_SHARED(kind, field) ok = QREAD_##kind(field)
#define QSTORE_DUMP_FALLBACK(kind, field) ok = DUMP_FILLED(kind, rec, field) || QREAD_##kind(field)

/* Where read_members found the members quick_identity reads: enough to
 * know that quick_identity would read each of them as it did or decline
 * the line (see quick_details). */
typedef struct member_order {
    unsigned n;              /* members read */
    unsigned address_at;     /* index of the last "address" member */
    unsigned type_at;        /* ... of the last "type" */
    unsigned flags_at;       /* ... of the last "flags" */
    unsigned addresses, types, generations, flags; /* how many of each */
    unsigned object_ids;     /* "object_id" members in the flags objects */
    bool odd_after_generation; /* a member other than memsize or flags comes
                                  after a generation */
} member_order;

/* Is this the order Ruby writes, in which quick_identity finds address,
 * type, generation and flags.object_id where they are, or declines? The
 * address first and the type second, once each; at most one generation,
 * followed only by memsize and flags; at most one flags object, last, with
 * at most one object_id, and its brace right before the line's (end: the
 * line without trailing blanks). quick_identity knows the flags by that
 * `}}`: with a space between, it would look for the generation before the
 * line's brace, miss it, and read the line without one. */
static bool usual_order(const member_order *o, const char *end)
{
    return o->addresses == 1 && o->address_at == 0 && o->types == 1 && o->type_at == 1 && o->generations <= 1 &&
           !o->odd_after_generation && o->flags <= 1 && (o->flags == 0 || (o->flags_at + 1 == o->n && end[-2] == '}')) &&
           o->object_ids <= 1;
}

/* Every member of the object line[0..end) (end: the line without trailing
 * blanks), strictly: members `"key":value` apart by ", ", values scalars,
 * arrays of scalars or objects of scalars. With refs, the addresses of
 * "references" go onto it. */
static bool read_members(const char *line, const char *end, scan_record *rec, scan_refbuf *refs, member_order *ord)
{
    const char *p = line + 1;
    bool closed = false;
    memset(ord, 0, sizeof *ord);
    while (!closed) {
        const char *name;
        size_t len;
        if (p >= end || !(p = read_key(p, end, &name, &len)))
            return false;
        qvalue v;
        if (*p == '[')
            p = read_flat_array(p, end, &v, refs && len == 10 && same_bytes(name, "references", 10) ? refs : NULL);
        else if (*p == '{')
            p = read_object_member(p, end, name, len, &v);
        else
            p = read_scalar(p, end, &v);
        if (!p)
            return false;
        bool ok = true;
        scan_key key = scan_key_of(name, len);
        switch (key) {
#define QREAD_MEMBER(id, json_name, kind, field, how) \
    case KEY_##id:                                    \
        QSTORE_##how(kind, field);                    \
        break;
            DUMP_MEMBERS(QREAD_MEMBER)
#undef QREAD_MEMBER
        case KEY_OTHER: break;
        }
        ord->odd_after_generation |= ord->generations && key != KEY_MEMSIZE && key != KEY_FLAGS;
        switch (key) {
        case KEY_ADDRESS: ord->addresses++, ord->address_at = ord->n; break;
        case KEY_TYPE: ord->types++, ord->type_at = ord->n; break;
        case KEY_GENERATION: ord->generations++; break;
        case KEY_FLAGS: ord->flags++, ord->flags_at = ord->n, ord->object_ids += v.kind == QV_OBJECT ? v.object_ids : 0; break;
        default: break;
        }
        ord->n++;
        if (!ok)
            return false;
        p = next_element(p, end, '}', &closed);
        if (!p)
            return false;
    }
    return p == end;
}

static bool quick_details(const char *line, size_t len, scan_record *rec, scan_refbuf *refs)
{
    const char *end = line_end(line, len);
    if (end - line < 2 || line[0] != '{' || end[-1] != '}')
        return false;
    scan_record r;
    memset(&r, 0, sizeof r);
    if (refs)
        refs->n = 0;
    member_order order;
    if (!read_members(line, end, &r, refs, &order) || !r.type.ptr)
        return false;
    scan_record_finish(&r);
    if (r.kind != SCAN_OBJECT || !r.has_address)
        return false;
    /* The full parser checks its reading of the identity against
     * quick_identity's and repairs a line where they differ. In Ruby's
     * order quick_identity reads the same members or declines (and the
     * full parser's reading stands): no need to ask. Otherwise ask. */
    if (!usual_order(&order, end)) {
        scan_record q; /* quick_identity sets every member compared below */
        quick_marks marks;
        if (!quick_identity(line, len, &q, &marks) || q.kind != SCAN_OBJECT)
            return false;
        bool same = r.address == q.address && r.type.len == q.type.len &&
                    same_bytes(r.type.ptr, q.type.ptr, q.type.len) && r.has_generation == q.has_generation &&
                    (!q.has_generation || r.generation == q.generation) && r.has_object_id == q.has_object_id &&
                    (!q.has_object_id || r.object_id == q.object_id);
        if (!same)
            return false;
    }
    r.offset = rec->offset;
    r.line_no = rec->line_no;
    if (refs) {
        r.refs = refs->v;
        r.nrefs = refs->n;
    }
    *rec = r;
    return true;
}

bool json_quick_details(const char *line, size_t len, scan_record *rec)
{
    return quick_details(line, len, rec, NULL);
}

bool json_quick_details_refs(const char *line, size_t len, scan_record *rec, scan_refbuf *refs)
{
    return quick_details(line, len, rec, refs);
}
