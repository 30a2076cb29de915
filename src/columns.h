/* columns.h - the columns of the explorer's lists, each defined once: its
 * heading, its width, the text of its cells and, for the group list, how it
 * sorts. The screen draws these cells, "/" searches them and the object
 * list's export writes them, so what is searched and exported is what is
 * shown.
 *
 * The group list's sort keys are its sortable columns (SORT_KEYS below);
 * a group_set sorts through column_compare. Pure functions of their
 * arguments; any thread.
 */
#ifndef HEAPSIFT_COLUMNS_H
#define HEAPSIFT_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct group;
struct group_set;
struct heap;

/* What a sort key needs loaded beyond the suspects. */
typedef enum sort_needs {
    SORT_NEEDS_NOTHING,
    SORT_NEEDS_GRAPH,  /* the latest dump's reference graph (loader want_graph);
                          the report shows the figure */
    SORT_NEEDS_TRENDS, /* every dump's sites (loader want_trends, or
                          trends_later in the explorer); the report shows the
                          counts */
} sort_needs;

/* The sort keys, in the order the sort pane lists them:
 * X(ID, NAME, HELP, NEEDS). Each orders groups by one column (columns.c). */
#define SORT_KEYS(X)                                                                          \
    X(SORT_COUNT, "count", "objects, most first", SORT_NEEDS_NOTHING)                       \
    X(SORT_MEMSIZE, "memsize", "memsize, largest first", SORT_NEEDS_NOTHING)                \
    X(SORT_BYTESIZE, "bytesize", "bytesize, largest first", SORT_NEEDS_NOTHING)             \
    X(SORT_LOCATION, "location", "file, then line", SORT_NEEDS_NOTHING)                     \
    X(SORT_TYPE, "type", "type name", SORT_NEEDS_NOTHING)                                   \
    X(SORT_RETAINED, "retained", "retained size, largest first", SORT_NEEDS_GRAPH)          \
    X(SORT_LIVE, "live", "most alive in the last dump", SORT_NEEDS_TRENDS)

typedef enum group_sort_key {
#define SORT_KEY_ENUM(id, name, help, needs) id,
    SORT_KEYS(SORT_KEY_ENUM)
#undef SORT_KEY_ENUM
    SORT_KEY_COUNT
} group_sort_key;

/* The group list's columns, left to right. */
typedef enum column_id {
    COL_COUNT,    /* objects that pass the filter */
    COL_BYTESIZE, /* their bytesize, in human units */
    COL_MEMSIZE,  /* their memsize */
    COL_RETAINED, /* their retained size (once the graph is read) */
    COL_TYPE,     /* the one type of a site group; blank for other keys */
    COL_TREND,    /* live objects with the key in each dump, as glyphs */
    COL_LIVE,     /* the same as numbers, shown when sorted by them */
    COL_LABEL,    /* the group's key: its allocation site, class, gem ... */
    COL_COUNT_ALL
} column_id;

/* How a cell is drawn. */
typedef enum column_look {
    LOOK_TEXT,   /* plain text of heapsift's own */
    LOOK_GLYPHS, /* trend glyphs, drawn in the bar colour */
    LOOK_TAIL,   /* text from the dump, escaped; when too wide its start is
                    cut, so that the end (a file name and line) shows */
} column_look;

/* The group list's columns shown for s, left to right, into out (room for
 * COL_COUNT_ALL); returns how many. */
size_t columns_shown(const struct group_set *s, column_id *out);

/* Cells the shown columns take before the label (the last), spaces
 * included; and what the LIVE column takes, shown or not. */
int columns_fixed_width(const struct group_set *s);
int column_live_width(const struct group_set *s);

/* Cells a column takes, not counting the space after it; 0 for the last
 * column, which takes the rest of the row. */
int column_width(const struct group_set *s, column_id c);

column_look column_look_of(column_id c);

/* The sort key (group_sort_key) that orders by column c, or -1. */
int column_sort_key(column_id c);

/* Is s sorted by column c (its heading is marked)? */
bool column_is_sorted(const struct group_set *s, column_id c);


/* The heading of a column, and the text of group g's cell in it (utf8: the
 * terminal shows UTF-8 glyphs). The label's text is raw dump bytes and may
 * hold NUL bytes: escape it before showing. Return the length (at most
 * size - 1, NUL-terminated). */
size_t column_heading(const struct group_set *s, column_id c, char *buf, size_t size);
size_t column_cell(const struct group_set *s, const struct group *g, column_id c, bool utf8, char *buf,
                   size_t size);

/* cell[0..len) padded to column c's width as the screen aligns it (left
 * or right) into buf; returns the length. */
size_t column_padded(const struct group_set *s, column_id c, const char *cell, size_t len, char *buf, size_t size);

/* The whole heading, or group g's whole row, as the screen lays them out:
 * each cell padded to its column's width, one space between. What "/"
 * searches. */
size_t columns_heading_text(const struct group_set *s, char *buf, size_t size);
size_t columns_row_text(const struct group_set *s, const struct group *g, bool utf8, char *buf, size_t size);

/* Orders a and b by key (negative: a first), over their filtered totals or,
 * when all, over all their objects (trends hold ndumps counts); 0 when the
 * key does not tell them apart (the caller breaks the tie). */
int column_compare(group_sort_key key, const struct group *a, const struct group *b, bool all, size_t ndumps);

/* The object list's heading and the row of object i of h: address, type,
 * class, memsize, bytesize, generation and the start of a string's value.
 * The row holds raw dump bytes (the class name, the value). */
size_t columns_object_heading(char *buf, size_t size);
size_t columns_object_row(const struct heap *h, size_t i, const char *value, size_t value_len, char *buf,
                          size_t size);

#endif
