/* json_repair.h - reading dump lines that are not valid JSON.
 *
 * Ruby writes some lines that no JSON parser accepts: "file" is never escaped
 * (a path with a quote or a backslash breaks the line), Ruby 3.0-3.1 write
 * garbage for non-ASCII method names, class names were unescaped before 3.3,
 * and the last line of a dump from a dying process is cut short. Every member
 * of a dump line is `"key":value` and members are joined by ", ", so a string
 * value ends at the first quote that is followed by `, "key":` or by the
 * closing brace at the end of the line. That is what this parser relies on.
 *
 * Also holds the small helpers the simdjson path shares (hex addresses,
 * numbers); the members read are in dump_members.h. Pure C, no state: safe
 * from any thread.
 */
#ifndef HEAPSIFT_JSON_REPAIR_H
#define HEAPSIFT_JSON_REPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dump_members.h"
#include "json_scan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parses "0x1f" or "1f" (a hex address, any length up to 16 digits) from
 * p[0..len). False when empty, not hex, or over 64 bits. */
bool scan_parse_hex(const char *p, size_t len, uint64_t *out);

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#include <string.h>
/* Eight hex digits at p (p[0] the most significant) into *v, all at once;
 * false when one is no hex digit. With every byte below 0x80 no lane of the
 * sums below carries into the next: b + (0x80 - lo) has its high bit set
 * exactly when b >= lo. */
static inline __attribute__((always_inline)) bool scan_hex8(const char *p, uint64_t *v)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t x;
    memcpy(&x, p, 8);
    if (x & highs)
        return false;
    uint64_t digit = (x + ones * (0x80 - '0')) & ~(x + ones * (0x80 - '9' - 1)) & highs;
    uint64_t y = x | ones * 0x20; /* 'A'..'F' to 'a'..'f' (nothing else lands there) */
    uint64_t alpha = (y + ones * (0x80 - 'a')) & ~(y + ones * (0x80 - 'f' - 1)) & highs;
    if ((digit | alpha) != highs)
        return false;
    uint64_t n = (x & ones * 0x0f) + (alpha >> 7) * 9; /* each byte its digit's value */
    n = ((n << 4) | (n >> 8)) & 0x00ff00ff00ff00ffu;   /* pairs of digits */
    n = ((n << 8) | (n >> 16)) & 0x0000ffff0000ffffu;  /* fours */
    *v = ((n << 16) | (n >> 32)) & 0xffffffffu;
    return true;
}

/* len (8 to 16) hex digits at p, without "0x", into *out: the first eight
 * and the last eight, which overlap below 16, read at once. False (and
 * *out untouched) when one is no hex digit. */
static inline __attribute__((always_inline)) bool scan_hex_8_16(const char *p, size_t len, uint64_t *out)
{
    uint64_t hi, lo;
    if (!scan_hex8(p, &hi) || !scan_hex8(p + len - 8, &lo))
        return false;
    *out = (hi >> (4 * (16 - len))) << 32 | lo;
    return true;
}
#endif

/* scan_hex_8_16 where p[0..16) may be read whatever len is: sixteen bytes
 * checked and turned into nibbles at once with SSE2 (the bytes past len
 * taken as '0'), then packed in pairs; the same answer for every input. */
#ifdef __SSE2__
#include <emmintrin.h>
static inline __attribute__((always_inline)) bool scan_hex_8_16_wide(const char *p, size_t len, uint64_t *out)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i keep = _mm_cmplt_epi8(_mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                  _mm_set1_epi8((char)len));
    x = _mm_or_si128(_mm_and_si128(keep, x), _mm_andnot_si128(keep, _mm_set1_epi8('0')));
    /* Signed compares: a byte from 0x80 up is below both ranges. */
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
    __m128i y = _mm_or_si128(x, _mm_set1_epi8(0x20)); /* 'A'..'F' to 'a'..'f' (nothing else lands there) */
    __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(y, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(y, _mm_set1_epi8('f' + 1)));
    if (_mm_movemask_epi8(_mm_or_si128(digit, alpha)) != 0xffff)
        return false;
    __m128i v = _mm_add_epi8(_mm_and_si128(x, _mm_set1_epi8(0x0f)), _mm_and_si128(alpha, _mm_set1_epi8(9)));
    /* Each 16-bit lane: its first digit (the low byte) times 16 plus its second. */
    __m128i pairs = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(v, _mm_set1_epi16(0x00ff)), 4), _mm_srli_epi16(v, 8));
    uint64_t bytes = (uint64_t)_mm_cvtsi128_si64(_mm_packus_epi16(pairs, pairs));
    *out = __builtin_bswap64(bytes) >> (4 * (16 - len));
    return true;
}
#endif

/* scan_parse_hex, the same answer for every input, inline for the hot
 * paths: 8 to 16 digits without "0x" (every address of a real dump) are
 * read right here; anything else goes to scan_parse_hex. */
static inline __attribute__((always_inline)) bool scan_parse_hex_inline(const char *p, size_t len, uint64_t *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* "0x" or "0X" first, as a string member holds an address. */
    size_t skip = len >= 10 && p[0] == '0' && (p[1] | 0x20) == 'x' ? 2 : 0;
    if (len - skip >= 8 && len - skip <= 16 && scan_hex_8_16(p + skip, len - skip, out))
        return true;
#endif
    return scan_parse_hex(p, len, out);
}

/* scan_parse_hex_inline where p[0..16) may be read: the same answer for
 * every input, 8 to 16 digits sixteen bytes at once. */
static inline __attribute__((always_inline)) bool scan_parse_hex_wide(const char *p, size_t len, uint64_t *out)
{
#ifdef __SSE2__
    if (len >= 8 && len <= 16 && scan_hex_8_16_wide(p, len, out))
        return true;
    return scan_parse_hex(p, len, out);
#else
    return scan_parse_hex_inline(p, len, out);
#endif
}

/* Parses a decimal unsigned integer from p[0..len); false when it is not one
 * or does not fit in 64 bits. */
bool scan_parse_uint(const char *p, size_t len, uint64_t *out);

/* A growable array of addresses, owned by a json_scanner. */
typedef struct scan_refbuf {
    uint64_t *v;  /* the addresses */
    size_t n;     /* used */
    size_t cap;   /* allocated */
} scan_refbuf;

void scan_refbuf_push(scan_refbuf *b, uint64_t addr);

/* Room for json_repair_line's notes, with the NUL; notes that do not fit
 * are marked "; ..." at the end. */
#define JSON_REPAIR_WHY_MAX 224

/* The words for references that are no address (their count, an unsigned),
 * both readers' who leave them out: json_repair_line and the full parser. */
#define JSON_REPAIR_BAD_REFS "%u references are not quoted hex addresses (left out)"

/* Reads a line (without its newline) that is not valid JSON. Fills rec (its
 * strings point into line, raw) and returns true when the line yields a
 * record: an object with an address and a type, a ROOT or a SHAPE. why
 * receives a short phrase saying what was wrong and what was done. */
bool json_repair_line(const char *line, size_t len, bool want_refs, scan_refbuf *refs,
                      scan_record *rec, char *why, size_t why_size);

/* One member of a dump line, for showing a line in full. */
typedef struct json_member {
    scan_str key;    /* the member name */
    scan_str value;  /* a string's bytes between its quotes (raw, escapes kept),
                        or the raw text of any other value */
    bool is_string;  /* value was a string */
} json_member;

/* Splits line[0..len) into its members, with the forgiving rules above, so
 * broken lines show too. Fills at most max entries and returns how many
 * members the line has. Pointers are into line. */
size_t json_members(const char *line, size_t len, json_member *out, size_t max);

/* Decodes the JSON escapes of a string's raw bytes (\n, \", \u00e9 ...) into
 * out (at most cap bytes, not terminated); escapes that are not valid JSON
 * are kept as written. Returns the decoded length (never more than len). */
size_t json_unescape(const char *s, size_t len, char *out, size_t cap);

/* Sets rec->kind from rec->type once all members are read. */
void scan_record_finish(scan_record *rec);

#ifdef __cplusplus
}
#endif

#endif
