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
#include "suspects.h"

/* The kinds of list, X(ID, NAME): each has its own file (view_NAME.c) with
 * its rows, their text, Enter and export (view_ops in view_kinds.h), and a
 * UI file (ui_NAME.c) that draws it. */
#define VIEW_KINDS(X)                                                                   \
    X(VIEW_SUSPECTS, suspects) /* what holds the retained objects (the Suspects tab's root) */ \
    X(VIEW_SUSPECT, suspect)   /* one suspect: its holders, root path and groups */    \
    X(VIEW_GROUPS, groups)     /* the retained groups (the Groups tab's root) */       \
    X(VIEW_OBJECTS, objects)   /* the objects of one group (of a suspect's, when
                                  opened from one) */                                 \
    X(VIEW_OBJECT, object)     /* one object: its members, references and referrers */

typedef enum view_kind {
#define VIEW_KIND_ENUM(id, name) id,
    VIEW_KINDS(VIEW_KIND_ENUM)
#undef VIEW_KIND_ENUM
    VIEW_KIND_COUNT
} view_kind;

/* Room for an ivar's name on a path hop ("@a|@b" when ambiguous). */
#define VIEW_IVAR_NAME 80

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
    OROW_IVAR,     /* an instance variable its shape names (Enter follows its
                      value when the dump says which reference it is) */
} orow_kind;

typedef struct orow {
    orow_kind kind;
    size_t item;   /* index into members, refs or referrers */
} orow;

/* The two top-level lists; Tab switches, each keeps its own stack. */
typedef enum view_tab {
    TAB_SUSPECTS, /* what holds the leak (once the graph is read) */
    TAB_GROUPS,   /* where the retained objects were allocated */
    TAB_COUNT
} view_tab;

/* What a row of the suspect view shows. */
typedef enum srow_kind {
    SROW_HEADING, /* a section title (item: SROW_HEAD_*) */
    SROW_HOLDER,  /* a holding object of a folded row (item: its index among the holders) */
    SROW_PATH,    /* a hop of the path from a GC root (item: the hop) */
    SROW_ELIDED,  /* the hops of a long path not listed (item: how many) */
    SROW_GROUP,   /* a group it holds (item: its index among the suspect's groups) */
} srow_kind;

enum { SROW_HEAD_HOLDERS, SROW_HEAD_PATH, SROW_HEAD_GROUPS, SROW_HEAD_COLUMNS };

/* The suspects list's sort keys: X(ID, name, help). */
#define SUSPECT_SORT_KEYS(X)                                                     \
    X(SSORT_BYTES, "bytes", "as --suspects ranks: holders by bytes, then roots")  \
    X(SSORT_COUNT, "count", "objects held, most first")                          \
    X(SSORT_GROWTH, "growth", "grows in every window first, then grows again, settled, grew once")

typedef enum suspect_sort_key {
#define SSORT_ENUM(id, name, help) id,
    SUSPECT_SORT_KEYS(SSORT_ENUM)
#undef SSORT_ENUM
    SSORT_COUNT_ALL
} suspect_sort_key;

/* Root paths longer than twice this many hops show their first and last
 * VIEW_PATH_EDGE hops and a row that says how many are left out. */
#define VIEW_PATH_EDGE 10

/* One level of the drill stack. */
typedef struct view_frame {
    view_kind kind;
    size_t selected;     /* selected row */
    size_t top;          /* first row on screen (kept by view_scroll) */
    bool placed;         /* the screen has shown it once (see ui_list_draw) */
    size_t group;        /* VIEW_OBJECTS: index into set->groups */
    size_t suspect;      /* VIEW_SUSPECT: index into the suspects' rows; VIEW_OBJECTS:
                            the suspect whose objects of the group are listed, or
                            SIZE_MAX for all of them */
    orow *srows;         /* VIEW_SUSPECT: its rows (kind: srow_kind) */
    size_t nsrows;
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
    char (*path_ivar)[VIEW_IVAR_NAME]; /* by hop: the ivar of the hop before
                            that holds it ("" where no shape names it) */
    char path_error[512]; /* why the path is not shown (it could not be found:
                            out of memory), or "" */
} view_frame;

typedef struct view {
    const session *session;  /* what is shown (not owned) */
    heap *subject;           /* session->subject */
    group_set *set;          /* the groups, with the grouping, filter and sort in
                                force; owned; rebuilt when the grouping changes */
    addrmap index;           /* the subject's objects by address, built on first use */
    bool index_built;
    view_frame *stack;       /* the drill stack of the tab shown: stack[0] is its list */
    size_t depth;            /* frames in use */
    size_t cap;
    view_tab tab;            /* the tab shown */
    struct {                 /* the other tab's stack, parked while this one shows */
        view_frame *stack;
        size_t depth, cap;
    } parked;
    suspects sp;             /* what holds the retained objects, for the set's filter
                                (found when the graph is attached; owned) */
    bool sp_ready;           /* sp holds them */
    bool sp_stale;           /* the filter or grouping changed while the Groups tab
                                showed: they are found again when Suspects shows */
    char sp_error[256];      /* why they could not be found, or "" */
    size_t *sp_order;        /* the suspects list's rows: indices into sp.rows, sorted */
    suspect_sort_key sp_sort;
    bool sp_reverse;
    char search[128];        /* the last search text */
    size_t match_at;         /* after a search that found: which match the selection
                                is (1-based) of match_count in the list searched */
    size_t match_count;      /* 0: no search result stands (the list changed) */
    char message[256];       /* what the last action has to say, for the status line */
    int screen_cols;         /* the screen's width, 0 when unknown: where it
                                leaves the label room, the group list shows each
                                dump's count (view_set_screen_cols) */
    bool graph_pending;      /* the latest dump's graph is still being read (set by
                                the owner; cleared by view_graph_ready and
                                view_graph_failed) */
    char graph_error[512];   /* why there is no graph (view_graph_failed: out of
                                memory, say), for the screens to keep saying; or "" */
    bool trends_pending;     /* every dump's sites are still being read for the
                                trends (set by the owner; cleared by
                                view_trends_ready) */
} view;

/* Sets up the two lists of the session: the groups, grouped, filtered and
 * sorted as q says, and the suspects (empty until the graph is attached);
 * `tab` is shown first. Fails as group_new (out of memory), with *v empty
 * (view_free is still fine). */
hs_status view_init(view *v, const session *ses, const group_query *q, view_tab tab, hs_error *err);

/* Watch mode: nv, just made (view_init) over a session with more dumps
 * than ov's and the same grouping, filter and sort, is put where the
 * person was in ov: the suspects' sort, the search text, the group and the
 * suspect selected in each tab (by label, by example holder), and in the
 * tab shown the group's object list, its object or the suspect that was
 * open (by address), as far as each is still there. ov is only read. */
void view_take_place(view *nv, const view *ov);

/* Shows the other tab, as it was left. */
void view_switch_tab(view *v);

/* The sort keys of the list shown (the suspects' or the groups'), their
 * names and help; the one in force; sorting by key k keeps the selected
 * row selected. */
size_t view_sort_count(const view *v);
const char *view_sort_name(const view *v, size_t k);
const char *view_sort_help(const view *v, size_t k);
size_t view_sort_current(const view *v);
bool view_sort_reversed(const view *v);
void view_sort_by(view *v, size_t k);
void view_reverse(view *v);
void view_free(view *v);

/* The latest dump's graph has been attached: fills the retained sizes and
 * sorts again (retained may be the sort key), keeping the selection. Object
 * views opened before keep what they showed. False, with v->message, when
 * the retained sizes could not be summed for memory: the groups stay
 * without them (the suspects are still tried). */
bool view_graph_ready(view *v);

/* The screen is cols wide (0: unknown): the group list shows each dump's
 * count beside the trend glyphs where the label keeps room. The UI calls it
 * before drawing. */
void view_set_screen_cols(view *v, int cols);

/* The latest dump's graph will not come (why: the loader's message): the
 * lists stay without retained sizes and suspects, and say why (graph_error,
 * sp_error, message). */
void view_graph_failed(view *v, const char *why);

/* Every dump's sites have been attached: fills the groups' trends and
 * sorts again (the live counts may be the sort key), keeping the
 * selection. False, with v->message, when they could not be counted for
 * memory: the groups stay without them. */
bool view_trends_ready(view *v);

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

/* Where the person is: each frame of the stack in a few words, joined by
 * " \u203a " (utf8) or " > " ("Groups > STRING products_controller.rb:7 >
 * 0x7f58..."). Raw dump bytes: escape before showing. Returns the length. */
size_t view_breadcrumb(const view *v, bool utf8, char *buf, size_t size);

/* What `y` copies for the selected row: an address, a location or a value
 * (raw dump bytes). False, with v->message, when there is none. */
bool view_copy_text(view *v, char *buf, size_t size);

/* The source file and line of the selected row (its allocation site, or
 * the group's), for `o`; line 0 when the dump has none. False, with
 * v->message, when there is no single file. */
bool view_source(view *v, char *file, size_t size, uint32_t *line);

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
/* Regroups; the stack returns to the group list. False, with v->message,
 * when the new groups cannot be made for memory: everything stays as it
 * was. */
bool view_set_group_by(view *v, group_by by);

/* Searches the current list for text (case-insensitive substring of the
 * row text), starting after the selection, in direction dir (+1 / -1),
 * wrapping around. An empty text repeats the last search. False (with
 * v->message) when nothing matches. */
bool view_search(view *v, const char *text, int dir);

/* Row `row` of the suspects list as the screen lays it out, its share bar
 * in UTF-8 blocks or ASCII (what view_row_text gives with utf8). Raw dump
 * bytes in the holder's description: escape before showing. */
size_t view_suspects_row_text(const view *v, size_t row, bool utf8, char *buf, size_t size);

/* The suspects list's column headings, aligned with its rows. */
size_t view_suspects_heading(char *buf, size_t size);

/* Row `row` of a suspect's view, when it is a group: that group as the
 * group list would show it holding only the suspect's objects (count and
 * sizes; its retained size and trend stay the whole group's). */
bool view_suspect_group_row(const view *v, size_t row, group *out);

/* The suspect the list shown is about (the selected one of the suspects
 * list, the one opened), or SIZE_MAX. */
size_t view_current_suspect(const view *v);

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
