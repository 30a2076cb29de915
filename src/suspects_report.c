/* suspects_report.c - writing the suspects as text. */
#include "suspects_report.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "textsafe.h"
#include "why.h"

/* Appends to a description being built, keeping it NUL-terminated. */
typedef struct desc_buf {
    char *buf;
    size_t size, len;
} desc_buf;

static void add(desc_buf *d, const char *bytes, size_t n)
{
    if (d->size == 0)
        return;
    size_t room = d->size - 1 - d->len;
    if (n > room)
        n = room;
    memcpy(d->buf + d->len, bytes, n);
    d->len += n;
    d->buf[d->len] = '\0';
}

static void add_str(desc_buf *d, const char *s)
{
    add(d, s, strlen(s));
}

/* v in decimal, or in hex. */
static void add_decimal(desc_buf *d, uint64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    add(d, tmp, n < 0 ? 0 : (size_t)n);
}

static void add_hex(desc_buf *d, uint64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "0x%" PRIx64, v);
    add(d, tmp, n < 0 ? 0 : (size_t)n);
}

const char *suspects_holder_class(const heap *h, const suspect *row, size_t *len)
{
    if (row->name_kind == SUSPECT_NAME_CLASS) {
        *len = row->name_len;
        return row->name;
    }
    if (row->holder_type == RT_IMEMO) { /* an IMEMO's "class" is no class */
        *len = 0;
        return "";
    }
    return heap_class_name(h, row->holder_class, len);
}

/* "TYPE[ Class][ at FILE[:LINE]]" of a HELD row's holders. */
static void describe_holder(desc_buf *d, const heap *h, const suspect *row)
{
    add_str(d, rtype_name((rtype)row->holder_type));
    size_t clen;
    const char *cls = suspects_holder_class(h, row, &clen);
    if (clen) {
        add_str(d, " ");
        add(d, cls, clen);
    }
    if (row->name_kind == SUSPECT_NAME_IVAR) {
        add_str(d, " ");
        add(d, row->name, row->name_len);
    }
    const heap_site *site = &h->sites[row->holder_site];
    size_t flen;
    const char *file = strtab_str(h->strings, site->file, &flen);
    if (flen) {
        add_str(d, " at ");
        add(d, file, flen);
        if (site->line != HEAP_NO_LINE) {
            add_str(d, ":");
            add_decimal(d, site->line - 1);
        }
    }
}

/* "vm, machine_context": the categories of a root mask. */
static void describe_roots(desc_buf *d, const graph *g, uint32_t mask)
{
    const char *sep = "";
    for (unsigned k = 0; k < g->nroot_names; k++)
        if (mask & (1u << k)) {
            add_str(d, sep);
            add_str(d, g->root_names[k]);
            sep = ", ";
        }
}

size_t suspects_describe(const session *s, const suspects *sp, size_t r, char *buf, size_t size)
{
    const suspect *row = &sp->rows[r];
    desc_buf d = { buf, size, 0 };
    if (size)
        buf[0] = '\0';
    if (row->noise)
        add_str(&d, "[dump_all's own objects] ");
    switch (row->kind) {
    case SUSPECT_HELD:
        describe_holder(&d, s->latest, row);
        add_str(&d, " (");
        if (row->nholders == 1) {
            add_hex(&d, row->holder_addr);
            add_str(&d, ")");
        } else {
            add_decimal(&d, row->nholders);
            add_str(&d, " holders)");
        }
        break;
    case SUSPECT_ROOTS:
        add_str(&d, "several GC roots (");
        describe_roots(&d, s->graph, row->root_mask);
        add_str(&d, ")");
        break;
    case SUSPECT_STACK: add_str(&d, "on a thread's stack at dump time"); break;
    case SUSPECT_UNREACHED: add_str(&d, "no GC root (garbage at dump time)"); break;
    case SUSPECT_GONE: add_str(&d, "not in the latest dump"); break;
    case SUSPECT_KIND_COUNT: break;
    }
    return d.len;
}

void suspects_write_line(FILE *out, const session *s, const suspects *sp, size_t r, bool escape)
{
    const suspect *row = &sp->rows[r];
    char desc[2048];
    size_t len = suspects_describe(s, sp, r, desc, sizeof desc);
    const char *word = report_objects_word(s->diff->mode);
    fprintf(out, "Suspect %zu: ", r + 1);
    textsafe_write(out, desc, len, escape);
    fprintf(out, " holds %" PRIu64 " %s objects, %" PRIu64 " bytes (%.1f%% of %s bytes)\n", row->count, word,
            row->memsize, 100.0 * row->share, word);
}

/* "  growth: grows in every window (held from each window: 2080 of dumps 1-2, ...)" */
static void write_growth(FILE *out, const suspects *sp, const suspect *row)
{
    if (!row->window)
        return;
    fprintf(out, "  growth: %s (still held, of each window's allocations:", suspect_growth_text(row->growth));
    for (size_t w = 0; w < sp->nwindows; w++)
        fprintf(out, "%s %" PRIu64 " of dumps %zu-%zu", w ? "," : "", row->window[w], w + 1, w + 2);
    fprintf(out, ")\n");
}

static void write_holders(FILE *out, const session *s, const suspects *sp, const suspect *row, size_t most)
{
    if (row->kind != SUSPECT_HELD || row->nholders < 2)
        return;
    fprintf(out, "  holders: %zu, the largest", row->nholders);
    size_t n = row->nholders < most ? row->nholders : most;
    for (size_t k = 0; k < n; k++) {
        const suspect_holder *h = &sp->holders[row->holder_start + k];
        fprintf(out, "%s 0x%" PRIx64 " (%" PRIu64 " objects)", k ? "," : "", s->latest->addr[h->node], h->count);
    }
    if (row->nholders > n)
        fprintf(out, " and %zu more", row->nholders - n);
    fputc('\n', out);
}

static void write_path(FILE *out, const session *s, const suspect *row)
{
    if (row->kind == SUSPECT_UNREACHED) {
        fprintf(out, "  (no GC root reaches them: the next GC frees them)\n");
        return;
    }
    if (row->example == GRAPH_NONE)
        return;
    uint64_t addr = s->latest->addr[row->example];
    if (row->kind == SUSPECT_HELD)
        fprintf(out, "  path from a GC root to the %sholder, 0x%" PRIx64 ":\n", row->nholders > 1 ? "largest " : "",
                addr);
    else
        fprintf(out, "  path from a GC root to the largest of them, 0x%" PRIx64 ":\n", addr);
    if (row->path_len == 0) {
        fprintf(out, "    (no root reaches it)\n");
        return;
    }
    const char *root = s->graph->root_names[row->path_root];
    fprintf(out, "    root ");
    textsafe_write(out, root, strlen(root), true); /* from the dump, like the hops */
    fputc('\n', out);
    why_hops_style style = { "      ", "", 8 };
    why_write_hops(out, s, row->path, row->path_len, &style);
}

static void write_groups(FILE *out, const group_set *set, const suspects *sp, const suspect *row, size_t most,
                         bool escape)
{
    size_t n = row->ngroups < most ? row->ngroups : most;
    fprintf(out, "  holds %zu group%s:\n", row->ngroups, row->ngroups == 1 ? "" : "s");
    for (size_t k = 0; k < n; k++) {
        const suspect_group *sg = &sp->groups[row->group_start + k];
        fprintf(out, "    ");
        report_write_line(out, set, &set->groups[sg->group], sg->count, sg->bytesize, sg->memsize, escape);
        fputc('\n', out);
    }
    if (row->ngroups > n) {
        uint64_t rest = 0;
        for (size_t k = n; k < row->ngroups; k++)
            rest += sp->groups[row->group_start + k].count;
        fprintf(out, "    ... and %zu more groups, %" PRIu64 " objects\n", row->ngroups - n, rest);
    }
}

static void write_header(FILE *out, const report_info *info, const suspects *sp, const suspects_report_opts *opts)
{
    const session *s = info->session;
    report_opts ropts = { .header = true, .escape = opts->escape, .when = opts->when };
    report_write_header(out, info, &ropts);
    fprintf(out, "# suspects: what holds them in the dominator tree of dump %zu\n", s->ndumps);
    size_t held = 0, folded = 0;
    for (size_t r = 0; r < sp->nrows; r++)
        if (sp->rows[r].kind == SUSPECT_HELD && !sp->rows[r].noise) {
            held += sp->rows[r].nholders;
            folded++;
        }
    fprintf(out, "# %zu suspects, %" PRIu64 " objects; %zu holding objects, folded by type, site and class into %zu\n",
            sp->nrows, sp->total_count, held, folded);
}

/* Suspect r's line and its detail lines. */
static void write_suspect(FILE *out, const report_info *info, const suspects *sp, size_t r,
                          const suspects_report_opts *opts)
{
    const session *s = info->session;
    const suspect *row = &sp->rows[r];
    suspects_write_line(out, s, sp, r, opts->escape);
    write_growth(out, sp, row);
    fprintf(out, "  size: %" PRIu64 "/%" PRIu64 " (bytesize/memsize)\n", row->bytesize, row->memsize);
    write_holders(out, s, sp, row, opts->holders);
    write_path(out, s, row);
    write_groups(out, info->set, sp, row, opts->groups, opts->escape);
}

void suspects_write_suspect(FILE *out, const report_info *info, const suspects *sp, size_t r,
                            const suspects_report_opts *opts)
{
    assert(r < sp->nrows);
    if (opts->header)
        write_header(out, info, sp, opts);
    write_suspect(out, info, sp, r, opts);
}

hs_status suspects_write(FILE *out, const report_info *info, const suspects *sp,
                         const suspects_report_opts *given, hs_error *err)
{
    /* Whatever ends on a terminal is escaped, not only standard output. */
    suspects_report_opts escaped = *given;
    escaped.escape = given->escape || isatty(fileno(out));
    const suspects_report_opts *opts = &escaped;
    if (opts->header)
        write_header(out, info, sp, opts);
    size_t n = opts->top && opts->top < sp->nrows ? opts->top : sp->nrows;
    for (size_t r = 0; r < n; r++) {
        if (r)
            fputc('\n', out);
        write_suspect(out, info, sp, r, opts);
    }
    if (n < sp->nrows) {
        uint64_t objects = 0, bytes = 0;
        for (size_t r = n; r < sp->nrows; r++) {
            objects += sp->rows[r].count;
            bytes += sp->rows[r].memsize;
        }
        fprintf(out, "\n# %zu more suspects not shown: %" PRIu64 " objects, %" PRIu64 " bytes\n", sp->nrows - n,
                objects, bytes);
    }
    fprintf(out, "\n\nTotal Size: %" PRIu64 "/%" PRIu64 "\n", sp->total_bytesize, sp->total_memsize);
    if (fflush(out) != 0 || ferror(out))
        return hs_fail(err, HS_ERR_IO, "writing the report failed: %s", strerror(errno));
    return HS_OK;
}

typedef struct suspects_job {
    const report_info *info;
    const suspects *sp;
    const suspects_report_opts *opts;
} suspects_job;

static hs_status write_job(FILE *out, void *ctx, hs_error *err)
{
    const suspects_job *j = ctx;
    return suspects_write(out, j->info, j->sp, j->opts, err);
}

hs_status suspects_save(const char *path, bool force, const report_info *info, const suspects *sp,
                        const suspects_report_opts *opts, hs_error *err)
{
    suspects_job job = { info, sp, opts };
    return report_atomic_write(path, force, write_job, &job, err);
}
