/* ui_why.c - the why pane: for the selected group, its retained size, the
 * objects that hold it (by their allocation site) and the path from a GC
 * root to its largest object, as --why prints them. */
#define _XOPEN_SOURCE_EXTENDED 1
#define _GNU_SOURCE /* open_memstream */
#include "ui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suspects_report.h"
#include "why.h"

void ui_why_open(ui *u)
{
    view *v = &u->view;
    view_kind kind = view_top_c(v)->kind;
    size_t r = view_current_suspect(v);
    if (r != SIZE_MAX && (kind == VIEW_SUSPECTS || !view_current_group(v))) {
        /* A suspect: its full text, as --suspects writes it. */
        FILE *out = ui_pane_begin(u);
        if (!out)
            return;
        report_info info = { v->session, v->set };
        suspects_report_opts opts = { .escape = true, .groups = SIZE_MAX, .holders = 20 };
        suspects_write_suspect(out, &info, &v->sp, r, &opts);
        ui_pane_show(u, out, "What holds this suspect's objects", 'w');
        return;
    }
    if (v->tab == TAB_SUSPECTS && !v->sp_ready) {
        snprintf(u->status, sizeof u->status, "%s",
                 v->sp_error[0] ? v->sp_error : "the suspects come with the graph: Tab shows the groups meanwhile");
        return;
    }
    const group *g = view_current_group(v);
    if (!g) {
        snprintf(u->status, sizeof u->status, "w explains a group: select one in the group list");
        return;
    }
    if (v->graph_pending) {
        snprintf(u->status, sizeof u->status,
                 "what holds it: dump %zu's references are still being read (see the status line); try again soon",
                 v->session->ndumps);
        return;
    }
    FILE *out = ui_pane_begin(u);
    if (!out)
        return;
    /* Escaped as for a terminal: the pane draws it as it is. */
    hs_error err;
    if (why_write_group(out, v->session, v->set, g, true, &err) != HS_OK) {
        ui_pane_cancel(out);
        snprintf(u->status, sizeof u->status, "%.250s", err.msg);
        return;
    }
    ui_pane_show(u, out, "Why is this group retained?", 'w');
}
