/* strtab.c - interned strings on uthash, text kept in a chunked arena. */
#include "strtab.h"

#include <string.h>

#include "hs_uthash.h"
#include "status.h"

typedef struct strtab_entry {
    const char *text;  /* in the arena, NUL-terminated after len bytes */
    uint32_t len;      /* length in bytes, not counting the terminator */
    uint32_t id;       /* index into strtab.entries */
    UT_hash_handle hh; /* keyed on text[0..len) */
} strtab_entry;

/* Arena block: strings are appended until it is full, then a new one starts.
 * Blocks are never moved, so text pointers stay valid. */
typedef struct arena_block {
    struct arena_block *next; /* older block */
    size_t used;              /* bytes taken of data */
    size_t size;              /* capacity of data */
    char data[];
} arena_block;

struct strtab {
    strtab_entry *by_text;   /* uthash head */
    strtab_entry **entries;  /* by id; entries[0] is the absent string */
    uint32_t count;          /* ids in use */
    uint32_t cap;            /* capacity of entries */
    arena_block *arena;      /* newest block first */
    strtab_entry none;       /* storage for id 0 */
};

enum { ARENA_BLOCK = 64 * 1024 };

static char *arena_copy(strtab *t, const char *s, size_t len)
{
    arena_block *b = t->arena;
    if (!b || b->size - b->used < len + 1) {
        size_t size = len + 1 > ARENA_BLOCK ? len + 1 : ARENA_BLOCK;
        b = hs_xmalloc(sizeof *b + size);
        b->next = t->arena;
        b->used = 0;
        b->size = size;
        t->arena = b;
    }
    char *p = b->data + b->used;
    memcpy(p, s, len);
    p[len] = '\0';
    b->used += len + 1;
    return p;
}

strtab *strtab_new(void)
{
    strtab *t = hs_xcalloc(1, sizeof *t);
    t->cap = 64;
    t->entries = hs_xmalloc(t->cap * sizeof *t->entries);
    t->none.text = "";
    t->entries[0] = &t->none;
    t->count = 1;
    return t;
}

void strtab_free(strtab *t)
{
    if (!t)
        return;
    strtab_entry *e, *tmp;
    HASH_ITER(hh, t->by_text, e, tmp) {
        HASH_DEL(t->by_text, e);
        free(e);
    }
    for (arena_block *b = t->arena, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(t->entries);
    free(t);
}

uint32_t strtab_find(const strtab *t, const char *s, size_t len)
{
    strtab_entry *e = NULL;
    HASH_FIND(hh, t->by_text, s, len, e);
    return e ? e->id : STRTAB_NONE;
}

uint32_t strtab_intern(strtab *t, const char *s, size_t len)
{
    strtab_entry *e = NULL;
    HASH_FIND(hh, t->by_text, s, len, e);
    if (e)
        return e->id;
    if (t->count == t->cap) {
        t->cap *= 2;
        t->entries = hs_xrealloc(t->entries, t->cap * sizeof *t->entries);
    }
    e = hs_xmalloc(sizeof *e);
    e->text = arena_copy(t, s, len);
    e->len = (uint32_t)len;
    e->id = t->count;
    t->entries[t->count++] = e;
    HASH_ADD_KEYPTR(hh, t->by_text, e->text, e->len, e);
    return e->id;
}

const char *strtab_str(const strtab *t, uint32_t id, size_t *len)
{
    const strtab_entry *e = id < t->count ? t->entries[id] : &t->none;
    if (len)
        *len = e->len;
    return e->text;
}

uint32_t strtab_count(const strtab *t)
{
    return t->count;
}

uint32_t *strtab_merge(strtab *dst, const strtab *src)
{
    uint32_t *map = hs_xmalloc(src->count * sizeof *map);
    map[0] = STRTAB_NONE;
    for (uint32_t id = 1; id < src->count; id++)
        map[id] = strtab_intern(dst, src->entries[id]->text, src->entries[id]->len);
    return map;
}
