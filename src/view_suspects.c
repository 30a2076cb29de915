#define _GNU_SOURCE /* qsort_r */
/* view_suspects.c - the Suspects tab's list: what holds the retained
 * objects, one row per suspect (suspects.h), most bytes first or as sorted.
 * Enter opens a suspect; the export is --suspects' text. */
#include "config.h"
#include "view_kinds.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "suspects_report.h"
#include "units.h"

/* A verdict in a word or two, for the list's GROWTH column. */
static const char *const growth_words[SUSPECT_GROWTH_COUNT] = {
    [SUSPECT_NO_WINDOWS] = "",
    [SUSPECT_GROWS] = "grows",
    [SUSPECT_GREW_ONCE] = "grew once",
    [SUSPECT_SETTLED] = "settled",
    [SUSPECT_GROWS_AGAIN] = "grows again",
};

/* Growth sorts from the most alarming verdict down. */
static const int growth_rank[SUSPECT_GROWTH_COUNT] = {
    [SUSPECT_GROWS] = 0, [SUSPECT_GROWS_AGAIN] = 1, [SUSPECT_SETTLED] = 2,
    [SUSPECT_GREW_ONCE] = 3, [SUSPECT_NO_WINDOWS] = 4,
};

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
    return a > b ? -1 : a < b;
}

static int cmp_suspects(const void *pa, const void *pb, void *ctx)
{
    const view *v = ctx;
    size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
    const suspect *a = &v->sp.rows[ia], *b = &v->sp.rows[ib];
    /* dump_all's own objects stay last whatever the key. */
    if (a->noise != b->noise)
        return a->noise ? 1 : -1;
    int c = 0;
    switch (v->sp_sort) {
    case SSORT_BYTES: c = (ia > ib) - (ia < ib); break; /* suspects_find's rank */
    case SSORT_COUNT: c = cmp_u64_desc(a->count, b->count); break;
    case SSORT_GROWTH: c = growth_rank[a->growth] - growth_rank[b->growth]; break;
    case SSORT_COUNT_ALL: assert(0); break;
    }
    if (v->sp_reverse)
        c = -c;
    /* Ties keep the suspects' own rank. */
    return c ? c : (ia > ib) - (ia < ib);
}

void view_suspects_sort(view *v)
{
    view_frame *root = view_tab_root(v, TAB_SUSPECTS);
    size_t keep = v->sp.nrows && root->selected < v->sp.nrows ? v->sp_order[root->selected] : SIZE_MAX;
    for (size_t r = 0; r < v->sp.nrows; r++)
        v->sp_order[r] = r;
    qsort_r(v->sp_order, v->sp.nrows, sizeof *v->sp_order, cmp_suspects, v);
    root->selected = root->top = 0;
    for (size_t r = 0; r < v->sp.nrows; r++)
        if (v->sp_order[r] == keep)
            root->selected = r;
    v->match_count = 0;
}

static size_t suspects_rows(const view *v, const view_frame *f)
{
    (void)f;
    return v->sp_ready ? v->sp.nrows : 0;
}

/* A bar of `cells` cells for share (0..1): eighths of a block in UTF-8,
 * '#' and '.' in ASCII. */
static size_t share_bar(double share, int cells, bool utf8, char *buf, size_t size)
{
    static const char *const eighths[] = { "", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589" };
    int units = (int)(share * cells * 8 + 0.5), len = 0;
    for (int c = 0; c < cells && (size_t)len + 4 < size; c++) {
        int here = units - c * 8;
        const char *g = here >= 8 ? (utf8 ? "\u2588" : "#") : here > 0 ? (utf8 ? eighths[here] : "#")
                                                            : (utf8 ? " " : ".");
        if (!*g)
            g = " ";
        len += snprintf(buf + len, size - (size_t)len, "%s", g);
    }
    return (size_t)len;
}

size_t view_suspects_heading(char *buf, size_t size)
{
    int n = snprintf(buf, size, "%8s %9s %-17s %-11s %s", "COUNT", "BYTES", "SHARE", "GROWTH", "HELD BY");
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

size_t view_suspects_row_text(const view *v, size_t row, bool utf8, char *buf, size_t size)
{
    assert(v->sp_ready && row < v->sp.nrows);
    size_t r = v->sp_order[row];
    const suspect *s = &v->sp.rows[r];
    char bytes[32], bar[64], holder[1024];
    units_bytes(s->memsize, bytes, sizeof bytes);
    share_bar(s->share, 10, utf8, bar, sizeof bar);
    size_t hlen = suspects_describe(v->session, &v->sp, r, holder, sizeof holder);
    int n = snprintf(buf, size, "%8" PRIu64 " %9s %s %5.1f%% %-11s %.*s", s->count, bytes, bar, s->share * 100,
                     growth_words[s->growth], (int)hlen, holder);
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static size_t suspects_row_text(const view *v, const view_frame *f, size_t row, char *buf, size_t size)
{
    (void)f;
    return view_suspects_row_text(v, row, true, buf, size);
}

static bool suspects_enter(view *v, view_frame *f)
{
    if (!v->sp_ready) {
        snprintf(v->message, sizeof v->message, "%s",
                 v->sp_error[0] ? v->sp_error : "the suspects come with the graph: Tab shows the groups meanwhile");
        return false;
    }
    if (v->sp.nrows == 0) {
        snprintf(v->message, sizeof v->message, "no suspect: nothing retained, or the filter hides everything");
        return false;
    }
    view_open_suspect(v, v->sp_order[f->selected]);
    return true;
}

static hs_status suspects_write_all(const view *v, FILE *out, const char *when, hs_error *err)
{
    if (!v->sp_ready)
        return hs_fail(err, HS_ERR_USAGE, "no suspects yet: the graph is still being read");
    report_info info = { v->session, v->set };
    suspects_report_opts opts = { .header = true, .escape = true, .groups = 5, .holders = 5, .when = when };
    return suspects_write(out, &info, &v->sp, &opts, err);
}

static void suspects_export_name(const view *v, const view_frame *f, char *buf, size_t size)
{
    (void)v;
    (void)f;
    snprintf(buf, size, "heapsift-suspects.txt");
}

static size_t suspects_crumb(const view *v, const view_frame *f, char *buf, size_t size)
{
    (void)v;
    (void)f;
    snprintf(buf, size, "Suspects");
    return strlen(buf);
}

static bool suspects_copy(const view *v, const view_frame *f, char *buf, size_t size)
{
    const suspect *s = &v->sp.rows[v->sp_order[f->selected]];
    if (s->kind == SUSPECT_HELD)
        snprintf(buf, size, "0x%" PRIx64, s->holder_addr);
    else
        suspects_describe(v->session, &v->sp, v->sp_order[f->selected], buf, size);
    return true;
}

static bool suspects_source(const view *v, const view_frame *f, char *file, size_t size, uint32_t *line)
{
    const suspect *s = &v->sp.rows[v->sp_order[f->selected]];
    return s->kind == SUSPECT_HELD &&
           view_site_source(v->session->latest, &v->session->latest->sites[s->holder_site], file, size, line);
}

const view_ops view_suspects_ops = {
    .copy = suspects_copy,
    .source = suspects_source,
    .title = "suspects",
    .rows = suspects_rows,
    .row_text = suspects_row_text,
    .enter = suspects_enter,
    .write = suspects_write_all,
    .export_name = suspects_export_name,
    .crumb = suspects_crumb,
};
