/* why_json.c - --why and --path with --format=json (see report_json.h). */
#include "config.h"
#include "report_json.h"

#include <inttypes.h>
#include <stdlib.h>

#include "why.h"

/* A holder site: the objects of one type and site that hold the group. */
static void write_holder_site(json_out *j, const session *ses, const holder_site *hs)
{
    const heap *h = ses->latest;
    json_object_begin(j);
    json_member_u64(j, "count", hs->objects);
    json_member_u64(j, "bytes", hs->bytes);
    json_key(j, "holder");
    report_json_hop(j, ses, GRAPH_NONE, hs->example);
    json_key(j, "example");
    json_address(j, h->addr[hs->example]);
    json_object_end(j);
}

/* Group g, analysed as w. */
static void write_group(json_out *j, const session *ses, const group_set *s, const group *g, const why_group *w)
{
    report_json_group(j, s, g, g->all_count, g->all_bytesize, g->all_memsize);
    json_member_u64(j, "retained_size", w->held.retained);
    json_member_u64(j, "found_in_latest", w->found);
    json_key(j, "held_by");
    json_array_begin(j);
    for (size_t k = 0; k < w->held.nsites; k++)
        write_holder_site(j, ses, &w->held.sites[k]);
    json_array_end(j);
    json_key(j, "largest");
    if (w->held.largest != GRAPH_NONE)
        json_address(j, ses->latest->addr[w->held.largest]);
    else
        json_null(j);
    json_key(j, "path");
    report_json_path_value(j, ses, w->path, w->path_len, w->root_kind);
    json_object_end(j);
}

hs_status report_json_why(FILE *out, const session *ses, const char *file, uint32_t line, const obj_filter *filter,
                          size_t top, hs_error *err)
{
    if (!ses->graph)
        return hs_fail(err, HS_ERR_USAGE, "the reference graph was not built");
    group_set *s;
    hs_status st = why_groups(&s, ses, filter, err);
    if (st != HS_OK)
        return st;
    size_t found = 0;
    json_out j;
    json_out_init(&j, out);
    for (size_t k = 0; k < s->nvisible && (!top || found < top); k++) {
        const group *g = &s->groups[s->order[k]];
        if (!why_group_at(s, g, file, line))
            continue;
        why_group w;
        st = why_analyze_group(ses, s, g, &w, err);
        if (st != HS_OK) {
            why_group_free(&w);
            break;
        }
        if (!found++) {
            report_json_begin(&j, ses, s, "why");
            json_key(&j, "site");
            json_object_begin(&j);
            json_member_cstring(&j, "file", file);
            json_member_u64(&j, "line", line);
            json_object_end(&j);
            json_member_cstring(&j, "latest_dump", ses->latest->path);
            json_key(&j, "explained");
            json_array_begin(&j);
        }
        write_group(&j, ses, s, g, &w);
        why_group_free(&w);
    }
    group_free(s);
    if (st != HS_OK)
        return st;
    if (!found)
        return why_no_group(ses, filter, file, line, err);
    json_array_end(&j);
    return report_json_end(&j, err);
}

hs_status report_json_path(FILE *out, const session *ses, uint64_t addr, hs_error *err)
{
    if (!ses->graph)
        return hs_fail(err, HS_ERR_USAGE, "the reference graph was not built");
    uint32_t v = session_node_at(ses, addr);
    if (v == GRAPH_NONE)
        return hs_fail(err, HS_ERR_USAGE, "0x%" PRIx64 " is no object of %s (the latest dump)", addr,
                       ses->latest->path);
    uint32_t *path;
    size_t len;
    unsigned kind;
    hs_status st = session_root_path(ses, v, &path, &len, &kind, err);
    if (st != HS_OK)
        return st;
    json_out j;
    json_out_init(&j, out);
    report_json_begin(&j, ses, NULL, "path");
    json_key(&j, "address");
    json_address(&j, addr);
    json_member_cstring(&j, "latest_dump", ses->latest->path);
    json_key(&j, "object");
    report_json_hop(&j, ses, len > 1 ? path[len - 2] : GRAPH_NONE, v);
    json_member_bool(&j, "stack_only", len && (int)kind == ses->avoid_root);
    json_key(&j, "path");
    report_json_path_value(&j, ses, path, len, kind);
    free(path);
    return report_json_end(&j, err);
}
