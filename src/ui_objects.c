/* ui_objects.c - rows of a group's object list: address, type, class name,
 * memsize, bytesize, generation, and the start of a string's value. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <stdio.h>
#include <string.h>

#include "columns.h"

static void heading(ui *u, int y)
{
    char head[256];
    columns_object_heading(head, sizeof head);
    ui_fill(stdscr, y, 0, COLS, u->attr[PART_HEADING]);
    ui_puts(stdscr, y, 0, head, COLS, false);
}

static void row_draw(ui *u, int y, size_t row, bool selected)
{
    char text[2048];
    size_t len = view_row_text(&u->view, row, text, sizeof text);
    attr_t a = ui_row_attr(u, row, selected, u->attr[PART_NORMAL]);
    ui_fill(stdscr, y, 0, COLS, a);
    ui_put_from(stdscr, y, 0, text, len, COLS, ui_hscroll(u));
}

/* Which group these are: the heading has no room for it at 80 columns. */
static void status(ui *u, char *buf, size_t size)
{
    const view *v = &u->view;
    const group *g = &v->set->groups[view_top_c(v)->group];
    char label[512];
    size_t llen;
    group_label(v->set, g, label, sizeof label, &llen);
    snprintf(buf, size, " in %s%s%.*s", group_type_name(v->set, g), group_shows_type(v->set) ? " " : "", (int)llen,
             label);
}

const ui_view_ops ui_objects_view = {
    .status = status,
    .heading = heading,
    .row = row_draw,
    .keys = &ui_objects_keys,
    .noun = "object",
    .empty = "Nothing here.",
};
