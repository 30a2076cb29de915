/* filter.c - path patterns and type sets. */
#include "filter.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

void filter_init(obj_filter *f)
{
    memset(f, 0, sizeof *f);
}

void filter_free(obj_filter *f)
{
    free(f->include);
    free(f->exclude);
    free(f->site_pass);
    memset(f, 0, sizeof *f);
}

static void set_pattern(obj_filter *f, char **slot, const char *pattern)
{
    free(*slot);
    *slot = pattern && *pattern ? hs_xstrndup(pattern, strlen(pattern)) : NULL;
    f->prepared_for = NULL;
}

void filter_set_include(obj_filter *f, const char *pattern)
{
    set_pattern(f, &f->include, pattern);
}

void filter_set_exclude(obj_filter *f, const char *pattern)
{
    set_pattern(f, &f->exclude, pattern);
}

void filter_copy(obj_filter *dst, const obj_filter *src)
{
    filter_set_include(dst, src->include);
    filter_set_exclude(dst, src->exclude);
    dst->types_set = src->types_set;
    memcpy(dst->types, src->types, sizeof dst->types);
    dst->min_count = src->min_count;
    dst->prepared_for = NULL;
}

bool filter_set_types(obj_filter *f, const char *list, const char **bad)
{
    bool types[RT_COUNT] = { false };
    bool any = false;
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len) {
            char name[32];
            if (len >= sizeof name) {
                *bad = p;
                return false;
            }
            for (size_t i = 0; i < len; i++)
                name[i] = (char)(p[i] >= 'a' && p[i] <= 'z' ? p[i] - 32 : p[i]);
            rtype t = rtype_from_name(name, len);
            if (t == RT_OTHER) {
                *bad = p;
                return false;
            }
            types[t] = true;
            any = true;
        }
        p += len + (comma ? 1 : 0);
    }
    f->types_set = any;
    memcpy(f->types, types, sizeof types);
    return true;
}

static bool is_glob(const char *pattern)
{
    return strpbrk(pattern, "*?[") != NULL;
}

bool filter_path_matches(const char *pattern, const char *path, size_t len)
{
    /* Paths may hold NUL bytes (hostile dumps); matching stops at the first. */
    char stack[512];
    char *s = len < sizeof stack ? stack : hs_xmalloc(len + 1);
    memcpy(s, path, len);
    s[len] = '\0';
    bool hit = false;
    if (!is_glob(pattern)) {
        hit = strstr(s, pattern) != NULL;
    } else {
        for (const char *p = s; p; p = strchr(p, '/')) {
            if (*p == '/')
                p++;
            if (fnmatch(pattern, p, 0) == 0) {
                hit = true;
                break;
            }
        }
        if (!hit)
            hit = fnmatch(pattern, s, 0) == 0;
    }
    if (s != stack)
        free(s);
    return hit;
}

void filter_prepare(obj_filter *f, const heap *h)
{
    if (f->prepared_for == h && (f->site_pass || (!f->include && !f->exclude)))
        return;
    free(f->site_pass);
    f->site_pass = NULL;
    f->prepared_for = h;
    if (!f->include && !f->exclude)
        return;
    f->site_pass = hs_xmalloc(h->nsites ? h->nsites : 1);
    /* Sites share files: decide once per file id. */
    uint32_t nstrings = strtab_count(h->strings);
    uint8_t *file_verdict = hs_xcalloc(nstrings, 1); /* 0 unknown, 1 pass, 2 fail */
    for (uint32_t s = 0; s < h->nsites; s++) {
        uint32_t file = h->sites[s].file;
        if (!file_verdict[file]) {
            size_t len;
            const char *path = strtab_str(h->strings, file, &len);
            bool pass = (!f->include || filter_path_matches(f->include, path, len)) &&
                        (!f->exclude || !filter_path_matches(f->exclude, path, len));
            file_verdict[file] = pass ? 1 : 2;
        }
        f->site_pass[s] = file_verdict[file] == 1;
    }
    free(file_verdict);
}

bool filter_active(const obj_filter *f)
{
    return f->include || f->exclude || f->types_set || f->min_count > 1;
}
