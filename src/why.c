/* why.c - explaining one site's retained objects with the dominator tree. */
#include "config.h"
#include "why.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "objinfo.h"
#include "report.h"
#include "textsafe.h"

bool why_parse_site(const char *arg, char *file, size_t file_size, uint32_t *line)
{
    const char *colon = strrchr(arg, ':');
    if (!colon || colon == arg || !colon[1])
        return false;
    char *end;
    unsigned long v = strtoul(colon + 1, &end, 10);
    if (*end || v > UINT32_MAX)
        return false;
    snprintf(file, file_size, "%.*s", (int)(colon - arg), arg);
    *line = (uint32_t)v;
    return true;
}

bool why_path_matches(const char *path, size_t len, const char *tail)
{
    size_t tl = strlen(tail);
    if (tl > len || memcmp(path + len - tl, tail, tl) != 0)
        return false;
    return tl == len || path[len - tl - 1] == '/' || tail[0] == '/';
}

/* Hop v; from: the hop before it (GRAPH_NONE for the first), whose ivar
 * holding v is named where its shape says. */
static void hop(FILE *out, const session *ses, uint32_t from, uint32_t v, const why_hops_style *style)
{
    heap *h = ses->latest;
    char desc[1024];
    size_t len = objinfo_describe(h, v, desc, sizeof desc);
    fprintf(out, "%s0x%" PRIx64 " ", style->indent, h->addr[v]);
    /* Always escaped: a string's value may hold a newline, which would break
     * the one hop a line layout even in a file. */
    textsafe_write(out, desc, len, true);
    char ivar[128];
    size_t ilen = from == GRAPH_NONE ? 0 : objinfo_ivar_to(h, ses->addrs, from, h->addr[v], ivar, sizeof ivar);
    if (ilen) {
        fputs(" as ", out);
        textsafe_write(out, ivar, ilen, true);
    }
    fprintf(out, "  (retained %" PRIu64 "%s)\n", ses->graph->retained[v], style->unit);
}

void why_write_hops(FILE *out, const session *ses, const uint32_t *path, size_t len, const why_hops_style *style)
{
    size_t edge = style->edge_hops;
    for (size_t k = 0; k < len; k++) {
        if (len > 2 * edge && k == edge) {
            fprintf(out, "%s... %zu hops not shown ...\n", style->indent, len - 2 * edge);
            k = len - edge;
        }
        hop(out, ses, k ? path[k - 1] : GRAPH_NONE, path[k], style);
    }
}

hs_status why_analyze_group(const session *ses, const group_set *s, const group *g, why_group *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    out->held.largest = GRAPH_NONE;
    size_t gi = (size_t)(g - s->groups);
    size_t from = s->member_start[gi], to = s->member_start[gi + 1];
    hs_mem mem = { 0 };
    uint32_t *nodes = hs_mem_alloc(&mem, to - from, sizeof *nodes);
    if (!nodes)
        return hs_mem_fail(err, &mem, "cannot find what holds %zu objects", to - from);
    for (size_t m = from; m < to; m++) {
        uint32_t v = session_node_of(ses, ses->subject, ses->diff->objects[s->members[m]]);
        if (v != GRAPH_NONE)
            nodes[out->found++] = v;
    }
    hs_status st = holders_find(ses, nodes, out->found, &out->held, err);
    free(nodes);
    if (st != HS_OK)
        return st;
    if (out->held.largest != GRAPH_NONE)
        return session_root_path(ses, out->held.largest, &out->path, &out->path_len, &out->root_kind, err);
    return HS_OK;
}

void why_group_free(why_group *w)
{
    if (!w)
        return;
    holders_free(&w->held);
    free(w->path);
    memset(w, 0, sizeof *w);
}

/* The group's heading, as the report names it. */
static void write_heading(FILE *out, const session *ses, const group_set *s, const group *g, bool escape)
{
    if (group_shows_type(s)) {
        size_t flen;
        const char *file = strtab_str(ses->subject->strings, g->file, &flen);
        fprintf(out, "%s %" PRIu64 " %s objects of size %" PRIu64 "/%" PRIu64 " at: ", report_verb(ses->diff->mode),
                g->all_count, rtype_name(g->type), g->all_bytesize, g->all_memsize);
        textsafe_write(out, file, flen, escape);
        if (g->line != HEAP_NO_LINE)
            fprintf(out, ":%" PRIu32, g->line - 1);
        fputc('\n', out);
    } else {
        char label[1024];
        size_t llen;
        group_label(s, g, label, sizeof label, &llen);
        fprintf(out, "%s %" PRIu64 " objects of size %" PRIu64 "/%" PRIu64 " for %s: ", report_verb(ses->diff->mode),
                g->all_count, g->all_bytesize, g->all_memsize, group_by_name(s->by));
        textsafe_write(out, label, llen, escape);
        fputc('\n', out);
    }
}

/* The five holder sites holding the most. */
static void write_holders(FILE *out, const session *ses, const holders *held)
{
    if (!held->nsites)
        return;
    fprintf(out, "  held by (the nearest object outside the group, by its allocation site):\n");
    for (size_t k = 0; k < held->nsites && k < 5; k++) {
        const holder_site *hs = &held->sites[k];
        char desc[1024];
        size_t len = objinfo_describe(ses->latest, hs->example, desc, sizeof desc);
        fprintf(out, "    %" PRIu64 " of them (%" PRIu64 " bytes) by ", hs->objects, hs->bytes);
        textsafe_write(out, desc, len, true); /* one line, as a hop's */
        fprintf(out, ", e.g. 0x%" PRIx64 "\n", ses->latest->addr[hs->example]);
    }
    if (held->nsites > 5)
        fprintf(out, "    ... and %zu other holders\n", held->nsites - 5);
}

static void write_group(FILE *out, const session *ses, const group_set *s, const group *g, const why_group *w,
                        bool escape)
{
    write_heading(out, ses, s, g, escape);
    fprintf(out, "  retained size: %" PRIu64 " bytes (freed with them; each byte counted once)\n", w->held.retained);
    if (w->found < g->count)
        fprintf(out, "  (%zu of them found in the latest dump's graph)\n", w->found);
    write_holders(out, ses, &w->held);
    if (w->held.largest == GRAPH_NONE)
        return;
    fprintf(out, "  path from a GC root to the largest of them, 0x%" PRIx64 ":\n", ses->latest->addr[w->held.largest]);
    if (w->path_len == 0) {
        fprintf(out, "    (no root reaches it: the next GC frees it)\n");
        return;
    }
    const char *root = ses->graph->root_names[w->root_kind];
    fprintf(out, "    root ");
    /* From the dump; escaped like the hops below it. */
    textsafe_write(out, root, strlen(root), true);
    fputc('\n', out);
    why_hops_style style = { "      ", "", 8 };
    why_write_hops(out, ses, w->path, w->path_len, &style);
}

hs_status why_write_group(FILE *out, const session *ses, const group_set *s, const group *g, bool escape,
                          hs_error *err)
{
    if (!ses->graph) {
        fprintf(out, "The reference graph of the latest dump was not built.\n");
        return HS_OK;
    }
    why_group w;
    hs_status st = why_analyze_group(ses, s, g, &w, err);
    if (st == HS_OK)
        write_group(out, ses, s, g, &w, escape);
    why_group_free(&w);
    return st;
}

hs_status why_groups(group_set **out, const session *ses, const obj_filter *filter, hs_error *err)
{
    group_query q = { .by = GROUP_SITE, .sort = SORT_COUNT, .filter = filter };
    return group_new(out, ses, &q, err);
}

bool why_group_at(const group_set *s, const group *g, const char *file, uint32_t line)
{
    size_t flen;
    const char *path = strtab_str(s->subject->strings, g->file, &flen);
    return g->line != HEAP_NO_LINE && g->line - 1 == line && why_path_matches(path, flen, file);
}

hs_status why_no_group(const session *ses, const obj_filter *filter, const char *file, uint32_t line, hs_error *err)
{
    if (filter && filter_active(filter)) {
        /* Say whether the filter is what left them out. */
        group_set *every;
        hs_status st = why_groups(&every, ses, NULL, err);
        if (st != HS_OK)
            return st;
        size_t there = 0;
        for (size_t k = 0; k < every->nvisible; k++)
            there += why_group_at(every, &every->groups[every->order[k]], file, line);
        group_free(every);
        if (there)
            return hs_fail(err, HS_ERR_USAGE, "the filter leaves out the %s allocated at %s:%" PRIu32 " (%zu group%s)",
                           diff_mode_name(ses->diff->mode), file, line, there, there == 1 ? "" : "s");
    }
    return hs_fail(err, HS_ERR_USAGE, "no %s group was allocated at %s:%" PRIu32, diff_mode_name(ses->diff->mode),
                   file, line);
}

hs_status why_write(FILE *out, const session *ses, const char *file, uint32_t line, const obj_filter *filter,
                    size_t top, bool escape, hs_error *err)
{
    heap *latest = ses->latest;
    if (!ses->graph)
        return hs_fail(err, HS_ERR_USAGE, "the reference graph was not built");
    group_set *s;
    hs_status st = why_groups(&s, ses, filter, err);
    if (st != HS_OK)
        return st;
    size_t found = 0;
    for (size_t k = 0; k < s->nvisible && (!top || found < top) && st == HS_OK; k++) {
        const group *g = &s->groups[s->order[k]];
        if (!why_group_at(s, g, file, line))
            continue;
        /* Analysed before anything of it is written: what fails for memory
         * leaves no half group. */
        why_group w;
        st = why_analyze_group(ses, s, g, &w, err);
        if (st != HS_OK) {
            why_group_free(&w);
            break;
        }
        if (!found++) {
            fprintf(out, "# heapsift %s: why are the objects allocated at ", PACKAGE_VERSION);
            textsafe_write(out, file, strlen(file), escape);
            fprintf(out, ":%" PRIu32 " retained?\n", line);
            fprintf(out, "# references and dominators of ");
            textsafe_write(out, latest->path, strlen(latest->path), escape);
            fprintf(out, " (the latest dump)\n");
        }
        write_group(out, ses, s, g, &w, escape);
        why_group_free(&w);
    }
    group_free(s);
    if (st != HS_OK)
        return st;
    if (!found)
        return why_no_group(ses, filter, file, line, err);
    return fflush(out) == 0 ? HS_OK : hs_fail(err, HS_ERR_IO, "writing failed");
}

hs_status why_write_path(FILE *out, const session *ses, uint64_t addr, hs_error *err)
{
    const heap *h = ses->latest;
    if (!ses->graph)
        return hs_fail(err, HS_ERR_USAGE, "the reference graph was not built");
    uint32_t v = session_node_at(ses, addr);
    if (v == GRAPH_NONE)
        return hs_fail(err, HS_ERR_USAGE, "0x%" PRIx64 " is no object of %s (the latest dump)", addr, h->path);
    uint32_t *path;
    size_t len;
    unsigned kind;
    hs_status st = session_root_path(ses, v, &path, &len, &kind, err);
    if (st != HS_OK)
        return st;
    /* Always escaped, like the hops: a string's value may hold a newline,
     * which would break the one hop a line layout even in a file. */
    fprintf(out, "# heapsift %s: path from a GC root to 0x%" PRIx64 " in ", PACKAGE_VERSION, addr);
    textsafe_write(out, h->path, strlen(h->path), true);
    fputc('\n', out);
    why_hops_style style = { "  ", " bytes", 12 };
    if (len == 0) {
        fprintf(out, "# no GC root reaches it: it is garbage the next GC would free\n");
        hop(out, ses, GRAPH_NONE, v, &style);
    } else {
        /* The root's category is text from the dump too. */
        const char *root = ses->graph->root_names[kind];
        fprintf(out, "# %zu hop%s from the ", len, len == 1 ? "" : "s");
        textsafe_write(out, root, strlen(root), true);
        fprintf(out, " root%s\n",
                (int)kind == ses->avoid_root ? " (a conservative stack scan: no other root reaches it)" : "");
        fprintf(out, "root ");
        textsafe_write(out, root, strlen(root), true);
        fputc('\n', out);
        why_write_hops(out, ses, path, len, &style);
    }
    free(path);
    return fflush(out) == 0 ? HS_OK : hs_fail(err, HS_ERR_IO, "writing failed");
}
