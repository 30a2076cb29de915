/* shapes.h - the shape tree of one dump (Ruby 3.2+): which instance
 * variables an object's shape gives it, in slot order.
 *
 * A SHAPE record is {"id":N, "parent_id":P, "shape_type":"IVAR",
 * "edge_name":"@name", ...}; an object's "shape_id" names the leaf of a
 * chain whose IVAR records, read root first, are its ivars in slot order.
 * Ruby 3.5+ packs flag bits above the id: SHAPES_ID_MASK gives the id.
 *
 * The table is filled while the dump loads (shapes_add from any chunk, in
 * any order) and read-only afterwards.
 */
#ifndef HEAPSIFT_SHAPES_H
#define HEAPSIFT_SHAPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strtab.h"

/* The low bits of an object's "shape_id" that name its SHAPE record. */
#define SHAPES_ID_MASK 0x7FFFFu

/* What a SHAPE record's "shape_type" says; X(ENUM, "shape_type"). */
#define SHAPE_KINDS(X)                                                          \
    X(SHAPE_OTHER, "")                /* absent, or a type heapsift does not know */ \
    X(SHAPE_ROOT, "ROOT")             /* no ivar: where chains start */          \
    X(SHAPE_IVAR, "IVAR")             /* adds the ivar edge_name */              \
    X(SHAPE_FROZEN, "FROZEN")         /* the object was frozen (3.2-3.4) */      \
    X(SHAPE_T_OBJECT, "T_OBJECT")     /* a T_OBJECT root of some capacity (3.3-3.4) */ \
    X(SHAPE_TOO_COMPLEX, "OBJ_TOO_COMPLEX") /* ivars in a hash table: names not in the dump */ \
    X(SHAPE_OBJ_ID, "OBJ_ID")         /* a slot holding the object_id (3.5+): an Integer */ \
    X(SHAPE_INITIAL_CAPACITY, "INITIAL_CAPACITY") /* a root of some capacity (3.2) */ \
    X(SHAPE_CAPACITY_CHANGE, "CAPACITY_CHANGE")   /* capacity grew (3.2) */

typedef enum shape_kind {
#define SHAPE_KIND_ENUM(e, name) e,
    SHAPE_KINDS(SHAPE_KIND_ENUM)
#undef SHAPE_KIND_ENUM
    SHAPE_KIND_COUNT
} shape_kind;

#define SHAPES_NONE UINT32_MAX /* parent of a chain's first record; an unknown id */

typedef struct shape_table {
    uint32_t cap;       /* entries allocated; ids 0..cap-1 can be stored */
    uint32_t count;     /* SHAPE records stored */
    uint32_t *parent;   /* by id: "parent_id", SHAPES_NONE for none, or for
                           an id no record had (check kind[id] first) */
    uint32_t *edge;     /* by id: strtab id of "edge_name" in the dump's
                           strings, STRTAB_NONE when absent */
    uint8_t *kind;      /* by id: shape_kind; SHAPE_KIND_COUNT for an id no
                           SHAPE record had */
} shape_table;

/* What an object's shape says of its instance variables. */
typedef struct shape_ivars {
    bool known;         /* the dump has the shape's whole chain */
    bool too_complex;   /* the chain ends in OBJ_TOO_COMPLEX: ivars in a
                           table whose names the dump does not hold */
    size_t nnames;      /* IVAR records on the chain: names[0..nnames) */
    size_t slots;       /* slots the chain gives: the ivars and an
                           object_id slot (OBJ_ID) where there is one */
    size_t obj_id_slot; /* the slot holding the object_id, or SIZE_MAX */
} shape_ivars;

/* The kind a "shape_type" text names (SHAPE_OTHER for unknown text). */
shape_kind shapes_kind_of(const char *text, size_t len);

/* Stores a SHAPE record. A second record with the same id replaces the
 * first. */
void shapes_add(shape_table *t, uint64_t id, uint64_t parent, bool has_parent, uint32_t edge, shape_kind kind);

/* Moves every edge id through map (strtab_merge's result), for a table read
 * with another string table than the one it will be read with. */
void shapes_remap(shape_table *t, const uint32_t *map);

/* Adds every record of src into dst (edges already in dst's strings). */
void shapes_merge(shape_table *dst, const shape_table *src);

/* The ivars of an object whose "shape_id" is shape_id: fills names[0..max)
 * with the strtab ids of the IVAR records' edge names, slot order, and
 * returns what the chain says (nnames may exceed max: then only the first
 * max are written). A chain that loops or names an id the dump has no
 * record of is not known. */
shape_ivars shapes_ivars(const shape_table *t, uint64_t shape_id, uint32_t *names, size_t max);

void shapes_free(shape_table *t);

#endif
