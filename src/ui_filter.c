/* ui_filter.c - the filter pane: the file path pattern, an exclude pattern,
 * the types, a minimum count and the grouping. The list updates as the
 * person types; Enter keeps the filter, Esc restores the one before. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_names[FF_COUNT] = {
    [FF_INCLUDE] = "Path contains",
    [FF_EXCLUDE] = "Exclude path",
    [FF_TYPES] = "Types",
    [FF_MIN_COUNT] = "Min count",
    [FF_GROUP_BY] = "Group by",
};

static void types_text(const obj_filter *f, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    if (!f->types_set)
        return;
    for (int t = 0; t < RT_COUNT; t++)
        if (f->types[t] && len + 16 < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "", rtype_name((rtype)t));
}

void ui_filter_open(ui *u)
{
    view *v = &u->view;
    filter_init(&u->ff_saved);
    filter_copy(&u->ff_saved, &v->set->filter);
    u->ff_saved_by = v->set->by;
    snprintf(u->ff_text[FF_INCLUDE], sizeof u->ff_text[0], "%s", v->set->filter.include ? v->set->filter.include : "");
    snprintf(u->ff_text[FF_EXCLUDE], sizeof u->ff_text[0], "%s", v->set->filter.exclude ? v->set->filter.exclude : "");
    types_text(&v->set->filter, u->ff_text[FF_TYPES], sizeof u->ff_text[0]);
    if (v->set->filter.min_count > 1)
        snprintf(u->ff_text[FF_MIN_COUNT], sizeof u->ff_text[0], "%" PRIu64, v->set->filter.min_count);
    else
        u->ff_text[FF_MIN_COUNT][0] = '\0';
    u->ff_cursor = FF_INCLUDE;
    u->ff_error = false;
    u->mode = MODE_FILTER;
}

/* Applies what the fields say, as the person types. */
static void apply(ui *u)
{
    obj_filter f;
    filter_init(&f);
    filter_set_include(&f, u->ff_text[FF_INCLUDE]);
    filter_set_exclude(&f, u->ff_text[FF_EXCLUDE]);
    const char *bad;
    u->ff_error = !filter_set_types(&f, u->ff_text[FF_TYPES], &bad);
    f.min_count = strtoull(u->ff_text[FF_MIN_COUNT], NULL, 10);
    view_set_filter(&u->view, &f);
    filter_free(&f);
}

void ui_filter_draw(ui *u)
{
    view *v = &u->view;
    /* One row per field, with a blank row between them when there is room. */
    int gap = LINES >= FF_COUNT * 2 + 7 ? 2 : 1;
    int h = FF_COUNT * gap + 4 + (gap - 1), w = COLS - 4 < 70 ? COLS - 4 : 70;
    int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
    attr_t pane = ui_pane(u, y0, x0, h, w, "Filter");
    for (int k = 0; k < FF_COUNT; k++) {
        int y = y0 + 1 + gap * k + (gap - 1);
        attrset(pane);
        ui_puts(stdscr, y, x0 + 2, field_names[k], 14, true);
        char shown[300];
        if (k == FF_GROUP_BY)
            snprintf(shown, sizeof shown, "< %s >", group_by_name(v->set->by));
        else
            snprintf(shown, sizeof shown, "%s%s", u->ff_text[k], k == (int)u->ff_cursor ? "_" : "");
        attrset(k == (int)u->ff_cursor ? u->attr[PART_SELECTED] : pane);
        ui_puts(stdscr, y, x0 + 17, shown, w - 19, true);
    }
    attrset(u->ff_error ? (pane | A_BOLD) : pane);
    char note[200];
    if (u->ff_error)
        snprintf(note, sizeof note, "unknown type in Types (STRING,ARRAY,HASH,OBJECT,DATA...)");
    else
        snprintf(note, sizeof note, "%zu groups, %" PRIu64 " objects shown", v->set->nvisible, v->set->total_count);
    ui_puts(stdscr, y0 + h - 3, x0 + 2, note, w - 4, true);
    attrset(pane);
    ui_puts(stdscr, y0 + h - 2, x0 + 2, "Up/Down/Tab field  Left/Right grouping  Enter keep  Esc undo", w - 4,
            false);
    attrset(A_NORMAL);
}

static void close_pane(ui *u, bool keep)
{
    if (!keep) {
        if (u->view.set->by != u->ff_saved_by)
            view_set_group_by(&u->view, u->ff_saved_by);
        view_set_filter(&u->view, &u->ff_saved);
    }
    filter_free(&u->ff_saved);
    u->mode = MODE_BROWSE;
}

bool ui_filter_key(ui *u, int key)
{
    char *text = u->ff_text[u->ff_cursor];
    size_t len = strlen(text);
    switch (key) {
    case 27:
        close_pane(u, false);
        return true;
    case '\n':
    case '\r':
    case KEY_ENTER:
        close_pane(u, true);
        return true;
    case KEY_DOWN:
    case '\t':
        u->ff_cursor = (filter_field)((u->ff_cursor + 1) % FF_COUNT);
        return true;
    case KEY_UP:
    case KEY_BTAB:
        u->ff_cursor = (filter_field)((u->ff_cursor + FF_COUNT - 1) % FF_COUNT);
        return true;
    case KEY_LEFT:
    case KEY_RIGHT:
        if (u->ff_cursor == FF_GROUP_BY) {
            unsigned n = group_by_count();
            view_set_group_by(&u->view, (u->view.set->by + (key == KEY_RIGHT ? 1 : n - 1)) % n);
        }
        return true;
    case KEY_BACKSPACE:
    case 127:
    case CTRL_KEY('h'):
        if (u->ff_cursor != FF_GROUP_BY && len > 0) {
            text[len - 1] = '\0';
            apply(u);
        }
        return true;
    case CTRL_KEY('u'):
        if (u->ff_cursor != FF_GROUP_BY) {
            text[0] = '\0';
            apply(u);
        }
        return true;
    default:
        if (key >= 32 && key < 256 && key != 127 && u->ff_cursor != FF_GROUP_BY &&
            len + 1 < sizeof u->ff_text[0]) {
            if (u->ff_cursor == FF_MIN_COUNT && (key < '0' || key > '9'))
                return true;
            text[len] = (char)key;
            text[len + 1] = '\0';
            apply(u);
        }
        return true;
    }
}
