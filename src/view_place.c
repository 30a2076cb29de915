/* view_place.c - a new view of a session with more dumps (watch mode) put
 * where the person was in the old one: the same sort of each list, the
 * same group and suspect selected, and the group, object or suspect that
 * was open opened again. Rows are matched by what they are (a group's
 * label, an object's address, a suspect's example holder), never by
 * position: the new dump changes what is listed and in which order. */
#include "view.h"
#include "view_kinds.h"

#include <stdio.h>
#include <string.h>

/* The group of nv's set whose label is that of group g of ov's set; SIZE_MAX
 * when none is (or when it is hidden by the filter). */
static size_t same_group(const view *nv, const view *ov, size_t g)
{
    char want[1024], have[1024];
    size_t wlen, hlen;
    const char *w = group_label(ov->set, &ov->set->groups[g], want, sizeof want, &wlen);
    for (size_t r = 0; r < nv->set->nvisible; r++) {
        size_t k = nv->set->order[r];
        const char *h = group_label(nv->set, &nv->set->groups[k], have, sizeof have, &hlen);
        if (hlen == wlen && memcmp(h, w, wlen) == 0 && nv->set->groups[k].type == ov->set->groups[g].type)
            return r;
    }
    return SIZE_MAX;
}

/* The row of nv's object list (the top frame) that is object `index` of ov's
 * subject, by address; SIZE_MAX when it is not listed. */
static size_t same_object(const view *nv, const view *ov, size_t index)
{
    const view_frame *f = view_top_c(nv);
    uint64_t addr = ov->subject->addr[index];
    for (size_t r = 0; r < f->nobjects; r++)
        if (nv->subject->addr[f->objects[r]] == addr)
            return r;
    return SIZE_MAX;
}

/* The groups tab: the group selected, and the group and the object opened
 * from it. */
static void place_groups(view *nv, const view *ov, const view_frame *ostack, size_t odepth)
{
    view_frame *root = view_tab_root(nv, TAB_GROUPS);
    const view_frame *oroot = &ostack[0];
    if (oroot->selected >= ov->set->nvisible)
        return;
    size_t r = same_group(nv, ov, ov->set->order[oroot->selected]);
    if (r == SIZE_MAX)
        return;
    root->selected = r;
    if (odepth < 2 || ostack[1].kind != VIEW_OBJECTS || nv->tab != TAB_GROUPS)
        return;
    if (!view_open_group(nv, nv->set->order[r]))
        return; /* out of memory: the list stays closed, nv->message says so */
    const view_frame *olist = &ostack[1];
    if (olist->selected >= olist->nobjects)
        return;
    size_t row = same_object(nv, ov, olist->objects[olist->selected]);
    if (row == SIZE_MAX)
        return;
    view_top(nv)->selected = row;
    if (odepth >= 3 && ostack[2].kind == VIEW_OBJECT)
        view_open_retained(nv, view_top(nv)->objects[row]);
}

/* The address of suspect row r's example holder in v's latest dump, or 0. */
static uint64_t example_addr(const view *v, size_t r)
{
    const suspect *s = &v->sp.rows[r];
    return s->kind == SUSPECT_HELD && s->example != GRAPH_NONE ? v->session->latest->addr[s->example] : 0;
}

/* The suspects tab: the suspect selected, and opened. */
static void place_suspects(view *nv, const view *ov, const view_frame *ostack, size_t odepth)
{
    if (!ov->sp_ready || !nv->sp_ready)
        return;
    const view_frame *oroot = &ostack[0];
    if (oroot->selected >= ov->sp.nrows)
        return;
    size_t was = ov->sp_order[oroot->selected];
    uint64_t want = example_addr(ov, was);
    suspect_kind kind = ov->sp.rows[was].kind;
    size_t found = SIZE_MAX;
    for (size_t r = 0; r < nv->sp.nrows && found == SIZE_MAX; r++) {
        size_t k = nv->sp_order[r];
        if (nv->sp.rows[k].kind == kind && example_addr(nv, k) == want)
            found = r;
    }
    if (found == SIZE_MAX)
        return;
    view_tab_root(nv, TAB_SUSPECTS)->selected = found;
    if (odepth >= 2 && ostack[1].kind == VIEW_SUSPECT && nv->tab == TAB_SUSPECTS)
        view_open_suspect(nv, nv->sp_order[found]);
}

void view_take_place(view *nv, const view *ov)
{
    nv->screen_cols = ov->screen_cols;
    view_set_screen_cols(nv, ov->screen_cols);
    nv->sp_sort = ov->sp_sort;
    nv->sp_reverse = ov->sp_reverse;
    if (nv->sp_ready)
        view_suspects_sort(nv);
    snprintf(nv->search, sizeof nv->search, "%s", ov->search);
    /* Each tab from its own stack: the shown one's is ov->stack. */
    for (int t = 0; t < TAB_COUNT; t++) {
        bool shown = ov->tab == (view_tab)t;
        const view_frame *ostack = shown ? ov->stack : ov->parked.stack;
        size_t odepth = shown ? ov->depth : ov->parked.depth;
        if (!odepth)
            continue;
        if (t == TAB_GROUPS)
            place_groups(nv, ov, ostack, odepth);
        else
            place_suspects(nv, ov, ostack, odepth);
    }
}
