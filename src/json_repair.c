/* json_repair.c - a forgiving reader for the lines of a dump that are not JSON.
 *
 * It walks the members of one line left to right. Strings end at the first
 * quote that is followed by something a dump line can continue with (see the
 * header); backslashes are kept as they are, since the values that break lines
 * (file paths, garbage method names) were never escaped. Whatever members were
 * read before a line stops making sense are kept.
 */
#include "json_repair.h"

#include <stdio.h>
#include <string.h>

#include "status.h"

bool scan_parse_hex(const char *p, size_t len, uint64_t *out)
{
    if (len >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        len -= 2;
    }
    if (len == 0)
        return false;
    while (len > 1 && *p == '0') { /* zero padding does not count toward 16 digits */
        p++;
        len--;
    }
    if (len > 16)
        return false;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (len >= 8)
        return scan_hex_8_16(p, len, out);
#endif
    /* Digit value + 1 by byte; 0 for bytes that are no hex digit. */
    static const unsigned char digit[256] = {
        ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
        ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
        ['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
    };
    uint64_t v = 0;
    bool ok = true;
    for (size_t i = 0; i < len; i++) {
        unsigned d = digit[(unsigned char)p[i]];
        ok &= d != 0;
        v = v << 4 | ((d - 1) & 0xf);
    }
    if (!ok)
        return false;
    *out = v;
    return true;
}

bool scan_parse_uint(const char *p, size_t len, uint64_t *out)
{
    if (len == 0 || len > 20)
        return false;
    if (len < 20) {
        /* 19 digits cannot overflow: no check per digit. */
        uint64_t v = 0;
        for (size_t i = 0; i < len; i++) {
            unsigned d = (unsigned char)p[i] - '0';
            if (d > 9)
                return false;
            v = v * 10 + d;
        }
        *out = v;
        return true;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned char)p[i] - '0';
        if (d > 9)
            return false;
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

void scan_refbuf_push(scan_refbuf *b, uint64_t addr)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1024;
        b->v = hs_xrealloc(b->v, b->cap * sizeof *b->v);
    }
    b->v[b->n++] = addr;
}

void scan_record_finish(scan_record *rec)
{
    const scan_str *t = &rec->type;
    if (t->len == 4 && memcmp(t->ptr, "ROOT", 4) == 0)
        rec->kind = SCAN_ROOT;
    else if (t->len == 5 && memcmp(t->ptr, "SHAPE", 5) == 0)
        rec->kind = SCAN_SHAPE;
    else
        rec->kind = SCAN_OBJECT;
}

/* ---- the forgiving parser ------------------------------------------------ */

typedef struct cursor {
    const char *p;   /* next byte */
    const char *end; /* one past the line */
} cursor;

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'))
        c->p++;
}

static bool is_key_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* True when the closing quote at q is followed by what can follow a member
 * value inside an object: `, "key":` or `}` (then only white space to the end
 * of the line, or more `}` for nested objects). */
static bool ends_member(const char *q, const char *end)
{
    const char *p = q + 1;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    if (p == end)
        return true; /* cut short right after the string: take it */
    if (*p == '}')
        return true;
    if (*p != ',')
        return false;
    p++;
    while (p < end && *p == ' ')
        p++;
    if (p == end || *p != '"')
        return false;
    p++;
    const char *k = p;
    while (p < end && is_key_char(*p))
        p++;
    if (p == k || p == end || *p != '"')
        return false;
    p++;
    while (p < end && *p == ' ')
        p++;
    return p < end && *p == ':';
}

/* A string value starting at c->p (just past its opening quote). Sets *s to its
 * raw bytes. Returns false when the line ends first; *s then holds the rest. */
static bool read_member_string(cursor *c, scan_str *s)
{
    const char *start = c->p;
    for (const char *q = start; q < c->end; q++) {
        q = memchr(q, '"', (size_t)(c->end - q));
        if (!q)
            break;
        if (ends_member(q, c->end)) {
            s->ptr = start;
            s->len = (uint32_t)(q - start);
            c->p = q + 1;
            return true;
        }
    }
    s->ptr = start;
    s->len = (uint32_t)(c->end - start);
    c->p = c->end;
    return false;
}

/* A bare token (number, true, false, null, or an unquoted address). */
static scan_str read_bare(cursor *c)
{
    scan_str s = { c->p, 0 };
    while (c->p < c->end && *c->p != ',' && *c->p != '}' && *c->p != ']' && *c->p != ' ')
        c->p++;
    s.len = (uint32_t)(c->p - s.ptr);
    return s;
}

/* Skips a nested object or array, strings and escapes respected. False when
 * the line ends inside it. */
static bool skip_nested(cursor *c)
{
    int depth = 0;
    bool in_str = false;
    for (; c->p < c->end; c->p++) {
        char ch = *c->p;
        if (in_str) {
            if (ch == '\\' && c->p + 1 < c->end) /* a last backslash escapes nothing */
                c->p++;
            else if (ch == '"')
                in_str = false;
        } else if (ch == '"') {
            in_str = true;
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            if (--depth == 0) {
                c->p++;
                return true;
            }
        }
    }
    return false;
}

/* "references":[ "0x..", ... ]: addresses are plain, so quotes are simple. */
static bool read_refs(cursor *c, bool want, scan_refbuf *refs, uint32_t *bad)
{
    c->p++; /* '[' */
    for (;;) {
        skip_ws(c);
        if (c->p >= c->end)
            return false;
        if (*c->p == ']') {
            c->p++;
            return true;
        }
        scan_str tok;
        bool quoted = *c->p == '"';
        if (quoted) {
            c->p++;
            const char *q = memchr(c->p, '"', (size_t)(c->end - c->p));
            if (!q)
                return false;
            tok.ptr = c->p;
            tok.len = (uint32_t)(q - c->p);
            c->p = q + 1;
        } else {
            tok = read_bare(c);
            if (tok.len == 0)
                return false;
        }
        /* Ruby quotes every address: a bare number is no reference. */
        uint64_t a;
        if (quoted && scan_parse_hex(tok.ptr, tok.len, &a)) {
            if (want)
                scan_refbuf_push(refs, a);
        } else {
            (*bad)++;
        }
        skip_ws(c);
        if (c->p < c->end && *c->p == ',')
            c->p++;
    }
}

/* "flags":{...}: only object_id matters (Ruby 3.5+), read into *oid,
 * setting *has. */
static bool read_flags(cursor *c, uint64_t *oid, bool *has)
{
    const char *start = c->p;
    if (!skip_nested(c))
        return false;
    static const char key[] = "\"object_id\":";
    size_t klen = sizeof key - 1;
    for (const char *p = start; p + klen < c->p; p++) {
        if (memcmp(p, key, klen) == 0) {
            const char *v = p + klen;
            const char *e = v;
            while (e < c->p && *e >= '0' && *e <= '9')
                e++;
            *has = scan_parse_uint(v, (size_t)(e - v), oid);
            break;
        }
    }
    return true;
}

/* What member_head found. */
typedef enum head_result {
    HEAD_OK,        /* the name was read; c->p is at the value */
    HEAD_END,       /* the line ended */
    HEAD_NO_NAME,   /* something other than a quoted name */
    HEAD_NO_COLON,  /* a name not followed by ':' (or by the end of the line) */
} head_result;

/* Reads `"name":` at c->p (white space allowed around the colon) into *key. */
static head_result member_head(cursor *c, scan_str *key)
{
    if (c->p >= c->end)
        return HEAD_END;
    if (*c->p != '"')
        return HEAD_NO_NAME;
    c->p++;
    const char *k = c->p;
    while (c->p < c->end && *c->p != '"')
        c->p++;
    if (c->p >= c->end)
        return HEAD_END;
    key->ptr = k;
    key->len = (uint32_t)(c->p - k);
    c->p++;
    skip_ws(c);
    if (c->p >= c->end || *c->p != ':')
        return HEAD_NO_COLON;
    c->p++;
    skip_ws(c);
    return c->p >= c->end ? HEAD_END : HEAD_OK;
}

static void note(char *why, size_t size, const char *text)
{
    static const char more[] = "; ...";
    size_t used = strlen(why);
    if (size < sizeof more || (used >= sizeof more - 1 && strcmp(why + used - (sizeof more - 1), more) == 0))
        return; /* too small to say anything, or already full */
    size_t sep = used ? 2 : 0;
    /* The note fits, and leaves room to say later ones did not. */
    if (used + sep + strlen(text) + sizeof more <= size) {
        snprintf(why + used, size - used, "%s%s", sep ? "; " : "", text);
        return;
    }
    /* It does not: "; ..." in its place (over the end of the last note if
     * needed). */
    if (used + sizeof more > size)
        used = size - sizeof more;
    memcpy(why + used, more, sizeof more);
}

/* Adds "MEMBER TEXT" to why. */
static void note_member(char *why, size_t size, scan_key key, const char *text)
{
    char buf[96];
    snprintf(buf, sizeof buf, "%s %s", scan_key_name(key), text);
    note(why, size, buf);
}

/* Where a member's value goes: the fields of its row (dump_members.h) in
 * rec, through the pointer of its kind; the others NULL. */
typedef struct member_dest {
    scan_str *str;  /* DUMP_RAW, DUMP_STRING */
    uint64_t *u64;  /* DUMP_HEX, DUMP_U64, DUMP_FLAGS */
    uint32_t *u32;  /* DUMP_U32 */
    bool *has;      /* the has_ flag of a number or an address */
    uint32_t *bad;  /* DUMP_REFS: references that are no address */
} member_dest;

#define DEST_DUMP_RAW(r, field) d.str = &(r)->field;
#define DEST_DUMP_STRING(r, field) d.str = &(r)->field;
#define DEST_DUMP_HEX(r, field) d.u64 = &(r)->field, d.has = &(r)->has_##field;
#define DEST_DUMP_U32(r, field) d.u32 = &(r)->field, d.has = &(r)->has_##field;
#define DEST_DUMP_U64(r, field) d.u64 = &(r)->field, d.has = &(r)->has_##field;
#define DEST_DUMP_REFS(r, field) d.bad = &(r)->bad_##field;
#define DEST_DUMP_FLAGS(r, field) d.u64 = &(r)->field, d.has = &(r)->has_##field;
/* A DUMP_FALLBACK row whose field is filled already is read and checked as
 * the others are, into spare, which is not kept. */
#define DEST_RECORD_DUMP_OWN(kind, field) rec
#define DEST_RECORD_DUMP_SHARED(kind, field) rec
#define DEST_RECORD_DUMP_FALLBACK(kind, field) (DUMP_FILLED(kind, rec, field) ? spare : rec)

static member_dest dest_of(scan_record *rec, scan_record *spare, scan_key key)
{
    member_dest d = { NULL, NULL, NULL, NULL, NULL };
    (void)spare; /* used only by DUMP_FALLBACK rows */
    switch (key) {
#define MEMBER_DEST(id, json_name, kind, field, how) \
    case KEY_##id:                                   \
        DEST_##kind(DEST_RECORD_##how(kind, field), field) break;
    DUMP_MEMBERS(MEMBER_DEST)
#undef MEMBER_DEST
    case KEY_OTHER: break;
    }
    return d;
}

/* How a member that should hold an address says that it does not. */
static const char *not_address(scan_key key)
{
    /* Without its address a line is no object: nothing is "left out". */
    return key == KEY_ADDRESS ? "is not a hex number" : "is not an address (left out)";
}

static void store_bare(scan_record *rec, scan_key key, scan_str s, char *why, size_t why_size);

/* Stores a string member; a member that should be a number is read as one
 * when it is, and left out (with a note) when not. */
static void store_string(scan_record *rec, scan_key key, scan_str s, char *why, size_t why_size)
{
    scan_record spare;
    member_dest d = dest_of(rec, &spare, key);
    uint64_t v;
    switch (scan_key_kind(key)) {
    case DUMP_HEX:
        *d.has = scan_parse_hex(s.ptr, s.len, d.u64);
        if (!*d.has)
            note_member(why, why_size, key, not_address(key));
        return;
    case DUMP_RAW:
    case DUMP_STRING: *d.str = s; return;
    case DUMP_NONE: return;
    case DUMP_U32:
    case DUMP_U64:
    case DUMP_REFS:
    case DUMP_FLAGS:
        /* A number written as a string: use it if it is one. */
        if (!scan_parse_uint(s.ptr, s.len, &v)) {
            note_member(why, why_size, key, "is a string, not a number (left out)");
            return;
        }
        store_bare(rec, key, s, why, why_size);
        note_member(why, why_size, key, "is a number written as a string");
        return;
    }
}

/* Stores a bare member value (number, or an unquoted address). */
static void store_bare(scan_record *rec, scan_key key, scan_str s, char *why, size_t why_size)
{
    scan_record spare;
    member_dest d = dest_of(rec, &spare, key);
    uint64_t v = 0;
    bool num = scan_parse_uint(s.ptr, s.len, &v);
    dump_kind kind = scan_key_kind(key);
    char buf[96];
    switch (kind) {
    case DUMP_RAW:
    case DUMP_STRING: note_member(why, why_size, key, "is not a string (left out)"); return;
    case DUMP_HEX:
        *d.has = scan_parse_hex(s.ptr, s.len, d.u64);
        if (*d.has) {
            snprintf(buf, sizeof buf, "unquoted %s read as hex", scan_key_name(key));
            note(why, why_size, buf);
        } else {
            note_member(why, why_size, key, not_address(key));
        }
        return;
    case DUMP_U32: *d.has = num && v <= UINT32_MAX; *d.u32 = (uint32_t)v; break;
    case DUMP_U64: *d.has = num; *d.u64 = v; break;
    case DUMP_NONE:
    case DUMP_REFS:
    case DUMP_FLAGS: return; /* KEY_OTHER, or bare references or flags: nothing to keep */
    }
    if (!num)
        note_member(why, why_size, key, "is not a whole number (left out)");
    else if (v > UINT32_MAX && kind == DUMP_U32)
        note_member(why, why_size, key, "is too large (left out)");
}

bool json_repair_line(const char *line, size_t len, bool want_refs, scan_refbuf *refs,
                      scan_record *rec, char *why, size_t why_size)
{
    cursor c = { line, line + len };
    why[0] = '\0';
    refs->n = 0;
    skip_ws(&c);
    if (c.p >= c.end || *c.p != '{') {
        note(why, why_size, "does not start with '{'");
        return false;
    }
    c.p++;
    bool complete = false;
    for (;;) {
        skip_ws(&c);
        if (c.p >= c.end)
            break;
        if (*c.p == '}') {
            complete = true;
            break;
        }
        scan_str name;
        head_result head = member_head(&c, &name);
        if (head == HEAD_NO_NAME)
            note(why, why_size, "expected a member name");
        else if (head == HEAD_NO_COLON)
            note(why, why_size, "expected ':' after a member name");
        if (head != HEAD_OK)
            break;
        scan_key key = scan_key_of(name.ptr, name.len);
        bool ok = true;
        if (*c.p == '"') {
            c.p++;
            scan_str s;
            ok = read_member_string(&c, &s);
            store_string(rec, key, s, why, why_size);
        } else if (*c.p == '[' || *c.p == '{') {
            char open = *c.p;
            dump_kind kind = scan_key_kind(key);
            scan_record spare;
            member_dest d = dest_of(rec, &spare, key);
            if (kind == DUMP_REFS && open == '[') {
                ok = read_refs(&c, want_refs, refs, d.bad);
            } else if (kind == DUMP_FLAGS && open == '{') {
                ok = read_flags(&c, d.u64, d.has);
            } else {
                ok = skip_nested(&c);
                if (key != KEY_OTHER)
                    note_member(why, why_size, key, open == '[' ? "is an array (left out)" : "is an object (left out)");
            }
        } else {
            store_bare(rec, key, read_bare(&c), why, why_size);
        }
        if (!ok)
            break;
        skip_ws(&c);
        if (c.p < c.end && *c.p == ',') {
            c.p++;
            continue;
        }
        if (c.p < c.end && *c.p == '}') {
            complete = true;
            break;
        }
        if (c.p < c.end) {
            note(why, why_size, "unexpected text between members");
            break;
        }
    }
    if (rec->bad_refs) {
        char buf[80];
        snprintf(buf, sizeof buf, JSON_REPAIR_BAD_REFS, rec->bad_refs);
        note(why, why_size, buf);
    }
    if (!complete)
        note(why, why_size, "line ends inside the object");
    rec->refs = refs->v;
    rec->nrefs = refs->n;
    if (!rec->type.ptr) {
        note(why, why_size, "no type");
        return false;
    }
    scan_record_finish(rec);
    if (rec->kind == SCAN_OBJECT && !rec->has_address) {
        note(why, why_size, "no address");
        return false;
    }
    return true;
}

size_t json_members(const char *line, size_t len, json_member *out, size_t max)
{
    cursor c = { line, line + len };
    size_t n = 0;
    skip_ws(&c);
    if (c.p >= c.end || *c.p != '{')
        return 0;
    c.p++;
    for (;;) {
        skip_ws(&c);
        json_member m = { { NULL, 0 }, { NULL, 0 }, false };
        if (member_head(&c, &m.key) != HEAD_OK)
            break;
        bool ok = true;
        if (*c.p == '"') {
            c.p++;
            ok = read_member_string(&c, &m.value);
            m.is_string = true;
        } else if (*c.p == '[' || *c.p == '{') {
            const char *v = c.p;
            ok = skip_nested(&c);
            m.value.ptr = v;
            m.value.len = (uint32_t)(c.p - v);
        } else {
            m.value = read_bare(&c);
        }
        if (n < max)
            out[n] = m;
        n++;
        if (!ok)
            break;
        skip_ws(&c);
        if (c.p < c.end && *c.p == ',') {
            c.p++;
            continue;
        }
        break;
    }
    return n;
}

static int hex4(const char *p, const char *end)
{
    if (end - p < 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

/* The byte a one-character JSON escape stands for, or -1. */
static int simple_escape(char e)
{
    switch (e) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return -1;
    }
}

size_t json_unescape(const char *s, size_t len, char *out, size_t cap)
{
    size_t i = 0, n = 0;
#define OUT(c) do { if (n < cap) out[n] = (char)(c); n++; } while (0)
    while (i < len && n < cap) {
        if (s[i] != '\\' || i + 1 >= len) {
            OUT(s[i]);
            i++;
            continue;
        }
        int c = simple_escape(s[i + 1]);
        if (c >= 0) {
            OUT(c);
            i += 2;
            continue;
        }
        int cp = s[i + 1] == 'u' ? hex4(s + i + 2, s + len) : -1;
        if (cp < 0) {
            OUT(s[i]); /* not a JSON escape: keep the backslash */
            i++;
            continue;
        }
        i += 6;
        if (cp >= 0xd800 && cp <= 0xdbff && i + 6 <= len && s[i] == '\\' && s[i + 1] == 'u') {
            int lo = hex4(s + i + 2, s + len);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            }
        }
        if (cp < 0x80) {
            OUT(cp);
        } else if (cp < 0x800) {
            OUT(0xc0 | cp >> 6); OUT(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            OUT(0xe0 | cp >> 12); OUT(0x80 | ((cp >> 6) & 0x3f)); OUT(0x80 | (cp & 0x3f));
        } else {
            OUT(0xf0 | cp >> 18); OUT(0x80 | ((cp >> 12) & 0x3f)); OUT(0x80 | ((cp >> 6) & 0x3f));
            OUT(0x80 | (cp & 0x3f));
        }
    }
#undef OUT
    return n < cap ? n : cap;
}
