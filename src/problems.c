/* problems.c - what was wrong with the dumps, in words. */
#include "problems.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mapguard.h"
#include "textsafe.h"

/* Where object i of h is, for a message: "line L (byte B)", or its number
 * when the dump keeps no offsets. */
static void where_is(const heap *h, uint32_t i, char *buf, size_t size)
{
    uint64_t line, offset;
    if (heap_line_of(h, i, &line, &offset))
        snprintf(buf, size, "line %" PRIu64 " (byte %" PRIu64 ")", line, offset);
    else
        snprintf(buf, size, "object %" PRIu32, i + 1);
}

/* The start of a line about h: prefix and the dump's path. */
static void begin(FILE *out, const char *prefix, const char *warning, const heap *h, bool escape)
{
    fputs(prefix, out);
    fputs(warning, out);
    textsafe_write(out, h->path, strlen(h->path), escape);
}

/* Objects of a dump that share an address: all kept, but Ruby never
 * writes that, so the dump is damaged or is two dumps in one. */
static void write_duplicates(FILE *out, const char *prefix, const heap *h, const diff_dups *d, bool escape)
{
    if (!d->count)
        return;
    char first[64], again[64];
    where_is(h, d->first, first, sizeof first);
    where_is(h, d->again, again, sizeof again);
    begin(out, prefix, "warning: ", h, escape);
    fprintf(out, ": %" PRIu64 " object%s the address of an earlier one, the first at %s: 0x%" PRIx64
                 ", as at %s; Ruby writes each address once, so the dump is damaged or holds two dumps; "
                 "all of them are kept\n",
            d->count, d->count == 1 ? " has" : "s have", again, d->addr, first);
}

uint64_t problems_moved(const session *ses)
{
    const diff_result *d = ses->diff;
    uint64_t moved = d->predate;
    for (size_t k = 1; k < ses->ndumps; k++)
        moved += d->moved_in[k] + d->untraced_in[k];
    return moved;
}

/* Objects moved between dumps: what shows it, what heapsift did about it,
 * and how to take dumps that compare. */
static void write_compaction(FILE *out, const char *prefix, const session *ses, bool escape)
{
    const diff_result *d = ses->diff;
    if (!problems_moved(ses))
        return;
    for (size_t k = 1; k < ses->ndumps; k++) {
        uint64_t moved = d->moved_in[k], untraced = d->untraced_in[k];
        if (!moved && !untraced)
            continue;
        begin(out, prefix, "warning: compaction: ", ses->dumps[k], escape);
        fprintf(out, " (dump %zu):", k + 1);
        if (moved)
            fprintf(out, " %" PRIu64 " object%s older than dump %zu at addresses new since it", moved,
                    moved == 1 ? "" : "s", k);
        if (untraced)
            fprintf(out, "%s %" PRIu64 " object%s without allocation data at addresses new since dump %zu (Ruby "
                         "3.1 drops a moved object's file, line and generation)",
                    moved ? ";" : "", untraced, untraced == 1 ? "" : "s", k);
        fprintf(out, ": moved by GC.compact or GC.auto_compact between dumps %zu and %zu", k, k + 1);
        if (d->oid_moved_in[k])
            fprintf(out, "; %" PRIu64 " of them carry an object_id and are followed", d->oid_moved_in[k]);
        fputc('\n', out);
    }
    if (d->predate) {
        begin(out, prefix, "warning: compaction: ", ses->dumps[d->subject], escape);
        fprintf(out, ": %" PRIu64 " object%s at addresses new since dump 1 %s generations from before it: moved, not "
                     "new, so not counted\n",
                d->predate, d->predate == 1 ? "" : "s", d->predate == 1 ? "has a generation" : "have");
    }
    fprintf(out, "%swarning: compaction: an address cannot follow a moved object; retained objects that moved "
                 "after dump 2 are missed and moved old ones may be listed. Take dumps to compare with "
                 "GC.auto_compact = false and no GC.compact between them\n",
            prefix);
}

void problems_write(FILE *out, const session *ses, const char *prefix, unsigned shown, bool escape)
{
    write_compaction(out, prefix, ses, escape);
    for (size_t k = 1; k < ses->ndumps; k++)
        if (ses->same_as_previous[k]) {
            begin(out, prefix, "warning: ", ses->dumps[k], escape);
            fprintf(out, " (dump %zu) holds exactly the objects of dump %zu: the same dump twice? Nothing is new "
                         "between them\n",
                    k + 1, k);
        }
    static const char *const kinds[] = { "repaired", "skipped", "cut short" };
    for (size_t k = 0; k < ses->ndumps; k++) {
        const heap *h = ses->dumps[k];
        if (h->warning[0]) {
            fputs(prefix, out);
            fputs("warning: ", out);
            textsafe_write(out, h->warning, strlen(h->warning), escape);
            fputc('\n', out);
        }
        write_duplicates(out, prefix, h, &ses->diff->dups[k], escape);
        if (!h->repaired && !h->skipped)
            continue;
        begin(out, prefix, "", h, escape);
        fprintf(out, ": %" PRIu64 " of %" PRIu64 " lines were not valid JSON: %" PRIu64
                     " repaired (objects kept), %" PRIu64 " skipped\n",
                h->repaired + h->skipped, h->lines, h->repaired, h->skipped);
        unsigned listed = h->nproblems < shown ? h->nproblems : shown;
        for (unsigned p = 0; p < listed; p++) {
            const heap_problem *hp = &h->problems[p];
            begin(out, prefix, "", h, escape);
            fprintf(out, ":%" PRIu64 ": (byte %" PRIu64 ") %s: ", hp->line_no, hp->offset,
                    kinds[hp->kind < 3 ? hp->kind : 0]);
            textsafe_write(out, hp->why, strlen(hp->why), escape);
            fputc('\n', out);
        }
        if (h->repaired + h->skipped > listed) {
            begin(out, prefix, "", h, escape);
            fprintf(out, ": (%" PRIu64 " more not shown)\n", h->repaired + h->skipped - listed);
        }
    }
}

size_t problems_dumps(const session *ses)
{
    size_t with = 0;
    for (size_t k = 0; k < ses->ndumps; k++) {
        const heap *h = ses->dumps[k];
        with += h->warning[0] || h->repaired || h->skipped || ses->diff->dups[k].count ||
                (k > 0 && (ses->same_as_previous[k] || ses->diff->moved_in[k] || ses->diff->untraced_in[k]));
    }
    return with;
}

bool problems_summary(const session *ses, char *buf, size_t size)
{
    uint64_t repaired = 0, skipped = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < ses->ndumps; k++) {
        uint64_t gone = heap_file_fault(ses->dumps[k]);
        if (gone != MAPGUARD_NO_FAULT) {
            /* What was read of it since is zeros: nothing shown can be trusted. */
            snprintf(buf, size, "dump %zu shrank while open: from byte %" PRIu64 " it reads as zeros; quit and rerun on a copy",
                     k + 1, gone);
            return true;
        }
        repaired += ses->dumps[k]->repaired;
        skipped += ses->dumps[k]->skipped;
    }
    uint64_t moved = problems_moved(ses);
    if (moved && (repaired || skipped))
        snprintf(buf, size, "compaction moved %" PRIu64 " objects; %" PRIu64 " lines repaired, %" PRIu64
                 " skipped (! says more)", moved, repaired, skipped);
    else if (moved)
        snprintf(buf, size, "compaction moved %" PRIu64 " objects between dumps (! says more)", moved);
    else if (repaired || skipped)
        snprintf(buf, size, "%" PRIu64 " lines repaired, %" PRIu64 " skipped (! shows them)", repaired, skipped);
    else if (problems_dumps(ses))
        snprintf(buf, size, "warnings about the dumps (! shows them)");
    return buf[0] != '\0';
}
