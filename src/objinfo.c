/* objinfo.c - an object's line, references and referrers. */
#define _GNU_SOURCE /* memmem, memrchr */
#include "objinfo.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"

/* The object at addr, or OBJ_NONE. */
static size_t find(const addrmap *ai, uint64_t addr)
{
    uint32_t i = addrmap_find(ai, addr);
    return i == ADDRMAP_NONE ? OBJ_NONE : i;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

hs_status objinfo_try_prepare(heap *h, const size_t *objs, size_t n, hs_error *err)
{
    if (!h->offset || n == 0)
        return HS_OK;
    hs_mem mem = { 0 };
    uint32_t *want = hs_mem_alloc(&mem, n, sizeof *want);
    if (!want)
        return hs_mem_fail(err, &mem, "%s: cannot read the details of %zu objects", h->path, n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (objs[i] != OBJ_NONE && !(h->flags[objs[i]] & HEAP_F_DETAILED))
            want[k++] = (uint32_t)objs[i];
    /* In file order, so the lines are read front to back. */
    qsort(want, k, sizeof *want, cmp_u32);
    hs_status st = k ? heap_try_load_details(h, want, k, 1, err) : HS_OK;
    free(want);
    return st;
}

/* Collects a record's references (json_scan_line callback). */
typedef struct ref_sink {
    objinfo *oi;
    const addrmap *ai;
    hs_mem *mem;      /* where refs comes from */
    bool is_object;   /* the line is an OBJECT's */
    bool class_edge;  /* refs ends with its "class" */
} ref_sink;

static void collect_refs(void *ctx, const scan_record *r)
{
    ref_sink *rs = ctx;
    objinfo *oi = rs->oi;
    bool imemo = r->type.len == 5 && memcmp(r->type.ptr, "IMEMO", 5) == 0;
    size_t n = r->nrefs + (r->class_addr && !imemo ? 1 : 0);
    oi->refs = hs_mem_zalloc(rs->mem, n, sizeof *oi->refs);
    if (!oi->refs)
        return; /* objinfo_read says so */
    for (size_t k = 0; k < r->nrefs; k++) {
        oi->refs[k].address = r->refs[k];
        oi->refs[k].index = find(rs->ai, r->refs[k]);
    }
    if (r->class_addr && !(r->type.len == 5 && memcmp(r->type.ptr, "IMEMO", 5) == 0)) {
        oi->refs[r->nrefs].address = r->class_addr;
        oi->refs[r->nrefs].index = find(rs->ai, r->class_addr);
    }
    oi->nrefs = n;
    oi->shape_id = r->has_shape_id ? r->shape_id & SHAPES_ID_MASK : 0;
    rs->is_object = r->type.len == 6 && memcmp(r->type.ptr, "OBJECT", 6) == 0;
    rs->class_edge = n > r->nrefs;
}

/* The members of oi's line named key: its value's text, or NULL. */
static const json_member *member(const objinfo *oi, const char *key)
{
    size_t klen = strlen(key);
    for (size_t k = 0; k < oi->nmembers; k++)
        if (oi->members[k].key.len == klen && memcmp(oi->members[k].key.ptr, key, klen) == 0)
            return &oi->members[k];
    return NULL;
}

/* Reads its ivar names from the shape tree and, for an OBJECT, lines its
 * references up with its ivars. Ruby dumps an OBJECT's references in slot
 * order with the class left out and immediates skipped: with as many
 * references as named ivars each reference is its ivar; with fewer,
 * reference j is one of ivars j .. j + (ivars - references). */
static void read_ivars(objinfo *oi, const heap *h, bool is_object, bool class_edge, hs_mem *mem)
{
    if (!oi->shape_id && !member(oi, "shape_id"))
        return;
    oi->shape = shapes_ivars(&h->shape_tree, oi->shape_id, NULL, 0);
    const json_member *tc = member(oi, "too_complex_shape"); /* Ruby 3.5+: shape 0 and this */
    if (tc && tc->value.len == 4 && memcmp(tc->value.ptr, "true", 4) == 0)
        oi->shape.too_complex = true;
    if (!oi->shape.known || oi->shape.too_complex)
        return;
    const json_member *iv = member(oi, "ivars");
    if (iv && strtoull(iv->value.ptr, NULL, 10) != oi->shape.slots && is_object)
        oi->shape.known = false; /* the line and its shape disagree: trust neither */
    if (!oi->shape.known || oi->shape.nnames == 0)
        return;
    size_t nn = oi->shape.nnames;
    oi->ivar_names = hs_mem_alloc(mem, nn, sizeof *oi->ivar_names);
    if (!oi->ivar_names)
        return; /* objinfo_read says so */
    shapes_ivars(&h->shape_tree, oi->shape_id, oi->ivar_names, nn);
    if (!is_object)
        return;
    size_t nobj = oi->nrefs - (class_edge ? 1 : 0);
    if (nobj > nn)
        return; /* more references than ivars: not lined up by slot */
    size_t skipped = nn - nobj;
    oi->ivar_value = hs_mem_alloc(mem, nn, sizeof *oi->ivar_value);
    oi->ivar_ref = hs_mem_zalloc(mem, nn, sizeof *oi->ivar_ref);
    if (hs_mem_failed(mem))
        return; /* objinfo_read says so */
    for (size_t k = 0; k < nn; k++)
        oi->ivar_value[k] = nobj == 0 ? IVAR_IMMEDIATE : skipped == 0 ? IVAR_REF : IVAR_UNKNOWN;
    for (size_t j = 0; j < nobj; j++) {
        oi->refs[j].ivar = (uint32_t)j;
        oi->refs[j].ivar_span = (uint32_t)(skipped + 1);
        if (skipped == 0)
            oi->ivar_ref[j] = j;
    }
}

size_t objinfo_ref_ivar(const objinfo *oi, const heap *h, size_t r, char *buf, size_t size)
{
    assert(size > 0);
    buf[0] = '\0';
    const objref *o = &oi->refs[r];
    if (o->ivar_span == 0 || o->ivar_span > 3)
        return 0;
    size_t len = 0;
    for (uint32_t k = o->ivar; k < o->ivar + o->ivar_span; k++) {
        size_t nlen;
        const char *name = strtab_str(h->strings, oi->ivar_names[k], &nlen);
        int w = snprintf(buf + len, size - len, "%s%.*s", k > o->ivar ? "|" : "", (int)nlen, name);
        if (w < 0 || (size_t)w >= size - len) {
            buf[0] = '\0';
            return 0; /* no room: a cut name would mislead */
        }
        len += (size_t)w;
    }
    return len;
}

size_t objinfo_ivar_to(const heap *h, const addrmap *ai, size_t holder, uint64_t target, char *buf, size_t size)
{
    assert(size > 0);
    buf[0] = '\0';
    objinfo oi;
    hs_error err;
    if (objinfo_read(&oi, h, ai, holder, &err) != HS_OK)
        return 0;
    size_t len = 0;
    for (size_t r = 0; r < oi.nrefs; r++)
        if (oi.refs[r].address == target) {
            len = objinfo_ref_ivar(&oi, h, r, buf, size);
            break;
        }
    objinfo_free(&oi);
    return len;
}

hs_status objinfo_load(objinfo *oi, heap *h, const addrmap *ai, size_t index, hs_error *err)
{
    hs_status st = objinfo_read(oi, h, ai, index, err);
    size_t one = index;
    if (st == HS_OK && (st = objinfo_try_prepare(h, &one, 1, err)) != HS_OK)
        objinfo_free(oi);
    return st;
}

hs_status objinfo_read(objinfo *oi, const heap *h, const addrmap *ai, size_t index, hs_error *err)
{
    memset(oi, 0, sizeof *oi);
    oi->index = index;
    const char *line;
    size_t len;
    if (!h->offset)
        return hs_fail(err, HS_ERR_USAGE, "%s: lines of this dump were not kept", h->path);
    hs_status st = dumpfile_line(&h->file, h->offset[index], &line, &len, err);
    if (st != HS_OK)
        return st;
    /* A line is as long as its object has references (an Array of
     * millions): everything sized by it may fail. */
    hs_mem mem = { 0 };
    oi->line = hs_mem_alloc(&mem, len + DUMPFILE_PADDING, 1);
    size_t n = 0;
    if (oi->line) {
        memcpy(oi->line, line, len);
        memset(oi->line + len, ' ', DUMPFILE_PADDING);
        oi->line_len = len;
        n = json_members(oi->line, len, NULL, 0);
    }
    oi->members = hs_mem_zalloc(&mem, n, sizeof *oi->members);
    if (!hs_mem_failed(&mem)) {
        oi->nmembers = json_members(oi->line, len, oi->members, n);
        if (oi->nmembers > n)
            oi->nmembers = n;
        json_scanner *sc = json_scanner_for_line(oi->line, len, &mem);
        ref_sink rs = { oi, ai, &mem, false, false };
        if (sc) {
            scan_options opts = { .want_refs = true };
            scan_sink sink = { &rs, collect_refs, NULL, NULL };
            json_scan_line(sc, oi->line, len, h->offset[index], &opts, &sink);
            json_scanner_free(sc);
        }
        if (!hs_mem_failed(&mem))
            read_ivars(oi, h, rs.is_object, rs.class_edge, &mem);
    }
    if (hs_mem_failed(&mem)) {
        objinfo_free(oi);
        return hs_mem_fail(err, &mem, "%s: cannot read object 0x%" PRIx64 " (a line of %zu bytes)", h->path,
                           h->addr[index], len);
    }
    return HS_OK;
}

void objinfo_graph_referrers(objinfo *oi, const heap *h, const graph *g)
{
    uint32_t v = (uint32_t)oi->index;
    free(oi->referrers);
    uint32_t *who = hs_xmalloc(OBJINFO_MAX_REFERRERS * sizeof *who);
    size_t total = graph_referrers(g, v, who, OBJINFO_MAX_REFERRERS);
    size_t kept = total < OBJINFO_MAX_REFERRERS ? total : OBJINFO_MAX_REFERRERS;
    uint32_t root_kinds = kept && who[kept - 1] == g->n ? graph_root_kinds_of(g, v) : 0;
    oi->referrers = hs_xcalloc(kept + (size_t)__builtin_popcount(root_kinds) + 1, sizeof *oi->referrers);
    oi->nreferrers = 0;
    for (size_t k = 0; k < kept; k++) {
        if (who[k] == g->n)
            continue; /* the roots: listed by category below */
        objref *r = &oi->referrers[oi->nreferrers++];
        r->address = h->addr[who[k]];
        r->index = who[k];
    }
    for (unsigned kind = 0; kind < GRAPH_ROOT_KINDS; kind++)
        if (root_kinds & (1u << kind)) {
            objref *r = &oi->referrers[oi->nreferrers++];
            r->index = OBJ_NONE;
            snprintf(r->root, sizeof r->root, "%s", kind < g->nroot_names ? g->root_names[kind] : "?");
        }
    oi->referrers_capped = total > OBJINFO_MAX_REFERRERS;
    free(who);
}

void objinfo_free(objinfo *oi)
{
    free(oi->line);
    free(oi->members);
    free(oi->refs);
    free(oi->referrers);
    free(oi->ivar_names);
    free(oi->ivar_value);
    free(oi->ivar_ref);
    memset(oi, 0, sizeof *oi);
}

scan_str objinfo_value(const heap *h, size_t index)
{
    scan_str none = { NULL, 0 };
    const char *line;
    size_t len;
    if (index == OBJ_NONE || !h->offset ||
        dumpfile_line(&h->file, h->offset[index], &line, &len, NULL) != HS_OK)
        return none;
    json_member m[24];
    size_t n = json_members(line, len, m, 24);
    for (size_t k = 0; k < n && k < 24; k++)
        if (m[k].key.len == 5 && memcmp(m[k].key.ptr, "value", 5) == 0 && m[k].is_string)
            return m[k].value;
    return none;
}

const char *objinfo_class_name(const heap *h, size_t index, size_t *len)
{
    if (h->type[index] == RT_IMEMO) {
        *len = 0; /* junk before Ruby 3.2, the owning object for 3.5+'s fields */
        return "";
    }
    /* A class or module is best named by its own name, not its class's. */
    bool is_class = h->type[index] == RT_CLASS || h->type[index] == RT_MODULE;
    return heap_class_name(h, is_class ? h->addr[index] : heap_class_of(h, index), len);
}

size_t objinfo_describe(const heap *h, size_t index, char *buf, size_t size)
{
    if (index == OBJ_NONE) {
        snprintf(buf, size, "(not in this dump)");
        return strlen(buf);
    }
    /* Without details a description would be wrong, not short. */
    assert(!h->flags || (h->flags[index] & HEAP_F_DETAILED));
    size_t clen, flen;
    const char *cls = objinfo_class_name(h, index, &clen);
    const heap_site *site = heap_site_of(h, index);
    const char *file = strtab_str(h->strings, site->file, &flen);
    int n = snprintf(buf, size, "%s", rtype_name(h->type[index]));
    size_t len = n < 0 ? 0 : (size_t)n;
#define ADD(...)                                                        \
    do {                                                                \
        if (len < size) {                                               \
            int w = snprintf(buf + len, size - len, __VA_ARGS__);        \
            len += w < 0 ? 0 : (size_t)w;                               \
        }                                                               \
    } while (0)
    if (clen)
        ADD(" %.*s", (int)clen, cls);
    /* A DATA without a class (VM/pin_array_list, VM/thread's internals) is
     * named by its struct. */
    size_t slen = 0;
    const char *sub = h->type[index] == RT_DATA && !clen && h->subtype ? strtab_str(h->strings, h->subtype[index], &slen)
                                                                       : NULL;
    if (slen)
        ADD(" %.*s", (int)slen, sub);
    if (flen) {
        ADD(" %.*s", (int)flen, file);
        if (site->line != HEAP_NO_LINE)
            ADD(":%" PRIu32, site->line - 1);
    }
    if (h->type[index] == RT_STRING) {
        scan_str v = objinfo_value(h, index);
        char text[64];
        size_t tlen = v.ptr ? json_unescape(v.ptr, v.len, text, sizeof text) : 0;
        if (v.ptr)
            ADD(" \"%.*s%s\"", (int)(tlen > 40 ? 40 : tlen), text, tlen > 40 ? "..." : "");
    }
#undef ADD
    if (len < size)
        return len;
    if (size < 4)
        return size ? size - 1 : 0;
    /* Cut: end on a whole UTF-8 character, then say so. */
    size_t cut = size - 4;
    while (cut > 0 && ((unsigned char)buf[cut] & 0xc0) == 0x80)
        cut--;
    memcpy(buf + cut, "...", 4);
    return cut + 3;
}
