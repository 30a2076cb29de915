/* suspects_json.c - --suspects --format=json (see report_json.h). */
#include "config.h"
#include "report_json.h"

#include "suspects_report.h"

static void write_holder(json_out *j, const session *ses, const suspects *sp, const suspect *row)
{
    const heap *h = ses->latest;
    json_key(j, "holder");
    if (row->kind != SUSPECT_HELD) {
        json_null(j);
        return;
    }
    json_object_begin(j);
    json_member_cstring(j, "type", rtype_name((rtype)row->holder_type));
    size_t clen;
    const char *cls = suspects_holder_class(h, row, &clen);
    json_key(j, "class");
    json_string_or_null(j, cls, clen);
    json_key(j, "ivar");
    json_string_or_null(j, row->name, row->name_kind == SUSPECT_NAME_IVAR ? row->name_len : 0);
    report_json_site(j, h, &h->sites[row->holder_site]);
    json_key(j, "address");
    json_address(j, row->holder_addr);
    json_member_u64(j, "holders", row->nholders);
    json_key(j, "largest_holders");
    json_array_begin(j);
    for (size_t k = 0; k < row->nholders && k < 5; k++) {
        const suspect_holder *sh = &sp->holders[row->holder_start + k];
        json_object_begin(j);
        json_key(j, "address");
        json_address(j, h->addr[sh->node]);
        json_member_u64(j, "count", sh->count);
        json_object_end(j);
    }
    json_array_end(j);
    json_object_end(j);
}

static void write_roots(json_out *j, const graph *g, uint32_t mask)
{
    json_key(j, "roots");
    json_array_begin(j);
    for (unsigned k = 0; k < g->nroot_names; k++)
        if (mask & (1u << k))
            json_cstring(j, g->root_names[k]);
    json_array_end(j);
}

static void write_suspect(json_out *j, const report_info *info, const suspects *sp, size_t r)
{
    const session *ses = info->session;
    const suspect *row = &sp->rows[r];
    json_object_begin(j);
    json_member_u64(j, "rank", r + 1);
    json_member_cstring(j, "kind", suspect_kind_name(row->kind));
    json_member_bool(j, "dump_all_noise", row->noise);
    write_holder(j, ses, sp, row);
    write_roots(j, ses->graph, row->root_mask);
    json_member_u64(j, "count", row->count);
    json_member_u64(j, "bytesize", row->bytesize);
    json_member_u64(j, "memsize", row->memsize);
    json_key(j, "share");
    json_double(j, row->share);
    json_key(j, "growth");
    if (row->window)
        json_cstring(j, suspect_growth_text(row->growth));
    else
        json_null(j);
    json_key(j, "windows");
    json_array_begin(j);
    for (size_t w = 0; row->window && w < sp->nwindows; w++) {
        json_object_begin(j);
        json_member_u64(j, "from_dump", w + 1);
        json_member_u64(j, "to_dump", w + 2);
        json_member_u64(j, "count", row->window[w]);
        json_object_end(j);
    }
    json_array_end(j);
    json_key(j, "path");
    report_json_path_value(j, ses, row->path, row->path_len, row->path_root);
    json_key(j, "holds");
    json_array_begin(j);
    for (size_t k = 0; k < row->ngroups; k++) {
        const suspect_group *sg = &sp->groups[row->group_start + k];
        report_json_group(j, info->set, &info->set->groups[sg->group], sg->count, sg->bytesize, sg->memsize);
        json_object_end(j);
    }
    json_array_end(j);
    json_object_end(j);
}

hs_status report_json_suspects(FILE *out, const report_info *info, const suspects *sp, size_t top,
                               hs_error *err)
{
    json_out j;
    json_out_init(&j, out);
    report_json_begin(&j, info->session, info->set, "suspects");
    json_member_u64(&j, "suspects_total", sp->nrows);
    size_t holders = 0;
    for (size_t r = 0; r < sp->nrows; r++)
        if (sp->rows[r].kind == SUSPECT_HELD && !sp->rows[r].noise)
            holders += sp->rows[r].nholders;
    json_member_u64(&j, "holding_objects", holders);
    json_member_u64(&j, "folded_rows", sp->held_rows);
    size_t n = top && top < sp->nrows ? top : sp->nrows;
    json_key(&j, "suspects");
    json_array_begin(&j);
    for (size_t r = 0; r < n; r++)
        write_suspect(&j, info, sp, r);
    json_array_end(&j);
    return report_json_end(&j, err);
}
