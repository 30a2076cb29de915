/* ui_list.c - browsing a list: the frame around every list (the title line,
 * the column headings, the rows of the current view, the status line and
 * the key bar) and the keys of MODE_BROWSE. The headings and rows come from
 * each kind's table (ui_groups.c, ui_objects.c, ui_object.c). */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include "columns.h"
#include "monotime.h"
#include "problems.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const ui_view_ops *const kinds[VIEW_KIND_COUNT] = {
#define UI_VIEW_ENTRY(id, name) [id] = &ui_##name##_view,
    VIEW_KINDS(UI_VIEW_ENTRY)
#undef UI_VIEW_ENTRY
};

/* The lists' keys, in help's order. */
#define LIST_COMMON_HEAD                                                    \
    { ACT_DOWN, NULL, NULL }, { ACT_UP, NULL, NULL }, { ACT_PAGE_DOWN, NULL, NULL }, \
        { ACT_PAGE_UP, NULL, NULL }, { ACT_HOME, NULL, NULL }, { ACT_END, NULL, NULL }
static const key_binding groups_bindings[] = {
    LIST_COMMON_HEAD,
    { ACT_ENTER, "open", NULL },
    { ACT_BACK, NULL, NULL },
    { ACT_TAB, NULL, NULL },
    { ACT_SEARCH, "search", NULL },
    { ACT_SEARCH_NEXT, NULL, NULL },
    { ACT_SEARCH_PREV, NULL, NULL },
    { ACT_FILTER, "filter", NULL },
    { ACT_SORT, "sort", NULL },
    { ACT_SORT_LEFT, NULL, NULL },
    { ACT_SORT_RIGHT, NULL, NULL },
    { ACT_REVERSE, "reverse", NULL },
    { ACT_WHY, NULL, NULL },
    { ACT_PROBLEMS, NULL, NULL },
    { ACT_DUMPS, NULL, NULL },
    { ACT_EXPORT, "export", NULL },
    { ACT_COPY, NULL, NULL },
    { ACT_OPEN, NULL, NULL },
    { ACT_HELP, "help", NULL },
    { ACT_QUIT, "quit", NULL },
    { ACT_QUIT_NOW, NULL, NULL },
    { ACT_REDRAW, NULL, NULL },
    { ACT_MOUSE, NULL, NULL },
};
static const key_binding objects_bindings[] = {
    LIST_COMMON_HEAD,
    { ACT_ENTER, "follow", "open the object under the cursor" },
    { ACT_BACK, "back", "back to the list before (the groups, or the suspect)" },
    { ACT_TAB, NULL, NULL },
    { ACT_SCROLL_RIGHT, NULL, NULL },
    { ACT_SCROLL_LEFT, NULL, NULL },
    { ACT_SEARCH, "search", NULL },
    { ACT_SEARCH_NEXT, NULL, NULL },
    { ACT_SEARCH_PREV, NULL, NULL },
    { ACT_FILTER, NULL, "filter what counts (back to this tab's list)" },
    { ACT_SORT, NULL, "sort pane of this tab's list (the groups, or the suspects)" },
    { ACT_REVERSE, NULL, "reverse this tab's list" },
    { ACT_WHY, NULL, "why this group is retained: size, holders, root path" },
    { ACT_PROBLEMS, NULL, NULL },
    { ACT_EXPORT, "export", "export this list of objects" },
    { ACT_COPY, NULL, NULL },
    { ACT_OPEN, NULL, NULL },
    { ACT_HELP, "help", NULL },
    { ACT_QUIT, "back", "back to the list before (the groups, or the suspect)" },
    { ACT_QUIT_NOW, "quit", NULL },
    { ACT_REDRAW, NULL, NULL },
    { ACT_MOUSE, NULL, NULL },
};
static const key_binding object_bindings[] = {
    LIST_COMMON_HEAD,
    { ACT_ENTER, "follow", "follow the reference, referrer or hop; a member: its whole value" },
    { ACT_BACK, "back", "back to where you came from" },
    { ACT_TAB, NULL, NULL },
    { ACT_SCROLL_RIGHT, NULL, NULL },
    { ACT_SCROLL_LEFT, NULL, NULL },
    { ACT_SEARCH, "search", "search the object's rows" },
    { ACT_SEARCH_NEXT, NULL, NULL },
    { ACT_SEARCH_PREV, NULL, NULL },
    { ACT_FILTER, NULL, "filter what counts (back to this tab's list)" },
    { ACT_SORT, NULL, "sort pane of this tab's list (the groups, or the suspects)" },
    { ACT_REVERSE, NULL, "reverse this tab's list" },
    { ACT_PROBLEMS, NULL, NULL },
    { ACT_EXPORT, "export", "export this object's rows" },
    { ACT_COPY, NULL, NULL },
    { ACT_OPEN, NULL, NULL },
    { ACT_HELP, "help", NULL },
    { ACT_QUIT, "back", "back to where you came from" },
    { ACT_QUIT_NOW, "quit", NULL },
    { ACT_REDRAW, NULL, NULL },
    { ACT_MOUSE, NULL, NULL },
};
static const key_binding suspects_bindings[] = {
    LIST_COMMON_HEAD,
    { ACT_ENTER, "open", "open the suspect: its holders, root path and groups" },
    { ACT_TAB, "groups", NULL },
    { ACT_SCROLL_RIGHT, NULL, NULL },
    { ACT_SCROLL_LEFT, NULL, NULL },
    { ACT_SEARCH, "search", NULL },
    { ACT_SEARCH_NEXT, NULL, NULL },
    { ACT_SEARCH_PREV, NULL, NULL },
    { ACT_FILTER, "filter", "filter: what counts (path, exclude, types, min count)" },
    { ACT_SORT, "sort", "sort pane: bytes, count, growth" },
    { ACT_REVERSE, NULL, NULL },
    { ACT_WHY, "why", "the suspect in full: growth, holders, root path, groups" },
    { ACT_PROBLEMS, NULL, NULL },
    { ACT_DUMPS, NULL, NULL },
    { ACT_EXPORT, "export", "export the suspects as --suspects writes them" },
    { ACT_COPY, NULL, NULL },
    { ACT_OPEN, NULL, NULL },
    { ACT_HELP, "help", NULL },
    { ACT_QUIT, "quit", "quit heapsift" },
    { ACT_QUIT_NOW, NULL, NULL },
    { ACT_REDRAW, NULL, NULL },
    { ACT_MOUSE, NULL, NULL },
};
static const key_binding suspect_bindings[] = {
    LIST_COMMON_HEAD,
    { ACT_ENTER, "open", "open the group (its objects held), holder or hop under the cursor" },
    { ACT_BACK, "back", "back to the suspects" },
    { ACT_TAB, NULL, NULL },
    { ACT_SCROLL_RIGHT, NULL, NULL },
    { ACT_SCROLL_LEFT, NULL, NULL },
    { ACT_SEARCH, "search", NULL },
    { ACT_SEARCH_NEXT, NULL, NULL },
    { ACT_SEARCH_PREV, NULL, NULL },
    { ACT_WHY, "why", "the suspect in full, or why the group under the cursor is retained" },
    { ACT_PROBLEMS, NULL, NULL },
    { ACT_EXPORT, "export", "export the suspect in full" },
    { ACT_COPY, NULL, NULL },
    { ACT_OPEN, NULL, NULL },
    { ACT_HELP, "help", NULL },
    { ACT_QUIT, "back", "back to the suspects" },
    { ACT_QUIT_NOW, "quit", NULL },
    { ACT_REDRAW, NULL, NULL },
    { ACT_MOUSE, NULL, NULL },
};
#undef LIST_COMMON_HEAD
const key_map ui_groups_keys = KEY_MAP("group list", groups_bindings);
const key_map ui_objects_keys = KEY_MAP("object list", objects_bindings);
const key_map ui_suspects_keys = KEY_MAP("suspects", suspects_bindings);
const key_map ui_suspect_keys = KEY_MAP("suspect", suspect_bindings);
const key_map ui_object_keys = KEY_MAP("object", object_bindings);

const key_map *ui_list_keys(const ui *u)
{
    return kinds[view_top_c(&u->view)->kind]->keys;
}

/* "Suspects | Groups", the tab shown marked; returns the cells used. */
int ui_draw_tabs(ui *u, int y, int x, view_tab shown)
{
    static const char *const names[TAB_COUNT] = { [TAB_SUSPECTS] = "Suspects", [TAB_GROUPS] = "Groups" };
    int at = x;
    for (int t = 0; t < TAB_COUNT; t++) {
        if (t)
            at += ui_puts(stdscr, y, at, " | ", COLS - at, false);
        attrset(t == (int)shown ? (u->attr[PART_TITLE] | A_BOLD | A_UNDERLINE) : u->attr[PART_TITLE]);
        at += ui_puts(stdscr, y, at, names[t], COLS - at, false);
        attrset(u->attr[PART_TITLE]);
    }
    return at - x;
}

static void draw_title(ui *u)
{
    view *v = &u->view;
    const group_set *s = v->set;
    ui_fill(stdscr, 0, 0, COLS, u->attr[PART_TITLE]);
    int x = 1 + ui_puts(stdscr, 0, 1, "heapsift  ", COLS - 2, false);
    if (v->depth > 1) {
        /* Drilled in: where, rather than the totals. */
        char crumbs[1024];
        size_t len = view_breadcrumb(v, u->utf8, crumbs, sizeof crumbs);
        ui_put_tail(u, stdscr, 0, x, crumbs, len, COLS - 1 - x);
        return;
    }
    x += ui_draw_tabs(u, 0, x, v->tab);
    char total[32], title[512];
    units_bytes(s->total_memsize, total, sizeof total);
    static const char *const mode_words[] = { [DIFF_ALL] = "all", [DIFF_NEW] = "new", [DIFF_RETAINED] = "retained" };
    /* What fits 80 columns comes first: the totals, then the list's size. */
    int len = snprintf(title, sizeof title, "  %s: %" PRIu64 " objects %s, %zu dump%s  ", mode_words[v->session->diff->mode],
                       s->total_count, total, v->session->ndumps, v->session->ndumps == 1 ? "" : "s");
    if (v->tab == TAB_SUSPECTS && v->sp_ready)
        len += snprintf(title + len, sizeof title - (size_t)len, "%zu suspect%s", v->sp.nrows,
                        v->sp.nrows == 1 ? "" : "s");
    else if (v->tab == TAB_GROUPS)
        len += snprintf(title + len, sizeof title - (size_t)len, "%zu %s", s->nvisible,
                        s->nvisible == 1 ? "group" : "groups");
    /* The identity only when it fits whole. */
    const char *identity = v->session->diff->identity == DIFF_ID_ADDRESS ? "  identity address" : "  identity exact";
    if (x + len + (int)strlen(identity) <= COLS)
        snprintf(title + len, sizeof title - (size_t)len, "%s", identity);
    ui_puts(stdscr, 0, x, title, COLS - x, false);
}

bool ui_graph_progress(const ui *u, int *percent)
{
    /* The graph pass reports bytes read; the dominators follow it. */
    heap_progress *p = &u->loader->graph_progress;
    uint64_t total = atomic_load(&p->bytes_total), done = atomic_load(&p->bytes_done);
    *percent = total ? (int)(done * 100 / total) : 0;
    return total && done >= total;
}

/* The status line: the last action's message first and whole, the
 * warnings about the dumps and the graph's progress on the right, and
 * where the cursor is in what room is left between them. */
static void draw_status(ui *u)
{
    view *v = &u->view;
    view_frame *f = view_top(v);
    size_t n = view_rows(v);
    char message[300] = "";
    if (u->status[0])
        snprintf(message, sizeof message, " %.250s  |", u->status);
    char info[768];
    int len = snprintf(info, sizeof info, " %s %zu/%zu", kinds[f->kind]->noun, n ? f->selected + 1 : 0, n);
    if (kinds[f->kind]->status && len >= 0 && (size_t)len < sizeof info)
        kinds[f->kind]->status(u, info + len, sizeof info - (size_t)len);
    len = (int)strlen(info);
    if (v->match_count && !v->match_at && n <= 20000 && view_row_matches(v, f->selected)) {
        /* Moved onto a match: which one it is (cheap for lists of a
         * screenful to thousands of rows; longer ones say the count only). */
        size_t ordinal = 0;
        for (size_t r = 0; r <= f->selected; r++)
            ordinal += view_row_matches(v, r);
        v->match_at = ordinal;
    }
    if (v->match_count) {
        if (v->match_at)
            snprintf(info + len, sizeof info - (size_t)len, "  match %zu/%zu", v->match_at, v->match_count);
        else
            snprintf(info + len, sizeof info - (size_t)len, "  %zu match%s", v->match_count,
                     v->match_count == 1 ? "" : "es");
    }
    char right[256];
    bool warn = problems_summary(v->session, right, sizeof right - 1);
    if (warn)
        strcat(right, " ");
    if (v->graph_error[0] && strlen(right) + 20 < sizeof right)
        strcat(right, "no retained sizes ");
    if (v->graph_pending) {
        int percent;
        size_t at = strlen(right);
        if (ui_graph_progress(u, &percent))
            snprintf(right + at, sizeof right - at, "retained sizes: dominators... ");
        else
            snprintf(right + at, sizeof right - at, "retained sizes: reading references %d%% ", percent);
    }
    if (v->trends_pending) {
        /* The trends read each dump's sites in turn, after the graph. */
        const loader *l = u->loader;
        const heap_progress *p = &l->trends_progress;
        uint64_t total = atomic_load(&p->bytes_total), done = atomic_load(&p->bytes_done);
        int k = atomic_load(&l->trends_dump);
        size_t at = strlen(right);
        if (atomic_load(&l->trends_state) == LOADER_TRENDS_WAITING || !k)
            snprintf(right + at, sizeof right - at, "trends: next ");
        else
            snprintf(right + at, sizeof right - at, "trends: reading dump %d %d%% ", k,
                     total ? (int)(done * 100 / total) : 0);
    }
    if (u->opts.watch || u->next) {
        size_t at = strlen(right);
        ui_watch_status(u, right + at, sizeof right - at);
    }
    ui_fill(stdscr, LINES - 2, 0, COLS, u->attr[PART_STATUS]);
    int used = ui_puts(stdscr, LINES - 2, 0, message, COLS, false);
    int rlen = (int)strlen(right);
    int room = COLS - used - (rlen ? rlen + 1 : 0);
    if (room > 0)
        used += ui_puts(stdscr, LINES - 2, used, info, room, false);
    if (rlen && used + 1 < COLS) {
        int x = COLS - rlen > used + 1 ? COLS - rlen : used + 1;
        attrset(warn ? (u->attr[PART_STATUS] | A_BOLD) : u->attr[PART_STATUS]);
        ui_puts(stdscr, LINES - 2, x, right, COLS - x, false);
    }
}

void ui_list_draw_long_status(ui *u)
{
    const char *msg = u->status;
    size_t len = strlen(msg);
    int width = COLS - 2;
    if (!len || width < 10 || ui_fit(msg, len, width) >= len)
        return; /* fits on the status line */
    /* Wrapped at whole characters, at most over the rows of the list. */
    int rows = 0;
    for (size_t at = 0; at < len; rows++)
        at += ui_fit(msg + at, len - at, width);
    if (rows > LINES - 4)
        rows = LINES - 4;
    int y = LINES - 2 - rows;
    attrset(u->attr[PART_WARNING]);
    for (size_t at = 0; at < len && y < LINES - 2; y++) {
        size_t n = ui_fit(msg + at, len - at, width);
        ui_fill(stdscr, y, 0, COLS, u->attr[PART_WARNING]);
        ui_put(stdscr, y, 1, msg + at, n, width, false);
        at += n;
    }
    attrset(A_NORMAL);
}

attr_t ui_row_attr(ui *u, size_t row, bool selected, attr_t plain)
{
    if (selected)
        return u->attr[PART_SELECTED];
    return view_row_matches(&u->view, row) ? u->attr[PART_MATCH] : plain;
}

static void draw_keys(ui *u)
{
    ui_fill(stdscr, LINES - 1, 0, COLS, u->attr[PART_KEYS]);
    char bar[256];
    keymap_bar(ui_list_keys(u), bar, sizeof bar);
    ui_puts(stdscr, LINES - 1, 0, bar, COLS, false);
}

void ui_list_draw(ui *u)
{
    view *v = &u->view;
    view_frame *f = view_top(v);
    const ui_view_ops *kind = kinds[f->kind];
    int height = LINES - 4;
    /* A list opens with its first rows in view: when its starting row
     * (an object's first reference) is further down than the screen
     * reaches, the cursor starts at the top instead, so an object's
     * retained size and path are not scrolled away unseen. */
    if (!f->placed) {
        if (f->selected >= (size_t)height)
            view_home(v);
        f->placed = true;
    }
    view_scroll(v, (size_t)height);
    draw_title(u);
    kind->heading(u, 1);
    size_t n = view_rows(v);
    for (int y = 0; y < height; y++) {
        size_t row = f->top + (size_t)y;
        if (row >= n)
            break;
        kind->row(u, 2 + y, row, row == f->selected);
    }
    if (n == 0) {
        attrset(u->attr[PART_NORMAL]);
        if (kind->placeholder)
            kind->placeholder(u, 3);
        else
            mvaddstr(3, 2, kind->empty);
    }
    draw_status(u);
    draw_keys(u);
    attrset(A_NORMAL);
}

/* The number of list rows on screen (between the two header lines and the
 * status and key lines). */
static long list_height(void)
{
    return LINES - 4 > 1 ? LINES - 4 : 1;
}

/* Sorts by the next shown column to the left or right (dir -1, +1) of the
 * one sorted by that has a sort key, wrapping around, as htop's < and >. */
static void sort_by_neighbour(ui *u, int dir)
{
    const group_set *s = u->view.set;
    column_id shown[COL_COUNT_ALL];
    size_t n = columns_shown(s, shown), at = 0;
    int keys[COL_COUNT_ALL];
    size_t nkeys = 0;
    for (size_t k = 0; k < n; k++) {
        int key = column_sort_key(shown[k]);
        if (key < 0)
            continue;
        if (column_is_sorted(s, shown[k]))
            at = nkeys;
        keys[nkeys++] = key;
    }
    assert(nkeys > 0);
    size_t next = (at + nkeys + (size_t)(dir < 0 ? -1 : 1)) % nkeys;
    view_set_sort(&u->view, (group_sort_key)keys[next]);
    snprintf(u->status, sizeof u->status, "sorted by %s", group_sort_name(u->view.set->sort));
}

/* A mouse event on a list: a click on a row selects it, a second click on
 * it within 0.4 s opens it, the wheel moves three rows, a click on a tab's
 * name shows that tab. */
static void mouse(ui *u)
{
    static double last_click;
    static size_t last_row = SIZE_MAX;
    MEVENT ev;
    if (getmouse(&ev) != OK)
        return;
    view *v = &u->view;
    view_frame *f = view_top(v);
    if (ev.bstate & BUTTON4_PRESSED) {
        view_move(v, -3);
        return;
    }
    if (ev.bstate & BUTTON5_PRESSED) {
        view_move(v, 3);
        return;
    }
    if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED)))
        return;
    if (ev.y == 0 && v->depth == 1) {
        /* "heapsift  Suspects | Groups": the tabs' places on the title line. */
        view_tab want = ev.x >= 11 && ev.x < 19 ? TAB_SUSPECTS : ev.x >= 22 && ev.x < 28 ? TAB_GROUPS : v->tab;
        if (want != v->tab)
            view_switch_tab(v);
        return;
    }
    if (ev.y < 2 || ev.y >= LINES - 2)
        return;
    size_t row = f->top + (size_t)(ev.y - 2);
    if (row >= view_rows(v))
        return;
    double now = monotime_now();
    bool twice = (ev.bstate & BUTTON1_DOUBLE_CLICKED) || (row == last_row && now - last_click < 0.4);
    view_move(v, (long)row - (long)f->selected);
    last_row = row;
    last_click = now;
    if (twice && f->selected == row) {
        last_row = SIZE_MAX;
        if (!view_enter(v))
            snprintf(u->status, sizeof u->status, "%s", v->message);
    }
}

int ui_hscroll(ui *u)
{
    if (u->hscroll_depth != u->view.depth || u->hscroll_tab != u->view.tab) {
        u->hscroll = 0;
        u->hscroll_depth = u->view.depth;
        u->hscroll_tab = u->view.tab;
    }
    return u->hscroll;
}

static void browse_key(ui *u, action act, int key)
{
    (void)key;
    view *v = &u->view;
    u->status[0] = '\0';
    switch (act) {
    case ACT_DOWN: view_move(v, 1); break;
    case ACT_UP: view_move(v, -1); break;
    case ACT_PAGE_DOWN: view_move(v, list_height()); break;
    case ACT_PAGE_UP: view_move(v, -list_height()); break;
    case ACT_HOME: view_home(v); break;
    case ACT_END: view_end(v); break;
    case ACT_SCROLL_RIGHT: u->hscroll = ui_hscroll(u) + COLS / 4; break;
    case ACT_SCROLL_LEFT: u->hscroll = ui_hscroll(u) > COLS / 4 ? u->hscroll - COLS / 4 : 0; break;
    case ACT_ENTER:
        if (view_top(v)->kind == VIEW_OBJECT && view_orow_at(v, view_top(v)->selected)->kind == OROW_MEMBER) {
            ui_value_open(u);
            break;
        }
        if (!view_enter(v))
            snprintf(u->status, sizeof u->status, "%s", v->message);
        break;
    case ACT_BACK: view_back(v); break;
    case ACT_TAB: view_switch_tab(v); break;
    case ACT_SEARCH: ui_prompt_open(u, PROMPT_SEARCH, ""); break;
    case ACT_SEARCH_NEXT:
    case ACT_SEARCH_PREV:
        if (!view_search(v, NULL, act == ACT_SEARCH_NEXT ? 1 : -1))
            snprintf(u->status, sizeof u->status, "%s", v->message);
        break;
    case ACT_FILTER: ui_filter_open(u); break;
    case ACT_SORT: ui_sort_open(u); break;
    case ACT_SORT_LEFT:
    case ACT_SORT_RIGHT: sort_by_neighbour(u, act == ACT_SORT_LEFT ? -1 : 1); break;
    case ACT_REVERSE: view_reverse(v); break;
    case ACT_EXPORT: {
        char name[256];
        view_default_export_name(v, name, sizeof name);
        ui_prompt_open(u, PROMPT_EXPORT, name);
        break;
    }
    case ACT_MOUSE: mouse(u); break;
    case ACT_COPY: ui_copy(u); break;
    case ACT_OPEN: ui_open_source(u); break;
    case ACT_HELP: u->mode = MODE_HELP; break;
    case ACT_WHY: ui_why_open(u); break;
    case ACT_PROBLEMS: ui_problems_open(u); break;
    case ACT_DUMPS: ui_dumps_open(u); break;
    case ACT_QUIT:
        if (!view_back(v))
            u->quit = true;
        break;
    case ACT_QUIT_NOW: u->quit = true; break;
    default: break; /* not bound in a list */
    }
}

static void browse_draw(ui *u)
{
    (void)u; /* the list is all there is */
}

const ui_mode_ops ui_browse_mode = {
    .over_list = true,
    .draw = browse_draw,
    .key = browse_key,
    .keys = ui_list_keys,
    .maps = { &ui_groups_keys, &ui_objects_keys, &ui_object_keys, &ui_suspects_keys, &ui_suspect_keys },
};
