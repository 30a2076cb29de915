#define _GNU_SOURCE /* memrchr */
/* view_suspect.c - one suspect: the holders of a folded row, the path from
 * a GC root to its holder, and the groups of what it holds, each as the
 * group list shows a group but counting only the suspect's objects. Enter
 * opens a holder or a hop, or the group's objects the suspect holds. The
 * export is the suspect's full text, as --suspects writes it. */
#include "config.h"
#include "view_kinds.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "suspects_report.h"
#include "units.h"

static void add_srow(view_frame *f, srow_kind kind, size_t item, size_t *cap)
{
    if (f->nsrows == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        f->srows = hs_xrealloc(f->srows, *cap * sizeof *f->srows);
    }
    f->srows[f->nsrows++] = (orow){ (orow_kind)kind, item };
}

void view_open_suspect(view *v, size_t r)
{
    assert(v->sp_ready && r < v->sp.nrows);
    const suspect *s = &v->sp.rows[r];
    view_frame *f = view_push(v, VIEW_SUSPECT);
    f->suspect = r;
    size_t cap = 0;
    if (s->nholders > 1) {
        add_srow(f, SROW_HEADING, SROW_HEAD_HOLDERS, &cap);
        for (size_t k = 0; k < s->nholders; k++)
            add_srow(f, SROW_HOLDER, k, &cap);
    }
    add_srow(f, SROW_HEADING, SROW_HEAD_PATH, &cap);
    for (size_t k = 0; k < s->path_len; k++) {
        if (s->path_len > 2 * VIEW_PATH_EDGE && k == VIEW_PATH_EDGE) {
            add_srow(f, SROW_ELIDED, s->path_len - 2 * VIEW_PATH_EDGE, &cap);
            k = s->path_len - VIEW_PATH_EDGE;
        }
        add_srow(f, SROW_PATH, k, &cap);
    }
    add_srow(f, SROW_HEADING, SROW_HEAD_GROUPS, &cap);
    add_srow(f, SROW_HEADING, SROW_HEAD_COLUMNS, &cap);
    for (size_t k = 0; k < s->ngroups; k++)
        add_srow(f, SROW_GROUP, k, &cap);
    /* The cursor starts on what it holds. */
    f->selected = 0;
    for (size_t k = 0; k < f->nsrows; k++)
        if (f->srows[k].kind == (orow_kind)SROW_GROUP) {
            f->selected = k;
            break;
        }
}

static size_t suspect_rows(const view *v, const view_frame *f)
{
    (void)v;
    return f->nsrows;
}

static bool suspect_selectable(const view_frame *f, size_t row)
{
    srow_kind k = (srow_kind)f->srows[row].kind;
    return k == SROW_HOLDER || k == SROW_PATH || k == SROW_GROUP;
}

/* Group sg of the suspect as the group list would show the group if it
 * held only those objects. */
static group restricted(const view *v, const suspect_group *sg)
{
    group g = v->set->groups[sg->group];
    g.count = sg->count;
    g.memsize = sg->memsize;
    g.bytesize = sg->bytesize;
    return g;
}

bool view_suspect_group_row(const view *v, size_t row, group *out)
{
    const view_frame *f = view_top_c(v);
    if (f->kind != VIEW_SUSPECT || row >= f->nsrows || (srow_kind)f->srows[row].kind != SROW_GROUP)
        return false;
    *out = restricted(v, &v->sp.groups[v->sp.rows[f->suspect].group_start + f->srows[row].item]);
    return true;
}

static int heading_text(const view *v, const suspect *s, size_t item, char *buf, size_t size)
{
    switch (item) {
    case SROW_HEAD_HOLDERS:
        return snprintf(buf, size, "Held by %zu objects of one type and site, the most first", s->nholders);
    case SROW_HEAD_PATH:
        if (!s->path_len)
            return snprintf(buf, size, "Path from a GC root: none reaches it");
        return snprintf(buf, size, "Path from a GC root to %s (%zu hop%s from the %s root, in dump %zu)",
                        s->kind == SUSPECT_HELD ? (s->nholders > 1 ? "the largest holder" : "the holder")
                                                : "the largest of them",
                        s->path_len, s->path_len == 1 ? "" : "s", v->session->graph->root_names[s->path_root],
                        v->session->ndumps);
    case SROW_HEAD_GROUPS:
        return snprintf(buf, size, "What it holds: %zu group%s (count and sizes of its objects; retained and trend: "
                        "the whole group's)", s->ngroups, s->ngroups == 1 ? "" : "s");
    case SROW_HEAD_COLUMNS: return (int)columns_heading_text(v->set, buf, size);
    }
    assert(0);
    return 0;
}

static size_t suspect_row_text(const view *v, const view_frame *f, size_t row, char *buf, size_t size)
{
    assert(row < f->nsrows);
    const suspect *s = &v->sp.rows[f->suspect];
    const orow *r = &f->srows[row];
    const heap *latest = v->session->latest;
    int n = 0;
    switch ((srow_kind)r->kind) {
    case SROW_HEADING: n = heading_text(v, s, r->item, buf, size); break;
    case SROW_HOLDER: {
        const suspect_holder *sh = &v->sp.holders[s->holder_start + r->item];
        char desc[512];
        objinfo_describe(latest, sh->node, desc, sizeof desc);
        char bytes[32];
        units_bytes(sh->memsize, bytes, sizeof bytes);
        n = snprintf(buf, size, "  0x%-12" PRIx64 " %s  holds %" PRIu64 " (%s)", latest->addr[sh->node], desc,
                     sh->count, bytes);
        break;
    }
    case SROW_PATH: {
        uint32_t node = s->path[r->item];
        char desc[512];
        objinfo_describe(latest, node, desc, sizeof desc);
        char bytes[32];
        units_bytes(v->session->graph->retained[node], bytes, sizeof bytes);
        n = snprintf(buf, size, "  0x%-12" PRIx64 " %s (retained %s)", latest->addr[node], desc, bytes);
        break;
    }
    case SROW_ELIDED: n = snprintf(buf, size, "  ... %zu hops not shown ...", r->item); break;
    case SROW_GROUP: {
        group g = restricted(v, &v->sp.groups[s->group_start + r->item]);
        return columns_row_text(v->set, &g, true, buf, size);
    }
    }
    if (n < 0)
        n = 0;
    return (size_t)n < size ? (size_t)n : size ? size - 1 : 0;
}

static bool suspect_enter(view *v, view_frame *f)
{
    const suspect *s = &v->sp.rows[f->suspect];
    const orow *r = &f->srows[f->selected];
    switch ((srow_kind)r->kind) {
    case SROW_HOLDER: return view_open_object(v, v->session->latest, v->sp.holders[s->holder_start + r->item].node);
    case SROW_PATH: return view_open_object(v, v->session->latest, s->path[r->item]);
    case SROW_GROUP:
        return view_open_objects(v, v->sp.groups[s->group_start + r->item].group, f->suspect);
    case SROW_HEADING:
    case SROW_ELIDED: break;
    }
    snprintf(v->message, sizeof v->message, "select a group, a holder or a hop of the path to open it");
    return false;
}

static hs_status suspect_write(const view *v, FILE *out, const char *when, hs_error *err)
{
    const view_frame *f = view_top_c(v);
    report_info info = { v->session, v->set };
    suspects_report_opts opts = { .header = true, .escape = true, .groups = SIZE_MAX, .holders = SIZE_MAX,
                                  .when = when };
    suspects_write_suspect(out, &info, &v->sp, f->suspect, &opts);
    if (fflush(out) != 0 || ferror(out))
        return hs_fail(err, HS_ERR_IO, "writing the suspect failed");
    return HS_OK;
}

static void suspect_export_name(const view *v, const view_frame *f, char *buf, size_t size)
{
    (void)v;
    snprintf(buf, size, "heapsift-suspect-%zu.txt", f->suspect + 1);
}

static size_t suspect_crumb(const view *v, const view_frame *f, char *buf, size_t size)
{
    const suspect *s = &v->sp.rows[f->suspect];
    int n;
    if (s->kind == SUSPECT_HELD) {
        const heap *latest = v->session->latest;
        const heap_site *site = &latest->sites[s->holder_site];
        size_t flen = 0;
        const char *file = strtab_str(latest->strings, site->file, &flen);
        const char *slash = flen ? memrchr(file, '/', flen) : NULL;
        const char *base = slash ? slash + 1 : file;
        n = snprintf(buf, size, "%s %.*s%s", rtype_name(s->holder_type), (int)(flen - (size_t)(base - file)), base,
                     site->line != HEAP_NO_LINE ? ":" : "");
        if (n >= 0 && (size_t)n < size && site->line != HEAP_NO_LINE)
            n += snprintf(buf + n, size - (size_t)n, "%" PRIu32, site->line - 1);
    } else {
        n = snprintf(buf, size, "Suspect %zu", f->suspect + 1);
    }
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

/* The group of the row selected, when it is one: w explains it. */
static const group *suspect_group_of(const view *v, const view_frame *f)
{
    const orow *r = &f->srows[f->selected];
    if ((srow_kind)r->kind != SROW_GROUP)
        return NULL;
    return &v->set->groups[v->sp.groups[v->sp.rows[f->suspect].group_start + r->item].group];
}

static void suspect_release(view_frame *f)
{
    free(f->srows);
}

static bool suspect_copy(const view *v, const view_frame *f, char *buf, size_t size)
{
    const suspect *s = &v->sp.rows[f->suspect];
    const orow *r = &f->srows[f->selected];
    const heap *latest = v->session->latest;
    switch ((srow_kind)r->kind) {
    case SROW_HOLDER: snprintf(buf, size, "0x%" PRIx64, latest->addr[v->sp.holders[s->holder_start + r->item].node]); return true;
    case SROW_PATH: snprintf(buf, size, "0x%" PRIx64, latest->addr[s->path[r->item]]); return true;
    case SROW_GROUP: {
        size_t len;
        group_label(v->set, &v->set->groups[v->sp.groups[s->group_start + r->item].group], buf, size, &len);
        return len > 0;
    }
    default:
        if (s->kind != SUSPECT_HELD)
            return false;
        snprintf(buf, size, "0x%" PRIx64, s->holder_addr);
        return true;
    }
}

/* A group row opens at its site; any other row at the holder's. */
static bool suspect_source(const view *v, const view_frame *f, char *file, size_t size, uint32_t *line)
{
    const suspect *s = &v->sp.rows[f->suspect];
    const orow *r = &f->srows[f->selected];
    if ((srow_kind)r->kind == SROW_GROUP && v->set->by == GROUP_SITE) {
        const group *g = &v->set->groups[v->sp.groups[s->group_start + r->item].group];
        heap_site site = { .file = g->file, .line = g->line };
        return view_site_source(v->subject, &site, file, size, line);
    }
    return s->kind == SUSPECT_HELD &&
           view_site_source(v->session->latest, &v->session->latest->sites[s->holder_site], file, size, line);
}

const view_ops view_suspect_ops = {
    .copy = suspect_copy,
    .source = suspect_source,
    .title = "one suspect",
    .rows = suspect_rows,
    .selectable = suspect_selectable,
    .row_text = suspect_row_text,
    .enter = suspect_enter,
    .write = suspect_write,
    .export_name = suspect_export_name,
    .crumb = suspect_crumb,
    .group = suspect_group_of,
    .release = suspect_release,
};
