/* json_out.h - writing one JSON document: the nesting, the commas and the
 * escaping, so the writers of --format=json only say what goes where.
 *
 * Strings are byte strings from a dump (paths, class names, values): they
 * are written as valid JSON whatever they hold. Control characters, '"'
 * and '\' are escaped; valid UTF-8 is kept; each byte of invalid UTF-8
 * becomes U+FFFD, the replacement character (JSON text must be UTF-8).
 * Numbers are numbers, never strings. A document's errors are the stream's:
 * check ferror(out) when done.
 */
#ifndef HEAPSIFT_JSON_OUT_H
#define HEAPSIFT_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_OUT_DEPTH 32 /* nesting the writers need (they use under 10) */

typedef struct json_out {
    FILE *out;
    unsigned depth;                 /* open objects and arrays */
    bool has_items[JSON_OUT_DEPTH]; /* by depth: something written inside
                                       already (the next item needs a comma) */
    bool after_key;                 /* a key was written: its value comes next */
} json_out;

void json_out_init(json_out *j, FILE *out);

/* Opening and closing: { } and [ ]. */
void json_object_begin(json_out *j);
void json_object_end(json_out *j);
void json_array_begin(json_out *j);
void json_array_end(json_out *j);

/* A member's key, inside an object: its value is the next thing written. */
void json_key(json_out *j, const char *key);

/* Values. */
void json_string(json_out *j, const char *s, size_t len);
void json_cstring(json_out *j, const char *s);
void json_string_or_null(json_out *j, const char *s, size_t len); /* null when len is 0 */
void json_u64(json_out *j, uint64_t v);
void json_double(json_out *j, double v); /* 10 significant digits: shares */
void json_bool(json_out *j, bool v);
void json_null(json_out *j);
void json_address(json_out *j, uint64_t addr); /* "0x..." as the dump writes it */

/* A key and its value at once, for the common kinds. */
void json_member_u64(json_out *j, const char *key, uint64_t v);
void json_member_cstring(json_out *j, const char *key, const char *s);
void json_member_bool(json_out *j, const char *key, bool v);

/* Ends the document with a newline. Returns false when writing failed. */
bool json_out_finish(json_out *j);

#endif
