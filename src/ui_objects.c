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
    char head[256];
    snprintf(head, sizeof head, "%-14s %-7s %-20s %8s %8s %6s VALUE", "ADDRESS", "TYPE", "CLASS", "MEMSIZE",
             "BYTESIZE", "GEN");
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
