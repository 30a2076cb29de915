/* columns.c - every list column, defined once. */
#include "columns.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "group.h"
#include "heap.h"
#include "units.h"

/* ---- the group list ------------------------------------------------------------ */

/* Each column: its heading, how wide it is, whether it shows for a set, the
 * text of a cell. A width of 0 is computed (width_of); the label's is the
 * rest of the row. */
typedef struct group_column {
    const char *heading;  /* NULL: made by heading_of */
    int width;            /* cells, not counting the space after it */
    bool left;            /* left-aligned (numbers are right-aligned) */
    column_look look;
    bool (*shown)(const group_set *s);                 /* NULL: always */
    int (*width_of)(const group_set *s);               /* when width is 0 */
    void (*heading_of)(const group_set *s, char *buf, size_t size);
    void (*cell)(const group_set *s, const group *g, bool utf8, char *buf, size_t size);
    int sort;             /* the sort key that orders by it (group_sort_key), or -1 */
} group_column;

/* The type column only where a group has one type (site grouping): an
 * empty column took nine cells of an 80-column screen. */
static bool type_shown(const group_set *s)
{
    return group_shows_type(s);
}

static bool has_retained(const group_set *s)
{
    return s->has_retained;
}

/* Trends are drawn for three dumps or more: with fewer there is no trend. */
static bool has_trends(const group_set *s)
{
    return s->session->ndumps >= 3 && s->ngroups && s->groups[0].trend;
}

/* Sorted by them, or where the screen has room (live_numbers). */
static bool live_shown(const group_set *s)
{
    return (s->sort == SORT_LIVE || s->live_numbers) && s->ngroups && s->groups[0].trend;
}

static void cell_count(const group_set *s, const group *g, bool utf8, char *buf, size_t size)
{
    snprintf(buf, size, "%" PRIu64, g->count);
}

static void cell_bytesize(const group_set *s, const group *g, bool utf8, char *buf, size_t size)
{
    units_bytes(g->bytesize, buf, size);
}

static void cell_memsize(const group_set *s, const group *g, bool utf8, char *buf, size_t size)
{
    units_bytes(g->memsize, buf, size);
}

static void cell_retained(const group_set *s, const group *g, bool utf8, char *buf, size_t size)
{
    units_bytes(g->retained, buf, size);
}

static void cell_type(const group_set *s, const group *g, bool utf8, char *buf, size_t size)
{
    snprintf(buf, size, "%s", group_type_name(s, g));
}

static void heading_type(const group_set *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s", group_shows_type(s) ? "TYPE" : "");
}

/* A glyph per dump, scaled to the group's largest count: UTF-8 blocks, or
 * ASCII on terminals without UTF-8. */
static void cell_trend(const group_set *s, const group *g, bool utf8, char *buf, size_t size)
{
    static const char *const blocks[] = { "\u2581", "\u2582", "\u2583", "\u2584",
                                          "\u2585", "\u2586", "\u2587", "\u2588" };
    static const char ascii[] = "_.-=+*#@";
    size_t n = s->session->ndumps, len = 0;
    buf[0] = '\0';
    if (!g->trend)
        return;
    uint64_t max = 0;
    for (size_t k = 0; k < n; k++)
        max = g->trend[k] > max ? g->trend[k] : max;
    for (size_t k = 0; k < n; k++) {
        unsigned level = max ? (unsigned)((g->trend[k] * 7 + max - 1) / max) : 0;
        const char *glyph = utf8 ? blocks[level] : (char[]){ ascii[level], 0 };
        size_t gl = strlen(glyph);
        if (len + gl + 1 > size)
            break;
        memcpy(buf + len, glyph, gl);
        len += gl;
    }
    buf[len] = '\0';
}

/* At least the heading's width, and a glyph per dump. */
static int width_trend(const group_set *s)
{
    return s->session->ndumps > 5 ? (int)s->session->ndumps : 5;
}

static void cell_live(const group_set *s, const group *g, bool utf8, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t k = 0; g->trend && k < s->session->ndumps && len < size; k++) {
        int w = snprintf(buf + len, size - len, "%s%" PRIu64, k ? " " : "", g->trend[k]);
        len += w < 0 ? 0 : (size_t)w;
    }
}

/* Each dump's count as wide as the largest of them, or the heading. Called
 * for every row drawn or searched: the largest count is the set's. */
static int width_live(const group_set *s)
{
    uint64_t max = s->trend_max;
    int digits = 1;
    for (; max >= 10; max /= 10)
        digits++;
    int w = (digits + 1) * (int)s->session->ndumps - 1;
    return w > 4 ? w : 4;
}

static void heading_label(const group_set *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s", s->by == GROUP_SITE ? "LOCATION" : group_by_name(s->by));
}

/* The label as the report writes it, but a site with neither file nor
 * line (the report's ":") says so in words. Returns the length. */
static size_t label_text(const group_set *s, const group *g, char *buf, size_t size)
{
    size_t len;
    group_label(s, g, buf, size, &len);
    if (s->by == GROUP_SITE && len == 1 && buf[0] == ':') {
        snprintf(buf, size, "(no file)");
        len = strlen(buf);
    }
    return len;
}

static void cell_label(const group_set *s, const group *g, bool utf8, char *buf, size_t size)
{
    label_text(s, g, buf, size);
}

static const group_column group_columns[COL_COUNT_ALL] = {
    [COL_COUNT] = { "COUNT", 8, false, LOOK_TEXT, NULL, NULL, NULL, cell_count, SORT_COUNT },
    [COL_BYTESIZE] = { "BYTESIZE", 9, false, LOOK_TEXT, NULL, NULL, NULL, cell_bytesize, SORT_BYTESIZE },
    [COL_MEMSIZE] = { "MEMSIZE", 9, false, LOOK_TEXT, NULL, NULL, NULL, cell_memsize, SORT_MEMSIZE },
    [COL_RETAINED] = { "RETAINED", 9, false, LOOK_TEXT, has_retained, NULL, NULL, cell_retained, SORT_RETAINED },
    [COL_TYPE] = { NULL, 8, true, LOOK_TEXT, type_shown, NULL, heading_type, cell_type, SORT_TYPE },
    [COL_TREND] = { "TREND", 0, true, LOOK_GLYPHS, has_trends, width_trend, NULL, cell_trend, SORT_LIVE },
    [COL_LIVE] = { "LIVE", 0, false, LOOK_TEXT, live_shown, width_live, NULL, cell_live, SORT_LIVE },
    [COL_LABEL] = { NULL, 0, true, LOOK_TAIL, NULL, NULL, heading_label, cell_label, SORT_LOCATION },
};

size_t columns_shown(const group_set *s, column_id *out)
{
    size_t n = 0;
    for (int c = 0; c < COL_COUNT_ALL; c++)
        if (!group_columns[c].shown || group_columns[c].shown(s))
            out[n++] = (column_id)c;
    return n;
}

int columns_fixed_width(const group_set *s)
{
    column_id shown[COL_COUNT_ALL];
    size_t n = columns_shown(s, shown);
    int width = 0;
    for (size_t k = 0; k + 1 < n; k++)
        width += column_width(s, shown[k]) + 1;
    return width;
}

int column_live_width(const group_set *s)
{
    return width_live(s);
}

int column_width(const group_set *s, column_id c)
{
    assert(c < COL_COUNT_ALL);
    const group_column *col = &group_columns[c];
    return col->width_of ? col->width_of(s) : col->width;
}

int column_sort_key(column_id c)
{
    assert(c < COL_COUNT_ALL);
    return group_columns[c].sort;
}

bool column_is_sorted(const group_set *s, column_id c)
{
    assert(c < COL_COUNT_ALL);
    return group_columns[c].sort == (int)s->sort;
}

column_look column_look_of(column_id c)
{
    assert(c < COL_COUNT_ALL);
    return group_columns[c].look;
}

size_t column_heading(const group_set *s, column_id c, char *buf, size_t size)
{
    assert(c < COL_COUNT_ALL && size > 0);
    const group_column *col = &group_columns[c];
    if (col->heading)
        snprintf(buf, size, "%s", col->heading);
    else
        col->heading_of(s, buf, size);
    return strlen(buf);
}

size_t column_cell(const group_set *s, const group *g, column_id c, bool utf8, char *buf, size_t size)
{
    assert(c < COL_COUNT_ALL && size > 0);
    if (c == COL_LABEL)
        return label_text(s, g, buf, size); /* may hold NUL bytes: the length is the truth */
    group_columns[c].cell(s, g, utf8, buf, size);
    return strlen(buf);
}

/* Cells a text of ours takes: UTF-8 glyphs count one each. */
static int cells_of(const char *s, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

/* Appends text padded to width (left or right; a width of 0 pads nothing). */
static void put_padded(char *buf, size_t size, size_t *len, const char *text, size_t tlen, int width, bool left)
{
    int pad = width - cells_of(text, tlen);
    if (pad < 0)
        pad = 0;
    if (!left)
        for (int k = 0; k < pad && *len + 1 < size; k++)
            buf[(*len)++] = ' ';
    size_t take = tlen < size - 1 - *len ? tlen : size - 1 - *len;
    memcpy(buf + *len, text, take); /* may hold NUL bytes from the dump */
    *len += take;
    if (left)
        for (int k = 0; k < pad && *len + 1 < size; k++)
            buf[(*len)++] = ' ';
}

size_t column_padded(const group_set *s, column_id c, const char *cell, size_t len, char *buf, size_t size)
{
    assert(c < COL_COUNT_ALL && size > 0);
    size_t at = 0;
    put_padded(buf, size, &at, cell, len, column_width(s, c), group_columns[c].left);
    buf[at] = '\0';
    return at;
}

/* The heading (g NULL) or a row, laid out. */
static size_t layout(const group_set *s, const group *g, bool utf8, char *buf, size_t size)
{
    assert(size > 0);
    column_id shown[COL_COUNT_ALL];
    size_t n = columns_shown(s, shown), len = 0;
    for (size_t k = 0; k < n; k++) {
        char cell[2048];
        size_t clen = g ? column_cell(s, g, shown[k], utf8, cell, sizeof cell)
                        : column_heading(s, shown[k], cell, sizeof cell);
        /* The last column (the label) takes the rest: no padding after it. */
        bool last = k + 1 == n;
        put_padded(buf, size, &len, cell, clen, last ? 0 : column_width(s, shown[k]), group_columns[shown[k]].left);
        if (!last && len + 1 < size)
            buf[len++] = ' ';
    }
    buf[len] = '\0';
    return len;
}

size_t columns_heading_text(const group_set *s, char *buf, size_t size)
{
    return layout(s, NULL, true, buf, size);
}

size_t columns_row_text(const group_set *s, const group *g, bool utf8, char *buf, size_t size)
{
    return layout(s, g, utf8, buf, size);
}

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
    return a > b ? -1 : a < b ? 1 : 0;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
    return a < b ? -1 : a > b;
}

/* The latest dump's count first, then the earlier ones back to the first. */
static int cmp_live(const group *a, const group *b, size_t ndumps)
{
    if (!a->trend || !b->trend)
        return 0;
    for (size_t k = ndumps; k-- > 0;) {
        int c = cmp_u64_desc(a->trend[k], b->trend[k]);
        if (c)
            return c;
    }
    return 0;
}

int column_compare(group_sort_key key, const group *a, const group *b, bool all, size_t ndumps)
{
    switch (key) {
    case SORT_COUNT: return 0; /* the tie-break's first key */
    case SORT_MEMSIZE: return cmp_u64_desc(all ? a->all_memsize : a->memsize, all ? b->all_memsize : b->memsize);
    case SORT_BYTESIZE:
        return cmp_u64_desc(all ? a->all_bytesize : a->bytesize, all ? b->all_bytesize : b->bytesize);
    case SORT_LOCATION: {
        int c = cmp_u32(a->file_rank, b->file_rank);
        return c ? c : cmp_u32(a->line, b->line);
    }
    case SORT_TYPE: return cmp_u32(a->type_rank, b->type_rank);
    case SORT_RETAINED:
        return cmp_u64_desc(all ? a->all_retained : a->retained, all ? b->all_retained : b->retained);
    case SORT_LIVE: return cmp_live(a, b, ndumps);
    case SORT_KEY_COUNT: break;
    }
    assert(!"a sort key without a comparison");
    return 0;
}

/* ---- the object list -------------------------------------------------------------- */

/* Values longer than this are cut, with "..." before the closing quote. */
#define VALUE_SHOWN 60

size_t columns_object_heading(char *buf, size_t size)
{
    int n = snprintf(buf, size, "%-14s %-7s %-20s %8s %8s %6s VALUE", "ADDRESS", "TYPE", "CLASS", "MEMSIZE",
                     "BYTESIZE", "GEN");
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

size_t columns_object_row(const heap *h, size_t i, const char *value, size_t vlen, char *buf, size_t size)
{
    size_t clen;
    const char *cls = heap_class_name(h, heap_class_of(h, i), &clen);
    /* A long class name keeps the columns in line: cut, its end marked. */
    char cut[24];
    if (clen > 20) {
        size_t keep = 17;
        while (keep > 0 && ((unsigned char)cls[keep] & 0xc0) == 0x80)
            keep--; /* a whole UTF-8 character */
        memcpy(cut, cls, keep);
        memcpy(cut + keep, "...", 3);
        cls = cut;
        clen = keep + 3;
    }
    char gen[16] = "-";
    if (h->gen[i] != HEAP_NO_GEN)
        snprintf(gen, sizeof gen, "%" PRIu32, h->gen[i]);
    int n = snprintf(buf, size, "0x%-12" PRIx64 " %-7s %-20.*s %8" PRIu64 " %8" PRIu64 " %6s%s%s%.*s%s", h->addr[i],
                     rtype_name(h->type[i]), clen ? (int)clen : 1, clen ? cls : "-", h->memsize ? h->memsize[i] : 0,
                     h->bytesize ? h->bytesize[i] : 0, gen, value ? " " : "", value ? "\"" : "",
                     (int)(vlen > VALUE_SHOWN ? VALUE_SHOWN : vlen), value ? value : "",
                     value ? (vlen > VALUE_SHOWN ? "...\"" : "\"") : "");
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}
