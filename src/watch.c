/* watch.c - a folder that dumps arrive in: inotify where the kernel has it,
 * a listing every second where not. See watch.h for what counts as a dump
 * and when one is complete. */
#define _GNU_SOURCE
#include "watch.h"
#include "monotime.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

/* A file whose size and time stayed the same this long (and whose time is
 * at least this old) is complete when no event says so. */
#define STABLE_SECONDS 1.0

/* What the watch knows of a file that looks like a dump. */
typedef enum entry_state {
    ENTRY_PENDING, /* seen, not complete yet */
    ENTRY_TAKEN,   /* complete: on the list of dumps */
    ENTRY_DROPPED, /* taken off the list (watch_drop): never taken again */
} entry_state;

typedef struct entry {
    char *name;          /* the file's name in the folder; owned */
    entry_state state;
    off_t size;          /* the size at the last look (ENTRY_PENDING) */
    struct timespec mtime; /* the modification time at the last look */
    double unchanged_since; /* monotonic seconds since which size and mtime
                               have been as they are */
    bool closed;         /* an event said it was closed after writing or
                            renamed in: complete once it ends whole */
    bool created;        /* an event said it was created while watched: only
                            its closing or a rename makes it complete, never
                            a pause of its writer */
} entry;

struct watch {
    char *dir;           /* the folder, as given (without the pattern); owned */
    char *pattern;       /* the names taken, a glob (heap-*-4242.json) given after
                            the folder; NULL: every dump name (watch_is_dump_name);
                            owned */
    watch_method how;
    int fd;              /* inotify's descriptor, or -1 */
    entry *entries;      /* every dump-like file seen (cap_entries) */
    size_t nentries, cap_entries;
    char **paths;        /* the complete dumps' paths (dir/name), in order; owned */
    size_t npaths, cap_paths;
    double next_scan;    /* polling: monotonic seconds of the next listing */
    bool rescan;         /* list the folder at the next check (an inotify
                            queue overflow, or polling) */
};

static const char *const dump_suffixes[] = { ".json", ".ndjson", ".dump", ".heap" };

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

bool watch_is_dump_name(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || name[0] == '.')
        return false;
    if (ends_with(name, len, ".gz"))
        len -= 3;
    for (size_t k = 0; k < sizeof dump_suffixes / sizeof *dump_suffixes; k++)
        if (ends_with(name, len, dump_suffixes[k]) && len > strlen(dump_suffixes[k]))
            return true;
    return false;
}

/* Is name one of the watch's dumps? A pattern must match it whole; a
 * leading dot only where the pattern has one (FNM_PERIOD). */
static bool wanted(const watch *w, const char *name)
{
    if (!w->pattern)
        return watch_is_dump_name(name);
    return fnmatch(w->pattern, name, FNM_PERIOD) == 0;
}

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = hs_xmalloc(a + b + 2);
    memcpy(p, dir, a);
    size_t at = a;
    if (a && dir[a - 1] != '/')
        p[at++] = '/';
    memcpy(p + at, name, b + 1);
    return p;
}

static entry *find(watch *w, const char *name)
{
    for (size_t k = 0; k < w->nentries; k++)
        if (strcmp(w->entries[k].name, name) == 0)
            return &w->entries[k];
    return NULL;
}

static entry *add_entry(watch *w, const char *name)
{
    if (w->nentries == w->cap_entries) {
        w->cap_entries = w->cap_entries ? 2 * w->cap_entries : 16;
        w->entries = hs_xrealloc(w->entries, w->cap_entries * sizeof *w->entries);
    }
    entry *e = &w->entries[w->nentries++];
    memset(e, 0, sizeof *e);
    e->name = hs_xstrndup(name, strlen(name));
    e->state = ENTRY_PENDING;
    e->size = -1;
    return e;
}

static void take(watch *w, entry *e)
{
    if (w->npaths == w->cap_paths) {
        w->cap_paths = w->cap_paths ? 2 * w->cap_paths : 16;
        w->paths = hs_xrealloc(w->paths, w->cap_paths * sizeof *w->paths);
    }
    w->paths[w->npaths++] = join(w->dir, e->name);
    e->state = ENTRY_TAKEN;
}

/* Does the file end whole: a gzip file (its own trailer says whether it is
 * whole; the loader reads it), or text whose last byte is a newline? */
static bool ends_whole(const char *path, const struct stat *sb)
{
    if (sb->st_size == 0)
        return false;
    size_t len = strlen(path);
    if (ends_with(path, len, ".gz"))
        return true;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    char last;
    bool whole = pread(fd, &last, 1, sb->st_size - 1) == 1 && last == '\n';
    close(fd);
    return whole;
}

static double wall_age(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Looks at a pending file again: is it complete now? */
static bool look(watch *w, entry *e, double now)
{
    assert(e->state == ENTRY_PENDING);
    char *path = join(w->dir, e->name);
    struct stat sb;
    bool complete = false;
    if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
        bool same = sb.st_size == e->size && sb.st_mtim.tv_sec == e->mtime.tv_sec &&
                    sb.st_mtim.tv_nsec == e->mtime.tv_nsec;
        if (!same) {
            e->size = sb.st_size;
            e->mtime = sb.st_mtim;
            e->unchanged_since = now;
        }
        bool stable = same && now - e->unchanged_since >= STABLE_SECONDS &&
                      wall_age(&sb.st_mtim) >= STABLE_SECONDS;
        complete = (e->closed || (stable && !e->created)) && ends_whole(path, &sb);
    }
    free(path);
    return complete;
}

/* Lists the folder: new dump-like files become pending; returns how many
 * pending files are complete now (taken). */
static size_t scan(watch *w, double now)
{
    DIR *d = opendir(w->dir);
    if (!d)
        return 0; /* gone for now: looked at again later */
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (wanted(w, de->d_name) && !find(w, de->d_name))
            add_entry(w, de->d_name);
    closedir(d);
    size_t taken = 0;
    for (size_t k = 0; k < w->nentries; k++) {
        entry *e = &w->entries[k];
        if (e->state == ENTRY_PENDING && look(w, e, now)) {
            take(w, e);
            taken++;
        }
    }
    return taken;
}

/* The dumps there at the start, oldest first. */
static int by_time_then_name(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->mtime.tv_sec != y->mtime.tv_sec)
        return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
    if (x->mtime.tv_nsec != y->mtime.tv_nsec)
        return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Does s hold a glob's special characters? */
static bool has_glob(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

hs_status watch_open(watch **out, const char *where, hs_error *err)
{
    /* A folder, or a folder and a pattern of names in it. */
    struct stat sb;
    char *dir = NULL, *pattern = NULL;
    const char *slash = strrchr(where, '/');
    const char *last = slash ? slash + 1 : where;
    if (stat(where, &sb) != 0 && has_glob(last) && !strchr(last, '/')) {
        dir = slash ? hs_xstrndup(where, slash == where ? 1 : (size_t)(slash - where)) : hs_xstrndup(".", 1);
        pattern = hs_xstrndup(last, strlen(last));
    } else {
        dir = hs_xstrndup(where, strlen(where));
    }
    const char *why = NULL;
    int saved = 0;
    if (stat(dir, &sb) != 0)
        saved = errno;
    else if (!S_ISDIR(sb.st_mode))
        why = "not a folder";
    DIR *d = saved || why ? NULL : opendir(dir);
    if (!saved && !why && !d)
        saved = errno;
    if (d)
        closedir(d);
    if (saved || why) {
        hs_status st = hs_fail(err, HS_ERR_IO, "%s: cannot watch it: %s", dir, why ? why : strerror(saved));
        free(dir);
        free(pattern);
        return st;
    }
    watch *w = hs_xcalloc(1, sizeof *w);
    w->dir = dir;
    w->pattern = pattern;
    w->fd = -1;
    w->how = WATCH_POLL;
#ifdef __linux__
    const char *poll_only = getenv("HEAPSIFT_WATCH_POLL");
    if (!poll_only || !*poll_only) {
        /* Watched before the first listing, so that nothing falls between. */
        w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (w->fd >= 0 &&
            inotify_add_watch(w->fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF) <
                0) {
            close(w->fd); /* the limit of watches, say: polling does */
            w->fd = -1;
        }
        if (w->fd >= 0)
            w->how = WATCH_INOTIFY;
    }
#endif
    /* The first listing: what is complete by time and content is taken now,
     * oldest first; the rest waits for its event or its second. */
    scan(w, monotime_now()); /* takes none: nothing is stable at its first look */
    size_t ntaken = 0;
    for (size_t k = 0; k < w->nentries; k++) {
        entry *e = &w->entries[k];
        char *path = join(w->dir, e->name);
        struct stat fs;
        bool complete = stat(path, &fs) == 0 && S_ISREG(fs.st_mode) && wall_age(&fs.st_mtim) >= STABLE_SECONDS &&
                        ends_whole(path, &fs);
        free(path);
        if (complete) {
            e->state = ENTRY_TAKEN;
            ntaken++;
        } else {
            e->state = ENTRY_PENDING;
        }
    }
    entry *first = hs_xmalloc((ntaken ? ntaken : 1) * sizeof *first);
    size_t n = 0;
    for (size_t k = 0; k < w->nentries; k++)
        if (w->entries[k].state == ENTRY_TAKEN)
            first[n++] = w->entries[k];
    qsort(first, n, sizeof *first, by_time_then_name);
    for (size_t k = 0; k < n; k++)
        take(w, find(w, first[k].name));
    free(first);
    w->next_scan = 0;
    w->rescan = w->how == WATCH_POLL;
    *out = w;
    return HS_OK;
}

int watch_fd(const watch *w)
{
    return w->fd;
}

size_t watch_pending(const watch *w)
{
    size_t n = 0;
    for (size_t k = 0; k < w->nentries; k++)
        n += w->entries[k].state == ENTRY_PENDING;
    return n;
}

int watch_timeout_ms(const watch *w)
{
    return w->how == WATCH_POLL || watch_pending(w) ? WATCH_POLL_MS : -1;
}

#ifdef __linux__
/* Reads the events queued: a dump renamed in or closed after writing is
 * complete once it ends whole; a new one is pending. */
static void read_events(watch *w)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t len;
    while ((len = read(w->fd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + len;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                w->rescan = true; /* events were lost: list the folder */
                continue;
            }
            if (!ev->len || !wanted(w, ev->name))
                continue;
            entry *e = find(w, ev->name);
            if (!e)
                e = add_entry(w, ev->name);
            if (e->state != ENTRY_PENDING)
                continue;
            if (ev->mask & IN_CREATE)
                e->created = true;
            if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
                e->closed = true;
        }
    }
}
#endif

size_t watch_check(watch *w, double now)
{
    size_t before = w->npaths;
#ifdef __linux__
    if (w->fd >= 0)
        read_events(w);
#endif
    if (w->rescan || (w->how == WATCH_POLL && now >= w->next_scan)) {
        w->rescan = false;
        w->next_scan = now + WATCH_POLL_MS / 1000.0 * 0.9; /* a wake-up a little early still lists */
        scan(w, now);
    } else {
        for (size_t k = 0; k < w->nentries; k++) {
            entry *e = &w->entries[k];
            if (e->state == ENTRY_PENDING && look(w, e, now))
                take(w, e);
        }
    }
    return w->npaths - before;
}

const char *const *watch_paths(const watch *w)
{
    return (const char *const *)w->paths;
}

size_t watch_count(const watch *w)
{
    return w->npaths;
}

void watch_drop(watch *w, size_t k)
{
    assert(k < w->npaths);
    const char *name = strrchr(w->paths[k], '/');
    name = name ? name + 1 : w->paths[k];
    entry *e = find(w, name);
    assert(e && e->state == ENTRY_TAKEN);
    e->state = ENTRY_DROPPED;
    free(w->paths[k]);
    memmove(w->paths + k, w->paths + k + 1, (w->npaths - k - 1) * sizeof *w->paths);
    w->npaths--;
}

const char *watch_dir(const watch *w)
{
    return w->dir;
}

const char *watch_pattern(const watch *w)
{
    return w->pattern;
}

watch_method watch_how(const watch *w)
{
    return w->how;
}

void watch_close(watch *w)
{
    if (!w)
        return;
    if (w->fd >= 0)
        close(w->fd);
    for (size_t k = 0; k < w->nentries; k++)
        free(w->entries[k].name);
    free(w->entries);
    for (size_t k = 0; k < w->npaths; k++)
        free(w->paths[k]);
    free(w->paths);
    free(w->dir);
    free(w->pattern);
    free(w);
}
