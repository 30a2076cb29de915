/* textsafe.c - visible escapes for unsafe bytes. */
#include "textsafe.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid; the
 * code point goes to *cp. Overlong forms and surrogates are invalid. */
static size_t utf8_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        n = 2; v = c & 0x1f; min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3; v = c & 0x0f; min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4; v = c & 0x07; min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

/* Code points that are invisible or change how the rest of a line is shown. */
static bool unsafe_code_point(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f)          /* C1 controls (CSI is 0x9b) */
        || cp == 0x200b || cp == 0x200e || cp == 0x200f /* zero width, LRM, RLM */
        || (cp >= 0x202a && cp <= 0x202e)      /* bidi embeddings and overrides */
        || (cp >= 0x2066 && cp <= 0x2069)      /* bidi isolates */
        || cp == 0x2028 || cp == 0x2029        /* line and paragraph separators */
        || cp == 0xfeff;                       /* byte order mark */
}

size_t textsafe_escape(const char *s, size_t len, char *buf, size_t size)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t out = 0;
#define PUT(str, n)                                                         \
    do {                                                                    \
        size_t n_ = (n);                                                    \
        if (size && out < size - 1) {                                       \
            size_t room = size - 1 - out;                                   \
            memcpy(buf + out, (str), n_ < room ? n_ : room);                \
        }                                                                   \
        out += n_;                                                          \
    } while (0)
    for (size_t i = 0; i < len;) {
        char esc[16];
        uint32_t cp;
        size_t n = utf8_seq(u + i, len - i, &cp);
        if (n == 0) {
            snprintf(esc, sizeof esc, "\\x%02x", u[i]);
            PUT(esc, 4);
            i++;
            continue;
        }
        if (cp < 0x20 || cp == 0x7f) {
            const char *e = cp == '\n' ? "\\n" : cp == '\t' ? "\\t" : cp == '\r' ? "\\r" : NULL;
            if (e) {
                PUT(e, 2);
            } else {
                snprintf(esc, sizeof esc, "\\x%02x", (unsigned)cp);
                PUT(esc, 4);
            }
        } else if (cp == '\\') {
            PUT("\\\\", 2);
        } else if (unsafe_code_point(cp)) {
            int w = snprintf(esc, sizeof esc, "\\u{%04x}", (unsigned)cp);
            PUT(esc, (size_t)w);
        } else {
            PUT(s + i, n);
        }
        i += n;
    }
#undef PUT
    if (size)
        buf[out < size ? out : size - 1] = '\0';
    return out;
}

bool textsafe_is_clean(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_seq(u + i, len - i, &cp);
        if (n == 0 || cp < 0x20 || cp == 0x7f || cp == '\\' || unsafe_code_point(cp))
            return false;
        i += n;
    }
    return true;
}

void textsafe_write(FILE *out, const char *s, size_t len, bool escape)
{
    if (!escape || textsafe_is_clean(s, len)) {
        fwrite(s, 1, len, out);
        return;
    }
    size_t need = textsafe_escape(s, len, NULL, 0) + 1;
    char *buf = hs_xmalloc(need);
    textsafe_escape(s, len, buf, need);
    fputs(buf, out);
    free(buf);
}
