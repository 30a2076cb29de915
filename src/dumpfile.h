/* dumpfile.h - a heap dump's bytes in memory, ready for the scanner.
 *
 * A plain file is mapped, never copied: an anonymous region one page larger
 * than the file is reserved and the file is mapped over its start, so the
 * scanner (simdjson) may read DUMPFILE_PADDING bytes past the end. Gzip input
 * (recognised by its magic bytes, whatever the name) is inflated into
 * anonymous memory, and what is not a regular file (a FIFO, a pipe) read
 * into it. A regular file that cannot be mapped is an error, not read
 * instead: that would take as much memory again.
 *
 * Knows nothing about JSON. Any thread may call these functions on its own
 * dumpfile; dumpfile_release() on disjoint ranges may run concurrently.
 */
#ifndef HEAPSIFT_DUMPFILE_H
#define HEAPSIFT_DUMPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mapguard.h"
#include "status.h"

/* Readable bytes guaranteed past data + size (simdjson needs 64). */
#define DUMPFILE_PADDING 64

typedef struct dumpfile {
    char *path;          /* as the person gave it; owned */
    const char *data;    /* first byte of the dump text */
    size_t size;         /* bytes of dump text */
    void *map;           /* start of the whole mapping */
    size_t map_size;     /* bytes mapped, padding included */
    bool compressed;     /* the file was gzip and data holds the inflated text */
    bool file_backed;    /* data maps the file: released pages are re-read on access */
    int fd;              /* file_backed: the file, kept open so dumpfile_check can
                            see whether it shrank */
    int guard;           /* file_backed: mapguard slot of the mapping */
    struct timespec mtime; /* file_backed: modification time when opened, so
                              dumpfile_check sees a rewrite of the same size */
    uint64_t disk_size;  /* size of the file on disk (compressed size for gzip) */
    char warning[256];   /* non-fatal problem (a truncated gzip stream), or "" */
} dumpfile;

/* Whether path could be opened as a dump, without opening it (a FIFO's
 * writer must not see a reader come and go): the messages dumpfile_open
 * would give for a missing, unreadable or directory path. So that a
 * missing third dump is said before the first is read for minutes. */
hs_status dumpfile_check_path(const char *path, hs_error *err);

/* Are paths a and b the same file (device and inode, links followed)? */
bool dumpfile_same_file(const char *a, const char *b);

/* Opens and maps path. On failure fills err (naming the file) and leaves df
 * closed. An empty file is HS_ERR_FORMAT; a directory, a missing or unreadable
 * file, or one that cannot be mapped (mmap's reason said) is HS_ERR_IO; no
 * memory for the text of a stream or a gzip file, HS_ERR_NOMEM. A gzip
 * stream that is cut short or corrupt keeps the text inflated so far and
 * says so in df->warning. */
hs_status dumpfile_open(dumpfile *df, const char *path, hs_error *err);

/* dumpfile_open that gives up, with HS_ERR_CANCELLED, once *cancel is set
 * while it waits for a FIFO's writer or for its data (checked every 100 ms),
 * so that the thread that called it can be joined. */
hs_status dumpfile_open_cancellable(dumpfile *df, const char *path, const _Atomic bool *cancel, hs_error *err);

/* A mapped file that shrinks while it is read leaves zeros where its text
 * was (see mapguard.h) instead of killing the process. Fails with HS_ERR_IO,
 * naming the file, the sizes and the first byte that could not be read, when
 * that happened or the file is now shorter than when it was opened: then
 * nothing read from it can be trusted; the same when it has its size but
 * another modification time (written over in place). A file that grew only
 * gets a line in df->warning (its first df->size bytes were read). Call
 * after reading. */
hs_status dumpfile_check(dumpfile *df, hs_error *err);

/* dumpfile_check for a thread that must not write to df (it belongs to
 * another, which may read df->warning meanwhile): the line about a file
 * that grew goes into warning[0..size) instead, when that is "". */
hs_status dumpfile_verify(const dumpfile *df, char *warning, size_t size, hs_error *err);

/* The first byte a read found gone because the file shrank (from it on,
 * the text reads as zeros), or MAPGUARD_NO_FAULT. Writes nothing: any
 * thread, at any time. */
uint64_t dumpfile_fault(const dumpfile *df);

/* Unmaps and frees everything; safe on a zeroed or already closed dumpfile. */
void dumpfile_close(dumpfile *df);

/* Tells the kernel the bytes [offset, offset+len) have been parsed: for a
 * mapped file their pages are dropped from the process (they count in its
 * resident size otherwise) and faulted in again from the file if re-read.
 * Does nothing for inflated input, which cannot be re-read. */
void dumpfile_release(dumpfile *df, size_t offset, size_t len);

/* Asks the kernel to read and map [offset, offset+len) ahead of the parser. */
void dumpfile_prefetch(dumpfile *df, size_t offset, size_t len);

/* The line that starts at offset, without its newline. Fails when offset is
 * past the end. The pointer is into df->data and valid until close. */
hs_status dumpfile_line(const dumpfile *df, uint64_t offset, const char **line,
                        size_t *len, hs_error *err);

#endif
