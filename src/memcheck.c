/* memcheck.c - estimating the memory a load needs, and what is available. */
#include "memcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heap.h"

/* The program itself, its libraries and the terminal's buffers. */
#define BASE_BYTES (16u << 20)
/* Bytes of dump text an object takes at least, on average. */
#define TEXT_PER_OBJECT 250
/* While two dumps are compared: a sorted copy of each one's addresses. */
#define SORT_BYTES 12
/* The graph: 16 kept, plus the dominator algorithm's and the reading pass's
 * scratch, per object, with about 2.5 references each (4 bytes kept, 8 of
 * scratch). */
#define GRAPH_BYTES (16 + 44 + 30)

/* The size of the text a dump holds: the file's size, or for gzip the
 * inflated size (the trailer's ISIZE, which is the size modulo 4 GiB, so
 * never below ten times the compressed size for a big file). */
static bool text_size(const char *path, uint64_t *size, bool *gzip)
{
    /* stat() first: opening a FIFO would take the writer's data, or end it
     * with SIGPIPE when closed again. Only regular files are opened. */
    struct stat sb;
    if (stat(path, &sb) != 0)
        return false;
    *size = 0; /* a FIFO or a device: its size is unknown */
    *gzip = false;
    if (!S_ISREG(sb.st_mode))
        return true;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    *size = (uint64_t)sb.st_size;
    unsigned char magic[2];
    if (sb.st_size >= 18 && pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f &&
        magic[1] == 0x8b) {
        unsigned char tail[4];
        *gzip = true;
        uint64_t isize = 0;
        if (pread(fd, tail, 4, sb.st_size - 4) == 4)
            isize = (uint64_t)tail[0] | (uint64_t)tail[1] << 8 | (uint64_t)tail[2] << 16 | (uint64_t)tail[3] << 24;
        uint64_t floor = (uint64_t)sb.st_size * 10;
        *size = isize > floor ? isize : floor;
    }
    close(fd);
    return true;
}

uint64_t memcheck_estimate(const char *const *paths, size_t n, const memcheck_plan *plan)
{
    uint64_t total = 0, largest_objects = 0, largest_gzip = 0;
    size_t subject = n >= 2 ? 1 : 0;
    /* Bytes kept per object of every dump (address, generation, type), and
     * the more kept by HEAP_FULL (the listed dump, and the latest one for
     * the graph: line offsets and flags, and the details read: site, class,
     * sizes) and by HEAP_LIGHT (trends: site and class). */
    const uint64_t identity_bytes = heap_object_bytes(HEAP_IDENTITY, false);
    const uint64_t full_bytes = heap_object_bytes(HEAP_FULL, true) - identity_bytes;
    const uint64_t light_bytes = heap_object_bytes(HEAP_LIGHT, false) - identity_bytes;
    for (size_t k = 0; k < n; k++) {
        uint64_t size = 0;
        bool gzip = false;
        if (!text_size(paths[k], &size, &gzip))
            continue; /* the load says why it cannot be read, in its own place */
        uint64_t objects = size / TEXT_PER_OBJECT;
        bool latest = k + 1 == n;
        bool full = k == subject || (latest && plan->graph);
        total += objects * identity_bytes;
        if (full)
            total += objects * full_bytes;
        else if (plan->trends)
            total += objects * light_bytes;
        if (latest && plan->graph)
            total += objects * GRAPH_BYTES;
        /* The inflated text of a gzip dump stays while it is shown. */
        if (gzip && full)
            total += size;
        else if (gzip && size > largest_gzip)
            largest_gzip = size;
        if (objects > largest_objects)
            largest_objects = objects;
    }
    return BASE_BYTES + total + 2 * largest_objects * SORT_BYTES + largest_gzip;
}

/* A number from a one-line file such as /sys/fs/cgroup/memory.max; 0 when
 * absent or "max". */
static uint64_t read_number(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    unsigned long long v = 0;
    if (fscanf(f, "%llu", &v) != 1)
        v = 0;
    fclose(f);
    return v;
}

uint64_t memcheck_available(void)
{
    uint64_t available = 0;
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        char line[256];
        unsigned long long kb;
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
                available = kb * 1024;
                break;
            }
        fclose(f);
    }
    /* A container's own limit (cgroup v2) may be the tighter one. */
    uint64_t limit = read_number("/sys/fs/cgroup/memory.max");
    uint64_t used = read_number("/sys/fs/cgroup/memory.current");
    if (limit && limit > used && (available == 0 || limit - used < available))
        available = limit - used;
    return available;
}

bool memcheck_parse_size(const char *text, uint64_t *bytes)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || v < 0 || text[0] == '-')
        return false;
    double unit = 1;
    switch (*end) {
    case 'k': case 'K': unit = 1024.0; end++; break;
    case 'm': case 'M': unit = 1024.0 * 1024; end++; break;
    case 'g': case 'G': unit = 1024.0 * 1024 * 1024; end++; break;
    case 't': case 'T': unit = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: break;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end)
        return false;
    *bytes = (uint64_t)(v * unit);
    return true;
}
