/* why.c - explaining one site's retained objects with the dominator tree. */
#include "config.h"
#include "why.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "heap_graph.h"
#include "objinfo.h"
#include "report.h"
#include "textsafe.h"

#define uthash_fatal(msg) hs_xmalloc((size_t)-1)
#include <uthash.h>

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

static void hop(FILE *out, const session *ses, uint32_t v, const why_hops_style *style)
{
    heap *h = ses->latest;
    char desc[1024];
    size_t len = objinfo_describe(h, v, desc, sizeof desc);
    fprintf(out, "%s0x%" PRIx64 " ", style->indent, h->addr[v]);
    /* Always escaped: a string's value may hold a newline, which would break
     * the one hop a line layout even in a file. */
    textsafe_write(out, desc, len, true);
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
        hop(out, ses, path[k], style);
    }
}

/* A retaining site and what it holds. */
typedef struct retainer {
    struct { uint8_t type; uint32_t site; } key; /* of the retaining object, in the latest dump */
    uint32_t example;   /* one retaining object */
    uint64_t objects;   /* group objects it holds at the top of the dominator tree */
    uint64_t bytes;     /* their retained size */
    UT_hash_handle hh;
} retainer;

static int cmp_retainers(const void *a, const void *b)
{
    const retainer *x = *(const retainer *const *)a, *y = *(const retainer *const *)b;
    return x->bytes > y->bytes ? -1 : x->bytes < y->bytes ? 1 : x->objects > y->objects ? -1 : x->objects < y->objects;
}

static void explain_group(FILE *out, const session *ses, const group_set *s, const group *g, bool escape)
{
    const diff_result *diff = ses->diff;
    heap *subject = ses->subject;
    heap *latest = ses->latest;
    const graph *gr = ses->graph;
    size_t gi = (size_t)(g - s->groups);
    size_t from = s->member_start[gi], to = s->member_start[gi + 1];

    /* The group's objects as nodes of the latest dump's graph. */
    uint8_t *state = hs_xcalloc(gr->n + 1, 1); /* 1 member; 2 has a member above it; 3 has none */
    uint32_t *nodes = hs_xmalloc((to - from + 1) * sizeof *nodes);
    size_t nn = 0;
    for (size_t m = from; m < to; m++) {
        uint32_t v = session_node_of(ses, subject, diff->objects[s->members[m]]);
        if (v != GRAPH_NONE) {
            nodes[nn++] = v;
            state[v] = 1;
        }
    }
    /* Members with no member above them in the dominator tree: their
     * retained sizes add up without counting anything twice. Walks up the
     * tree, remembering the answer for every node it passes. */
    uint32_t *walk = hs_xmalloc(((size_t)gr->n + 1) * sizeof *walk);
    uint32_t *top = hs_xmalloc((nn ? nn : 1) * sizeof *top); /* members counted */
    size_t ntop = 0;
    uint64_t retained = 0;
    uint32_t largest = GRAPH_NONE;
    for (size_t k = 0; k < nn; k++) {
        uint32_t v = nodes[k];
        size_t depth = 0;
        uint32_t u = gr->idom[v];
        uint8_t answer = 3;
        while (u != GRAPH_NONE && u != gr->n) {
            if (state[u] == 1 || state[u] == 2) {
                answer = 2;
                break;
            }
            if (state[u] == 3)
                break;
            walk[depth++] = u;
            u = gr->idom[u];
        }
        for (size_t d = 0; d < depth; d++)
            state[walk[d]] = answer;
        if (answer == 2)
            continue;
        top[ntop++] = v;
        retained += gr->retained[v];
        if (largest == GRAPH_NONE || gr->retained[v] > gr->retained[largest])
            largest = v;
    }
    /* The nearest holder of each of them outside the group: its dominator,
     * or, when only the roots together dominate it, its first referrer
     * outside the group (one pass over all edges finds those). */
    uint32_t *holder = walk; /* reused: holder[v] for the members counted */
    bool need_referrers = false;
    for (size_t k = 0; k < ntop; k++) {
        uint32_t v = top[k];
        holder[v] = gr->idom[v] == gr->n ? GRAPH_NONE : gr->idom[v];
        if (holder[v] == GRAPH_NONE) {
            state[v] = 4; /* a member still looking for a holder */
            need_referrers = true;
        }
    }
    for (uint32_t u = 0; need_referrers && u < gr->n; u++) {
        if (state[u] == 1 || state[u] == 4)
            continue; /* a member holds no member here */
        for (uint32_t e = gr->out_start[u]; e < gr->out_start[u + 1]; e++) {
            uint32_t w = gr->out[e];
            if (state[w] == 4) {
                holder[w] = u;
                state[w] = 1;
            }
        }
    }
    retainer *by_site = NULL;
    for (size_t k = 0; k < ntop; k++) {
        uint32_t v = top[k];
        if (state[v] == 4)
            state[v] = 1;
        uint32_t h = holder[v];
        if (h == GRAPH_NONE)
            continue;
        objinfo_ensure_details(latest, h);
        retainer key;
        memset(&key, 0, sizeof key);
        key.key.type = latest->type[h];
        key.key.site = latest->site ? latest->site[h] : 0;
        retainer *r = NULL;
        HASH_FIND(hh, by_site, &key.key, sizeof key.key, r);
        if (!r) {
            r = hs_xcalloc(1, sizeof *r);
            r->key = key.key;
            r->example = h;
            HASH_ADD(hh, by_site, key, sizeof r->key, r);
        }
        r->objects++;
        r->bytes += gr->retained[v];
    }
    free(top);

    if (group_shows_type(s)) {
        size_t flen;
        const char *file = strtab_str(subject->strings, g->file, &flen);
        fprintf(out, "%s %" PRIu64 " %s objects of size %" PRIu64 "/%" PRIu64 " at: ", report_verb(diff->mode),
                g->all_count, rtype_name(g->type), g->all_bytesize, g->all_memsize);
        textsafe_write(out, file, flen, escape);
        if (g->line != HEAP_NO_LINE)
            fprintf(out, ":%" PRIu32, g->line - 1);
        fputc('\n', out);
    } else {
        char label[1024];
        size_t llen;
        group_label(s, g, label, sizeof label, &llen);
        fprintf(out, "%s %" PRIu64 " objects of size %" PRIu64 "/%" PRIu64 " for %s: ", report_verb(diff->mode),
                g->all_count, g->all_bytesize, g->all_memsize, group_by_name(s->by));
        textsafe_write(out, label, llen, escape);
        fputc('\n', out);
    }
    fprintf(out, "  retained size: %" PRIu64 " bytes (freed with them; each byte counted once)\n", retained);
    if (nn < g->count)
        fprintf(out, "  (%zu of them found in the latest dump's graph)\n", nn);

    size_t nr = HASH_COUNT(by_site);
    if (nr) {
        retainer **list = hs_xmalloc(nr * sizeof *list);
        size_t k = 0;
        retainer *r, *tmp;
        HASH_ITER(hh, by_site, r, tmp) list[k++] = r;
        qsort(list, nr, sizeof *list, cmp_retainers);
        fprintf(out, "  held by (the nearest object outside the group, by its allocation site):\n");
        for (k = 0; k < nr && k < 5; k++) {
            char desc[1024];
            size_t len = objinfo_describe(latest, list[k]->example, desc, sizeof desc);
            fprintf(out, "    %" PRIu64 " of them (%" PRIu64 " bytes) by ", list[k]->objects, list[k]->bytes);
            textsafe_write(out, desc, len, true); /* one line, as a hop's */
            fprintf(out, ", e.g. 0x%" PRIx64 "\n", latest->addr[list[k]->example]);
        }
        if (nr > 5)
            fprintf(out, "    ... and %zu other holders\n", nr - 5);
        free(list);
    }
    retainer *r, *tmp;
    HASH_ITER(hh, by_site, r, tmp) {
        HASH_DEL(by_site, r);
        free(r);
    }

    if (largest != GRAPH_NONE) {
        uint32_t *path;
        unsigned kind;
        size_t len = session_root_path(ses, largest, &path, &kind);
        fprintf(out, "  path from a GC root to the largest of them, 0x%" PRIx64 ":\n", latest->addr[largest]);
        if (len == 0) {
            fprintf(out, "    (no root reaches it: the next GC frees it)\n");
        } else {
            fprintf(out, "    root ");
            /* From the dump; escaped like the hops below it. */
            textsafe_write(out, gr->root_names[kind], strlen(gr->root_names[kind]), true);
            fputc('\n', out);
            why_hops_style style = { "      ", "", 8 };
            why_write_hops(out, ses, path, len, &style);
        }
        free(path);
    }
    free(walk);
    free(nodes);
    free(state);
}

void why_write_group(FILE *out, const session *ses, const group_set *s, const group *g, bool escape)
{
    if (!ses->graph) {
        fprintf(out, "The reference graph of the latest dump was not built.\n");
        return;
    }
    explain_group(out, ses, s, g, escape);
}

hs_status why_write(FILE *out, const session *ses, const char *file, uint32_t line, bool escape, hs_error *err)
{
    heap *subject = ses->subject;
    heap *latest = ses->latest;
    if (!ses->graph)
        return hs_fail(err, HS_ERR_USAGE, "the reference graph was not built");
    group_query q = { .by = GROUP_SITE, .sort = SORT_COUNT };
    group_set *s = group_new(ses, &q);
    size_t found = 0;
    for (size_t k = 0; k < s->nvisible; k++) {
        const group *g = &s->groups[s->order[k]];
        size_t flen;
        const char *path = strtab_str(subject->strings, g->file, &flen);
        if (g->line == HEAP_NO_LINE || g->line - 1 != line || !why_path_matches(path, flen, file))
            continue;
        if (!found++) {
            fprintf(out, "# heapsift %s: why are the objects allocated at ", PACKAGE_VERSION);
            textsafe_write(out, file, strlen(file), escape);
            fprintf(out, ":%" PRIu32 " retained?\n", line);
            fprintf(out, "# references and dominators of ");
            textsafe_write(out, latest->path, strlen(latest->path), escape);
            fprintf(out, " (the latest dump)\n");
        }
        explain_group(out, ses, s, g, escape);
    }
    group_free(s);
    if (!found)
        return hs_fail(err, HS_ERR_USAGE, "no %s group was allocated at %s:%" PRIu32,
                       diff_mode_name(ses->diff->mode), file, line);
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
    unsigned kind;
    size_t len = session_root_path(ses, v, &path, &kind);
    /* Always escaped, like the hops: a string's value may hold a newline,
     * which would break the one hop a line layout even in a file. */
    fprintf(out, "# heapsift %s: path from a GC root to 0x%" PRIx64 " in ", PACKAGE_VERSION, addr);
    textsafe_write(out, h->path, strlen(h->path), true);
    fputc('\n', out);
    why_hops_style style = { "  ", " bytes", 12 };
    if (len == 0) {
        fprintf(out, "# no GC root reaches it: it is garbage the next GC would free\n");
        why_write_hops(out, ses, &v, 1, &style);
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
