/* ui_objects.c - rows of a group's object list: address, type, class name,
 * memsize, bytesize, generation, and the start of a string's value. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <stdio.h>
#include <string.h>

void ui_objects_heading(ui *u, int y);
void ui_objects_row(ui *u, int y, size_t row, bool selected);

void ui_objects_heading(ui *u, int y)
{
    view *v = &u->view;
    view_frame *f = view_top(v);
    char label[1024], head[1200];
    size_t len;
    group_label(v->set, &v->set->groups[f->group], label, sizeof label, &len);
    ui_fill(stdscr, y, 0, COLS, u->attr[PART_HEADING]);
    snprintf(head, sizeof head, "%-14s %-7s %-20s %8s %8s %6s VALUE   in ", "ADDRESS", "TYPE", "CLASS",
             "MEMSIZE", "BYTESIZE", "GEN");
    int x = ui_puts(stdscr, y, 0, head, COLS, false);
    ui_put(stdscr, y, x, label, len, COLS - x, false);
}

void ui_objects_row(ui *u, int y, size_t row, bool selected)
{
    char text[2048];
    size_t len = view_row_text(&u->view, row, text, sizeof text);
    attr_t a = selected ? u->attr[PART_SELECTED] : u->attr[PART_NORMAL];
    ui_fill(stdscr, y, 0, COLS, a);
    ui_put(stdscr, y, 0, text, len, COLS, false);
}
