/* view_kinds.h - what each kind of list does, as one table of functions per
 * kind (VIEW_KINDS in view.h): view.c keeps the stack, the selection,
 * search and export and asks the table of the frame on top for the rest.
 * Private to the view files. */
#ifndef HEAPSIFT_VIEW_KINDS_H
#define HEAPSIFT_VIEW_KINDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "view.h"

typedef struct view_ops {
    const char *title;  /* what an export's first line calls the view */
    /* Rows in the frame. */
    size_t (*rows)(const view *v, const view_frame *f);
    /* Can the cursor rest on the row? (NULL: every row can.) */
    bool (*selectable)(const view_frame *f, size_t row);
    /* The row's text (view_row_text). */
    size_t (*row_text)(const view *v, const view_frame *f, size_t row, char *buf, size_t size);
    /* Enter on the selected row: pushes a frame, or says why not in
     * v->message and returns false. */
    bool (*enter)(view *v, view_frame *f);
    /* The export's header lines after the dumps (what the view is of);
     * NULL when the kind writes its whole export itself (write). */
    void (*write_about)(const view *v, const view_frame *f, FILE *out);
    /* The whole export, for a kind with its own format (the group list
     * writes --report's); NULL: the header and view_row_text's rows. */
    hs_status (*write)(const view *v, FILE *out, const char *when, hs_error *err);
    /* The default export file name. */
    void (*export_name)(const view *v, const view_frame *f, char *buf, size_t size);
    /* The group the frame is about: the selected one, the one listed
     * (NULL: none, or no such thing). */
    const group *(*group)(const view *v, const view_frame *f);
    /* The frame's step of the breadcrumb: short words for where it is. */
    size_t (*crumb)(const view *v, const view_frame *f, char *buf, size_t size);
    /* The text `y` copies for the selected row (an address, a location, a
     * value); false when there is nothing to copy. */
    bool (*copy)(const view *v, const view_frame *f, char *buf, size_t size);
    /* The source file and line `o` opens for the selected row; false when
     * it has none. */
    bool (*source)(const view *v, const view_frame *f, char *file, size_t size, uint32_t *line);
    /* Frees what the frame holds (NULL: nothing). */
    void (*release)(view_frame *f);
} view_ops;

#define VIEW_OPS_DECL(id, name) extern const view_ops view_##name##_ops;
VIEW_KINDS(VIEW_OPS_DECL)
#undef VIEW_OPS_DECL

/* The file and line of a site of h, for `o`; false when it has no file. */
bool view_site_source(const heap *h, const heap_site *site, char *file, size_t size, uint32_t *line);

/* The root frame of tab t, shown or parked. */
view_frame *view_tab_root(view *v, view_tab t);

/* A new frame of kind on top of the stack, zeroed. */
view_frame *view_push(view *v, view_kind kind);

/* Opens group g (an index into v->set->groups) as an object list
 * (view_objects.c). False, with v->message and nothing opened, when the
 * list or its objects' details cannot be had for memory. */
bool view_open_group(view *v, size_t g);

/* Opens object `index` of dump h (the subject, or the latest dump once its
 * graph is attached), reading what its rows will show (view_object.c).
 * False, with v->message, when its line cannot be read or what it shows
 * cannot be had for memory: the view stays as it was. */
bool view_open_object(view *v, heap *h, size_t index);

/* The graph came after object frame f was opened: reads its retained size,
 * root path and (for the latest dump) referrers, and lays its rows out
 * again, keeping the selected row. False, with v->message, when they
 * cannot be had for memory: f shows what it showed without the graph (less
 * its referrers when their details could not be read). */
bool view_object_graph_ready(view *v, view_frame *f);

/* Opens group g's objects, or when by_suspect is not SIZE_MAX only those
 * that suspect (an index into v->sp.rows) holds (view_objects.c). Fails as
 * view_open_group. */
bool view_open_objects(view *v, size_t g, size_t by_suspect);

/* Opens suspect r (an index into v->sp.rows) (view_suspect.c). */
void view_open_suspect(view *v, size_t r);

/* Finds the suspects again for the set in force (the graph attached, the
 * filter or grouping changed); the Suspects tab returns to its list. */
void view_find_suspects(view *v);

/* Sorts the suspects list by v->sp_sort (view_suspects.c), keeping the
 * selected suspect selected. */
void view_suspects_sort(view *v);

/* Opens a retained object of the object list: where the latest dump's
 * graph has it, as it is there; else as the subject dump has it. */
bool view_open_retained(view *v, size_t index);

#endif
