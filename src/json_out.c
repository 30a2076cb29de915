/* json_out.c - one JSON document (see json_out.h). */
#include "config.h"
#include "json_out.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

void json_out_init(json_out *j, FILE *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
}

/* Before any value or key: the comma that separates it from the one before
 * (not after a key, whose value it is). */
static void separate(json_out *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->has_items[j->depth])
        fputc(',', j->out);
    j->has_items[j->depth] = true;
}

static void begin_nested(json_out *j, char c)
{
    separate(j);
    fputc(c, j->out);
    j->depth++;
    assert(j->depth < JSON_OUT_DEPTH);
    j->has_items[j->depth] = false;
}

static void end_nested(json_out *j, char c)
{
    assert(j->depth > 0 && !j->after_key);
    j->depth--;
    fputc(c, j->out);
}

void json_object_begin(json_out *j) { begin_nested(j, '{'); }
void json_object_end(json_out *j) { end_nested(j, '}'); }
void json_array_begin(json_out *j) { begin_nested(j, '['); }
void json_array_end(json_out *j) { end_nested(j, ']'); }

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_length(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t k = 1; k < len; k++)
        if ((s[k] & 0xc0) != 0x80)
            return 0;
    /* Overlong forms, surrogates and code points past U+10FFFF. */
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0) || (c == 0xf0 && s[1] < 0x90) ||
        (c == 0xf4 && s[1] >= 0x90))
        return 0;
    return len;
}

static void write_string(FILE *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    fputc('"', out);
    while (p < end) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(out, "\\u%04x", c);
            p++;
        } else if (c < 0x80) {
            fputc(c, out);
            p++;
        } else {
            size_t n = utf8_length(p, (size_t)(end - p));
            if (n) {
                fwrite(p, 1, n, out);
                p += n;
            } else {
                fputs("\\ufffd", out);
                p++;
            }
        }
    }
    fputc('"', out);
}

void json_key(json_out *j, const char *key)
{
    assert(!j->after_key);
    separate(j);
    write_string(j->out, key, strlen(key));
    fputc(':', j->out);
    j->after_key = true;
}

void json_string(json_out *j, const char *s, size_t len)
{
    separate(j);
    write_string(j->out, s ? s : "", s ? len : 0);
}

void json_cstring(json_out *j, const char *s)
{
    json_string(j, s, s ? strlen(s) : 0);
}

void json_string_or_null(json_out *j, const char *s, size_t len)
{
    if (len)
        json_string(j, s, len);
    else
        json_null(j);
}

void json_u64(json_out *j, uint64_t v)
{
    separate(j);
    fprintf(j->out, "%" PRIu64, v);
}

void json_double(json_out *j, double v)
{
    separate(j);
    fprintf(j->out, "%.10g", v);
}

void json_bool(json_out *j, bool v)
{
    separate(j);
    fputs(v ? "true" : "false", j->out);
}

void json_null(json_out *j)
{
    separate(j);
    fputs("null", j->out);
}

void json_address(json_out *j, uint64_t addr)
{
    separate(j);
    fprintf(j->out, "\"0x%" PRIx64 "\"", addr);
}

void json_member_u64(json_out *j, const char *key, uint64_t v)
{
    json_key(j, key);
    json_u64(j, v);
}

void json_member_cstring(json_out *j, const char *key, const char *s)
{
    json_key(j, key);
    json_cstring(j, s);
}

void json_member_bool(json_out *j, const char *key, bool v)
{
    json_key(j, key);
    json_bool(j, v);
}

bool json_out_finish(json_out *j)
{
    assert(j->depth == 0 && !j->after_key);
    fputc('\n', j->out);
    return fflush(j->out) == 0 && !ferror(j->out);
}
