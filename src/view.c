#define _GNU_SOURCE /* qsort_r */
/* view.c - the explorer's view-model. */
#include "config.h"
#include "view.h"

#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "report.h"
#include "textsafe.h"

/* ---- frames ---------------------------------------------------------------- */

static view_frame *push(view *v, view_kind kind)
{
    if (v->depth == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->stack = hs_xrealloc(v->stack, v->cap * sizeof *v->stack);
    }
    view_frame *f = &v->stack[v->depth++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    return f;
}

static void frame_free(view_frame *f)
{
    free(f->path);
    free(f->objects);
    objinfo_free(&f->info);
    free(f->orows);
    memset(f, 0, sizeof *f);
}

view_frame *view_top(view *v)
{
    return &v->stack[v->depth - 1];
}

static const view_frame *top_c(const view *v)
{
    return &v->stack[v->depth - 1];
}

void view_init(view *v, const session *ses, const group_query *q)
{
    memset(v, 0, sizeof *v);
    v->session = ses;
    v->subject = ses->subject;
    v->set = group_new(ses, q);
    push(v, VIEW_GROUPS);
}

void view_free(view *v)
{
    while (v->depth)
        frame_free(&v->stack[--v->depth]);
    free(v->stack);
    group_free(v->set);
    if (v->index_built)
        addrmap_free(&v->index);
    memset(v, 0, sizeof *v);
}

size_t view_rows(const view *v)
{
    const view_frame *f = top_c(v);
    switch (f->kind) {
    case VIEW_GROUPS: return v->set->nvisible;
    case VIEW_OBJECTS: return f->nobjects;
    case VIEW_OBJECT: return f->norows;
    }
    return 0;
}

const group *view_group_at(const view *v, size_t row)
{
    return row < v->set->nvisible ? &v->set->groups[v->set->order[row]] : NULL;
}

size_t view_object_at(const view *v, size_t row)
{
    const view_frame *f = top_c(v);
    return f->kind == VIEW_OBJECTS && row < f->nobjects ? f->objects[row] : OBJ_NONE;
}

const orow *view_orow_at(const view *v, size_t row)
{
    const view_frame *f = top_c(v);
    return f->kind == VIEW_OBJECT && row < f->norows ? &f->orows[row] : NULL;
}

/* ---- selection --------------------------------------------------------------- */

static bool selectable(const view *v, size_t row)
{
    const orow *r = view_orow_at(v, row);
    return !r || r->kind == OROW_REF || r->kind == OROW_REFERRER || r->kind == OROW_MEMBER ||
           r->kind == OROW_PATH;
}

void view_move(view *v, long delta)
{
    view_frame *f = view_top(v);
    size_t n = view_rows(v);
    if (n == 0)
        return;
    long at = (long)f->selected + delta;
    if (at < 0)
        at = 0;
    if (at >= (long)n)
        at = (long)n - 1;
    /* Headings and notes are skipped in the direction of travel; at the
     * edge of the list, the nearest selectable row the other way is taken. */
    long step = delta < 0 ? -1 : 1;
    long from = at;
    while (at >= 0 && at < (long)n && !selectable(v, (size_t)at))
        at += step;
    if (at < 0 || at >= (long)n) {
        at = from;
        while (at >= 0 && at < (long)n && !selectable(v, (size_t)at))
            at -= step;
        if (at < 0 || at >= (long)n)
            return;
    }
    f->selected = (size_t)at;
}

void view_home(view *v)
{
    view_top(v)->selected = 0;
    view_top(v)->top = 0; /* the very top, headings included */
    view_move(v, 0);
}

void view_end(view *v)
{
    size_t n = view_rows(v);
    view_top(v)->selected = n ? n - 1 : 0;
    view_move(v, -0);
    if (n && !selectable(v, view_top(v)->selected))
        view_move(v, -1);
}

void view_scroll(view *v, size_t height)
{
    view_frame *f = view_top(v);
    size_t n = view_rows(v);
    if (height == 0)
        return;
    if (f->selected < f->top)
        f->top = f->selected;
    if (f->selected >= f->top + height)
        f->top = f->selected - height + 1;
    if (f->top + height > n)
        f->top = n > height ? n - height : 0;
}

/* ---- drilling ---------------------------------------------------------------- */

typedef struct by_memsize {
    const heap *h;
} by_memsize;

static int cmp_objects(const void *a, const void *b, void *ctx)
{
    const heap *h = ((const by_memsize *)ctx)->h;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    uint64_t mx = h->memsize ? h->memsize[x] : 0, my = h->memsize ? h->memsize[y] : 0;
    if (mx != my)
        return mx > my ? -1 : 1;
    return x < y ? -1 : x > y;
}

static void open_group(view *v, size_t g)
{
    const group_set *s = v->set;
    view_frame *f = push(v, VIEW_OBJECTS);
    f->group = g;
    size_t from = s->member_start[g], to = s->member_start[g + 1];
    f->objects = hs_xmalloc((to > from ? to - from : 1) * sizeof *f->objects);
    filter_prepare(&v->set->filter, v->subject);
    for (size_t m = from; m < to; m++) {
        size_t i = v->session->diff->objects[s->members[m]];
        if (filter_object_passes(&v->set->filter, v->subject, i))
            f->objects[f->nobjects++] = i;
    }
    by_memsize ctx = { v->subject };
    qsort_r(f->objects, f->nobjects, sizeof *f->objects, cmp_objects, &ctx);
}

static void add_orow(view_frame *f, orow_kind kind, size_t item, size_t *cap)
{
    if (f->norows == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        f->orows = hs_xrealloc(f->orows, *cap * sizeof *f->orows);
    }
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

/* Opens object `index` of dump h (the subject, or the latest dump once its
 * graph is attached). */
static bool open_object(view *v, heap *h, size_t index)
{
    objinfo info;
    hs_error err;
    if (objinfo_load(&info, h, index_of(v, h), index, &err) != HS_OK) {
        snprintf(v->message, sizeof v->message, "%.200s", err.msg);
        return false;
    }
    heap *latest = v->session->latest;
    const graph *gr = v->session->graph;
    /* Referrers from the graph when it is built and holds the dump shown;
     * else by scanning the dump's text. */
    if (gr && h == latest)
        objinfo_graph_referrers(&info, h, gr);
    else
        objinfo_find_referrers(&info, h);
    view_frame *f = push(v, VIEW_OBJECT);
    f->info = info;
    f->h = h;
    size_t cap = 0;
    /* What holds it, from the latest dump's graph. */
    if (gr) {
        uint32_t node = session_node_of(v->session, h, index);
        if (node != GRAPH_NONE) {
            f->in_graph = true;
            f->retained = gr->retained[node];
            f->npath = session_root_path(v->session, node, &f->path, &f->path_root);
        }
        add_orow(f, OROW_RETAINED, 0, &cap);
        if (f->in_graph) {
            add_orow(f, OROW_HEADING, 3, &cap);
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
    add_orow(f, OROW_HEADING, 0, &cap);
    for (size_t k = 0; k < info.nmembers; k++)
        add_orow(f, OROW_MEMBER, k, &cap);
    add_orow(f, OROW_HEADING, 1, &cap);
    for (size_t k = 0; k < info.nrefs; k++)
        add_orow(f, OROW_REF, k, &cap);
    add_orow(f, OROW_HEADING, 2, &cap);
    for (size_t k = 0; k < info.nreferrers; k++)
        add_orow(f, OROW_REFERRER, k, &cap);
    if (info.referrers_capped)
        add_orow(f, OROW_NOTE, 0, &cap);
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
    return true;
}

/* Opens a retained object of the object list: where the latest dump's
 * graph has it, as it is there (its references, referrers and root path all
 * of one dump); else as the subject dump has it. */
static bool open_retained(view *v, size_t index)
{
    heap *latest = v->session->latest;
    uint32_t node = session_node_of(v->session, v->subject, index);
    if (node != GRAPH_NONE)
        return open_object(v, latest, node);
    return open_object(v, v->subject, index);
}

bool view_enter(view *v)
{
    view_frame *f = view_top(v);
    v->message[0] = '\0';
    switch (f->kind) {
    case VIEW_GROUPS:
        if (v->set->nvisible == 0) {
            snprintf(v->message, sizeof v->message, "no group to open (the filter hides every group)");
            return false;
        }
        open_group(v, v->set->order[f->selected]);
        return true;
    case VIEW_OBJECTS:
        if (f->nobjects == 0) {
            snprintf(v->message, sizeof v->message, "no object to open");
            return false;
        }
        return open_retained(v, f->objects[f->selected]);
    case VIEW_OBJECT: {
        const orow *r = view_orow_at(v, f->selected);
        if (r && r->kind == OROW_PATH)
            return open_object(v, v->session->latest, f->path[r->item]);
        if (!r || (r->kind != OROW_REF && r->kind != OROW_REFERRER)) {
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
        return open_object(v, f->h, o->index);
    }
    }
    return false;
}

bool view_back(view *v)
{
    if (v->depth <= 1)
        return false;
    frame_free(&v->stack[--v->depth]);
    v->message[0] = '\0';
    return true;
}

/* ---- sort, filter, grouping ------------------------------------------------------ */

/* The group selected in the group list, to select again after a change. */
static size_t selected_group(const view *v)
{
    const view_frame *root = &v->stack[0];
    return v->set->nvisible ? v->set->order[root->selected] : SIZE_MAX;
}

static void reselect(view *v, size_t g)
{
    view_frame *root = &v->stack[0];
    root->selected = 0;
    root->top = 0; /* from the top again; view_scroll brings the selection into view */
    for (size_t r = 0; r < v->set->nvisible; r++)
        if (v->set->order[r] == g) {
            root->selected = r;
            return;
        }
}

void view_set_sort(view *v, group_sort_key key)
{
    size_t g = selected_group(v);
    group_set_sort(v->set, key, v->set->reverse);
    reselect(v, g);
}

void view_toggle_reverse(view *v)
{
    size_t g = selected_group(v);
    group_set_sort(v->set, v->set->sort, !v->set->reverse);
    reselect(v, g);
}

void view_set_filter(view *v, const obj_filter *f)
{
    size_t g = selected_group(v);
    group_set_filter(v->set, f);
    reselect(v, g);
}

void view_set_group_by(view *v, group_by by)
{
    while (v->depth > 1)
        frame_free(&v->stack[--v->depth]);
    group_query q = { .by = by, .filter = &v->set->filter, .sort = v->set->sort, .reverse = v->set->reverse,
                      .trends = true };
    group_set *old = v->set;
    v->set = group_new(v->session, &q);
    group_free(old);
    v->stack[0].selected = 0;
    v->stack[0].top = 0;
}

/* ---- text of rows ------------------------------------------------------------------ */

static const char *const headings[] = { "Members of its line", "References", "Referrers",
                                        "Path from a GC root" };

size_t view_row_text(view *v, size_t row, char *buf, size_t size)
{
    const view_frame *f = top_c(v);
    heap *h = v->subject;
    int n = 0;
    buf[0] = '\0';
    switch (f->kind) {
    case VIEW_GROUPS: {
        const group *g = view_group_at(v, row);
        if (g)
            return columns_row_text(v->set, g, true, buf, size);
        break;
    }
    case VIEW_OBJECTS: {
        size_t i = view_object_at(v, row);
        if (i == OBJ_NONE)
            break;
        objinfo_ensure_details(h, i);
        scan_str raw = h->type[i] == RT_STRING ? objinfo_value(h, i) : (scan_str){ NULL, 0 };
        char val[256];
        size_t vlen = raw.ptr ? json_unescape(raw.ptr, raw.len, val, sizeof val) : 0;
        return columns_object_row(h, i, raw.ptr ? val : NULL, vlen, buf, size);
    }
    case VIEW_OBJECT: {
        const orow *r = view_orow_at(v, row);
        if (!r)
            break;
        const objinfo *oi = &f->info;
        switch (r->kind) {
        case OROW_HEADING: {
            if (r->item == 3) {
                const graph *gr = v->session->graph;
                if (f->npath)
                    n = snprintf(buf, size, "%s (%zu hop%s from the %s root, in dump %zu)", headings[3], f->npath,
                                 f->npath == 1 ? "" : "s", gr->root_names[f->path_root], v->session->ndumps);
                else
                    n = snprintf(buf, size, "%s: none reaches it (the next GC frees it)", headings[3]);
                break;
            }
            size_t count = r->item == 0 ? oi->nmembers : r->item == 1 ? oi->nrefs : oi->nreferrers;
            n = snprintf(buf, size, "%s (%zu%s)", headings[r->item], count,
                         r->item == 2 && oi->referrers_capped ? "+" : "");
            break;
        }
        case OROW_RETAINED:
            if (!v->session->graph)
                n = snprintf(buf, size, "Retained size and root path: being computed (reading dump %zu's references)",
                             v->session->ndumps);
            else if (f->in_graph)
                n = snprintf(buf, size, "Retained size: %" PRIu64 " bytes (what freeing it would free, in dump %zu)",
                             f->retained, v->session->ndumps);
            else
                n = snprintf(buf, size, "Not in dump %zu's graph: it was freed or its slot reused", v->session->ndumps);
            break;
        case OROW_PATH: {
            heap *latest = v->session->latest;
            uint32_t node = f->path[r->item];
            char desc[512];
            objinfo_describe(latest, node, desc, sizeof desc);
            n = snprintf(buf, size, "  0x%-12" PRIx64 " %s (retained %" PRIu64 ")", latest->addr[node], desc,
                         v->session->graph->retained[node]);
            break;
        }
        case OROW_ELIDED:
            n = snprintf(buf, size, "  ... %zu hops not shown ...", r->item);
            break;
        case OROW_MEMBER: {
            const json_member *m = &oi->members[r->item];
            /* Strings are shown decoded ("file" is never escaped by Ruby). */
            char value[600];
            size_t vlen = m->value.len;
            const char *vp = m->value.ptr ? m->value.ptr : "";
            bool is_file = m->key.len == 4 && memcmp(m->key.ptr, "file", 4) == 0;
            if (m->is_string && !is_file) {
                vlen = json_unescape(vp, m->value.len, value, sizeof value);
                vp = value;
            }
            bool cut = vlen > 300;
            n = snprintf(buf, size, "  %.*s: %s", (int)m->key.len, m->key.ptr, m->is_string ? "\"" : "");
            if (n > 0 && (size_t)n + 8 < size) {
                size_t take = cut ? 300 : vlen;
                if (take > size - (size_t)n - 8)
                    take = size - (size_t)n - 8;
                memcpy(buf + n, vp, take); /* may hold NUL bytes: copied, not printed */
                n += (int)take;
                buf[n] = '\0';
                n += snprintf(buf + n, size - (size_t)n, "%s%s", cut ? "..." : "", m->is_string ? "\"" : "");
            }
            break;
        }
        case OROW_REF:
        case OROW_REFERRER: {
            const objref *o = r->kind == OROW_REF ? &oi->refs[r->item] : &oi->referrers[r->item];
            heap *oh = f->h;
            bool is_class = r->kind == OROW_REF && r->item == oi->nrefs - 1 && heap_class_of(oh, oi->index) &&
                            o->address == heap_class_of(oh, oi->index);
            if (o->root[0]) {
                n = snprintf(buf, size, "  GC root: %s", o->root);
            } else {
                char desc[512];
                objinfo_describe(oh, o->index, desc, sizeof desc);
                n = snprintf(buf, size, "  0x%-12" PRIx64 " %s%s", o->address, is_class ? "(class) " : "", desc);
            }
            break;
        }
        case OROW_NOTE:
            n = snprintf(buf, size, "  (more than %d referrers; the first are shown)", OBJINFO_MAX_REFERRERS);
            break;
        }
        break;
    }
    }
    if (n < 0)
        n = 0;
    return (size_t)n < size ? (size_t)n : size ? size - 1 : 0;
}

void view_graph_ready(view *v)
{
    v->graph_pending = false;
    size_t g = selected_group(v);
    group_graph_ready(v->set);
    reselect(v, g);
}

/* ---- search ------------------------------------------------------------------------ */

static bool contains_ci(const char *hay, size_t hlen, const char *needle)
{
    size_t nlen = strlen(needle);
    if (nlen == 0)
        return true;
    for (size_t i = 0; i + nlen <= hlen; i++) {
        size_t k = 0;
        while (k < nlen && tolower((unsigned char)hay[i + k]) == tolower((unsigned char)needle[k]))
            k++;
        if (k == nlen)
            return true;
    }
    return false;
}

bool view_search(view *v, const char *text, int dir)
{
    if (text && *text)
        snprintf(v->search, sizeof v->search, "%s", text);
    v->message[0] = '\0';
    if (!v->search[0]) {
        snprintf(v->message, sizeof v->message, "no search yet: press / to search");
        return false;
    }
    size_t n = view_rows(v);
    view_frame *f = view_top(v);
    char row[2048];
    for (size_t step = 1; step <= n; step++) {
        size_t at = (f->selected + (dir < 0 ? n - step % n : step)) % n;
        if (!selectable(v, at))
            continue;
        size_t len = view_row_text(v, at, row, sizeof row);
        if (contains_ci(row, len, v->search)) {
            f->selected = at;
            return true;
        }
    }
    snprintf(v->message, sizeof v->message, "not found: %s", v->search);
    return false;
}

/* ---- export ---------------------------------------------------------------------------- */

/* Root paths longer than twice this list their first and last hops. */
static const char *const kind_names[] = { "retained groups", "objects of a group", "one object" };

hs_status view_write(view *v, FILE *out, const char *when, hs_error *err)
{
    const view_frame *f = top_c(v);
    if (f->kind == VIEW_GROUPS) {
        report_info info = { v->session, v->set };
        report_opts opts = { .header = true, .when = when }; /* exactly --report's lines */
        return report_write(out, &info, &opts, err);
    }
    fprintf(out, "# heapsift %s: %s\n", PACKAGE_VERSION, kind_names[f->kind]);
    for (size_t k = 0; k < v->session->ndumps; k++)
        fprintf(out, "# dump %zu: %s\n", k + 1, v->session->dumps[k]->path);
    if (f->kind == VIEW_OBJECTS) {
        char label[1024];
        size_t llen;
        group_label(v->set, &v->set->groups[f->group], label, sizeof label, &llen);
        fprintf(out, "# group (%s): %s%s%.*s\n", group_by_name(v->set->by),
                group_type_name(v->set, &v->set->groups[f->group]), group_shows_type(v->set) ? " " : "",
                (int)llen, label);
        char head[256];
        size_t hlen = columns_object_heading(head, sizeof head);
        for (size_t k = 0; k < hlen; k++)
            head[k] = (char)tolower((unsigned char)head[k]);
        fprintf(out, "# %s\n", head);
    } else {
        char desc[512];
        objinfo_describe(f->h, f->info.index, desc, sizeof desc);
        fprintf(out, "# object 0x%" PRIx64 " in dump %zu: %s\n", f->h->addr[f->info.index], session_dump_number(v->session, f->h),
                desc);
    }
    if (filter_active(&v->set->filter))
        fprintf(out, "# filter: %s%s%s%s\n", v->set->filter.include ? v->set->filter.include : "",
                v->set->filter.exclude ? " excluding " : "", v->set->filter.exclude ? v->set->filter.exclude : "",
                v->set->filter.types_set ? " (types limited)" : "");
    if (when)
        fprintf(out, "# written %s\n", when);
    char row[4096];
    for (size_t r = 0; r < view_rows(v); r++) {
        size_t len = view_row_text(v, r, row, sizeof row);
        fwrite(row, 1, len, out);
        fputc('\n', out);
    }
    if (fflush(out) != 0 || ferror(out))
        return hs_fail(err, HS_ERR_IO, "writing the view failed");
    return HS_OK;
}

typedef struct export_job {
    view *v;
    const char *when;
} export_job;

static hs_status write_export(FILE *out, void *ctx, hs_error *err)
{
    export_job *j = ctx;
    return view_write(j->v, out, j->when, err);
}

hs_status view_export(view *v, const char *path, bool force, const char *when, hs_error *err)
{
    export_job job = { v, when };
    return report_atomic_write(path, force, write_export, &job, err);
}

void view_default_export_name(const view *v, char *buf, size_t size)
{
    const view_frame *f = top_c(v);
    switch (f->kind) {
    case VIEW_GROUPS: snprintf(buf, size, "heapsift-report.txt"); break;
    case VIEW_OBJECTS: {
        size_t row = 0;
        while (row < v->set->nvisible && v->set->order[row] != f->group)
            row++;
        snprintf(buf, size, "heapsift-group-%zu.txt", row + 1);
        break;
    }
    case VIEW_OBJECT: snprintf(buf, size, "heapsift-object-0x%" PRIx64 ".txt", f->h->addr[f->info.index]); break;
    }
}
