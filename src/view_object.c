/* view_object.c - one object: its retained size and root path (from the
 * latest dump's graph), the members of its line, what it references and
 * what references it. Enter follows a reference, a referrer or a hop of the
 * path. Everything the rows describe is read when the object opens. */
#include "config.h"
#include "view_kinds.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "textsafe.h"
#include "units.h"

/* Remarks, by the item of an OROW_NOTE row. */
enum {
    NOTE_CAPPED,           /* more referrers than are listed */
    NOTE_REFERRERS_LATER,  /* the referrers come with the latest dump's graph */
    NOTE_REFERRERS_NONE,   /* no graph will come (its pass failed) */
    NOTE_NOT_IN_LATEST,    /* the object is not in the latest dump: none there */
};

/* Section headings, by the item of an OROW_HEADING row. */
enum { HEAD_MEMBERS, HEAD_IVARS, HEAD_REFS, HEAD_REFERRERS, HEAD_PATH };
static const char *const headings[] = {
    [HEAD_MEMBERS] = "Members of its line",
    [HEAD_IVARS] = "Instance variables",
    [HEAD_REFS] = "References",
    [HEAD_REFERRERS] = "Referrers",
    [HEAD_PATH] = "Path from a GC root",
};

/* Rows are as many as the object has members, ivars, references and
 * referrers, and hops: lay_out allocates them at once, cap of them. */
static void add_orow(view_frame *f, orow_kind kind, size_t item, size_t *cap)
{
    assert(f->norows < *cap);
    f->orows[f->norows++] = (orow){ kind, item };
}

/* The address index of a dump an object is shown from: the subject's is
 * built on first use; the latest dump's comes with its graph. */
static const addrmap *index_of(view *v, heap *h)
{
    if (h != v->subject) {
        assert(h == v->session->latest && v->session->addrs);
        return v->session->addrs;
    }
    if (!v->index_built) {
        addrmap_build(&v->index, v->subject->addr, v->subject->count);
        v->index_built = true;
    }
    return &v->index;
}

/* Reads the details of every object the rows describe: the object, its
 * references and referrers (of f->h) and the hops of its path (of the
 * latest dump). */
static hs_status prepare(view *v, view_frame *f, hs_error *err)
{
    const objinfo *oi = &f->info;
    size_t n = 1 + oi->nrefs + oi->nreferrers, k = 0;
    hs_mem mem = { 0 };
    size_t *objs = hs_mem_alloc(&mem, n > f->npath ? n : f->npath, sizeof *objs);
    if (!objs)
        return hs_mem_fail(err, &mem, "cannot list the %zu objects around 0x%" PRIx64, n, f->h->addr[oi->index]);
    objs[k++] = oi->index;
    for (size_t r = 0; r < oi->nrefs; r++)
        objs[k++] = oi->refs[r].index;
    for (size_t r = 0; r < oi->nreferrers; r++)
        objs[k++] = oi->referrers[r].index;
    hs_status st = objinfo_try_prepare(f->h, objs, k, err);
    if (st == HS_OK && f->npath) {
        for (size_t p = 0; p < f->npath; p++)
            objs[p] = f->path[p];
        st = objinfo_try_prepare(v->session->latest, objs, f->npath, err);
    }
    free(objs);
    return st;
}

/* The rows: retained size and path when there is a graph (or one is being
 * read), then members, references and referrers, each under a heading. */
/* Room for the rows of f with up to `referrers` referrers: every kind of
 * row at most (the headings, the notes, the rows); NULL, with err, when it
 * cannot be had. */
static orow *rows_for(const view_frame *f, size_t referrers, size_t *cap, hs_error *err)
{
    const objinfo *info = &f->info;
    *cap = 12 + f->npath + info->nmembers + info->shape.nnames + info->nrefs + referrers;
    hs_mem mem = { 0 };
    orow *rows = hs_mem_alloc(&mem, *cap, sizeof *rows);
    if (!rows)
        hs_mem_fail(err, &mem, "cannot lay out the %zu rows of object 0x%" PRIx64, *cap, f->h->addr[info->index]);
    return rows;
}

/* Lays the rows out in rows (cap of them, from rows_for), which f takes. */
static void lay_out_in(view *v, view_frame *f, orow *rows, size_t cap)
{
    const objinfo *info = &f->info;
    free(f->orows);
    f->orows = rows;
    f->norows = 0;
    if (v->session->graph) {
        add_orow(f, OROW_RETAINED, 0, &cap);
        if (f->in_graph) {
            add_orow(f, OROW_HEADING, HEAD_PATH, &cap);
            for (size_t k = 0; k < f->npath; k++) {
                if (f->npath > 2 * VIEW_PATH_EDGE && k == VIEW_PATH_EDGE) {
                    add_orow(f, OROW_ELIDED, f->npath - 2 * VIEW_PATH_EDGE, &cap);
                    k = f->npath - VIEW_PATH_EDGE;
                }
                add_orow(f, OROW_PATH, k, &cap);
            }
        }
    } else if (v->graph_pending) {
        add_orow(f, OROW_RETAINED, 0, &cap);
    }
    add_orow(f, OROW_HEADING, HEAD_MEMBERS, &cap);
    for (size_t k = 0; k < info->nmembers; k++)
        add_orow(f, OROW_MEMBER, k, &cap);
    if (info->shape.known || info->shape.too_complex) {
        add_orow(f, OROW_HEADING, HEAD_IVARS, &cap);
        for (size_t k = 0; k < info->shape.nnames; k++)
            add_orow(f, OROW_IVAR, k, &cap);
    }
    add_orow(f, OROW_HEADING, HEAD_REFS, &cap);
    for (size_t k = 0; k < info->nrefs; k++)
        add_orow(f, OROW_REF, k, &cap);
    add_orow(f, OROW_HEADING, HEAD_REFERRERS, &cap);
    for (size_t k = 0; k < info->nreferrers; k++)
        add_orow(f, OROW_REFERRER, k, &cap);
    if (info->referrers_capped)
        add_orow(f, OROW_NOTE, NOTE_CAPPED, &cap);
    /* Referrers are the latest dump's graph's, never a search of a dump's
     * text: until it is read, or for an object it does not hold, a note. */
    if (f->h != v->session->latest || !v->session->graph)
        add_orow(f, OROW_NOTE,
                 v->session->graph ? NOTE_NOT_IN_LATEST : v->graph_pending ? NOTE_REFERRERS_LATER : NOTE_REFERRERS_NONE,
                 &cap);
    /* Start on the first reference, or the first referrer, or a member. */
    f->selected = 1;
    for (size_t r = 0; r < f->norows; r++)
        if (f->orows[r].kind == OROW_MEMBER) {
            f->selected = r;
            break;
        }
    for (size_t r = 0; r < f->norows; r++)
        if (f->orows[r].kind == OROW_REF || f->orows[r].kind == OROW_REFERRER) {
            f->selected = r;
            break;
        }
}

static hs_status lay_out(view *v, view_frame *f, hs_error *err)
{
    size_t cap;
    orow *rows = rows_for(f, f->info.nreferrers, &cap, err);
    if (!rows)
        return HS_ERR_NOMEM;
    lay_out_in(v, f, rows, cap);
    return HS_OK;
}

static bool object_selectable(const view_frame *f, size_t row);
static void object_release(view_frame *f);

/* Each hop's ivar in the hop before it, read from the holders' lines now
 * so that drawing reads none. */
static hs_status name_path_ivars(view *v, view_frame *f, hs_error *err)
{
    const session *ses = v->session;
    hs_mem mem = { 0 };
    f->path_ivar = hs_mem_zalloc(&mem, f->npath, sizeof *f->path_ivar);
    if (!f->path_ivar)
        return hs_mem_fail(err, &mem, "cannot name the %zu hops of the path to 0x%" PRIx64, f->npath,
                           f->h->addr[f->info.index]);
    for (size_t k = 1; k < f->npath; k++)
        objinfo_ivar_to(ses->latest, ses->addrs, f->path[k - 1], ses->latest->addr[f->path[k]], f->path_ivar[k],
                        sizeof f->path_ivar[k]);
    return HS_OK;
}

/* What holds it, from the latest dump's graph, once there is one: its
 * retained size and root path. A path that cannot be found (out of memory)
 * is left out, f->path_error saying why: the object is shown without it. */
static hs_status read_graph_part(view *v, view_frame *f, hs_error *err)
{
    const graph *gr = v->session->graph;
    if (!gr)
        return HS_OK;
    uint32_t node = session_node_of(v->session, f->h, f->info.index);
    if (node == GRAPH_NONE)
        return HS_OK;
    f->in_graph = true;
    f->retained = gr->retained[node];
    hs_error path_err;
    if (session_root_path(v->session, node, &f->path, &f->npath, &f->path_root, &path_err) != HS_OK) {
        snprintf(f->path_error, sizeof f->path_error, "%s", path_err.msg);
        return HS_OK;
    }
    return name_path_ivars(v, f, err);
}

/* The frame of object `index` of h, made aside (what fails for memory
 * leaves the view as it was). Once the latest dump's graph is attached an
 * object of another dump that is alive in the latest is shown as the
 * latest has it, with the graph's referrers; other objects list none. */
static hs_status make_frame(view *v, heap *h, size_t index, view_frame *out, hs_error *err)
{
    const graph *gr = v->session->graph;
    if (gr && h != v->session->latest) {
        uint32_t node = session_node_of(v->session, h, index);
        if (node != GRAPH_NONE) {
            h = v->session->latest;
            index = node;
        }
    }
    objinfo info;
    hs_status st = objinfo_load(&info, h, index_of(v, h), index, err);
    if (st != HS_OK)
        return st;
    if (gr && h == v->session->latest)
        objinfo_graph_referrers(&info, h, gr);
    view_frame fr = { .kind = VIEW_OBJECT, .info = info, .h = h };
    st = read_graph_part(v, &fr, err);
    if (st == HS_OK)
        st = prepare(v, &fr, err);
    if (st == HS_OK)
        st = lay_out(v, &fr, err);
    if (st != HS_OK) {
        object_release(&fr);
        return st;
    }
    *out = fr;
    return HS_OK;
}

bool view_open_object(view *v, heap *h, size_t index)
{
    view_frame fr;
    hs_error err;
    if (make_frame(v, h, index, &fr, &err) != HS_OK) {
        snprintf(v->message, sizeof v->message, "%.250s", err.msg);
        return false;
    }
    *view_push(v, VIEW_OBJECT) = fr;
    return true;
}

bool view_object_graph_ready(view *v, view_frame *f)
{
    assert(f->kind == VIEW_OBJECT && !f->in_graph);
    orow_kind kind = f->orows[f->selected].kind;
    size_t item = f->orows[f->selected].item;
    /* Made again now that the graph is there (the latest dump's object,
     * its referrers, retained size and path); what fails for memory leaves
     * the rows as they were. */
    view_frame fr;
    hs_error err;
    if (make_frame(v, f->h, f->info.index, &fr, &err) != HS_OK) {
        snprintf(v->message, sizeof v->message, "%.250s", err.msg);
        return false;
    }
    fr.top = f->top;
    fr.placed = f->placed;
    object_release(f);
    *f = fr;
    /* The row that was selected, where it still is. */
    for (size_t r = 0; r < f->norows; r++)
        if (f->orows[r].kind == kind && f->orows[r].item == item && object_selectable(f, r)) {
            f->selected = r;
            break;
        }
    return true;
}

bool view_open_retained(view *v, size_t index)
{
    uint32_t node = session_node_of(v->session, v->subject, index);
    if (node != GRAPH_NONE)
        return view_open_object(v, v->session->latest, node);
    return view_open_object(v, v->subject, index);
}

static size_t object_rows(const view *v, const view_frame *f)
{
    (void)v;
    return f->norows;
}

static bool object_selectable(const view_frame *f, size_t row)
{
    orow_kind k = f->orows[row].kind;
    return k == OROW_REF || k == OROW_REFERRER || k == OROW_MEMBER || k == OROW_PATH || k == OROW_IVAR;
}

/* ---- the text of each kind of row ------------------------------------------------ */

static int heading_text(const view *v, const view_frame *f, size_t item, char *buf, size_t size)
{
    const objinfo *oi = &f->info;
    if (item == HEAD_PATH) {
        if (f->path_error[0])
            return snprintf(buf, size, "%s: not shown: %s", headings[HEAD_PATH], f->path_error);
        if (f->npath)
            return snprintf(buf, size, "%s (%zu hop%s from the %s root, in dump %zu)", headings[HEAD_PATH], f->npath,
                            f->npath == 1 ? "" : "s", v->session->graph->root_names[f->path_root],
                            v->session->ndumps);
        return snprintf(buf, size, "%s: none reaches it (the next GC frees it)", headings[HEAD_PATH]);
    }
    if (item == HEAD_IVARS) {
        if (oi->shape.too_complex)
            return snprintf(buf, size, "%s: a too complex shape (ivars in a table whose names the dump omits)",
                            headings[item]);
        return snprintf(buf, size, "%s (%zu, from shape %" PRIu64 ")", headings[item], oi->shape.nnames,
                        oi->shape_id);
    }
    size_t count = item == HEAD_MEMBERS ? oi->nmembers : item == HEAD_REFS ? oi->nrefs : oi->nreferrers;
    return snprintf(buf, size, "%s (%zu%s)", headings[item], count,
                    item == HEAD_REFERRERS && oi->referrers_capped ? "+" : "");
}

static int retained_text(const view *v, const view_frame *f, char *buf, size_t size)
{
    size_t nd = v->session->ndumps;
    if (!v->session->graph)
        return snprintf(buf, size, "Retained size and root path: being computed (reading dump %zu's references)", nd);
    if (f->in_graph) {
        char bytes[32];
        units_bytes(f->retained, bytes, sizeof bytes);
        return snprintf(buf, size, "Retained size: %s (what freeing it would free, in dump %zu)", bytes, nd);
    }
    return snprintf(buf, size, "Not in dump %zu's graph: it was freed or its slot reused", nd);
}

static int path_text(const view *v, const view_frame *f, size_t hop, char *buf, size_t size)
{
    const heap *latest = v->session->latest;
    uint32_t node = f->path[hop];
    char desc[512];
    objinfo_describe(latest, node, desc, sizeof desc);
    char bytes[32];
    units_bytes(v->session->graph->retained[node], bytes, sizeof bytes);
    const char *ivar = f->path_ivar[hop];
    return snprintf(buf, size, "  0x%-12" PRIx64 " %s%s%s (retained %s)", latest->addr[node], desc,
                    ivar[0] ? " as " : "", ivar, bytes);
}

/* An ivar: its name, and its value where the dump tells which it is. */
static int ivar_text(const view_frame *f, size_t item, char *buf, size_t size)
{
    const objinfo *oi = &f->info;
    size_t nlen;
    const char *name = strtab_str(f->h->strings, oi->ivar_names[item], &nlen);
    if (!oi->ivar_value)
        return snprintf(buf, size, "  %.*s", (int)nlen, name);
    switch (oi->ivar_value[item]) {
    case IVAR_REF: {
        const objref *o = &oi->refs[oi->ivar_ref[item]];
        char desc[512];
        objinfo_describe(f->h, o->index, desc, sizeof desc);
        return snprintf(buf, size, "  %.*s = 0x%" PRIx64 " %s", (int)nlen, name, o->address, desc);
    }
    case IVAR_IMMEDIATE: return snprintf(buf, size, "  %.*s = an immediate (Integer, Symbol, nil ...)", (int)nlen, name);
    case IVAR_UNKNOWN: break;
    }
    return snprintf(buf, size, "  %.*s (an immediate, or one of the references)", (int)nlen, name);
}

/* A member of the line: strings decoded ("file" is never escaped by Ruby),
 * values over 300 bytes cut. */
static int member_text(const view_frame *f, size_t item, char *buf, size_t size)
{
    const json_member *m = &f->info.members[item];
    char value[600];
    size_t vlen = m->value.len;
    const char *vp = m->value.ptr ? m->value.ptr : "";
    bool is_file = m->key.len == 4 && memcmp(m->key.ptr, "file", 4) == 0;
    if (m->is_string && !is_file) {
        vlen = json_unescape(vp, m->value.len, value, sizeof value);
        vp = value;
    }
    bool cut = vlen > 300;
    int n = snprintf(buf, size, "  %.*s: %s", (int)m->key.len, m->key.ptr, m->is_string ? "\"" : "");
    if (n > 0 && (size_t)n + 8 < size) {
        size_t take = cut ? 300 : vlen;
        if (take > size - (size_t)n - 8)
            take = size - (size_t)n - 8;
        memcpy(buf + n, vp, take); /* may hold NUL bytes: copied, not printed */
        n += (int)take;
        buf[n] = '\0';
        n += snprintf(buf + n, size - (size_t)n, "%s%s", cut ? "..." : "", m->is_string ? "\"" : "");
    }
    return n;
}

static int ref_text(const view_frame *f, const orow *r, char *buf, size_t size)
{
    const objinfo *oi = &f->info;
    const objref *o = r->kind == OROW_REF ? &oi->refs[r->item] : &oi->referrers[r->item];
    const heap *oh = f->h;
    if (o->root[0])
        return snprintf(buf, size, "  GC root: %s", o->root);
    /* The class edge is the last reference. */
    bool is_class = r->kind == OROW_REF && r->item == oi->nrefs - 1 && heap_class_of(oh, oi->index) &&
                    o->address == heap_class_of(oh, oi->index);
    char desc[512];
    objinfo_describe(oh, o->index, desc, sizeof desc);
    char ivar[VIEW_IVAR_NAME] = "";
    if (r->kind == OROW_REF)
        objinfo_ref_ivar(oi, oh, r->item, ivar, sizeof ivar);
    return snprintf(buf, size, "  0x%-12" PRIx64 " %s%s%s%s", o->address, ivar, ivar[0] ? " " : "",
                    is_class ? "(class) " : "", desc);
}

static int note_text(const view *v, const view_frame *f, size_t item, char *buf, size_t size)
{
    size_t latest = v->session->ndumps;
    switch (item) {
    case NOTE_CAPPED: return snprintf(buf, size, "  (more than %d referrers; the first are shown)", OBJINFO_MAX_REFERRERS);
    case NOTE_REFERRERS_LATER:
        return snprintf(buf, size, "  (listed once dump %zu's references are read: they come from its graph)", latest);
    case NOTE_REFERRERS_NONE:
        return snprintf(buf, size, "  (none listed: dump %zu's reference graph could not be made)", latest);
    case NOTE_NOT_IN_LATEST:
        return snprintf(buf, size, "  (none listed: they are dump %zu's, and it no longer holds this object)", latest);
    }
    (void)f;
    return 0;
}

static size_t object_row_text(const view *v, const view_frame *f, size_t row, char *buf, size_t size)
{
    assert(row < f->norows);
    const orow *r = &f->orows[row];
    int n = 0;
    switch (r->kind) {
    case OROW_HEADING: n = heading_text(v, f, r->item, buf, size); break;
    case OROW_RETAINED: n = retained_text(v, f, buf, size); break;
    case OROW_PATH: n = path_text(v, f, r->item, buf, size); break;
    case OROW_ELIDED: n = snprintf(buf, size, "  ... %zu hops not shown ...", r->item); break;
    case OROW_MEMBER: n = member_text(f, r->item, buf, size); break;
    case OROW_IVAR: n = ivar_text(f, r->item, buf, size); break;
    case OROW_REF:
    case OROW_REFERRER: n = ref_text(f, r, buf, size); break;
    case OROW_NOTE: n = note_text(v, f, r->item, buf, size); break;
    }
    if (n < 0)
        n = 0;
    return (size_t)n < size ? (size_t)n : size ? size - 1 : 0;
}

static bool object_enter(view *v, view_frame *f)
{
    const orow *r = &f->orows[f->selected];
    if (r->kind == OROW_PATH)
        return view_open_object(v, v->session->latest, f->path[r->item]);
    if (r->kind == OROW_IVAR) {
        const objinfo *oi = &f->info;
        if (!oi->ivar_value || oi->ivar_value[r->item] != IVAR_REF) {
            snprintf(v->message, sizeof v->message, "the dump does not say which object this ivar holds");
            return false;
        }
        const objref *o = &oi->refs[oi->ivar_ref[r->item]];
        if (o->index == OBJ_NONE) {
            snprintf(v->message, sizeof v->message, "0x%" PRIx64 " is not in this dump", o->address);
            return false;
        }
        return view_open_object(v, f->h, o->index);
    }
    if (r->kind != OROW_REF && r->kind != OROW_REFERRER) {
        snprintf(v->message, sizeof v->message, "select a reference or a referrer to follow it");
        return false;
    }
    const objref *o = r->kind == OROW_REF ? &f->info.refs[r->item] : &f->info.referrers[r->item];
    if (o->index == OBJ_NONE) {
        if (o->root[0])
            snprintf(v->message, sizeof v->message, "a GC root (%s): nothing to open", o->root);
        else
            snprintf(v->message, sizeof v->message, "0x%" PRIx64 " is not in this dump", o->address);
        return false;
    }
    return view_open_object(v, f->h, o->index);
}

static void object_write_about(const view *v, const view_frame *f, FILE *out)
{
    char desc[512];
    size_t len = objinfo_describe(f->h, f->info.index, desc, sizeof desc);
    fprintf(out, "# object 0x%" PRIx64 " in dump %zu: ", f->h->addr[f->info.index],
            session_dump_number(v->session, f->h));
    textsafe_write(out, desc, len, true); /* one line, whatever the value holds */
    fputc('\n', out);
}

static void object_export_name(const view *v, const view_frame *f, char *buf, size_t size)
{
    (void)v;
    snprintf(buf, size, "heapsift-object-0x%" PRIx64 ".txt", f->h->addr[f->info.index]);
}

static void object_release(view_frame *f)
{
    free(f->path);
    free(f->path_ivar);
    objinfo_free(&f->info);
    free(f->orows);
}

static size_t object_crumb(const view *v, const view_frame *f, char *buf, size_t size)
{
    (void)v;
    int n = snprintf(buf, size, "0x%" PRIx64, f->h->addr[f->info.index]);
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

/* The address of a reference, referrer or hop under the cursor; a
 * member's value; else the object's own address. */
static bool object_copy(const view *v, const view_frame *f, char *buf, size_t size)
{
    const orow *r = &f->orows[f->selected];
    uint64_t addr = f->h->addr[f->info.index];
    switch (r->kind) {
    case OROW_REF: addr = f->info.refs[r->item].address; break;
    case OROW_REFERRER:
        if (f->info.referrers[r->item].root[0]) {
            snprintf(buf, size, "%s", f->info.referrers[r->item].root);
            return true;
        }
        addr = f->info.referrers[r->item].address;
        break;
    case OROW_PATH: addr = v->session->latest->addr[f->path[r->item]]; break;
    case OROW_IVAR:
        if (f->info.ivar_value && f->info.ivar_value[r->item] == IVAR_REF) {
            addr = f->info.refs[f->info.ivar_ref[r->item]].address;
        } else {
            size_t nlen;
            const char *name = strtab_str(f->h->strings, f->info.ivar_names[r->item], &nlen);
            snprintf(buf, size, "%.*s", (int)nlen, name);
            return true;
        }
        break;
    case OROW_MEMBER: {
        const json_member *m = &f->info.members[r->item];
        size_t n = m->value.len < size ? m->value.len : size - 1;
        if (m->is_string && !(m->key.len == 4 && memcmp(m->key.ptr, "file", 4) == 0))
            n = json_unescape(m->value.ptr, m->value.len, buf, size);
        else
            memcpy(buf, m->value.ptr, n);
        buf[n < size ? n : size - 1] = '\0';
        return true;
    }
    default: break;
    }
    snprintf(buf, size, "0x%" PRIx64, addr);
    return true;
}

static bool object_source(const view *v, const view_frame *f, char *file, size_t size, uint32_t *line)
{
    (void)v;
    return view_site_source(f->h, heap_site_of(f->h, f->info.index), file, size, line);
}

const view_ops view_object_ops = {
    .copy = object_copy,
    .source = object_source,
    .crumb = object_crumb,
    .title = "one object",
    .rows = object_rows,
    .selectable = object_selectable,
    .row_text = object_row_text,
    .enter = object_enter,
    .write_about = object_write_about,
    .export_name = object_export_name,
    .release = object_release,
};
