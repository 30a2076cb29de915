/* objinfo.h - one object of the shown dump in full, for the object view:
 * every member of its line, the objects it references and the objects that
 * reference it, each resolved to an object of the dump where there is one.
 *
 * Works on a HEAP_FULL heap (its file stays mapped). Describing an object
 * only reads; its details (site, class, sizes) must have been read first,
 * by objinfo_try_prepare or objinfo_load, which change the heap: call those
 * from the thread that owns it, with no other thread reading.
 */
#ifndef HEAPSIFT_OBJINFO_H
#define HEAPSIFT_OBJINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addrmap.h"
#include "graph.h"
#include "heap.h"
#include "json_repair.h"
#include "status.h"

#define OBJ_NONE SIZE_MAX /* an address that is no object of the dump */

/* A reference in either direction. */
typedef struct objref {
    uint64_t address;   /* the other object's address (0 for a root) */
    size_t index;       /* the other object, or OBJ_NONE (dangling, or a root) */
    char root[32];      /* for a referrer that is a ROOT record: its category */
    uint32_t ivar;      /* a reference of an OBJECT: the first of the ivars
                           (index into objinfo.ivar_names) it can be */
    uint32_t ivar_span; /* how many ivars from ivar it can be: 1 when its
                           shape names it exactly, 0 when nothing does */
} objref;

/* Where an ivar's value is, as far as the dump tells. */
typedef enum ivar_value {
    IVAR_REF,       /* references[objinfo.ivar_ref[k]] */
    IVAR_IMMEDIATE, /* an immediate (Integer, nil, true, Symbol ...): the
                       object references nothing, so no ivar holds an object */
    IVAR_UNKNOWN,   /* one of the references or an immediate: the dump
                       skips immediates, so the slots cannot be lined up */
} ivar_value;

typedef struct objinfo {
    size_t index;              /* the object */
    char *line;                /* a copy of its dump line */
    size_t line_len;
    json_member *members;      /* the line's members, pointing into line */
    size_t nmembers;
    objref *refs;              /* "references" in order (repeats kept), then "class" */
    size_t nrefs;
    objref *referrers;         /* objects and roots whose lines name this address */
    size_t nreferrers;
    bool referrers_capped;     /* more referrers than OBJINFO_MAX_REFERRERS */
    uint64_t shape_id;         /* its "shape_id" (Ruby 3.2+), masked; 0 when none */
    shape_ivars shape;         /* what the shape says of its ivars (known is
                                  false without a shape or its SHAPE records) */
    uint32_t *ivar_names;      /* strtab ids (of h's strings) of its ivars'
                                  names, slot order: shape.nnames entries */
    ivar_value *ivar_value;    /* for an OBJECT, where each ivar's value is */
    size_t *ivar_ref;          /* with IVAR_REF: its index into refs */
} objinfo;

#define OBJINFO_MAX_REFERRERS 5000

/* Reads object `index` of h in full, its details included. Fails when its
 * line cannot be read, and with HS_ERR_NOMEM (oi empty) when what is sized
 * by its line (its copy, members, references) or its details cannot be
 * allocated. The referrers' lists are capped (OBJINFO_MAX_REFERRERS) and
 * abort like the small allocations. */
hs_status objinfo_load(objinfo *oi, heap *h, const addrmap *ai, size_t index, hs_error *err);

/* The same without reading its details: only reads h. */
hs_status objinfo_read(objinfo *oi, const heap *h, const addrmap *ai, size_t index, hs_error *err);

/* The ivar name (or "@a|@b" for the candidates, at most three, when the
 * slots cannot be lined up) of reference r of oi, read from h's shape
 * tree; "" when its shape does not name it. Returns the length. */
size_t objinfo_ref_ivar(const objinfo *oi, const heap *h, size_t r, char *buf, size_t size);

/* The ivar of object holder (of h) that references the object at target,
 * as objinfo_ref_ivar names it; "" when none is named or the line cannot
 * be read. Only reads h. */
size_t objinfo_ivar_to(const heap *h, const addrmap *ai, size_t holder, uint64_t target, char *buf, size_t size);

/* The referrers from g, the graph of h (the session's): one pass over its
 * edges, no text read. ROOT records that name the object are listed by
 * category. The first OBJINFO_MAX_REFERRERS are kept. */
void objinfo_graph_referrers(objinfo *oi, const heap *h, const graph *g);

void objinfo_free(objinfo *oi);

/* The class name describing object `index` shows: a CLASS or MODULE's
 * own name, else its class's; "" (*len 0) for an IMEMO, whose "class" is
 * no class, or when the dump names none. Its details must have been read. */
const char *objinfo_class_name(const heap *h, size_t index, size_t *len);

/* A one-line description of object `index` (OBJ_NONE: "not in this dump"):
 * TYPE, class name, allocation site and, for strings, the start of the
 * value. Its details must have been read (objinfo_try_prepare). Raw dump
 * bytes: escape before showing. A description longer than size - 1 ends in
 * "..." where it was cut. Returns the length written (at most size - 1). */
size_t objinfo_describe(const heap *h, size_t index, char *buf, size_t size);

/* The string value of object `index` ("value" of its line), or an empty
 * scan_str; points into the dump and is raw. */
scan_str objinfo_value(const heap *h, size_t index);

/* Reads site, class and sizes of objs[0..n) (OBJ_NONE entries are
 * skipped) where not read yet, in one pass: what a view does before it
 * shows them. Fails with HS_ERR_NOMEM, nothing read, when the memory for
 * that cannot be had. */
hs_status objinfo_try_prepare(heap *h, const size_t *objs, size_t n, hs_error *err);

#endif
