/* ui_list.c - the frame around every list: the title line, the column
 * headings, the rows of the current view, the status line and the key hints.
 * The rows themselves come from ui_groups.c, ui_objects.c and ui_object.c. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include "problems.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Row drawers, one per view kind (their own files). */
void ui_groups_heading(ui *u, int y);
void ui_groups_row(ui *u, int y, size_t row, bool selected);
void ui_objects_heading(ui *u, int y);
void ui_objects_row(ui *u, int y, size_t row, bool selected);
void ui_object_heading(ui *u, int y);
void ui_object_row(ui *u, int y, size_t row, bool selected);

static void draw_title(ui *u)
{
    view *v = &u->view;
    const group_set *s = v->set;
    char total[32], title[512];
    units_bytes(s->total_memsize, total, sizeof total);
    static const char *const mode_words[] = { [DIFF_ALL] = "all", [DIFF_NEW] = "new", [DIFF_RETAINED] = "retained" };
    snprintf(title, sizeof title, "heapsift  %zu dump%s: %s  identity %s  %" PRIu64 " objects %s  %zu %s",
             v->session->ndumps, v->session->ndumps == 1 ? "" : "s", mode_words[v->session->diff->mode],
             v->session->diff->identity == DIFF_ID_ADDRESS ? "address" : "exact", s->total_count, total, s->nvisible,
             s->nvisible == 1 ? "group" : "groups");
    ui_fill(stdscr, 0, 0, COLS, u->attr[PART_TITLE]);
    ui_puts(stdscr, 0, 1, title, COLS - 2, false);
}

static void draw_status(ui *u)
{
    view *v = &u->view;
    view_frame *f = view_top(v);
    size_t n = view_rows(v);
    char left[768];
    const char *where = f->kind == VIEW_GROUPS ? "group" : f->kind == VIEW_OBJECTS ? "object" : "row";
    /* A message from the last action comes first: it must not be clipped. */
    int len = snprintf(left, sizeof left, "%s%.250s%s %s %zu/%zu", u->status[0] ? " " : "", u->status,
                       u->status[0] ? "  |" : "", where, n ? f->selected + 1 : 0, n);
    if (f->kind == VIEW_OBJECTS) {
        /* Which group these are: the heading has no room for it at 80 columns. */
        char label[512];
        size_t llen;
        group_label(v->set, &v->set->groups[f->group], label, sizeof label, &llen);
        len += snprintf(left + len, sizeof left - (size_t)len, " in %s%s%.*s",
                        group_type_name(v->set, &v->set->groups[f->group]),
                        group_shows_type(v->set) ? " " : "", (int)llen, label);
    }
    if (f->kind == VIEW_GROUPS) {
        len += snprintf(left + len, sizeof left - (size_t)len, "  by %s  sort %s%s", group_by_name(v->set->by),
                        group_sort_name(v->set->sort), v->set->reverse ? " (reversed)" : "");
        if (v->set->filter.include)
            len += snprintf(left + len, sizeof left - (size_t)len, "  filter %s", v->set->filter.include);
        if (v->set->filter.exclude)
            len += snprintf(left + len, sizeof left - (size_t)len, "  excluding %s", v->set->filter.exclude);
        if (v->set->filter.types_set)
            len += snprintf(left + len, sizeof left - (size_t)len, "  types limited");
        if (v->set->filter.min_count > 1)
            len += snprintf(left + len, sizeof left - (size_t)len, "  min %" PRIu64, v->set->filter.min_count);
    }
    (void)len;
    ui_fill(stdscr, LINES - 2, 0, COLS, u->attr[PART_STATUS]);
    int used = ui_puts(stdscr, LINES - 2, 0, left, COLS, false);
    /* Right side: a message, or the warnings about the dumps. */
    char right[256] = "";
    bool warn = false;
    {
        uint64_t repaired = 0, skipped = 0;
        size_t shrank = 0;
        uint64_t gone = MAPGUARD_NO_FAULT;
        for (size_t k = 0; k < v->session->ndumps && !shrank; k++) {
            repaired += v->session->dumps[k]->repaired;
            skipped += v->session->dumps[k]->skipped;
            gone = heap_file_fault(v->session->dumps[k]);
            if (gone != MAPGUARD_NO_FAULT)
                shrank = k + 1;
        }
        if (shrank) {
            /* What was read of it since is zeros: nothing shown can be trusted. */
            snprintf(right, sizeof right, "dump %zu shrank while open: from byte %" PRIu64
                     " it reads as zeros; quit and rerun on a copy ", shrank, gone);
            warn = true;
        } else if (repaired || skipped) {
            snprintf(right, sizeof right, "%" PRIu64 " lines repaired, %" PRIu64 " skipped (! shows them) ",
                     repaired, skipped);
            warn = true;
        } else if (problems_dumps(v->session)) {
            snprintf(right, sizeof right, "warnings about the dumps (! shows them) ");
            warn = true;
        }
    }
    if (v->graph_pending) {
        /* The graph pass reports bytes read; the dominators follow it. */
        heap_progress *p = &u->loader->graph_progress;
        uint64_t total = atomic_load(&p->bytes_total), done = atomic_load(&p->bytes_done);
        size_t at = strlen(right);
        if (total && done >= total)
            snprintf(right + at, sizeof right - at, "retained sizes: dominators... ");
        else
            snprintf(right + at, sizeof right - at, "retained sizes: reading references %d%% ",
                     total ? (int)(done * 100 / total) : 0);
    }
    int rlen = (int)strlen(right);
    if (rlen && used + 2 < COLS) {
        int x = COLS - rlen > used + 2 ? COLS - rlen : used + 2;
        attrset(warn ? (u->attr[PART_STATUS] | A_BOLD) : u->attr[PART_STATUS]);
        ui_puts(stdscr, LINES - 2, x, right, COLS - x, false);
    }
}

static void draw_keys(ui *u)
{
    ui_fill(stdscr, LINES - 1, 0, COLS, u->attr[PART_KEYS]);
    const char *hints = view_top(&u->view)->kind == VIEW_GROUPS
                            ? " Enter open  / search  f filter  s sort  r reverse  e export  ? help  q quit"
                            : " Enter follow  h back  / search  e export  ? help  q back  Q quit";
    ui_puts(stdscr, LINES - 1, 0, hints, COLS, false);
}

void ui_list_draw(ui *u)
{
    view *v = &u->view;
    view_frame *f = view_top(v);
    int height = LINES - 4;
    view_scroll(v, (size_t)height);
    draw_title(u);
    switch (f->kind) {
    case VIEW_GROUPS: ui_groups_heading(u, 1); break;
    case VIEW_OBJECTS: ui_objects_heading(u, 1); break;
    case VIEW_OBJECT: ui_object_heading(u, 1); break;
    }
    size_t n = view_rows(v);
    for (int y = 0; y < height; y++) {
        size_t row = f->top + (size_t)y;
        if (row >= n)
            break;
        bool sel = row == f->selected;
        switch (f->kind) {
        case VIEW_GROUPS: ui_groups_row(u, 2 + y, row, sel); break;
        case VIEW_OBJECTS: ui_objects_row(u, 2 + y, row, sel); break;
        case VIEW_OBJECT: ui_object_row(u, 2 + y, row, sel); break;
        }
    }
    if (n == 0) {
        attrset(u->attr[PART_NORMAL]);
        mvaddstr(3, 2, f->kind == VIEW_GROUPS ? "No group: nothing retained, or the filter hides everything (f)."
                                              : "Nothing here.");
    }
    draw_status(u);
    draw_keys(u);
    attrset(A_NORMAL);
}
