/* strtab.h - interned byte strings: each distinct string stored once, named
 * by a small integer id.
 *
 * Dumps repeat the same few thousand file paths, method names and class names
 * millions of times; objects keep a 4-byte id instead of a pointer. Strings are
 * byte sequences with a length (dump text may hold NUL bytes or invalid UTF-8).
 *
 * Id 0 is reserved for "absent" (the dump had no such field); its text is "".
 * A strtab is not thread-safe: each loader thread interns into its own table
 * and strtab_merge() folds them together afterwards.
 */
#ifndef HEAPSIFT_STRTAB_H
#define HEAPSIFT_STRTAB_H

#include <stddef.h>
#include <stdint.h>

typedef struct strtab strtab;

#define STRTAB_NONE 0u /* id of an absent string */

/* A new table holding only id 0. Never NULL (aborts when out of memory). */
strtab *strtab_new(void);
void strtab_free(strtab *t);

/* Id of the string s[0..len), adding it when new. s need not be terminated
 * and is copied; the caller keeps ownership of s. */
uint32_t strtab_intern(strtab *t, const char *s, size_t len);

/* Id of s when present, else STRTAB_NONE; never adds. */
uint32_t strtab_find(const strtab *t, const char *s, size_t len);

/* Text of id (NUL-terminated for convenience, but may hold NULs: use *len).
 * The pointer stays valid until the table is freed. len may be NULL. */
const char *strtab_str(const strtab *t, uint32_t id, size_t *len);

/* Number of ids in use, including id 0. */
uint32_t strtab_count(const strtab *t);

/* Interns every string of src into dst and returns a map, indexed by src id,
 * of dst ids (map[0] == 0). The caller frees the map. */
uint32_t *strtab_merge(strtab *dst, const strtab *src);

#endif
