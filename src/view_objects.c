#define _GNU_SOURCE /* qsort_r, memrchr */
/* view_objects.c - one group's objects in the subject dump, largest memsize
 * first. Enter opens an object; every row's details are read when the list
 * opens, so drawing only reads. */
#include "config.h"
#include "view_kinds.h"

#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "json_scan.h"
#include "textsafe.h"

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

bool view_open_objects(view *v, size_t g, size_t by_suspect)
{
    const group_set *s = v->set;
    const diff_result *diff = v->session->diff;
    /* The diff positions to look at: the group's, or the suspect's. */
    const uint32_t *pos = s->members + s->member_start[g];
    size_t npos = s->member_start[g + 1] - s->member_start[g];
    if (by_suspect != SIZE_MAX) {
        assert(v->sp_ready && by_suspect < v->sp.nrows);
        pos = v->sp.members + v->sp.rows[by_suspect].member_start;
        npos = v->sp.rows[by_suspect].count;
    }
    hs_mem mem = { 0 };
    size_t *objects = hs_mem_alloc(&mem, npos, sizeof *objects);
    if (!objects) {
        hs_error err;
        hs_mem_fail(&err, &mem, "cannot list the %zu objects of the group", npos);
        snprintf(v->message, sizeof v->message, "%.250s", err.msg);
        return false;
    }
    size_t n = 0;
    filter_prepare(&v->set->filter, v->subject);
    for (size_t m = 0; m < npos; m++) {
        if (s->group_of[pos[m]] != g)
            continue;
        size_t i = diff->objects[pos[m]];
        if (filter_object_passes(&v->set->filter, v->subject, i))
            objects[n++] = i;
    }
    /* The rows show memsize, bytesize, class and site: read them all now
     * (the loader read the suspects' already; this only checks). */
    hs_error err;
    if (objinfo_try_prepare(v->subject, objects, n, &err) != HS_OK) {
        free(objects);
        snprintf(v->message, sizeof v->message, "%.250s", err.msg);
        return false;
    }
    by_memsize ctx = { v->subject };
    qsort_r(objects, n, sizeof *objects, cmp_objects, &ctx);
    view_frame *f = view_push(v, VIEW_OBJECTS);
    f->group = g;
    f->suspect = by_suspect;
    f->objects = objects;
    f->nobjects = n;
    return true;
}

bool view_open_group(view *v, size_t g)
{
    return view_open_objects(v, g, SIZE_MAX);
}

static size_t objects_rows(const view *v, const view_frame *f)
{
    (void)v;
    return f->nobjects;
}

static size_t objects_row_text(const view *v, const view_frame *f, size_t row, char *buf, size_t size)
{
    assert(row < f->nobjects);
    const heap *h = v->subject;
    size_t i = f->objects[row];
    scan_str raw = h->type[i] == RT_STRING ? objinfo_value(h, i) : (scan_str){ NULL, 0 };
    char val[256];
    size_t vlen = raw.ptr ? json_unescape(raw.ptr, raw.len, val, sizeof val) : 0;
    return columns_object_row(h, i, raw.ptr ? val : NULL, vlen, buf, size);
}

static bool objects_enter(view *v, view_frame *f)
{
    if (f->nobjects == 0) {
        snprintf(v->message, sizeof v->message, "no object to open");
        return false;
    }
    return view_open_retained(v, f->objects[f->selected]);
}

static void objects_write_about(const view *v, const view_frame *f, FILE *out)
{
    const group *g = &v->set->groups[f->group];
    char label[1024];
    size_t llen;
    group_label(v->set, g, label, sizeof label, &llen);
    fprintf(out, "# group (%s): %s%s", group_by_name(v->set->by), group_type_name(v->set, g),
            group_shows_type(v->set) ? " " : "");
    textsafe_write(out, label, llen, true);
    fputc('\n', out);
    char head[256];
    size_t hlen = columns_object_heading(head, sizeof head);
    for (size_t k = 0; k < hlen; k++)
        head[k] = (char)tolower((unsigned char)head[k]);
    fprintf(out, "# %s\n", head);
}

static void objects_export_name(const view *v, const view_frame *f, char *buf, size_t size)
{
    size_t row = 0;
    while (row < v->set->nvisible && v->set->order[row] != f->group)
        row++;
    snprintf(buf, size, "heapsift-group-%zu.txt", row + 1);
}

static void objects_release(view_frame *f)
{
    free(f->objects);
}

static const group *objects_group(const view *v, const view_frame *f)
{
    return &v->set->groups[f->group];
}

/* The group's type and label, a path cut to its file name. */
static size_t objects_crumb(const view *v, const view_frame *f, char *buf, size_t size)
{
    const group *g = &v->set->groups[f->group];
    char label[512];
    size_t llen;
    group_label(v->set, g, label, sizeof label, &llen);
    const char *slash = v->set->by == GROUP_SITE ? memrchr(label, '/', llen) : NULL;
    const char *base = slash ? slash + 1 : label;
    int n = snprintf(buf, size, "%s%s%.*s", group_type_name(v->set, g), group_shows_type(v->set) ? " " : "",
                     (int)(llen - (size_t)(base - label)), base);
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static bool objects_copy(const view *v, const view_frame *f, char *buf, size_t size)
{
    snprintf(buf, size, "0x%" PRIx64, v->subject->addr[f->objects[f->selected]]);
    return true;
}

static bool objects_source(const view *v, const view_frame *f, char *file, size_t size, uint32_t *line)
{
    return view_site_source(v->subject, heap_site_of(v->subject, f->objects[f->selected]), file, size, line);
}

const view_ops view_objects_ops = {
    .copy = objects_copy,
    .source = objects_source,
    .crumb = objects_crumb,
    .group = objects_group,
    .title = "objects of a group",
    .rows = objects_rows,
    .row_text = objects_row_text,
    .enter = objects_enter,
    .write_about = objects_write_about,
    .export_name = objects_export_name,
    .release = objects_release,
};
