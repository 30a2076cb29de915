/* shapes.c - the shape tree of one dump: SHAPE records by id. */
#include "config.h"
#include "shapes.h"

#include <stdlib.h>
#include <string.h>

#include "status.h"

static const char *const kind_names[] = {
#define SHAPE_KIND_NAME(e, name) [e] = name,
    SHAPE_KINDS(SHAPE_KIND_NAME)
#undef SHAPE_KIND_NAME
};

shape_kind shapes_kind_of(const char *text, size_t len)
{
    for (unsigned k = 1; k < SHAPE_KIND_COUNT; k++)
        if (strlen(kind_names[k]) == len && memcmp(kind_names[k], text, len) == 0)
            return (shape_kind)k;
    return SHAPE_OTHER;
}

static void grow(shape_table *t, uint32_t id)
{
    if (id < t->cap)
        return;
    uint32_t cap = t->cap ? t->cap : 256;
    while (cap <= id)
        cap *= 2;
    t->parent = hs_xrealloc(t->parent, cap * sizeof *t->parent);
    t->edge = hs_xrealloc(t->edge, cap * sizeof *t->edge);
    t->kind = hs_xrealloc(t->kind, cap * sizeof *t->kind);
    for (uint32_t k = t->cap; k < cap; k++) {
        t->parent[k] = SHAPES_NONE;
        t->edge[k] = STRTAB_NONE;
        t->kind[k] = SHAPE_KIND_COUNT;
    }
    t->cap = cap;
}

void shapes_add(shape_table *t, uint64_t id, uint64_t parent, bool has_parent, uint32_t edge, shape_kind kind)
{
    /* Ids are dense from 0 and far below the mask; a record beyond it names
     * no object's shape, so it is not kept. */
    if (id > SHAPES_ID_MASK)
        return;
    grow(t, (uint32_t)id);
    if (t->kind[id] == SHAPE_KIND_COUNT)
        t->count++;
    t->parent[id] = has_parent && parent <= SHAPES_ID_MASK ? (uint32_t)parent : SHAPES_NONE;
    t->edge[id] = edge;
    t->kind[id] = (uint8_t)kind;
}

void shapes_remap(shape_table *t, const uint32_t *map)
{
    for (uint32_t k = 0; k < t->cap; k++)
        if (t->kind[k] != SHAPE_KIND_COUNT)
            t->edge[k] = map[t->edge[k]];
}

void shapes_merge(shape_table *dst, const shape_table *src)
{
    for (uint32_t k = 0; k < src->cap; k++)
        if (src->kind[k] != SHAPE_KIND_COUNT)
            shapes_add(dst, k, src->parent[k], src->parent[k] != SHAPES_NONE, src->edge[k], (shape_kind)src->kind[k]);
}

/* Does the chain end at record s? At one without a parent; or at a root
 * (ROOT, T_OBJECT) whose parent names no record: Ruby 3.4's 16-bit ids on
 * 32-bit builds write the invalid id 65535 there. */
static bool chain_ends(const shape_table *t, uint64_t s)
{
    uint32_t p = t->parent[s];
    if (p == SHAPES_NONE)
        return true;
    shape_kind k = (shape_kind)t->kind[s];
    return (k == SHAPE_ROOT || k == SHAPE_T_OBJECT) && (p >= t->cap || t->kind[p] == SHAPE_KIND_COUNT);
}

shape_ivars shapes_ivars(const shape_table *t, uint64_t shape_id, uint32_t *names, size_t max)
{
    shape_ivars out = { .obj_id_slot = SIZE_MAX };
    uint64_t id = shape_id & SHAPES_ID_MASK;
    /* Count first (the chain is read leaf to root), then fill from the end. */
    size_t depth = 0;
    for (uint64_t s = id;; depth++) {
        if (s >= t->cap || t->kind[s] == SHAPE_KIND_COUNT || depth > t->count)
            return out; /* a record missing, or a loop: nothing is known */
        shape_kind k = (shape_kind)t->kind[s];
        if (k == SHAPE_TOO_COMPLEX)
            out.too_complex = true;
        if (k == SHAPE_IVAR)
            out.nnames++;
        if (k == SHAPE_IVAR || k == SHAPE_OBJ_ID)
            out.slots++;
        if (chain_ends(t, s))
            break;
        s = t->parent[s];
    }
    out.known = true;
    size_t name = out.nnames, slot = out.slots;
    for (uint64_t s = id;; s = t->parent[s]) {
        shape_kind k = (shape_kind)t->kind[s];
        if (k == SHAPE_IVAR || k == SHAPE_OBJ_ID)
            slot--;
        if (k == SHAPE_OBJ_ID)
            out.obj_id_slot = slot;
        if (k == SHAPE_IVAR && --name < max)
            names[name] = t->edge[s];
        if (chain_ends(t, s))
            break;
    }
    return out;
}

void shapes_free(shape_table *t)
{
    free(t->parent);
    free(t->edge);
    free(t->kind);
    memset(t, 0, sizeof *t);
}
