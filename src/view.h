/* view.h - the explorer's view-model: what is listed, what is selected,
 * the drill stack, sorting, filtering, searching, and the text of a view
 * for export. No curses here: the UI draws what the view holds and calls
 * view_* for every action, so the tests drive the same code as a person.
 *
 * A view is owned and used by the UI thread only. It holds the session (not
 * owned) and the grouping it built (owned).
 */
#ifndef HEAPSIFT_VIEW_H
#define HEAPSIFT_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "filter.h"
#include "group.h"
#include "heap.h"
#include "session.h"
#include "objinfo.h"
#include "status.h"

/* The kinds of list, X(ID, NAME): each has its own file (view_NAME.c) with
 * its rows, their text, Enter and export (view_ops in view_kinds.h), and a
 * UI file (ui_NAME.c) that draws it. */
#define VIEW_KINDS(X)                                                              \
    X(VIEW_GROUPS, groups)   /* the retained groups (the root of the stack) */    \
    X(VIEW_OBJECTS, objects) /* the objects of one group */                       \
    X(VIEW_OBJECT, object)   /* one object: its members, references and referrers */

typedef enum view_kind {
#define VIEW_KIND_ENUM(id, name) id,
    VIEW_KINDS(VIEW_KIND_ENUM)
#undef VIEW_KIND_ENUM
    VIEW_KIND_COUNT
} view_kind;

/* What a row of the object view shows. */
typedef enum orow_kind {
    OROW_HEADING,  /* a section title ("References (3)") */
    OROW_MEMBER,   /* a member of the object's line */
    OROW_REF,      /* an object this one references (Enter goes there) */
    OROW_REFERRER, /* an object or root that references this one */
    OROW_NOTE,     /* a remark ("more referrers not shown") */
    OROW_RETAINED, /* the object's retained size (latest dump's graph) */
    OROW_PATH,     /* a hop of the path from a GC root (Enter goes there) */
    OROW_ELIDED,   /* the hops of a long path that are not listed */
} orow_kind;

typedef struct orow {
    orow_kind kind;
    size_t item;   /* index into members, refs or referrers */
} orow;

/* Root paths longer than twice this many hops show their first and last
 * VIEW_PATH_EDGE hops and a row that says how many are left out. */
#define VIEW_PATH_EDGE 10

/* One level of the drill stack. */
typedef struct view_frame {
    view_kind kind;
    size_t selected;     /* selected row */
    size_t top;          /* first row on screen (kept by view_scroll) */
    size_t group;        /* VIEW_OBJECTS: index into set->groups */
    size_t *objects;     /* VIEW_OBJECTS: subject object indices, largest first */
    size_t nobjects;
    objinfo info;        /* VIEW_OBJECT */
    heap *h;             /* VIEW_OBJECT: the dump it is shown from (the subject, or
                            the latest dump once its graph is attached) */
    orow *orows;         /* VIEW_OBJECT: its rows */
    size_t norows;
    /* VIEW_OBJECT, when the latest dump has a reference graph: */
    bool in_graph;       /* the object is a node of the latest dump's graph */
    uint64_t retained;   /* its retained size there */
    uint32_t *path;      /* nodes of the latest dump from a root to it */
    size_t npath;
    unsigned path_root;  /* the root's category (graph root_names index) */
} view_frame;

typedef struct view {
    const session *session;  /* what is shown (not owned) */
    heap *subject;           /* session->subject */
    group_set *set;          /* the groups, with the grouping, filter and sort in
                                force; owned; rebuilt when the grouping changes */
    addrmap index;           /* the subject's objects by address, built on first use */
    bool index_built;
    view_frame *stack;       /* stack[0] is the group list */
    size_t depth;            /* frames in use */
    size_t cap;
    char search[128];        /* the last search text */
    size_t match_at;         /* after a search that found: which match the selection
                                is (1-based) of match_count in the list searched */
    size_t match_count;      /* 0: no search result stands (the list changed) */
    char message[256];       /* what the last action has to say, for the status line */
    bool graph_pending;      /* the latest dump's graph is still being read (set by
                                the owner; cleared by view_graph_ready) */
} view;

/* Sets up the group list of the session, grouped, filtered and sorted as q
 * says. */
void view_init(view *v, const session *ses, const group_query *q);
void view_free(view *v);

/* The latest dump's graph has been attached: fills the retained sizes and
 * sorts again (retained may be the sort key), keeping the selection. Object
 * views opened before keep what they showed. */
void view_graph_ready(view *v);

view_frame *view_top(view *v);
const view_frame *view_top_c(const view *v);
size_t view_rows(const view *v);

/* The group at a row of the group list, the object at a row of the object
 * list (a subject index), the row kind of the object view. */
const group *view_group_at(const view *v, size_t row);
size_t view_object_at(const view *v, size_t row);
const orow *view_orow_at(const view *v, size_t row);

/* The group the current list is about: the selected group of the group
 * list, the group whose objects are listed; NULL in an object view or when
 * no group is shown. */
const group *view_current_group(const view *v);

/* Selection. Moves are clamped; page moves are by `page` rows. */
void view_move(view *v, long delta);
void view_home(view *v);
void view_end(view *v);
/* Keeps the selection within `height` rows from frame->top. */
void view_scroll(view *v, size_t height);

/* Drill in on the selected row; false (with v->message) when there is
 * nothing to enter. */
bool view_enter(view *v);
/* Back one level; false at the group list. */
bool view_back(view *v);

/* Sorting and filtering keep the selected group selected when it stays. */
void view_set_sort(view *v, group_sort_key key);
void view_toggle_reverse(view *v);
void view_set_filter(view *v, const obj_filter *f);
/* Regroups; the stack returns to the group list. */
void view_set_group_by(view *v, group_by by);

/* Searches the current list for text (case-insensitive substring of the
 * row text), starting after the selection, in direction dir (+1 / -1),
 * wrapping around. An empty text repeats the last search. False (with
 * v->message) when nothing matches. */
bool view_search(view *v, const char *text, int dir);

/* Does the row match the search in force (what was found last, in the
 * list shown)? False when no search result stands. */
bool view_row_matches(const view *v, size_t row);

/* The text of a row as the screen lays it out (columns.h; what search
 * matches and the object views' export writes). Raw dump bytes: escape
 * before showing. Returns the length. Reads only: whatever a row shows was
 * read from the dump when its view was opened. */
size_t view_row_text(const view *v, size_t row, char *buf, size_t size);


/* Writes the current view as a text report to out, with a header (dumps,
 * filter, sort, grouping, `when`). The group list uses --report's format. */
hs_status view_write(const view *v, FILE *out, const char *when, hs_error *err);

/* view_write into path atomically; refuses to replace a file unless force. */
hs_status view_export(const view *v, const char *path, bool force, const char *when, hs_error *err);

/* A default export file name for the current view, in the current directory. */
void view_default_export_name(const view *v, char *buf, size_t size);

#endif
