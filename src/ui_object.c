/* ui_object.c - rows of the object view: the members of the object's line
 * (re-read from the dump), then what it references and what references it,
 * each resolved to type, class and allocation site. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "textsafe.h"

static void heading(ui *u, int y)
{
    view *v = &u->view;
    view_frame *f = view_top(v);
    char desc[1024], head[1200];
    size_t len = objinfo_describe(f->h, f->info.index, desc, sizeof desc);
    snprintf(head, sizeof head, "object 0x%" PRIx64 " in dump %zu: ", f->h->addr[f->info.index],
             session_dump_number(v->session, f->h));
    ui_fill(stdscr, y, 0, COLS, u->attr[PART_HEADING]);
    int x = ui_puts(stdscr, y, 0, head, COLS, false);
    ui_put(stdscr, y, x, desc, len, COLS - x, false);
}

static void row_draw(ui *u, int y, size_t row, bool selected)
{
    view *v = &u->view;
    const orow *r = view_orow_at(v, row);
    char text[2048];
    size_t len = view_row_text(v, row, text, sizeof text);
    bool heading = r->kind == OROW_HEADING || r->kind == OROW_RETAINED;
    attr_t a = heading && !selected ? u->attr[PART_HEADING] : ui_row_attr(u, row, selected, u->attr[PART_NORMAL]);
    ui_fill(stdscr, y, 0, COLS, a);
    ui_put_from(stdscr, y, 0, text, len, COLS, ui_hscroll(u));
}

const ui_view_ops ui_object_view = {
    .heading = heading,
    .row = row_draw,
    .keys = &ui_object_keys,
    .noun = "row",
    .empty = "Nothing here.",
};

void ui_value_open(ui *u)
{
    const view_frame *f = view_top_c(&u->view);
    const json_member *m = &f->info.members[view_orow_at(&u->view, f->selected)->item];
    FILE *out = ui_pane_begin(u);
    if (!out)
        return;
    /* Decoded, then escaped as for a terminal: the pane draws it as it is. */
    size_t cap = m->value.len + 1;
    char *value = hs_xmalloc(cap);
    size_t len = m->value.len;
    if (m->is_string)
        len = json_unescape(m->value.ptr, m->value.len, value, cap);
    else
        memcpy(value, m->value.ptr, len);
    textsafe_write(out, m->key.ptr, m->key.len, true);
    fprintf(out, " (%zu bytes):\n\n", len);
    textsafe_write(out, value, len, true);
    fputc('\n', out);
    free(value);
    ui_pane_show(u, out, "The whole value", '\r');
}
