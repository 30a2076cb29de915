/* report_json.c - the parts every --format=json document shares, and the
 * report's own document (see report_json.h). */
#include "config.h"
#include "report_json.h"

#include <errno.h>
#include <string.h>

#include "objinfo.h"
#include "problems.h"

static const char *identity_name(diff_identity id)
{
    return id == DIFF_ID_ADDRESS ? "address" : "exact";
}

static void write_dumps(json_out *j, const session *ses)
{
    json_key(j, "dumps");
    json_array_begin(j);
    for (size_t k = 0; k < ses->ndumps; k++) {
        const heap *h = ses->dumps[k];
        json_object_begin(j);
        json_member_cstring(j, "path", h->path);
        json_member_u64(j, "objects", h->count);
        json_key(j, "gc");
        if (h->has_generation)
            json_u64(j, h->max_gen);
        else
            json_null(j);
        json_member_u64(j, "lines", h->lines);
        json_member_u64(j, "repaired", h->repaired);
        json_member_u64(j, "skipped", h->skipped);
        json_member_u64(j, "moved_in", ses->diff->moved_in[k] + ses->diff->untraced_in[k]);
        json_member_u64(j, "followed_by_object_id", ses->diff->oid_moved_in[k]);
        json_object_end(j);
    }
    json_array_end(j);
}

static void write_filter(json_out *j, const obj_filter *f)
{
    json_key(j, "filter");
    json_object_begin(j);
    json_key(j, "include");
    json_string_or_null(j, f->include, f->include ? strlen(f->include) : 0);
    json_key(j, "exclude");
    json_string_or_null(j, f->exclude, f->exclude ? strlen(f->exclude) : 0);
    json_key(j, "types");
    if (f->types_set) {
        json_array_begin(j);
        for (int t = 0; t < RT_COUNT; t++)
            if (f->types[t])
                json_cstring(j, rtype_name((rtype)t));
        json_array_end(j);
    } else {
        json_null(j);
    }
    json_member_u64(j, "min_count", f->min_count > 1 ? f->min_count : 1);
    json_object_end(j);
}

void report_json_begin(json_out *j, const session *ses, const group_set *s, const char *kind)
{
    const diff_result *d = ses->diff;
    json_object_begin(j);
    json_member_u64(j, "format_version", REPORT_JSON_VERSION);
    json_member_cstring(j, "heapsift_version", PACKAGE_VERSION);
    json_member_cstring(j, "kind", kind);
    json_member_cstring(j, "mode", report_objects_word(d->mode));
    json_member_cstring(j, "identity", identity_name(d->identity));
    write_dumps(j, ses);
    json_key(j, "address_only");
    json_object_begin(j);
    json_member_u64(j, "would_miss", d->reused_slots);
    json_member_u64(j, "would_add", d->moved);
    json_object_end(j);
    json_key(j, "compaction");
    json_object_begin(j);
    json_member_u64(j, "moved", problems_moved(ses));
    json_member_u64(j, "predate_dump_1", d->predate);
    json_member_u64(j, "followed_by_object_id", d->followed);
    json_object_end(j);
    if (!s)
        return;
    json_member_cstring(j, "group_by", group_by_name(s->by));
    json_member_cstring(j, "sort", group_sort_name(s->sort));
    json_member_bool(j, "reverse", s->reverse);
    write_filter(j, &s->filter);
    json_member_u64(j, "groups", s->nvisible);
    json_member_u64(j, "objects", s->total_count);
    json_member_u64(j, "bytesize", s->total_bytesize);
    json_member_u64(j, "memsize", s->total_memsize);
}

void report_json_group(json_out *j, const group_set *s, const group *g, uint64_t count, uint64_t bytesize,
                       uint64_t memsize)
{
    json_object_begin(j);
    if (group_shows_type(s)) {
        json_member_cstring(j, "type", rtype_name((rtype)g->type));
        heap_site site = { g->file, g->line, STRTAB_NONE };
        report_json_site(j, s->subject, &site);
    } else {
        char label[4096];
        size_t len;
        group_label(s, g, label, sizeof label, &len);
        json_key(j, "label");
        json_string(j, label, len);
    }
    json_member_u64(j, "count", count);
    json_member_u64(j, "bytesize", bytesize);
    json_member_u64(j, "memsize", memsize);
}

void report_json_hop(json_out *j, const session *ses, uint32_t from, uint32_t v)
{
    heap *h = ses->latest;
    json_object_begin(j);
    json_key(j, "address");
    json_address(j, h->addr[v]);
    json_member_cstring(j, "type", rtype_name((rtype)h->type[v]));
    size_t clen;
    const char *cls = objinfo_class_name(h, v, &clen);
    json_key(j, "class");
    json_string_or_null(j, cls, clen);
    size_t slen = 0;
    const char *sub = strtab_str(h->strings, heap_subtype_of(h, v), &slen);
    json_key(j, "struct");
    json_string_or_null(j, sub, slen);
    report_json_site(j, h, heap_site_of(h, v));
    if (h->type[v] == RT_STRING) {
        scan_str value = objinfo_value(h, v);
        if (value.ptr) {
            char text[4096];
            size_t tlen = json_unescape(value.ptr, value.len, text, sizeof text);
            json_key(j, "value");
            json_string(j, text, tlen);
            json_member_bool(j, "value_cut", tlen == sizeof text);
        }
    }
    char ivar[128];
    size_t ilen = from == GRAPH_NONE ? 0 : objinfo_ivar_to(h, ses->addrs, from, h->addr[v], ivar, sizeof ivar);
    json_key(j, "ivar");
    json_string_or_null(j, ivar, ilen);
    json_member_u64(j, "retained", ses->graph->retained[v]);
    json_object_end(j);
}

void report_json_site(json_out *j, const heap *h, const heap_site *site)
{
    size_t flen;
    const char *file = strtab_str(h->strings, site->file, &flen);
    json_key(j, "file");
    json_string_or_null(j, file, flen);
    json_key(j, "line");
    if (site->line != HEAP_NO_LINE)
        json_u64(j, site->line - 1);
    else
        json_null(j);
}

void report_json_path_value(json_out *j, const session *ses, const uint32_t *path, size_t len, unsigned root)
{
    if (!len) {
        json_null(j);
        return;
    }
    json_object_begin(j);
    json_member_cstring(j, "root", ses->graph->root_names[root]);
    json_key(j, "hops");
    json_array_begin(j);
    for (size_t k = 0; k < len; k++)
        report_json_hop(j, ses, k ? path[k - 1] : GRAPH_NONE, path[k]);
    json_array_end(j);
    json_object_end(j);
}

hs_status report_json_end(json_out *j, hs_error *err)
{
    json_object_end(j);
    if (!json_out_finish(j))
        return hs_fail(err, HS_ERR_IO, "writing the report failed: %s", strerror(errno));
    return HS_OK;
}

hs_status report_json_write(FILE *out, const report_info *info, const report_opts *opts, hs_error *err)
{
    const group_set *s = info->set;
    json_out j;
    json_out_init(&j, out);
    report_json_begin(&j, info->session, s, "report");
    size_t n = s->nvisible;
    if (opts->top && opts->top < n)
        n = opts->top;
    json_key(&j, "rows");
    json_array_begin(&j);
    for (size_t k = 0; k < n; k++) {
        const group *g = &s->groups[s->order[k]];
        report_json_group(&j, s, g, g->count, g->bytesize, g->memsize);
        json_key(&j, "retained");
        if (s->has_retained)
            json_u64(&j, g->retained);
        else
            json_null(&j);
        if (opts->trend && g->trend) {
            json_key(&j, "trend");
            json_array_begin(&j);
            for (size_t d = 0; d < s->ndumps; d++)
                json_u64(&j, g->trend[d]);
            json_array_end(&j);
        }
        json_object_end(&j);
    }
    json_array_end(&j);
    return report_json_end(&j, err);
}
