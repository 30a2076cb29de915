/* ui_why.c - the why pane: for the selected group, its retained size, the
 * objects that hold it (by their allocation site) and the path from a GC
 * root to its largest object, as --why prints them. */
#define _XOPEN_SOURCE_EXTENDED 1
#define _GNU_SOURCE /* open_memstream */
#include "ui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "why.h"

void ui_why_open(ui *u)
{
    view *v = &u->view;
    view_frame *f = view_top(v);
    const group *g = NULL;
    if (f->kind == VIEW_GROUPS)
        g = view_group_at(v, f->selected);
    else if (f->kind == VIEW_OBJECTS)
        g = &v->set->groups[f->group];
    if (!g) {
        snprintf(u->status, sizeof u->status, "w explains a group: select one in the group list");
        return;
    }
    if (v->graph_pending) {
        snprintf(u->status, sizeof u->status,
                 "what holds it: dump %zu's references are still being read (see the status line); try again soon",
                 v->ndumps);
        return;
    }
    free(u->why_text);
    u->why_text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&u->why_text, &size);
    if (!out) {
        snprintf(u->status, sizeof u->status, "cannot explain the group: out of memory");
        return;
    }
    /* Unescaped here: the pane escapes what it draws. */
    why_write_group(out, v->dumps, v->ndumps, v->diff, v->set, g, false);
    fclose(out);
    u->why_lines = 0;
    for (size_t i = 0; i < size; i++)
        u->why_lines += u->why_text[i] == '\n';
    u->why_top = 0;
    u->mode = MODE_WHY;
}

void ui_why_draw(ui *u)
{
    int h = LINES - 2, w = COLS;
    int y0 = 1, x0 = 0;
    ui_pane(u, y0, x0, h, w, "Why is this group retained?  (j/k scroll, q or Esc close)");
    const char *p = u->why_text ? u->why_text : "";
    for (size_t skip = 0; skip < u->why_top && *p; skip++) {
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
    for (int y = 2; y < h && *p; y++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        ui_put(stdscr, y0 + y, x0 + 1, p, len, w - 2, false);
        p = nl ? nl + 1 : p + len;
    }
    attrset(A_NORMAL);
}

bool ui_why_key(ui *u, int key)
{
    size_t page = LINES > 6 ? (size_t)LINES - 6 : 1;
    switch (action_for_key(key)) {
    case ACT_DOWN:
        if (u->why_top + 1 < u->why_lines)
            u->why_top++;
        return true;
    case ACT_UP:
        if (u->why_top)
            u->why_top--;
        return true;
    case ACT_PAGE_DOWN:
        u->why_top = u->why_top + page < u->why_lines ? u->why_top + page : u->why_top;
        return true;
    case ACT_PAGE_UP:
        u->why_top = u->why_top > page ? u->why_top - page : 0;
        return true;
    case ACT_QUIT_NOW:
        u->quit = true;
        return true;
    default:
        if (key == 'q' || key == 27 || key == 'w' || key == 'h' || key == KEY_LEFT) {
            u->mode = MODE_BROWSE;
            return true;
        }
        return false;
    }
}
