/* ui_problems.c - the problems pane: every warning about the dumps, as the
 * command line writes them after a report, with every problem line a dump
 * keeps (line, byte and reason). */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include "problems.h"

void ui_problems_open(ui *u)
{
    view *v = &u->view;
    if (!problems_dumps(v->session)) {
        snprintf(u->status, sizeof u->status, "every line of every dump was read as written: nothing to show");
        return;
    }
    FILE *out = ui_pane_begin(u);
    if (!out)
        return;
    /* Escaped as for a terminal: the pane draws it as it is. */
    problems_write(out, v->session, "", HEAP_MAX_PROBLEMS, true);
    ui_pane_show(u, out, "What was wrong with the dumps", '!');
}
