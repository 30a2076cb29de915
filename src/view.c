/* view.c - the explorer's view-model: the drill stack, the selection, sort,
 * filter and grouping, search and export. What differs between kinds of
 * list is in their files (view_groups.c, view_objects.c, view_object.c),
 * reached through ops[kind]. */
#include "config.h"
#include "view_kinds.h"

#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "report.h"
#include "textsafe.h"

static const view_ops *const ops[VIEW_KIND_COUNT] = {
#define VIEW_OPS_ENTRY(id, name) [id] = &view_##name##_ops,
    VIEW_KINDS(VIEW_OPS_ENTRY)
#undef VIEW_OPS_ENTRY
};

/* ---- frames ---------------------------------------------------------------- */

view_frame *view_push(view *v, view_kind kind)
{
    if (v->depth == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->stack = hs_xrealloc(v->stack, v->cap * sizeof *v->stack);
    }
    view_frame *f = &v->stack[v->depth++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    return f;
}

static void frame_free(view_frame *f)
{
    if (ops[f->kind]->release)
        ops[f->kind]->release(f);
    memset(f, 0, sizeof *f);
}

view_frame *view_top(view *v)
{
    return &v->stack[v->depth - 1];
}

const view_frame *view_top_c(const view *v)
{
    return &v->stack[v->depth - 1];
}

/* Exchanges the stack shown with the parked one. */
static void swap_stacks(view *v)
{
    view_frame *stack = v->stack;
    size_t depth = v->depth, cap = v->cap;
    v->stack = v->parked.stack;
    v->depth = v->parked.depth;
    v->cap = v->parked.cap;
    v->parked.stack = stack;
    v->parked.depth = depth;
    v->parked.cap = cap;
}

hs_status view_init(view *v, const session *ses, const group_query *q, view_tab tab, hs_error *err)
{
    memset(v, 0, sizeof *v);
    hs_status st = group_new(&v->set, ses, q, err);
    if (st != HS_OK)
        return st;
    v->session = ses;
    v->subject = ses->subject;
    view_push(v, VIEW_SUSPECTS);
    swap_stacks(v);
    view_push(v, VIEW_GROUPS);
    v->tab = TAB_GROUPS;
    if (tab == TAB_SUSPECTS)
        view_switch_tab(v);
    if (ses->graph)
        view_find_suspects(v);
    return HS_OK;
}

void view_switch_tab(view *v)
{
    swap_stacks(v);
    v->tab = v->tab == TAB_GROUPS ? TAB_SUSPECTS : TAB_GROUPS;
    if (v->tab == TAB_SUSPECTS && v->sp_stale)
        view_find_suspects(v);
    v->match_count = 0;
    v->message[0] = '\0';
}

void view_free(view *v)
{
    for (int t = 0; t < TAB_COUNT; t++) {
        while (v->depth)
            frame_free(&v->stack[--v->depth]);
        free(v->stack);
        swap_stacks(v);
    }
    suspects_free(&v->sp);
    free(v->sp_order);
    group_free(v->set);
    if (v->index_built)
        addrmap_free(&v->index);
    memset(v, 0, sizeof *v);
}

size_t view_rows(const view *v)
{
    const view_frame *f = view_top_c(v);
    return ops[f->kind]->rows(v, f);
}

const group *view_group_at(const view *v, size_t row)
{
    return row < v->set->nvisible ? &v->set->groups[v->set->order[row]] : NULL;
}

size_t view_object_at(const view *v, size_t row)
{
    const view_frame *f = view_top_c(v);
    return f->kind == VIEW_OBJECTS && row < f->nobjects ? f->objects[row] : OBJ_NONE;
}

const orow *view_orow_at(const view *v, size_t row)
{
    const view_frame *f = view_top_c(v);
    return f->kind == VIEW_OBJECT && row < f->norows ? &f->orows[row] : NULL;
}

bool view_site_source(const heap *h, const heap_site *site, char *file, size_t size, uint32_t *line)
{
    size_t flen = 0;
    const char *f = strtab_str(h->strings, site->file, &flen);
    if (!flen || flen >= size)
        return false;
    memcpy(file, f, flen);
    file[flen] = '\0';
    *line = site->line != HEAP_NO_LINE ? site->line - 1 : 0;
    return true;
}

bool view_copy_text(view *v, char *buf, size_t size)
{
    const view_frame *f = view_top_c(v);
    v->message[0] = '\0';
    if (view_rows(v) && ops[f->kind]->copy && ops[f->kind]->copy(v, f, buf, size))
        return true;
    snprintf(v->message, sizeof v->message, "nothing to copy here");
    return false;
}

bool view_source(view *v, char *file, size_t size, uint32_t *line)
{
    const view_frame *f = view_top_c(v);
    v->message[0] = '\0';
    if (view_rows(v) && ops[f->kind]->source && ops[f->kind]->source(v, f, file, size, line))
        return true;
    snprintf(v->message, sizeof v->message, "no source file for this row (the dump names none, or a group spans many)");
    return false;
}

size_t view_current_suspect(const view *v)
{
    const view_frame *f = view_top_c(v);
    if (f->kind == VIEW_SUSPECT)
        return f->suspect;
    if (f->kind == VIEW_SUSPECTS && v->sp_ready && f->selected < v->sp.nrows)
        return v->sp_order[f->selected];
    return SIZE_MAX;
}

const group *view_current_group(const view *v)
{
    const view_frame *f = view_top_c(v);
    return ops[f->kind]->group ? ops[f->kind]->group(v, f) : NULL;
}

size_t view_breadcrumb(const view *v, bool utf8, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t d = 0; d < v->depth && len + 1 < size; d++) {
        if (d) {
            int w = snprintf(buf + len, size - len, "%s", utf8 ? " \u203a " : " > ");
            len = w < 0 || (size_t)w >= size - len ? size - 1 : len + (size_t)w;
        }
        if (len + 1 < size)
            len += ops[v->stack[d].kind]->crumb(v, &v->stack[d], buf + len, size - len);
    }
    return len;
}

/* ---- selection --------------------------------------------------------------- */

static bool selectable(const view *v, size_t row)
{
    const view_frame *f = view_top_c(v);
    return !ops[f->kind]->selectable || ops[f->kind]->selectable(f, row);
}

void view_move(view *v, long delta)
{
    view_frame *f = view_top(v);
    size_t n = view_rows(v);
    if (n == 0)
        return;
    long at = (long)f->selected + delta;
    if (at < 0)
        at = 0;
    if (at >= (long)n)
        at = (long)n - 1;
    /* Headings and notes are skipped in the direction of travel; at the
     * edge of the list, the nearest selectable row the other way is taken. */
    long step = delta < 0 ? -1 : 1;
    long from = at;
    while (at >= 0 && at < (long)n && !selectable(v, (size_t)at))
        at += step;
    if (at < 0 || at >= (long)n) {
        at = from;
        while (at >= 0 && at < (long)n && !selectable(v, (size_t)at))
            at -= step;
        if (at < 0 || at >= (long)n)
            return;
    }
    if (f->selected != (size_t)at)
        v->match_at = 0; /* off the match: the count stands, the place does not */
    f->selected = (size_t)at;
}

void view_home(view *v)
{
    v->match_at = 0; /* the place among the matches is told again where it is one */
    view_top(v)->selected = 0;
    view_top(v)->top = 0; /* the very top, headings included */
    view_move(v, 0);
}

void view_end(view *v)
{
    v->match_at = 0;
    size_t n = view_rows(v);
    view_top(v)->selected = n ? n - 1 : 0;
    view_move(v, -0);
    if (n && !selectable(v, view_top(v)->selected))
        view_move(v, -1);
}

void view_scroll(view *v, size_t height)
{
    view_frame *f = view_top(v);
    size_t n = view_rows(v);
    if (height == 0)
        return;
    if (f->selected < f->top)
        f->top = f->selected;
    if (f->selected >= f->top + height)
        f->top = f->selected - height + 1;
    if (f->top + height > n)
        f->top = n > height ? n - height : 0;
}

bool view_enter(view *v)
{
    view_frame *f = view_top(v);
    v->message[0] = '\0';
    v->match_count = 0;
    return ops[f->kind]->enter(v, f);
}

bool view_back(view *v)
{
    if (v->depth <= 1)
        return false;
    frame_free(&v->stack[--v->depth]);
    v->message[0] = '\0';
    v->match_count = 0;
    return true;
}

/* ---- sort, filter, grouping ------------------------------------------------------ */

view_frame *view_tab_root(view *v, view_tab t)
{
    return v->tab == t ? &v->stack[0] : &v->parked.stack[0];
}

/* The group list's frame (the root of the Groups tab, shown or parked). */
static view_frame *groups_root(view *v)
{
    return view_tab_root(v, TAB_GROUPS);
}

/* The group selected in the group list, to select again after a change. */
static size_t selected_group(view *v)
{
    const view_frame *root = groups_root(v);
    return v->set->nvisible ? v->set->order[root->selected] : SIZE_MAX;
}

static void reselect(view *v, size_t g)
{
    v->match_count = 0; /* the list changed: the count may have too */
    view_frame *root = groups_root(v);
    root->selected = 0;
    root->top = 0; /* from the top again; view_scroll brings the selection into view */
    for (size_t r = 0; r < v->set->nvisible; r++)
        if (v->set->order[r] == g) {
            root->selected = r;
            return;
        }
}

void view_set_sort(view *v, group_sort_key key)
{
    size_t g = selected_group(v);
    group_set_sort(v->set, key, v->set->reverse);
    reselect(v, g);
}

void view_toggle_reverse(view *v)
{
    size_t g = selected_group(v);
    group_set_sort(v->set, v->set->sort, !v->set->reverse);
    reselect(v, g);
}

/* Back to a tab's root (its drilled frames may point at groups or
 * suspects that are gone). */
static void pop_tab(view *v, view_tab t)
{
    if (v->tab != t)
        swap_stacks(v);
    while (v->depth > 1)
        frame_free(&v->stack[--v->depth]);
    v->stack[0].selected = v->stack[0].top = 0;
    if (v->tab != t)
        swap_stacks(v);
}

/* What counts changed: the suspects are found again now when they show,
 * else when their tab is next shown (a keystroke in the filter pane over
 * the group list must not wait for them). */
static void suspects_changed(view *v)
{
    if (v->tab == TAB_SUSPECTS)
        view_find_suspects(v);
    else
        v->sp_stale = true;
}

void view_set_filter(view *v, const obj_filter *f)
{
    size_t g = selected_group(v);
    pop_tab(v, TAB_GROUPS); /* an object list would show what the filter hid */
    group_set_filter(v->set, f);
    reselect(v, g);
    suspects_changed(v); /* the filter chooses what counts */
}

bool view_set_group_by(view *v, group_by by)
{
    group_query q = { .by = by, .filter = &v->set->filter, .sort = v->set->sort, .reverse = v->set->reverse,
                      .trends = true };
    group_set *set;
    hs_error err;
    if (group_new(&set, v->session, &q, &err) != HS_OK) {
        snprintf(v->message, sizeof v->message, "%.250s", err.msg);
        return false; /* the groups shown stay */
    }
    pop_tab(v, TAB_GROUPS);
    group_free(v->set);
    v->set = set;
    view_set_screen_cols(v, v->screen_cols);
    v->match_count = 0;
    suspects_changed(v); /* their groups are the set's */
    return true;
}

void view_find_suspects(view *v)
{
    v->sp_stale = false;
    /* The suspect selected, by its example holder, to select again. */
    const view_frame *root = view_tab_root(v, TAB_SUSPECTS);
    uint32_t keep = GRAPH_NONE;
    suspect_kind keep_kind = SUSPECT_HELD;
    if (v->sp_ready && root->selected < v->sp.nrows) {
        keep = v->sp.rows[v->sp_order[root->selected]].example;
        keep_kind = v->sp.rows[v->sp_order[root->selected]].kind;
    }
    pop_tab(v, TAB_SUSPECTS);
    suspects_free(&v->sp);
    free(v->sp_order);
    v->sp_order = NULL;
    v->sp_ready = false;
    v->sp_error[0] = '\0';
    if (!v->session->graph) {
        if (v->graph_error[0])
            snprintf(v->sp_error, sizeof v->sp_error, "%.250s", v->graph_error);
        return;
    }
    hs_error err;
    if (suspects_find(v->session, v->set, &v->sp, &err) != HS_OK) {
        snprintf(v->sp_error, sizeof v->sp_error, "%.200s", err.msg);
        return;
    }
    hs_mem mem = { 0 };
    v->sp_order = hs_mem_alloc(&mem, v->sp.nrows, sizeof *v->sp_order);
    if (!v->sp_order) {
        hs_mem_fail(&err, &mem, "cannot sort %zu suspects", v->sp.nrows);
        snprintf(v->sp_error, sizeof v->sp_error, "%.200s", err.msg);
        suspects_free(&v->sp);
        return;
    }
    v->sp_ready = true;
    for (size_t r = 0; r < v->sp.nrows; r++)
        v->sp_order[r] = r;
    view_suspects_sort(v);
    view_frame *top = view_tab_root(v, TAB_SUSPECTS);
    for (size_t r = 0; r < v->sp.nrows && keep != GRAPH_NONE; r++) {
        const suspect *s = &v->sp.rows[v->sp_order[r]];
        if (s->example == keep && s->kind == keep_kind) {
            top->selected = r;
            break;
        }
    }
}

/* ---- sort keys of the list shown ---------------------------------------------------- */

static const char *const ssort_names[] = {
#define SSORT_NAME(id, name, help) [id] = name,
    SUSPECT_SORT_KEYS(SSORT_NAME)
#undef SSORT_NAME
};
static const char *const ssort_help[] = {
#define SSORT_HELP(id, name, help) [id] = help,
    SUSPECT_SORT_KEYS(SSORT_HELP)
#undef SSORT_HELP
};

size_t view_sort_count(const view *v)
{
    return v->tab == TAB_SUSPECTS ? SSORT_COUNT_ALL : SORT_KEY_COUNT;
}

const char *view_sort_name(const view *v, size_t k)
{
    assert(k < view_sort_count(v));
    return v->tab == TAB_SUSPECTS ? ssort_names[k] : group_sort_name((group_sort_key)k);
}

const char *view_sort_help(const view *v, size_t k)
{
    assert(k < view_sort_count(v));
    return v->tab == TAB_SUSPECTS ? ssort_help[k] : group_sort_help((group_sort_key)k);
}

size_t view_sort_current(const view *v)
{
    return v->tab == TAB_SUSPECTS ? (size_t)v->sp_sort : (size_t)v->set->sort;
}

bool view_sort_reversed(const view *v)
{
    return v->tab == TAB_SUSPECTS ? v->sp_reverse : v->set->reverse;
}

void view_sort_by(view *v, size_t k)
{
    assert(k < view_sort_count(v));
    if (v->tab == TAB_GROUPS) {
        view_set_sort(v, (group_sort_key)k);
        return;
    }
    v->sp_sort = (suspect_sort_key)k;
    view_suspects_sort(v);
}

void view_reverse(view *v)
{
    if (v->tab == TAB_GROUPS) {
        view_toggle_reverse(v);
        return;
    }
    v->sp_reverse = !v->sp_reverse;
    view_suspects_sort(v);
}

/* ---- text of rows ------------------------------------------------------------------ */

size_t view_row_text(const view *v, size_t row, char *buf, size_t size)
{
    const view_frame *f = view_top_c(v);
    if (row >= ops[f->kind]->rows(v, f)) {
        buf[0] = '\0'; /* past the end: no row, no text */
        return 0;
    }
    return ops[f->kind]->row_text(v, f, row, buf, size);
}

bool view_graph_ready(view *v)
{
    v->graph_pending = false;
    /* Objects opened while the graph was read: fill in what it says. */
    bool objects = true;
    for (int t = 0; t < TAB_COUNT; t++) {
        for (size_t k = 0; k < v->depth; k++)
            if (v->stack[k].kind == VIEW_OBJECT && !v->stack[k].in_graph)
                objects = view_object_graph_ready(v, &v->stack[k]) && objects;
        swap_stacks(v);
    }
    size_t g = selected_group(v);
    hs_error err;
    bool filled = group_graph_ready(v->set, &err) == HS_OK;
    if (filled)
        reselect(v, g);
    else
        snprintf(v->message, sizeof v->message, "no retained sizes: %.200s", err.msg);
    view_find_suspects(v);
    return filled && objects;
}

/* Each dump's count (LIVE) where the label keeps at least this many cells. */
#define LIVE_LABEL_ROOM 32

void view_set_screen_cols(view *v, int cols)
{
    v->screen_cols = cols;
    group_set *s = v->set;
    s->live_numbers = false;
    if (cols <= 0 || v->session->ndumps < 2)
        return; /* one dump: its count is COUNT */
    int room = cols - columns_fixed_width(s) - (column_live_width(s) + 1);
    s->live_numbers = room >= LIVE_LABEL_ROOM;
}

void view_graph_failed(view *v, const char *why)
{
    v->graph_pending = false;
    snprintf(v->graph_error, sizeof v->graph_error, "%s", why);
    snprintf(v->sp_error, sizeof v->sp_error, "%.250s", why);
    snprintf(v->message, sizeof v->message, "no retained sizes: %.200s", why);
}

bool view_trends_ready(view *v)
{
    v->trends_pending = false;
    size_t g = selected_group(v);
    hs_error err;
    if (group_trends_ready(v->set, &err) != HS_OK) {
        snprintf(v->message, sizeof v->message, "no trends: %.200s", err.msg);
        return false;
    }
    reselect(v, g);
    return true;
}

/* ---- search ------------------------------------------------------------------------ */

static bool contains_ci(const char *hay, size_t hlen, const char *needle)
{
    size_t nlen = strlen(needle);
    if (nlen == 0)
        return true;
    for (size_t i = 0; i + nlen <= hlen; i++) {
        size_t k = 0;
        while (k < nlen && tolower((unsigned char)hay[i + k]) == tolower((unsigned char)needle[k]))
            k++;
        if (k == nlen)
            return true;
    }
    return false;
}

bool view_row_matches(const view *v, size_t row)
{
    if (!v->match_count || !v->search[0])
        return false;
    char text[2048];
    size_t len = view_row_text(v, row, text, sizeof text);
    return contains_ci(text, len, v->search);
}

/* Counts the matches in the list and which of them the selection is. */
static void count_matches(view *v)
{
    size_t n = view_rows(v), sel = view_top_c(v)->selected;
    char row[2048];
    v->match_at = v->match_count = 0;
    for (size_t r = 0; r < n; r++) {
        if (!selectable(v, r))
            continue;
        size_t len = view_row_text(v, r, row, sizeof row);
        if (contains_ci(row, len, v->search)) {
            v->match_count++;
            if (r == sel)
                v->match_at = v->match_count;
        }
    }
}

bool view_search(view *v, const char *text, int dir)
{
    if (text && *text)
        snprintf(v->search, sizeof v->search, "%s", text);
    v->message[0] = '\0';
    if (!v->search[0]) {
        snprintf(v->message, sizeof v->message, "no search yet: press / to search");
        return false;
    }
    size_t n = view_rows(v);
    view_frame *f = view_top(v);
    char row[2048];
    for (size_t step = 1; step <= n; step++) {
        size_t at = (f->selected + (dir < 0 ? n - step % n : step)) % n;
        if (!selectable(v, at))
            continue;
        size_t len = view_row_text(v, at, row, sizeof row);
        if (contains_ci(row, len, v->search)) {
            f->selected = at;
            count_matches(v);
            return true;
        }
    }
    v->match_count = 0;
    snprintf(v->message, sizeof v->message, "not found: %s", v->search);
    return false;
}

/* ---- export ---------------------------------------------------------------------------- */

hs_status view_write(const view *v, FILE *out, const char *when, hs_error *err)
{
    const view_frame *f = view_top_c(v);
    const view_ops *o = ops[f->kind];
    if (o->write)
        return o->write(v, out, when, err);
    fprintf(out, "# heapsift %s: %s\n", PACKAGE_VERSION, o->title);
    for (size_t k = 0; k < v->session->ndumps; k++)
        fprintf(out, "# dump %zu: %s\n", k + 1, v->session->dumps[k]->path);
    o->write_about(v, f, out);
    if (filter_active(&v->set->filter))
        fprintf(out, "# filter: %s%s%s%s\n", v->set->filter.include ? v->set->filter.include : "",
                v->set->filter.exclude ? " excluding " : "", v->set->filter.exclude ? v->set->filter.exclude : "",
                v->set->filter.types_set ? " (types limited)" : "");
    if (when)
        fprintf(out, "# written %s\n", when);
    /* Escaped: a string's newline must not split its row in two. */
    char row[4096];
    for (size_t r = 0; r < view_rows(v); r++) {
        size_t len = view_row_text(v, r, row, sizeof row);
        textsafe_write(out, row, len, true);
        fputc('\n', out);
    }
    if (fflush(out) != 0 || ferror(out))
        return hs_fail(err, HS_ERR_IO, "writing the view failed");
    return HS_OK;
}

typedef struct export_job {
    const view *v;
    const char *when;
} export_job;

static hs_status write_export(FILE *out, void *ctx, hs_error *err)
{
    export_job *j = ctx;
    return view_write(j->v, out, j->when, err);
}

hs_status view_export(const view *v, const char *path, bool force, const char *when, hs_error *err)
{
    export_job job = { v, when };
    return report_atomic_write(path, force, write_export, &job, err);
}

void view_default_export_name(const view *v, char *buf, size_t size)
{
    const view_frame *f = view_top_c(v);
    ops[f->kind]->export_name(v, f, buf, size);
}
