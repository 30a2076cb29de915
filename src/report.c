/* report.c - writing a grouped diff as text. */
#include "config.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "problems.h"
#include "textsafe.h"

const char *report_verb(diff_mode mode)
{
    switch (mode) {
    case DIFF_RETAINED: return "Retained";
    case DIFF_NEW: return "New";
    case DIFF_ALL: return "Live";
    }
    return "?";
}

const char *report_objects_word(diff_mode mode)
{
    switch (mode) {
    case DIFF_RETAINED: return "retained";
    case DIFF_NEW: return "new";
    case DIFF_ALL: return "live";
    }
    return "?";
}

void report_write_header(FILE *out, const report_info *info, const report_opts *opts)
{
    const session *ses = info->session;
    const diff_result *d = ses->diff;
    fprintf(out, "# heapsift %s: %s", PACKAGE_VERSION, diff_mode_name(d->mode));
    if (d->mode == DIFF_RETAINED)
        fprintf(out, " (in dump 2, not in dump 1, alive in dump%s 3%s)", ses->ndumps > 3 ? "s" : "",
                ses->ndumps > 3 ? " and later" : "");
    else if (d->mode == DIFF_NEW)
        fprintf(out, " (in dump 2, not in dump 1)");
    fputc('\n', out);
    for (size_t k = 0; k < ses->ndumps; k++) {
        const heap *h = ses->dumps[k];
        fprintf(out, "# dump %zu: ", k + 1);
        textsafe_write(out, h->path, strlen(h->path), opts->escape);
        fprintf(out, " (%zu objects", h->count);
        if (h->has_generation)
            fprintf(out, ", GC %" PRIu32, h->max_gen);
        if (h->repaired || h->skipped)
            fprintf(out, ", %" PRIu64 " lines repaired, %" PRIu64 " skipped", h->repaired, h->skipped);
        fprintf(out, ")\n");
    }
    fprintf(out, "# identity: %s; grouping: %s; sort: %s%s\n",
            d->identity == DIFF_ID_ADDRESS ? "address" : "exact (address + object_id, generation or type)",
            group_by_name(info->set->by), group_sort_name(info->set->sort),
            info->set->reverse ? " (reversed)" : "");
    const obj_filter *f = &info->set->filter;
    if (filter_active(f)) {
        fprintf(out, "# filter:");
        if (f->include) {
            fprintf(out, " path ");
            textsafe_write(out, f->include, strlen(f->include), opts->escape);
        }
        if (f->exclude) {
            fprintf(out, " excluding ");
            textsafe_write(out, f->exclude, strlen(f->exclude), opts->escape);
        }
        if (f->types_set) {
            fprintf(out, " types");
            const char *sep = " ";
            for (int t = 0; t < RT_COUNT; t++)
                if (f->types[t]) {
                    fprintf(out, "%s%s", sep, rtype_name((rtype)t));
                    sep = ",";
                }
        }
        if (f->min_count > 1)
            fprintf(out, " at least %" PRIu64 " objects", f->min_count);
        fputc('\n', out);
    }
    if (d->mode != DIFF_ALL && d->identity == DIFF_ID_EXACT && (d->reused_slots || d->moved))
        fprintf(out, "# address-only matching would miss %" PRIu64 " of these (reused slots) and "
                     "wrongly add %" PRIu64 "\n",
                d->reused_slots, d->moved);
    if (d->mode != DIFF_ALL && d->identity == DIFF_ID_EXACT && d->followed)
        fprintf(out, "# %" PRIu64 " of these were followed by their object_id to another address\n", d->followed);
    uint64_t moved = problems_moved(ses);
    if (moved)
        fprintf(out, "# compaction moved %" PRIu64 " objects between dumps: an address cannot follow them "
                     "(standard error says where); take dumps with GC.auto_compact = false\n",
                moved);
    if (opts->when)
        fprintf(out, "# written %s\n", opts->when);
}

void report_write_line(FILE *out, const group_set *s, const group *g, uint64_t count, uint64_t bytesize,
                       uint64_t memsize, bool escape)
{
    const char *verb = report_verb(s->diff->mode);
    if (group_shows_type(s)) {
        size_t flen;
        const char *file = strtab_str(s->subject->strings, g->file, &flen);
        fprintf(out, "%s %" PRIu64 " %s objects of size %" PRIu64 "/%" PRIu64 " at: ", verb, count,
                rtype_name(g->type), bytesize, memsize);
        textsafe_write(out, file, flen, escape);
        fputc(':', out);
        if (g->line != HEAP_NO_LINE)
            fprintf(out, "%" PRIu32, g->line - 1);
    } else {
        char label[4096];
        size_t len;
        group_label(s, g, label, sizeof label, &len);
        fprintf(out, "%s %" PRIu64 " objects of size %" PRIu64 "/%" PRIu64 " for %s: ", verb, count, bytesize,
                memsize, group_by_name(s->by));
        textsafe_write(out, label, len, escape);
    }
}

static void write_group(FILE *out, const report_info *info, const report_opts *opts, const group *g)
{
    const group_set *s = info->set;
    report_write_line(out, s, g, g->count, g->bytesize, g->memsize, opts->escape);
    if ((opts->retained || s->sort == SORT_RETAINED) && s->has_retained)
        fprintf(out, "  retained: %" PRIu64, g->retained);
    if (opts->trend && g->trend) {
        fprintf(out, "  trend:");
        for (size_t k = 0; k < s->ndumps; k++)
            fprintf(out, " %" PRIu64, g->trend[k]);
    }
    fputc('\n', out);
}

hs_status report_write(FILE *out, const report_info *info, const report_opts *given, hs_error *err)
{
    const group_set *s = info->set;
    /* Whatever ends on a terminal is escaped (-o /dev/tty, an export to
     * /dev/stdout), not only standard output. */
    report_opts escaped = *given;
    escaped.escape = given->escape || isatty(fileno(out));
    const report_opts *opts = &escaped;
    if (opts->header) {
        report_write_header(out, info, opts);
        fprintf(out, "# %zu groups, %" PRIu64 " objects\n", s->nvisible, s->total_count);
    }
    size_t n = s->nvisible;
    if (opts->top && opts->top < n)
        n = opts->top;
    for (size_t k = 0; k < n; k++)
        write_group(out, info, opts, &s->groups[s->order[k]]);
    fprintf(out, "\n\nTotal Size: %" PRIu64 "/%" PRIu64 "\n", s->total_bytesize, s->total_memsize);
    if (fflush(out) != 0 || ferror(out))
        return hs_fail(err, HS_ERR_IO, "writing the report failed: %s", strerror(errno));
    return HS_OK;
}

/* The temporary file being written, for report_discard_partial, which a
 * signal handler may call at any moment. */
static char partial_path[4096];
static volatile sig_atomic_t partial_set;

void report_discard_partial(void)
{
    if (partial_set)
        unlink(partial_path); /* async-signal-safe */
}

/* Writes through descriptor fd, which it closes (named path in messages). */
static hs_status write_fd(const char *path, int fd, hs_status (*write)(FILE *out, void *ctx, hs_error *err), void *ctx,
                          hs_error *err)
{
    FILE *out = fdopen(fd, "w");
    if (!out) {
        close(fd);
        return hs_fail(err, HS_ERR_IO, "%s: %s", path, strerror(errno));
    }
    hs_status st = write(out, ctx, err);
    if (fclose(out) != 0 && st == HS_OK)
        st = hs_fail(err, HS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return st;
}

/* Writes straight into a file that is no regular file (/dev/null, a FIFO,
 * a terminal): there is nothing to replace, and renaming over it would
 * put a regular file in its place. */
static hs_status write_special(const char *path, bool wait, hs_status (*write)(FILE *out, void *ctx, hs_error *err),
                               void *ctx, hs_error *err)
{
    /* A FIFO without a reader: wait for one (the command line, as a shell
     * redirection would), or say so at once (the explorer must not hang). */
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | (wait ? 0 : O_NONBLOCK));
    if (fd < 0 && errno == ENXIO)
        return hs_fail(err, HS_ERR_IO, "%s: a FIFO that nothing reads yet: start its reader first", path);
    if (fd < 0)
        return hs_fail(err, HS_ERR_IO, "%s: cannot open for writing: %s", path, strerror(errno));
    if (!wait)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK); /* then write as to any file */
    return write_fd(path, fd, write, ctx, err);
}

static hs_status atomic_write(const char *path, bool force, bool wait,
                              hs_status (*write)(FILE *out, void *ctx, hs_error *err), void *ctx, hs_error *err);

hs_status report_atomic_write(const char *path, bool force,
                              hs_status (*write)(FILE *out, void *ctx, hs_error *err), void *ctx,
                              hs_error *err)
{
    return atomic_write(path, force, true, write, ctx, err);
}

hs_status report_export_write(const char *path, bool force,
                              hs_status (*write)(FILE *out, void *ctx, hs_error *err), void *ctx,
                              hs_error *err)
{
    return atomic_write(path, force, false, write, ctx, err);
}

/* The descriptor a path names when it is one this process has open
 * (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N), else -1. Such a
 * target is written in place through the descriptor: it may be a file the
 * shell opened with >> (replacing it would lose its content) or a pipe. */
static int open_descriptor_named(const char *path)
{
    if (strcmp(path, "/dev/stdout") == 0)
        return STDOUT_FILENO;
    if (strcmp(path, "/dev/stderr") == 0)
        return STDERR_FILENO;
    static const char *const dirs[] = { "/dev/fd/", "/proc/self/fd/" };
    for (size_t k = 0; k < sizeof dirs / sizeof *dirs; k++) {
        size_t dlen = strlen(dirs[k]);
        if (strncmp(path, dirs[k], dlen) != 0 || !path[dlen])
            continue;
        char *end;
        long fd = strtol(path + dlen, &end, 10);
        if (*end || fd < 0 || fd > INT_MAX || fcntl((int)fd, F_GETFD) < 0)
            return -1;
        return (int)fd;
    }
    return -1;
}

/* Writes through a copy of descriptor fd (named path in messages). */
static hs_status write_descriptor(const char *path, int fd, hs_status (*write)(FILE *out, void *ctx, hs_error *err),
                                  void *ctx, hs_error *err)
{
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (copy < 0)
        return hs_fail(err, HS_ERR_IO, "%s: cannot use descriptor %d: %s", path, fd, strerror(errno));
    return write_fd(path, copy, write, ctx, err);
}

static hs_status atomic_write(const char *path, bool force, bool wait,
                              hs_status (*write)(FILE *out, void *ctx, hs_error *err), void *ctx, hs_error *err)
{
    int named_fd = open_descriptor_named(path);
    if (named_fd >= 0)
        return write_descriptor(path, named_fd, write, ctx, err);
    struct stat sb, as_link;
    bool exists = stat(path, &sb) == 0; /* through a symbolic link */
    int why = exists ? 0 : errno;
    if (!exists && (why == ENOENT || why == ELOOP) && lstat(path, &as_link) == 0 && S_ISLNK(as_link.st_mode)) {
        /* Replacing a link that leads nowhere (or round in a loop) would put
         * a regular file where the link was: refuse, saying what it is. */
        char target[PATH_MAX];
        ssize_t n = readlink(path, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        return hs_fail(err, HS_ERR_IO, "%s is a symbolic link %s (to %s): not written", path,
                       why == ELOOP ? "in a loop" : "to nothing", target);
    }
    if (exists && !S_ISREG(sb.st_mode)) {
        if (S_ISDIR(sb.st_mode))
            return hs_fail(err, HS_ERR_IO, "%s is a directory: give a file name", path);
        return write_special(path, wait, write, ctx, err);
    }
    if (!force && exists)
        return hs_fail(err, HS_ERR_EXISTS, "%s already exists (use --force to replace it)", path);
    /* A symbolic link is followed: the file it names is replaced, not the
     * link (realpath fails for a link to nowhere, which is then replaced). */
    char real[PATH_MAX];
    struct stat lsb;
    if (lstat(path, &lsb) == 0 && S_ISLNK(lsb.st_mode) && realpath(path, real))
        path = real;
    size_t plen = strlen(path);
    char *tmp = hs_xmalloc(plen + 16);
    snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
    /* A name near NAME_MAX has no room for the suffix: the temporary file
     * then gets a short name of its own in the same directory. */
    const char *slash = strrchr(path, '/');
    size_t base = strlen(slash ? slash + 1 : path);
    if (base + 11 > NAME_MAX)
        snprintf(tmp, plen + 16, "%.*s.hs.XXXXXX", (int)(slash ? slash + 1 - path : 0), path);
    partial_set = 0;
    bool tracked = plen + 16 <= sizeof partial_path;
    if (tracked)
        memcpy(partial_path, tmp, plen + 16);
    int fd = mkstemp(tracked ? partial_path : tmp);
    if (tracked)
        memcpy(tmp, partial_path, plen + 16);
    partial_set = tracked && fd >= 0;
    if (fd < 0) {
        hs_status st = hs_fail(err, HS_ERR_IO, "%s: cannot create a temporary file beside it: %s", path,
                               strerror(errno));
        free(tmp);
        return st;
    }
    /* mkstemp makes it 0600: give it the mode a plain create would (or the
     * mode of the file it replaces), or a shared report is unreadable to
     * the team without a word. */
    struct stat old;
    mode_t mask = umask(0);
    umask(mask);
    bool replaces = stat(path, &old) == 0 && S_ISREG(old.st_mode);
    /* The owner and group of the file it replaces, where this user may give
     * them (root may; others keep their own, which is all they can do). */
    if (replaces && (old.st_uid != geteuid() || old.st_gid != getegid()) && fchown(fd, old.st_uid, old.st_gid) != 0)
        (void)fchown(fd, (uid_t)-1, old.st_gid); /* at least the group, when a member */
    fchmod(fd, replaces ? old.st_mode & 07777 : 0666 & ~mask);
    FILE *out = fdopen(fd, "w");
    if (!out) {
        hs_status st = hs_fail(err, HS_ERR_IO, "%s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return st;
    }
    hs_status st = write(out, ctx, err);
    if (st == HS_OK && (fflush(out) != 0 || fsync(fileno(out)) != 0))
        st = hs_fail(err, HS_ERR_IO, "%s: writing the temporary file %s failed: %s", path, tmp, strerror(errno));
    if (fclose(out) != 0 && st == HS_OK)
        st = hs_fail(err, HS_ERR_IO, "%s: closing the temporary file %s failed: %s", path, tmp, strerror(errno));
    if (st == HS_OK) {
        /* Without force, link() refuses to replace a file that appeared since. */
        if (force ? rename(tmp, path) != 0 : link(tmp, path) != 0) {
            st = errno == EEXIST ? hs_fail(err, HS_ERR_EXISTS, "%s already exists (use --force to replace it)", path)
                                 : hs_fail(err, HS_ERR_IO, "%s: %s the temporary file %s to it failed: %s", path,
                                           force ? "renaming" : "linking", tmp, strerror(errno));
        }
    }
    unlink(tmp); /* after link() the name is no longer needed; after rename() it is gone */
    partial_set = 0;
    free(tmp);
    return st;
}

typedef struct report_job {
    const report_info *info;
    const report_opts *opts;
} report_job;

static hs_status write_report_job(FILE *out, void *ctx, hs_error *err)
{
    report_job *j = ctx;
    return report_write(out, j->info, j->opts, err);
}

hs_status report_save(const char *path, bool force, const report_info *info,
                      const report_opts *opts, hs_error *err)
{
    report_job job = { info, opts };
    return report_atomic_write(path, force, write_report_job, &job, err);
}
