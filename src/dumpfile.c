/* dumpfile.c - mapping, inflating and re-reading dump files. */
#define _GNU_SOURCE /* mremap */
#include "dumpfile.h"

#include "mapguard.h"
#include "units.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static size_t page_size(void)
{
    static size_t size;
    if (!size)
        size = (size_t)sysconf(_SC_PAGESIZE);
    return size;
}

static size_t round_up_page(size_t n)
{
    size_t p = page_size();
    return (n + p - 1) / p * p;
}

/* An anonymous read-write region of at least size + padding bytes. */
static void *anon_map(size_t size, size_t *mapped)
{
    *mapped = round_up_page(size + DUMPFILE_PADDING);
    void *p = mmap(NULL, *mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Grows an anonymous region, keeping its contents. */
static void *anon_grow(void *p, size_t old_mapped, size_t size, size_t *mapped)
{
    size_t want = round_up_page(size + DUMPFILE_PADDING);
    void *q = mremap(p, old_mapped, want, MREMAP_MAYMOVE);
    if (q == MAP_FAILED)
        return NULL;
    *mapped = want;
    return q;
}

/* The failed mmap of a file of size bytes, said as what it is. */
static hs_status map_failed(const dumpfile *df, size_t size, int e, hs_error *err)
{
    char text[32];
    units_bytes(size, text, sizeof text);
    return hs_fail(err, HS_ERR_IO, "%s: cannot map the file (%s) into memory: %s%s", df->path, text, strerror(e),
                   e == ENOMEM ? " (the whole file must fit in the address space: see ulimit -v)" : "");
}

/* Maps a regular file with a readable zero page after it, guarded against
 * the file shrinking (mapguard). On success df owns fd. A file that cannot
 * be mapped is not read into memory instead: that would need as much
 * memory again, of the kind that is short. */
static hs_status map_plain(dumpfile *df, int fd, size_t size, hs_error *err)
{
    size_t mapped;
    void *region = anon_map(size, &mapped);
    if (!region)
        return map_failed(df, size, errno, err);
    int guard = mapguard_add(region, round_up_page(size));
    if (guard < 0) {
        munmap(region, mapped);
        return hs_fail(err, HS_ERR_IO, "%s: cannot map the file: too many dumps are mapped at once (%d)", df->path,
                       MAPGUARD_SLOTS);
    }
    void *file = mmap(region, size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
    if (file == MAP_FAILED) {
        int e = errno;
        mapguard_remove(guard);
        munmap(region, mapped);
        return map_failed(df, size, e, err);
    }
    madvise(file, size, MADV_SEQUENTIAL);
    df->map = region;
    df->map_size = mapped;
    df->data = region;
    df->size = size;
    df->file_backed = true;
    df->fd = fd;
    df->guard = guard;
    return HS_OK;
}

/* Forgets the file behind a file-backed mapping (not the mapping). */
static void drop_file(dumpfile *df)
{
    if (!df->file_backed)
        return;
    mapguard_remove(df->guard);
    close(df->fd);
    df->file_backed = false;
}

uint64_t dumpfile_fault(const dumpfile *df)
{
    return df->file_backed ? mapguard_fault(df->guard) : MAPGUARD_NO_FAULT;
}

hs_status dumpfile_check(dumpfile *df, hs_error *err)
{
    return dumpfile_verify(df, df->warning, sizeof df->warning, err);
}

hs_status dumpfile_verify(const dumpfile *df, char *warning, size_t size, hs_error *err)
{
    if (!df->file_backed)
        return HS_OK;
    uint64_t fault = mapguard_fault(df->guard);
    struct stat sb;
    bool have = fstat(df->fd, &sb) == 0;
    uint64_t now = have ? (uint64_t)sb.st_size : df->size;
    /* The same size but modified: written over in place (a file that grew
     * was appended to, and its first df->size bytes are what was read). */
    bool rewritten = have && now == df->size &&
                     (sb.st_mtim.tv_sec != df->mtime.tv_sec || sb.st_mtim.tv_nsec != df->mtime.tv_nsec);
    if (fault == MAPGUARD_NO_FAULT && now >= df->size && !rewritten) {
        if (now > df->size && !warning[0])
            snprintf(warning, size,
                     "%s: the file grew from %zu to %" PRIu64 " bytes while it was read "
                     "(is it still being written?); read the first %zu",
                     df->path, df->size, now, df->size);
        return HS_OK;
    }
    if (rewritten && fault == MAPGUARD_NO_FAULT)
        return hs_fail(err, HS_ERR_IO,
                       "%s: the file changed while it was being read: it was written to (its size is the "
                       "same, its modification time is not); nothing of it was kept (copy the dump where "
                       "nothing writes to it, and run heapsift on the copy)",
                       df->path);
    char where[64] = "";
    if (fault != MAPGUARD_NO_FAULT)
        snprintf(where, sizeof where, " (byte %" PRIu64 " could no longer be read)", fault);
    return hs_fail(err, HS_ERR_IO,
                   "%s: the file changed while it was being read: it shrank from %zu to %" PRIu64
                   " bytes%s; nothing of it was kept (copy the dump where nothing writes to it, "
                   "and run heapsift on the copy)",
                   df->path, df->size, now, where);
}

/* Memory for the text read or inflated so far could not grow. */
static hs_status text_out_of_memory(const dumpfile *df, const char *doing, size_t have, size_t want, int e,
                                    hs_error *err)
{
    char have_text[32], want_text[32];
    units_bytes(have, have_text, sizeof have_text);
    units_bytes(want, want_text, sizeof want_text);
    return hs_fail(err, HS_ERR_NOMEM, "%s: not enough memory to %s: %s of text so far, room for %s could not be had (%s)",
                   df->path, doing, have_text, want_text, strerror(e));
}

/* Waits until fd (non-blocking) can be read: false when *cancel was set
 * meanwhile. A FIFO that no writer has opened yet stays unreadable. */
static bool wait_readable(int fd, const _Atomic bool *cancel)
{
    for (;;) {
        if (atomic_load(cancel))
            return false;
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 100) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
            return true;
    }
}

/* Reads a whole stream (a FIFO, a pipe, a device) into memory. With cancel,
 * fd is non-blocking and the wait for data gives up once *cancel is set. */
static hs_status read_stream(dumpfile *df, int fd, const _Atomic bool *cancel, hs_error *err)
{
    size_t mapped, size = 0, cap = 1 << 20;
    char *buf = anon_map(cap, &mapped);
    if (!buf)
        return text_out_of_memory(df, "read the stream", 0, cap, errno, err);
    for (;;) {
        if (size == cap) {
            char *grown = anon_grow(buf, mapped, cap * 2, &mapped);
            if (!grown) {
                int e = errno;
                munmap(buf, mapped);
                return text_out_of_memory(df, "read the stream", size, cap * 2, e, err);
            }
            buf = grown;
            cap *= 2;
        }
        if (cancel && !wait_readable(fd, cancel)) {
            munmap(buf, mapped);
            return hs_fail(err, HS_ERR_CANCELLED, "%s: cancelled", df->path);
        }
        ssize_t n = read(fd, buf + size, cap - size);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            int e = errno;
            munmap(buf, mapped);
            return hs_fail(err, HS_ERR_IO, "%s: read failed after %zu bytes: %s", df->path, size, strerror(e));
        }
        size += (size_t)n;
    }
    df->map = buf;
    df->map_size = mapped;
    df->data = buf;
    df->size = size;
    return HS_OK;
}

/* Inflates gzip text from src (all members, as gunzip does) into anonymous
 * memory. A stream cut short or corrupt keeps what was inflated and warns. */
static hs_status inflate_gzip(dumpfile *df, const unsigned char *src, size_t src_size, hs_error *err)
{
    /* The trailer's ISIZE (size mod 4 GiB) is a good first guess. */
    size_t guess = src_size * 8;
    if (src_size >= 4) {
        const unsigned char *t = src + src_size - 4;
        size_t isize = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
        if (isize > src_size)
            guess = isize;
    }
    size_t mapped, cap = guess + 1;
    char *buf = anon_map(cap, &mapped);
    if (!buf)
        return text_out_of_memory(df, "inflate the gzip file", 0, cap, errno, err);

    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 32) != Z_OK) {
        munmap(buf, mapped);
        return hs_fail(err, HS_ERR_NOMEM, "%s: cannot start zlib", df->path);
    }
    size_t in_off = 0, size = 0;
    int rc = Z_OK;
    for (;;) {
        if (size == cap) {
            char *grown = anon_grow(buf, mapped, cap * 2, &mapped);
            if (!grown) {
                int e = errno;
                inflateEnd(&zs);
                munmap(buf, mapped);
                return text_out_of_memory(df, "inflate the gzip file", size, cap * 2, e, err);
            }
            buf = grown;
            cap *= 2;
        }
        size_t in_chunk = src_size - in_off > (1u << 30) ? (1u << 30) : src_size - in_off;
        size_t out_chunk = cap - size > (1u << 30) ? (1u << 30) : cap - size;
        zs.next_in = (unsigned char *)src + in_off;
        zs.avail_in = (uInt)in_chunk;
        zs.next_out = (unsigned char *)buf + size;
        zs.avail_out = (uInt)out_chunk;
        rc = inflate(&zs, Z_NO_FLUSH);
        in_off += in_chunk - zs.avail_in;
        size += out_chunk - zs.avail_out;
        if (rc == Z_STREAM_END) {
            /* Another gzip member may follow (concatenated .gz files). */
            if (in_off < src_size && src[in_off] == 0x1f) {
                inflateReset(&zs);
                continue;
            }
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            break; /* corrupt */
        if (in_off >= src_size && zs.avail_out > 0)
            break; /* input exhausted before the end of the stream: truncated */
    }
    if (rc == Z_DATA_ERROR)
        /* zlib finds damage where the stream stops making sense (or at the
         * checksum after it): the bytes inflated just before may be
         * garbage already, and then show as bad lines at the end. */
        snprintf(df->warning, sizeof df->warning,
                 "%s: the gzip stream is corrupt at compressed byte %zu (zlib: %s); "
                 "kept the %zu bytes inflated before it, which may hold damaged lines too",
                 df->path, in_off, zs.msg ? zs.msg : "invalid data", size);
    else if (rc != Z_STREAM_END)
        snprintf(df->warning, sizeof df->warning,
                 "%s: the gzip stream is cut short at compressed byte %zu; "
                 "kept the %zu bytes inflated before it",
                 df->path, in_off, size);
    inflateEnd(&zs);
    df->map = buf;
    df->map_size = mapped;
    df->data = buf;
    df->size = size;
    df->compressed = true;
    return HS_OK;
}

hs_status dumpfile_check_path(const char *path, hs_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || access(path, R_OK) != 0)
        return hs_fail(err, HS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return hs_fail(err, HS_ERR_IO, "%s: is a directory, not a heap dump", path);
    return HS_OK;
}

bool dumpfile_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

hs_status dumpfile_open(dumpfile *df, const char *path, hs_error *err)
{
    return dumpfile_open_cancellable(df, path, NULL, err);
}

hs_status dumpfile_open_cancellable(dumpfile *df, const char *path, const _Atomic bool *cancel, hs_error *err)
{
    memset(df, 0, sizeof *df);
    df->path = hs_xstrndup(path, strlen(path));
    hs_status st = HS_OK;

    /* Non-blocking, a FIFO's open does not wait for a writer; the reads
     * wait in poll(), which can be cancelled. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | (cancel ? O_NONBLOCK : 0));
    if (fd < 0) {
        st = hs_fail(err, HS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        goto fail;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        st = hs_fail(err, HS_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
        goto fail_fd;
    }
    if (S_ISDIR(sb.st_mode)) {
        st = hs_fail(err, HS_ERR_IO, "%s: is a directory, not a heap dump", path);
        goto fail_fd;
    }
    df->disk_size = (uint64_t)sb.st_size;

    if (S_ISREG(sb.st_mode) && sb.st_size > 0) {
        st = map_plain(df, fd, (size_t)sb.st_size, err);
        if (st != HS_OK)
            goto fail_fd;
        df->mtime = sb.st_mtim;
        fd = -1; /* the dumpfile keeps it */
    } else {
        /* A regular file of size 0 may still be a /proc-like file with text. */
        st = read_stream(df, fd, cancel, err);
        df->disk_size = df->size;
        close(fd);
        fd = -1;
        if (st != HS_OK)
            goto fail;
    }

    if (df->size == 0) {
        st = hs_fail(err, HS_ERR_FORMAT, "%s: the file is empty", path);
        goto fail;
    }
    if (df->size >= 2 && (unsigned char)df->data[0] == 0x1f && (unsigned char)df->data[1] == 0x8b) {
        const void *gz_map = df->map;
        size_t gz_map_size = df->map_size;
        const unsigned char *src = (const unsigned char *)df->data;
        size_t src_size = df->size;
        bool was_mapped = df->file_backed;
        st = inflate_gzip(df, src, src_size, err);
        /* The compressed file was read in full: did it shrink meanwhile? */
        dumpfile gz = { .path = df->path, .size = src_size, .file_backed = was_mapped,
                        .fd = df->fd, .guard = df->guard, .mtime = df->mtime };
        hs_status changed = dumpfile_check(&gz, err);
        drop_file(df);
        munmap((void *)gz_map, gz_map_size);
        if (st == HS_OK && changed != HS_OK)
            st = changed;
        if (st != HS_OK) {
            if (df->map != gz_map && df->map)
                munmap(df->map, df->map_size);
            df->map = NULL;
            goto fail;
        }
        if (df->size == 0) {
            /* The warning says where and how it is damaged: "... is corrupt at ...;". */
            const char *why = strstr(df->warning, "the gzip stream is ");
            why = why ? why + strlen("the gzip stream is ") : "";
            st = hs_fail(err, HS_ERR_FORMAT, "%s: the gzip stream holds no data%s%.*s", path,
                         why[0] ? ": it is " : "", (int)strcspn(why, ";"), why);
            goto fail;
        }
    }
    return HS_OK;

fail_fd:
    close(fd);
fail:
    dumpfile_close(df);
    return st;
}

void dumpfile_close(dumpfile *df)
{
    drop_file(df);
    if (df->map)
        munmap(df->map, df->map_size);
    free(df->path);
    memset(df, 0, sizeof *df);
}

void dumpfile_release(dumpfile *df, size_t offset, size_t len)
{
    if (!df->file_backed || len == 0)
        return;
    /* Only whole pages inside the range may be dropped. */
    size_t p = page_size();
    size_t start = (offset + p - 1) / p * p;
    size_t end = (offset + len) / p * p;
    if (offset + len >= df->size)
        end = round_up_page(df->size);
    if (end > start)
        madvise((char *)df->map + start, end - start, MADV_DONTNEED);
}

void dumpfile_prefetch(dumpfile *df, size_t offset, size_t len)
{
    if (!df->file_backed || offset >= df->size)
        return;
    size_t p = page_size();
    size_t start = offset / p * p;
    if (offset + len > df->size)
        len = df->size - offset;
#ifdef MADV_POPULATE_READ
    /* Map the range in one call rather than one page fault per 64 KiB; the
     * kernel reads what the page cache lacks. Kernels before 5.14 say EINVAL
     * and the parser's page faults do the same work. */
    madvise((char *)df->map + start, offset + len - start, MADV_POPULATE_READ);
#else
    madvise((char *)df->map + start, offset + len - start, MADV_WILLNEED);
#endif
}

hs_status dumpfile_line(const dumpfile *df, uint64_t offset, const char **line, size_t *len,
                        hs_error *err)
{
    if (offset >= df->size)
        return hs_fail(err, HS_ERR_USAGE, "%s: byte offset %llu is past the end (%zu bytes)",
                       df->path, (unsigned long long)offset, df->size);
    const char *start = df->data + offset;
    const char *nl = memchr(start, '\n', df->size - offset);
    *line = start;
    *len = nl ? (size_t)(nl - start) : df->size - offset;
    return HS_OK;
}
