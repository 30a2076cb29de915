/* loader.h - loading the dumps and running the diff in a background thread.
 *
 * The explorer starts a loader and keeps drawing while it runs; report mode
 * starts one and waits. The loader thread never touches the terminal and
 * never exits the process: it publishes progress through atomics, writes a
 * byte to a pipe (loader_wake_fd) whenever there is something new to show,
 * and ends with a status and a message. Its result is a session (the dumps
 * and their diff), handed over whole.
 *
 * With want_graph the thread goes on after the diff: it reads the latest
 * dump's references and computes its dominators (heap_graph_read), which
 * takes about as long as the load, while the explorer is already in use.
 * That pass reads only what the owner never changes; its result is attached
 * to the session by the owner (loader_attach_graph) once graph_state says
 * READY.
 *
 * With trends_later the thread then reads every dump's sites again for
 * trends (heap_read_sites), which the load itself skipped so that the diff
 * is out as soon as the report's; the owner attaches them
 * (loader_attach_trends) once trends_state says READY. That pass runs at a
 * lower priority, after the graph (or beside it, with trends_alongside):
 * the Suspects view waits for the graph, the trend columns come last. A
 * dump that cannot be read twice (a FIFO) gets its sites while it loads.
 * want_trends instead reads them all during the load, before the diff is
 * handed over (the report).
 *
 * Thread rules: loader_start, loader_cancel, loader_finished, loader_join,
 * loader_attach_graph, loader_attach_trends and loader_free are called by
 * the thread that owns the loader (the UI thread); the progress fields
 * (trends_dump and trends_progress among them) may be read from it at any
 * time; everything else (session, status, err, the timings) only after
 * loader_finished() is true, graph_status, graph_err and graph_seconds
 * only once graph_state is no longer LOADER_GRAPH_RUNNING, and likewise
 * trends_status, trends_err, trends_seconds and sites once trends_state is
 * READY or later.
 */
#ifndef HEAPSIFT_LOADER_H
#define HEAPSIFT_LOADER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "diff.h"
#include "heap.h"
#include "heap_graph.h"
#include "session.h"
#include "status.h"

typedef enum loader_stage {
    LOADER_WAITING,   /* not started yet */
    LOADER_LOADING,   /* being parsed */
    LOADER_LOADED,    /* parsed */
    LOADER_FAILED,    /* could not be loaded (see loader.err) */
} loader_stage;

typedef enum loader_graph_state {
    LOADER_GRAPH_NONE,     /* not asked for, or not started yet */
    LOADER_GRAPH_RUNNING,  /* being read */
    LOADER_GRAPH_READY,    /* read: loader_attach_graph attaches it */
    LOADER_GRAPH_ATTACHED, /* attached to the latest heap */
    LOADER_GRAPH_FAILED,   /* failed or cancelled (graph_status, graph_err) */
} loader_graph_state;

typedef enum loader_trends_state {
    LOADER_TRENDS_NONE,     /* not asked for, or not started yet */
    LOADER_TRENDS_WAITING,  /* asked for: the pass has not started (it follows the graph) */
    LOADER_TRENDS_RUNNING,  /* the dumps' sites are being read */
    LOADER_TRENDS_READY,    /* read: loader_attach_trends attaches them */
    LOADER_TRENDS_ATTACHED, /* attached to the session's dumps */
    LOADER_TRENDS_FAILED,   /* failed or cancelled (trends_status, trends_err) */
} loader_trends_state;

typedef struct loader_dump {
    const char *path;            /* as given; not owned */
    heap_progress progress;      /* bytes and objects so far */
    _Atomic int stage;           /* loader_stage */
    double started;              /* CLOCK_MONOTONIC seconds when loading began;
                                    written before stage becomes LOADER_LOADING */
    double seconds;              /* how long it took; written before LOADER_LOADED */
} loader_dump;

/* How to load. */
typedef struct loader_opts {
    diff_identity identity;      /* how the diff matches objects */
    unsigned threads;            /* parser threads per dump, 0 for one per core */
    bool want_trends;            /* read every dump's sites and classes, not only
                                    the identity of its objects (slower) */
    bool want_graph;             /* build the latest dump's reference graph and
                                    dominators (its heap's graph) */
    bool trends_later;           /* read every dump's sites and classes after the
                                    diff is handed over, after the graph (for the
                                    explorer; ignored with want_trends) */
    bool trends_alongside;       /* with trends_later: read them on a thread of
                                    their own while the graph is read, not after it */
    bool skip_subtypes;          /* nothing will group by subtype (no key that
                                    group_by_needs_subtypes, and no explorer,
                                    which may switch to one): keep no subtype
                                    column, 4 bytes an object of every dump
                                    read with its sites (heap_load_opts) */
} loader_opts;

typedef struct loader {
    size_t ndumps;               /* dumps to load */
    loader_dump *dump;           /* progress per dump */
    loader_opts opts;            /* as given to loader_start */
    _Atomic bool cancel;         /* set by loader_cancel, read by the parsers */
    _Atomic bool finished;       /* set last by the thread */
    _Atomic int diffing;         /* 1 while the diff runs (all dumps loaded) */
    _Atomic int graph_state;     /* loader_graph_state */
    heap_progress graph_progress; /* bytes of the latest dump read for the graph */
    /* Results, valid once finished: */
    session *session;            /* the dumps and their diff (NULL when loading failed);
                                    owned: callers borrow it until loader_free */
    hs_status status;
    hs_error err;
    double seconds;              /* wall time from start to finish */
    void *reserve;               /* memory held for the owner's first grouping of
                                    the objects (never touched; loader_unreserve):
                                    what does not fit fails the load with a
                                    message, not the owner with an abort */
    double *load_seconds;        /* wall time spent loading each dump */
    double diff_seconds;         /* wall time of the diff */
    double details_seconds;      /* wall time reading the shown objects in full */
    double details_user, details_sys; /* CPU seconds of the process meanwhile, in
                                    user and system mode (the parsers' threads) */
    double graph_seconds;        /* wall time of the graph: reading the references,
                                    building it, dominators and retained sizes */
    double graph_read_seconds;   /* of which reading and resolving the references */
    double dominator_seconds;    /* of which the dominators and retained sizes */
    hs_status graph_status;      /* how the graph pass ended */
    hs_error graph_err;
    heap_graph graph;            /* its result until attached */
    _Atomic int trends_state;    /* loader_trends_state */
    _Atomic int trends_dump;     /* 1-based: the dump whose sites are being read */
    heap_progress trends_progress; /* bytes of that dump read for its sites */
    hs_status trends_status;     /* how the trends pass ended */
    hs_error trends_err;
    double trends_seconds;       /* wall time of the trends pass */
    heap **sites;                /* its result until attached: per dump, the sites
                                    read (NULL for a dump that had them); owned */
    size_t borrowed;             /* loader_start_more: the first dumps came loaded
                                    from another loader's session; they are not read
                                    again, and this loader frees them only once
                                    loader_handover gave them to it */
    bool handed_over;            /* loader_handover made the borrowed dumps its own */
    /* Internals: */
    heap **dumps;                /* the heaps as they load (ndumps; owned until the
                                    session takes them, the borrowed ones never) */
    bool *sites_wanted;          /* per dump: the trends pass reads its sites */
    int wake[2];                 /* self-pipe: the thread writes, the UI polls wake[0] */
    pthread_t thread;
    pthread_t trends_thread;     /* with trends_alongside */
    bool trends_threaded;        /* trends_thread was started and not joined yet */
    bool joined;
} loader;

/* Starts loading paths[0..n) (oldest dump first). Fails only when the thread
 * or the pipe cannot be created. The paths must outlive the loader. */
hs_status loader_start(loader **out, const char *const *paths, size_t n, const loader_opts *opts,
                       hs_error *err);

/* Watch mode: a loader for paths[0..n), whose first base->ndumps are the
 * dumps of base's session (same paths, same order), loaded already: only
 * the others are read, and the diff, the graph of the new latest dump and
 * the trends are made for all of them. base must have finished with
 * HS_OK, its graph and trends passes ended and attached (it is read while
 * its owner keeps using it: only what never changes after a load, the
 * objects' addresses, generations and types). The subject's details, when
 * the subject is one of base's dumps, are the owner's to read
 * (heap_try_load_details) before grouping: base's owner may read details
 * of the same heap meanwhile. */
hs_status loader_start_more(loader **out, loader *base, const char *const *paths, size_t n,
                            const loader_opts *opts, hs_error *err);

/* The session of to (loader_start_more over from) now owns the dumps it
 * borrowed from from's, which gives them up: call once to has finished
 * with HS_OK, before freeing from. */
void loader_handover(loader *from, loader *to);

/* Has everything the loader does ended: loaded, and the graph and trends
 * passes (when asked for) ready to attach, attached or failed? */
bool loader_settled(const loader *l);

/* The read end of the wake-up pipe: readable when progress or the result is
 * new. Drain it with loader_drain. */
int loader_wake_fd(const loader *l);
void loader_drain(loader *l);

bool loader_finished(const loader *l);

/* Asks the thread to stop as soon as it can; it then finishes with
 * HS_ERR_CANCELLED. */
void loader_cancel(loader *l);

/* Waits for the thread (the graph and trends passes too) and returns its
 * status (the load's and the diff's; the graph's is graph_status, the
 * trends' trends_status). */
hs_status loader_join(loader *l);

/* When the graph is READY, attaches it to the session (session_attach_graph)
 * and returns true (once); false otherwise. */
bool loader_attach_graph(loader *l);

/* Gives back the memory the thread held for what its owner does next (see
 * reserve, and heap_graph.reserve): once finished, that for grouping the
 * objects; once graph_state is READY, that for what is computed from the
 * graph (attaching it gives that back too). Call before grouping. */
void loader_unreserve(loader *l);

/* When the trends are READY, gives the dumps their sites
 * (session_attach_sites) and returns true (once); false otherwise. */
bool loader_attach_trends(loader *l);

/* Cancels a graph or trends pass still running, joins the threads if
 * needed and frees everything the loader owns, the session included. */
void loader_free(loader *l);

#endif
