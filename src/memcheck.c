/* memcheck.c - estimating the memory a load needs, and the limits on what
 * this process may take. */
#include "memcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heap.h"
#include "units.h"

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

uint64_t memcheck_mapped(const char *const *paths, size_t n, const memcheck_plan *plan)
{
    size_t subject = n >= 2 ? 1 : 0;
    uint64_t kept = 0, largest_other = 0;
    for (size_t k = 0; k < n; k++) {
        uint64_t size = 0;
        bool gzip = false;
        if (!text_size(paths[k], &size, &gzip))
            continue;
        if (gzip) {
            /* The compressed file is mapped while it is inflated (the
             * inflated text is in the estimate); a tenth is a guess. */
            size /= 10;
            largest_other = size > largest_other ? size : largest_other;
            continue;
        }
        bool stays = k == subject || (k + 1 == n && plan->graph);
        if (stays)
            kept += size;
        else if (size > largest_other)
            largest_other = size;
    }
    return kept + largest_other;
}

/* Address space that is not the dumps' nor heapsift's tables: libraries,
 * thread stacks, the allocator's arenas. */
#define ADDRESS_SPACE_BASE ((uint64_t)64 << 20)

const memcheck_files memcheck_system = {
    .meminfo = "/proc/meminfo",
    .self_cgroup = "/proc/self/cgroup",
    .cgroup2 = "/sys/fs/cgroup",
    .cgroup1 = "/sys/fs/cgroup/memory",
    .self_status = "/proc/self/status",
    .rlimit = true,
};

/* A number from a one-line file such as memory.max; false when absent,
 * "max", or so large it means no limit (cgroup v1 writes 2^63 - 4096). */
static bool read_number(const char *path, uint64_t *value)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    unsigned long long v = 0;
    bool ok = fscanf(f, "%llu", &v) == 1 && v < ((uint64_t)1 << 60);
    fclose(f);
    *value = v;
    return ok;
}

/* The number after `key` on a line of a file such as /proc/meminfo, in kB
 * there: as bytes. */
static bool read_kb_field(const char *path, const char *key, uint64_t *bytes)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char line[256];
    size_t klen = strlen(key);
    bool found = false;
    unsigned long long kb;
    while (!found && fgets(line, sizeof line, f))
        if (strncmp(line, key, klen) == 0 && sscanf(line + klen, " %llu", &kb) == 1)
            found = true;
    fclose(f);
    *bytes = found ? (uint64_t)kb * 1024 : 0;
    return found;
}

/* The process's cgroup path from /proc/self/cgroup: that of the v2
 * hierarchy ("0::/path") when controller is NULL, else of the v1 hierarchy
 * whose controllers include it ("4:memory:/path"). */
static bool cgroup_path(const char *self_cgroup, const char *controller, char *path, size_t size)
{
    FILE *f = fopen(self_cgroup, "r");
    if (!f)
        return false;
    char line[1024];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c1 = '\0';
        *c2 = '\0';
        const char *controllers = c1 + 1;
        if (controller) {
            /* A comma-separated list, as "cpu,cpuacct". */
            for (const char *at = controllers; *at && !found;) {
                size_t len = strcspn(at, ",");
                found = len == strlen(controller) && strncmp(at, controller, len) == 0;
                at += len + (at[len] == ',');
            }
        } else {
            found = strcmp(line, "0") == 0 && !*controllers;
        }
        if (found)
            snprintf(path, size, "%s", c2 + 1);
    }
    fclose(f);
    return found;
}

/* The tightest limit of a cgroup hierarchy mounted at mount, for the
 * process in it at path: walks from its cgroup up to the mount's top,
 * reading limit_name less usage_name at each level. */
static bool cgroup_limit(const char *mount, const char *path, const char *limit_name, const char *usage_name,
                         memcheck_source source, memcheck_limit *out)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s%s", mount, strcmp(path, "/") == 0 ? "" : path);
    bool found = false;
    for (;;) {
        char file[1100];
        uint64_t limit, used = 0;
        snprintf(file, sizeof file, "%s/%s", dir, limit_name);
        if (read_number(file, &limit)) {
            char usage[1100];
            snprintf(usage, sizeof usage, "%s/%s", dir, usage_name);
            if (!read_number(usage, &used))
                used = 0;
            uint64_t room = limit > used ? limit - used : 0;
            if (!found || room < out->room) {
                out->source = source;
                out->room = room;
                out->limit = limit;
                snprintf(out->file, sizeof out->file, "%.255s", file);
            }
            found = true;
        }
        /* Up one level, but not above the mount. */
        char *slash = strrchr(dir, '/');
        if (strlen(dir) <= strlen(mount) || !slash || slash < dir + strlen(mount))
            break;
        *slash = '\0';
    }
    return found;
}

size_t memcheck_limits_from(const memcheck_files *files, memcheck_limit out[MEMCHECK_MAX_LIMITS])
{
    size_t n = 0;
    uint64_t available;
    if (read_kb_field(files->meminfo, "MemAvailable:", &available))
        out[n++] = (memcheck_limit){ .source = MEMCHECK_AVAILABLE, .room = available, .limit = available };
    char path[900];
    if (cgroup_path(files->self_cgroup, NULL, path, sizeof path) &&
        cgroup_limit(files->cgroup2, path, "memory.max", "memory.current", MEMCHECK_CGROUP2, &out[n]))
        n++;
    if (cgroup_path(files->self_cgroup, "memory", path, sizeof path) &&
        cgroup_limit(files->cgroup1, path, "memory.limit_in_bytes", "memory.usage_in_bytes", MEMCHECK_CGROUP1, &out[n]))
        n++;
    struct rlimit rl;
    if (files->rlimit && getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        uint64_t used = 0;
        read_kb_field(files->self_status, "VmSize:", &used);
        uint64_t limit = (uint64_t)rl.rlim_cur;
        out[n++] = (memcheck_limit){ .source = MEMCHECK_RLIMIT_AS, .room = limit > used ? limit - used : 0,
                                     .limit = limit };
    }
    return n;
}

/* "the 1.2 GB this machine has available", and the like, for the refusal. */
static void describe_limit(const memcheck_limit *m, char *buf, size_t size)
{
    char room[32], limit[32], used[32];
    units_bytes(m->room, room, sizeof room);
    units_bytes(m->limit, limit, sizeof limit);
    units_bytes(m->limit - m->room, used, sizeof used);
    switch (m->source) {
    case MEMCHECK_AVAILABLE:
        snprintf(buf, size, "%s this machine has available", room);
        break;
    case MEMCHECK_CGROUP2:
    case MEMCHECK_CGROUP1:
        snprintf(buf, size, "%s the cgroup's memory limit leaves (%.200s: %s, %s in use)", room, m->file, limit,
                 used);
        break;
    case MEMCHECK_RLIMIT_AS:
        snprintf(buf, size,
                 "%s the address-space limit leaves (RLIMIT_AS, ulimit -v: %s, %s in use)", room, limit, used);
        break;
    }
}

hs_status memcheck_check(const char *const *paths, size_t n, const memcheck_plan *plan, uint64_t max_memory,
                         const memcheck_files *files, hs_error *err)
{
    uint64_t need = memcheck_estimate(paths, n, plan);
    char need_text[32], cap_text[400];
    units_bytes(need, need_text, sizeof need_text);
    const char *advice = "Compare fewer or smaller dumps, use a machine with more memory, or pass "
                         "--max-memory=0 to try anyway.";
    if (max_memory) {
        if (need <= max_memory)
            return HS_OK;
        units_bytes(max_memory, cap_text, sizeof cap_text);
        return hs_fail(err, HS_ERR_NOMEM,
                       "these dumps need about %s of memory (estimated from their sizes), more than the %s "
                       "--max-memory allows; nothing was loaded. %s",
                       need_text, cap_text, advice);
    }
    memcheck_limit limits[MEMCHECK_MAX_LIMITS];
    size_t nlimits = memcheck_limits_from(files, limits);
    const memcheck_limit *worst = NULL;
    uint64_t worst_need = 0, worst_short = 0;
    for (size_t k = 0; k < nlimits; k++) {
        uint64_t want = need;
        if (limits[k].source == MEMCHECK_RLIMIT_AS)
            want += memcheck_mapped(paths, n, plan) + ADDRESS_SPACE_BASE;
        if (want > limits[k].room && want - limits[k].room > worst_short) {
            worst = &limits[k];
            worst_need = want;
            worst_short = want - limits[k].room;
        }
    }
    if (!worst)
        return HS_OK;
    units_bytes(worst_need, need_text, sizeof need_text);
    describe_limit(worst, cap_text, sizeof cap_text);
    return hs_fail(err, HS_ERR_NOMEM,
                   "these dumps need about %s of memory (estimated from their sizes%s), more than the %s; nothing "
                   "was loaded. %s",
                   need_text, worst->source == MEMCHECK_RLIMIT_AS ? ", their mapped text included" : "", cap_text,
                   advice);
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
