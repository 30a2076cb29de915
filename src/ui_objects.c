/* ui_objects.c - rows of a group's object list: address, type, class name,
 * memsize, bytesize, generation, and the start of a string's value. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <stdio.h>
#include <string.h>

#include "columns.h"

void ui_objects_heading(ui *u, int y);
void ui_objects_row(ui *u, int y, size_t row, bool selected);

void ui_objects_heading(ui *u, int y)
{
    char head[256];
    columns_object_heading(head, sizeof head);
    ui_fill(stdscr, y, 0, COLS, u->attr[PART_HEADING]);
    ui_puts(stdscr, y, 0, head, COLS, false);
}

void ui_objects_row(ui *u, int y, size_t row, bool selected)
{
    char text[2048];
    size_t len = view_row_text(&u->view, row, text, sizeof text);
    attr_t a = selected ? u->attr[PART_SELECTED] : u->attr[PART_NORMAL];
    ui_fill(stdscr, y, 0, COLS, a);
    ui_put(stdscr, y, 0, text, len, COLS, false);
}
