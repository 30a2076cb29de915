/* ui_filter.c - the filter pane: the file path pattern, an exclude pattern,
 * the types, a minimum count and the grouping. The list updates as the
 * person types; Enter keeps the filter, Esc restores the one before. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys it does not bind are typed into the field. */
static const key_binding filter_bindings[] = {
    { ACT_FIELD, "field", NULL },
    { ACT_CHOICE, "grouping", "the next grouping (in Group by)" },
    { ACT_ERASE, NULL, NULL },
    { ACT_CLEAR, NULL, NULL },
    { ACT_ACCEPT, "keep", "keep the filter" },
    { ACT_CLOSE, "undo", "put back the filter the pane opened with" },
};
static const key_map filter_map = KEY_MAP("filter pane", filter_bindings);

static const char *const field_names[FF_COUNT] = {
    [FF_INCLUDE] = "Path contains",
    [FF_EXCLUDE] = "Exclude path",
    [FF_TYPES] = "Types",
    [FF_MIN_COUNT] = "Min count",
    [FF_GROUP_BY] = "Group by",
};

/* The pane open now (UI thread only). */
static struct {
    filter_field cursor;           /* the field being edited */
    char text[FF_COUNT][256];      /* the text of each field as typed */
    obj_filter saved;              /* the filter before the pane opened (Esc restores) */
    group_by saved_by;             /* the grouping before it opened */
    bool open;                     /* saved holds a filter to free */
    bool error;                    /* the types field does not parse */
} ff;

const char *ui_filter_text(filter_field k)
{
    return ff.text[k];
}

filter_field ui_filter_cursor(void)
{
    return ff.cursor;
}

bool ui_filter_error(void)
{
    return ff.error;
}

void ui_filter_release(void)
{
    if (ff.open)
        filter_free(&ff.saved);
    ff.open = false;
}

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
    ui_filter_release();
    filter_init(&ff.saved);
    filter_copy(&ff.saved, &v->set->filter);
    ff.open = true;
    ff.saved_by = v->set->by;
    snprintf(ff.text[FF_INCLUDE], sizeof ff.text[0], "%s", v->set->filter.include ? v->set->filter.include : "");
    snprintf(ff.text[FF_EXCLUDE], sizeof ff.text[0], "%s", v->set->filter.exclude ? v->set->filter.exclude : "");
    types_text(&v->set->filter, ff.text[FF_TYPES], sizeof ff.text[0]);
    if (v->set->filter.min_count > 1)
        snprintf(ff.text[FF_MIN_COUNT], sizeof ff.text[0], "%" PRIu64, v->set->filter.min_count);
    else
        ff.text[FF_MIN_COUNT][0] = '\0';
    ff.cursor = FF_INCLUDE;
    ff.error = false;
    u->mode = MODE_FILTER;
}

/* Applies what the fields say, as the person types. */
static void apply(ui *u)
{
    obj_filter f;
    filter_init(&f);
    filter_set_include(&f, ff.text[FF_INCLUDE]);
    filter_set_exclude(&f, ff.text[FF_EXCLUDE]);
    const char *bad;
    ff.error = !filter_set_types(&f, ff.text[FF_TYPES], &bad);
    f.min_count = strtoull(ff.text[FF_MIN_COUNT], NULL, 10);
    view_set_filter(&u->view, &f);
    filter_free(&f);
}

static void filter_draw(ui *u)
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
            snprintf(shown, sizeof shown, "%s%s", ff.text[k], k == (int)ff.cursor ? "_" : "");
        attrset(k == (int)ff.cursor ? u->attr[PART_SELECTED] : pane);
        ui_puts(stdscr, y, x0 + 17, shown, w - 19, true);
    }
    attrset(ff.error ? (pane | A_BOLD) : pane);
    char note[200];
    if (ff.error)
        snprintf(note, sizeof note, "unknown type in Types (STRING,ARRAY,HASH,OBJECT,DATA...)");
    else
        snprintf(note, sizeof note, "%zu groups, %" PRIu64 " objects shown", v->set->nvisible, v->set->total_count);
    ui_puts(stdscr, y0 + h - 3, x0 + 2, note, w - 4, true);
    attrset(pane);
    char bar[128];
    keymap_bar(&filter_map, bar, sizeof bar);
    ui_puts(stdscr, y0 + h - 2, x0 + 1, bar, w - 3, false);
    attrset(A_NORMAL);
}

static void close_pane(ui *u, bool keep)
{
    if (!keep) {
        if (u->view.set->by != ff.saved_by && !view_set_group_by(&u->view, ff.saved_by))
            snprintf(u->status, sizeof u->status, "%s", u->view.message);
        view_set_filter(&u->view, &ff.saved);
    }
    ui_filter_release();
    u->mode = MODE_BROWSE;
}

static void filter_key(ui *u, action act, int key)
{
    char *text = ff.text[ff.cursor];
    size_t len = strlen(text);
    bool editable = ff.cursor != FF_GROUP_BY;
    switch (act) {
    case ACT_CLOSE: close_pane(u, false); break;
    case ACT_ACCEPT: close_pane(u, true); break;
    case ACT_FIELD: {
        bool back = key == KEY_UP || key == KEY_BTAB;
        ff.cursor = (filter_field)((ff.cursor + (back ? FF_COUNT - 1 : 1)) % FF_COUNT);
        break;
    }
    case ACT_CHOICE:
        if (!editable) {
            unsigned n = group_by_count();
            if (!view_set_group_by(&u->view, (u->view.set->by + (key == KEY_RIGHT ? 1 : n - 1)) % n))
                snprintf(u->status, sizeof u->status, "%s", u->view.message);
        }
        break;
    case ACT_ERASE:
        if (editable && len > 0) {
            text[len - 1] = '\0';
            apply(u);
        }
        break;
    case ACT_CLEAR:
        if (editable) {
            text[0] = '\0';
            apply(u);
        }
        break;
    default:
        /* Unbound keys are typed into the field. */
        if (key >= 32 && key < 256 && key != 127 && editable && len + 1 < sizeof ff.text[0]) {
            if (ff.cursor == FF_MIN_COUNT && (key < '0' || key > '9'))
                break;
            text[len] = (char)key;
            text[len + 1] = '\0';
            apply(u);
        }
        break;
    }
}

static const key_map *filter_keys(const ui *u)
{
    (void)u;
    return &filter_map;
}

const ui_mode_ops ui_filter_mode = { .over_list = true, .draw = filter_draw, .key = filter_key, .keys = filter_keys, .maps = { &filter_map } };
