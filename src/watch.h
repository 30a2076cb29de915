/* watch.h - a folder that dumps arrive in (--watch DIR).
 *
 * The watch lists the dumps of a folder, oldest first, and notices each new
 * one once it is complete: renamed into the folder or closed after writing
 * (inotify), or, where inotify is unavailable (or HEAPSIFT_WATCH_POLL is
 * set), unchanged in size and time over two looks a second apart. A dump
 * still being written is never taken: besides that, an uncompressed dump
 * must end with a newline (Ruby's last line is whole).
 *
 * What is a dump: a regular file (or a link to one) whose name does not
 * start with a dot and ends in .json, .ndjson, .dump or .heap, each maybe
 * followed by .gz. Temporary files (Heapsift.dump's .heap-*.tmp, an scp or
 * rsync in progress under a dot name, an editor's ~ file) and the reports
 * heapsift writes (.txt) are not dumps.
 *
 * Order: at the start by modification time (then name); after that in the
 * order they are complete, each after every dump before it.
 *
 * Library code: no terminal, no printing; one thread (the explorer's).
 */
#ifndef HEAPSIFT_WATCH_H
#define HEAPSIFT_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

typedef struct watch watch;

/* How a watch learns of new files. */
typedef enum watch_method {
    WATCH_INOTIFY, /* the kernel says when a file is renamed in or closed */
    WATCH_POLL,    /* the folder is listed again every WATCH_POLL_MS */
} watch_method;

#define WATCH_POLL_MS 1000

/* Opens the watch on `where` and takes the dumps already complete there.
 * `where` is a folder, or a folder and a glob of the names to take
 * ("tmp/heap/heap-*-4242.json": one process's dumps of a folder several
 * write to), which then replaces the rules of dump names above (a leading
 * dot only where the glob has one). Fails (HS_ERR_IO) when the folder
 * cannot be read or is not one. */
hs_status watch_open(watch **out, const char *where, hs_error *err);

/* The descriptor to poll for reading (inotify's), or -1 when polling. */
int watch_fd(const watch *w);

/* Milliseconds after which watch_check should run even without an event on
 * watch_fd: while files wait to be complete, or when polling; -1 when only
 * an event can bring news. */
int watch_timeout_ms(const watch *w);

/* Reads what the folder did (events or a new listing) at monotonic time now
 * (seconds) and returns how many dumps became complete: they are at the end
 * of watch_paths. Never blocks. */
size_t watch_check(watch *w, double now);

/* The complete dumps, oldest first (watch_count of them). The strings live
 * as long as the watch; the array may move when watch_check adds one. */
const char *const *watch_paths(const watch *w);
size_t watch_count(const watch *w);

/* Takes dump k (0-based) off the list, for good: it could not be loaded.
 * The ones after it move up. */
void watch_drop(watch *w, size_t k);

/* Files that look like dumps but are not complete yet. */
size_t watch_pending(const watch *w);

const char *watch_dir(const watch *w);
/* The glob of names given after the folder, or NULL. */
const char *watch_pattern(const watch *w);
watch_method watch_how(const watch *w);

/* Is name (a file name, no folder) what the watch takes as a dump? */
bool watch_is_dump_name(const char *name);

void watch_close(watch *w);

#endif
