/* view_groups.c - the group list: the retained groups of the session, in the
 * grouping, filter and sort of v->set. Enter opens a group's objects; the
 * export is --report's text. */
#include "config.h"
#include "view_kinds.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "columns.h"
#include "report.h"

static size_t groups_rows(const view *v, const view_frame *f)
{
    (void)f;
    return v->set->nvisible;
}

static size_t groups_row_text(const view *v, const view_frame *f, size_t row, char *buf, size_t size)
{
    (void)f;
    const group *g = view_group_at(v, row);
    assert(g);
    return columns_row_text(v->set, g, true, buf, size);
}

static bool groups_enter(view *v, view_frame *f)
{
    if (v->set->nvisible == 0) {
        snprintf(v->message, sizeof v->message, "no group to open (the filter hides every group)");
        return false;
    }
    return view_open_group(v, v->set->order[f->selected]);
}

static hs_status groups_write(const view *v, FILE *out, const char *when, hs_error *err)
{
    report_info info = { v->session, v->set };
    /* --report's lines with what the screen shows besides: the retained
     * size and each dump's count (the TREND column), as --trend writes them. */
    report_opts opts = { .header = true, .when = when, .retained = true, .trend = true };
    return report_write(out, &info, &opts, err);
}

static void groups_export_name(const view *v, const view_frame *f, char *buf, size_t size)
{
    (void)v;
    (void)f;
    snprintf(buf, size, "heapsift-report.txt");
}

static const group *groups_group(const view *v, const view_frame *f)
{
    return view_group_at(v, f->selected);
}

static size_t groups_crumb(const view *v, const view_frame *f, char *buf, size_t size)
{
    (void)v;
    (void)f;
    snprintf(buf, size, "Groups");
    return strlen(buf);
}

static bool groups_copy(const view *v, const view_frame *f, char *buf, size_t size)
{
    const group *g = view_group_at(v, f->selected);
    size_t len;
    group_label(v->set, g, buf, size, &len);
    return len > 0;
}

/* A group of one file (by site or by file) opens there. */
static bool groups_source(const view *v, const view_frame *f, char *file, size_t size, uint32_t *line)
{
    const group *g = view_group_at(v, f->selected);
    if (v->set->by != GROUP_SITE && strcmp(group_by_name(v->set->by), "file") != 0)
        return false;
    heap_site site = { .file = g->file, .line = v->set->by == GROUP_SITE ? g->line : HEAP_NO_LINE };
    return view_site_source(v->subject, &site, file, size, line);
}

const view_ops view_groups_ops = {
    .copy = groups_copy,
    .source = groups_source,
    .crumb = groups_crumb,
    .group = groups_group,
    .title = "retained groups",
    .rows = groups_rows,
    .row_text = groups_row_text,
    .enter = groups_enter,
    .write = groups_write,
    .export_name = groups_export_name,
};
