/* loader.c - the background load. Dumps are loaded one after the other,
 * each with one parser thread per core, which keeps every core busy while
 * holding at most one dump's text in memory. */
#define _GNU_SOURCE /* syscall */
#include "loader.h"
#include "monotime.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void wake(loader *l)
{
    char b = 1;
    /* The pipe is non-blocking: when it is full the UI has a wake-up pending. */
    if (write(l->wake[1], &b, 1) < 0 && errno != EAGAIN)
        return;
}

/* The trends are what people wait for last: the calling thread, and the
 * parser threads it starts (which inherit it), yield the cores to the
 * graph's parsers and to the owner's thread (attaching the graph, finding
 * the suspects) whenever those have work. Linux gives each thread a nice
 * value of its own; elsewhere setpriority would slow the whole process. */
static void yield_to_others(void)
{
#ifdef __linux__
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10) != 0) {
        /* Not allowed: the pass runs at the usual priority. */
    }
#endif
}

/* The trends pass: every dump that lacks some sites reads them all again,
 * one after the other, each with a parser per core. */
static void run_trends(loader *l)
{
    yield_to_others();
    atomic_store(&l->trends_state, LOADER_TRENDS_RUNNING);
    wake(l);
    double t0 = monotime_now();
    session *ses = l->session;
    l->trends_status = HS_OK;
    for (size_t k = 0; k < ses->ndumps && l->trends_status == HS_OK; k++) {
        if (!l->sites_wanted[k])
            continue;
        atomic_store(&l->trends_progress.bytes_total, 0);
        atomic_store(&l->trends_progress.bytes_done, 0);
        atomic_store(&l->trends_progress.objects, 0);
        atomic_store(&l->trends_dump, (int)k + 1);
        wake(l);
        l->trends_status = heap_read_sites(&l->sites[k], ses->dumps[k], l->opts.threads, &l->trends_progress,
                                           &l->trends_err);
    }
    l->trends_seconds = monotime_now() - t0;
    atomic_store(&l->trends_state, l->trends_status == HS_OK ? LOADER_TRENDS_READY : LOADER_TRENDS_FAILED);
    wake(l);
}

static void *trends_main(void *arg)
{
    run_trends(arg);
    return NULL;
}

/* Does dump k's load read every site: with want_trends, and with
 * trends_later for a dump that cannot be read a second time (a FIFO, a
 * pipe: its text is gone once read). */
static bool sites_now(const loader *l, size_t k)
{
    if (l->opts.want_trends)
        return true;
    if (!l->opts.trends_later)
        return false;
    /* A dump added to loaded ones (watch mode) is read once, whole: the
     * others have their sites already, so no trends pass follows. */
    if (l->borrowed)
        return true;
    struct stat sb;
    return stat(l->dump[k].path, &sb) != 0 || !S_ISREG(sb.st_mode);
}

/* What the owner computes from the graph once it is attached, at most, per
 * node of the graph and per object of the diff: the retained sizes of the
 * groups (the dominator tree in preorder: 24 bytes a node, 21 an object),
 * then the suspects (about 26 a node and 44 an object), or a root path or
 * what holds a group (13 a node). Those fail with a message when they
 * cannot be had, and the explorer goes on without them; the graph pass
 * holds that much back all the same (hs_mem: it fails instead) and the
 * owner gets it back as it attaches the graph: under an address-space limit
 * (ulimit -v), a graph that could be read but not used fails the pass with
 * a message, as one that could not be read, rather than leaving every
 * view that needs it to fail one by one. */
#define GRAPH_USE_PER_NODE 32
#define GRAPH_USE_PER_OBJECT 64
/* Likewise for the owner's first grouping of the diff's objects (a group
 * per object, its members, a memo of the sites), held from the hand-over
 * until the owner groups them: a load whose grouping would not fit fails as
 * a load, before the explorer shows a list it could not regroup. */
#define GROUPING_PER_OBJECT 32
#define GROUPING_BASE ((size_t)4 << 20)

static hs_status reserve_grouping(loader *l)
{
    hs_mem mem = { 0 };
    size_t objects = l->session->diff->count;
    l->reserve = hs_mem_alloc(&mem, GROUPING_BASE + objects * GROUPING_PER_OBJECT, 1);
    if (l->reserve)
        return HS_OK;
    return hs_mem_fail(&l->err, &mem, "%s: not enough memory to group the %zu objects found", l->session->subject->path,
                       objects);
}

static hs_status reserve_graph_use(loader *l, const heap *latest)
{
    hs_mem mem = { 0 };
    size_t nodes = latest->count + 1, objects = l->session->diff->count;
    l->graph.reserve = hs_mem_alloc(&mem, nodes * GRAPH_USE_PER_NODE + objects * GRAPH_USE_PER_OBJECT, 1);
    if (l->graph.reserve)
        return HS_OK;
    hs_error why;
    hs_mem_fail(&why, &mem, "what is computed from it for its %zu objects (retained sizes, suspects)", latest->count);
    return hs_fail(&l->graph_err, HS_ERR_NOMEM, "%s: not enough memory for the reference graph: %s", latest->path,
                   why.msg);
}

/* The diff's sorted copies (12 bytes an object of the dumps compared, two at
 * a time beside the subject's, and the object ids'), and its flags (5 bytes
 * an object of the subject). The diff fails with a message when they cannot
 * be had; the loader first takes that much and gives it back all the same,
 * so that a load whose diff would not fit says so in the words of a load
 * ("not enough memory to compare"), before the diff has sorted anything. */
#define DIFF_PER_SUBJECT_OBJECT 32
#define DIFF_PER_LARGEST_OBJECT 36

static hs_status check_diff_room(const loader *l, hs_error *err)
{
    size_t subject = l->dumps[diff_subject_index(l->ndumps)]->count, largest = 0;
    for (size_t k = 0; k < l->ndumps; k++)
        largest = l->dumps[k]->count > largest ? l->dumps[k]->count : largest;
    hs_mem mem = { 0 };
    void *room = hs_mem_alloc(&mem, subject * DIFF_PER_SUBJECT_OBJECT + largest * DIFF_PER_LARGEST_OBJECT, 1);
    if (!room)
        return hs_mem_fail(err, &mem, "not enough memory to compare the %zu dumps (%zu objects in the largest)",
                           l->ndumps, largest);
    free(room);
    return HS_OK;
}

static void *loader_main(void *arg)
{
    loader *l = arg;
    double start = monotime_now();
    size_t subject = diff_subject_index(l->ndumps);
    l->status = HS_OK;
    for (size_t k = l->borrowed; k < l->ndumps && l->status == HS_OK; k++) {
        loader_dump *d = &l->dump[k];
        d->started = monotime_now();
        atomic_store(&d->stage, LOADER_LOADING);
        wake(l);
        double t0 = monotime_now();
        bool latest = k + 1 == l->ndumps;
        /* The graph pass re-reads the latest dump's text: keep it mapped
         * (HEAP_FULL), and read every site now when trends need them. */
        bool graph_dump = latest && l->opts.want_graph;
        bool sites = sites_now(l, k);
        /* A dump read in full (the subject, the graph's) reads its sites
         * with the quick reader, as HEAP_LIGHT does; the full parser then
         * reads only the objects shown (heap_try_load_details). */
        heap_load_opts opts = {
            .mode = k == subject || graph_dump ? HEAP_FULL
                  : sites                      ? HEAP_LIGHT
                                               : HEAP_IDENTITY,
            .all_sites = (k == subject || graph_dump) && sites,
            .skip_subtypes = l->opts.skip_subtypes,
            .shapes_as_objects = l->opts.identity == DIFF_ID_ADDRESS,
            .threads = l->opts.threads,
            .progress = &d->progress,
        };
        l->status = heap_load(&l->dumps[k], d->path, &opts, &l->err);
        l->load_seconds[k] = monotime_now() - t0;
        d->seconds = l->load_seconds[k];
        atomic_store(&d->stage, l->status == HS_OK ? LOADER_LOADED : LOADER_FAILED);
        wake(l);
    }
    double t0;
    if (l->status == HS_OK) {
        atomic_store(&l->diffing, 1);
        wake(l);
        t0 = monotime_now();
        diff_result *diff = NULL;
        l->status = check_diff_room(l, &l->err);
        if (l->status == HS_OK)
            l->status = diff_run(&diff, l->dumps, l->ndumps, l->opts.identity, &l->err);
        l->diff_seconds = monotime_now() - t0;
        if (l->status == HS_OK) {
            l->session = session_new(l->dumps, l->ndumps, diff);
            l->dumps = NULL; /* the session's now */
        }
    }
    if (l->status == HS_OK && subject >= l->borrowed) {
        /* Read the rest of each shown object (its sites are read already
         * when trends need every object's). A borrowed subject's are the
         * owner's to read (loader_start_more). */
        heap *subj = l->session->subject;
        double user0, sys0;
        monotime_cpu(&user0, &sys0);
        t0 = monotime_now();
        l->status = heap_try_load_details(subj, l->session->diff->objects, l->session->diff->count, l->opts.threads,
                                          &l->err);
        l->details_seconds = monotime_now() - t0;
        monotime_cpu(&l->details_user, &l->details_sys);
        l->details_user -= user0;
        l->details_sys -= sys0;
        /* The subject's lines were read again: was it still the same file? */
        if (l->status == HS_OK)
            l->status = heap_check_file(subj, &l->err);
    }
    if (l->status == HS_OK)
        l->status = reserve_grouping(l);
    l->seconds = monotime_now() - start;
    bool graph_wanted = l->status == HS_OK && l->opts.want_graph;
    bool trends_wanted = l->status == HS_OK && l->opts.trends_later && !l->opts.want_trends;
    if (graph_wanted)
        atomic_store(&l->graph_state, LOADER_GRAPH_RUNNING);
    if (trends_wanted) {
        /* Decided now: the owner may read more of a dump's sites once it
         * has the session (heap_try_load_details). */
        for (size_t k = 0; k < l->ndumps; k++)
            l->sites_wanted[k] = !l->session->dumps[k]->all_sites;
        atomic_store(&l->trends_state, LOADER_TRENDS_WAITING);
    }
    atomic_store(&l->finished, true);
    wake(l);
    if (trends_wanted && graph_wanted && l->opts.trends_alongside) {
        l->trends_threaded = pthread_create(&l->trends_thread, NULL, trends_main, l) == 0;
        trends_wanted = !l->trends_threaded; /* else after the graph, on this thread */
    }
    if (!graph_wanted) {
        if (trends_wanted)
            run_trends(l);
        return NULL;
    }
    /* The diff is out; what holds its objects comes next. */
    t0 = monotime_now();
    heap *latest = l->session->latest;
    l->graph_status = heap_graph_read(&l->graph, latest, l->opts.threads, &l->graph_progress, &l->graph_err);
    /* The latest dump was read again for its references. The heap is the
     * owner's now, which draws its warning: a new one waits in the graph
     * until the owner attaches it. */
    if (l->graph_status == HS_OK)
        l->graph_status = heap_verify_file(latest, l->graph.warning, sizeof l->graph.warning, &l->graph_err);
    /* The owner looks the subject's objects up in the graph, again and
     * again (retained sizes, suspects): once here, off its thread. */
    if (l->graph_status == HS_OK) {
        hs_error why;
        l->graph_status = session_map_nodes(l->session, &l->graph, &why);
        if (l->graph_status != HS_OK)
            hs_fail(&l->graph_err, l->graph_status, "%s: not enough memory for the reference graph: %s", latest->path,
                    why.msg);
    }
    if (l->graph_status == HS_OK)
        l->graph_status = reserve_graph_use(l, latest);
    l->graph_seconds = monotime_now() - t0;
    l->graph_read_seconds = l->graph.read_seconds;
    l->dominator_seconds = l->graph.dominator_seconds;
    atomic_store(&l->graph_state, l->graph_status == HS_OK ? LOADER_GRAPH_READY : LOADER_GRAPH_FAILED);
    wake(l);
    /* The Suspects view waits for the graph; the trend columns for this. */
    if (trends_wanted)
        run_trends(l);
    return NULL;
}

static hs_status start(loader **out, loader *base, const char *const *paths, size_t n, const loader_opts *opts,
                       hs_error *err)
{
    loader *l = hs_xcalloc(1, sizeof *l);
    l->ndumps = n;
    l->opts = *opts;
    l->dump = hs_xcalloc(n, sizeof *l->dump);
    l->dumps = hs_xcalloc(n, sizeof *l->dumps);
    l->load_seconds = hs_xcalloc(n, sizeof *l->load_seconds);
    for (size_t k = 0; k < n; k++) {
        l->dump[k].path = paths[k];
        l->dump[k].progress.cancel = &l->cancel;
    }
    l->graph_progress.cancel = &l->cancel;
    l->trends_progress.cancel = &l->cancel;
    l->sites = hs_xcalloc(n, sizeof *l->sites);
    l->sites_wanted = hs_xcalloc(n, sizeof *l->sites_wanted);
    if (base) {
        l->borrowed = base->ndumps;
        for (size_t k = 0; k < l->borrowed; k++) {
            assert(strcmp(base->dump[k].path, paths[k]) == 0);
            l->dumps[k] = base->session->dumps[k];
            atomic_store(&l->dump[k].stage, LOADER_LOADED);
        }
    }
    if (pipe(l->wake) != 0) {
        hs_status st = hs_fail(err, HS_ERR_IO, "cannot create a pipe: %s", strerror(errno));
        free(l->dump);
        free(l->dumps);
        free(l->load_seconds);
        free(l->sites);
        free(l->sites_wanted);
        free(l);
        return st;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(l->wake[i], F_SETFL, fcntl(l->wake[i], F_GETFL) | O_NONBLOCK);
        fcntl(l->wake[i], F_SETFD, FD_CLOEXEC);
    }
    int rc = pthread_create(&l->thread, NULL, loader_main, l);
    if (rc != 0) {
        close(l->wake[0]);
        close(l->wake[1]);
        free(l->dump);
        free(l->dumps);
        free(l->load_seconds);
        free(l->sites);
        free(l->sites_wanted);
        free(l);
        return hs_fail(err, HS_ERR_NOMEM, "cannot start the loader thread: %s", strerror(rc));
    }
    *out = l;
    return HS_OK;
}

hs_status loader_start(loader **out, const char *const *paths, size_t n, const loader_opts *opts,
                       hs_error *err)
{
    return start(out, NULL, paths, n, opts, err);
}

hs_status loader_start_more(loader **out, loader *base, const char *const *paths, size_t n,
                            const loader_opts *opts, hs_error *err)
{
    assert(loader_settled(base) && base->status == HS_OK && base->session);
    assert(n > base->ndumps);
    int gs = atomic_load(&base->graph_state), ts = atomic_load(&base->trends_state);
    assert(gs != LOADER_GRAPH_READY && ts != LOADER_TRENDS_READY); /* attached, or failed */
    (void)gs;
    (void)ts;
    return start(out, base, paths, n, opts, err);
}

void loader_handover(loader *from, loader *to)
{
    assert(to->borrowed == from->ndumps && !to->handed_over);
    assert(loader_finished(to) && to->status == HS_OK && to->session);
    from->session->owns_dumps = false;
    to->handed_over = true;
}

bool loader_settled(const loader *l)
{
    if (!loader_finished(l))
        return false;
    int gs = atomic_load(&l->graph_state), ts = atomic_load(&l->trends_state);
    return gs != LOADER_GRAPH_RUNNING && ts != LOADER_TRENDS_WAITING && ts != LOADER_TRENDS_RUNNING;
}

int loader_wake_fd(const loader *l)
{
    return l->wake[0];
}

void loader_drain(loader *l)
{
    char buf[64];
    while (read(l->wake[0], buf, sizeof buf) > 0)
        ;
}

bool loader_finished(const loader *l)
{
    return atomic_load(&l->finished);
}

void loader_cancel(loader *l)
{
    atomic_store(&l->cancel, true);
}

hs_status loader_join(loader *l)
{
    if (!l->joined) {
        pthread_join(l->thread, NULL);
        /* The loader thread started the trends thread, if any, before it
         * ended. */
        if (l->trends_threaded)
            pthread_join(l->trends_thread, NULL);
        l->trends_threaded = false;
        l->joined = true;
    }
    return l->status;
}

bool loader_attach_graph(loader *l)
{
    if (atomic_load(&l->graph_state) != LOADER_GRAPH_READY)
        return false;
    session_attach_graph(l->session, &l->graph);
    atomic_store(&l->graph_state, LOADER_GRAPH_ATTACHED);
    return true;
}

void loader_unreserve(loader *l)
{
    if (!atomic_load(&l->finished))
        return;
    free(l->reserve);
    l->reserve = NULL;
    if (atomic_load(&l->graph_state) != LOADER_GRAPH_READY)
        return;
    free(l->graph.reserve);
    l->graph.reserve = NULL;
}

bool loader_attach_trends(loader *l)
{
    if (atomic_load(&l->trends_state) != LOADER_TRENDS_READY)
        return false;
    session_attach_sites(l->session, l->sites);
    atomic_store(&l->trends_state, LOADER_TRENDS_ATTACHED);
    return true;
}

void loader_free(loader *l)
{
    if (!l)
        return;
    loader_cancel(l);
    loader_join(l);
    heap_graph_free(&l->graph);
    free(l->reserve);
    for (size_t k = 0; k < l->ndumps; k++)
        heap_free(l->sites[k]);
    free(l->sites);
    free(l->sites_wanted);
    /* Dumps borrowed and never handed over are another loader's. */
    size_t own_from = l->handed_over ? 0 : l->borrowed;
    if (l->session && own_from) {
        for (size_t k = own_from; k < l->ndumps; k++)
            heap_free(l->session->dumps[k]);
        l->session->owns_dumps = false;
    }
    session_free(l->session);
    if (l->dumps)
        for (size_t k = own_from; k < l->ndumps; k++)
            heap_free(l->dumps[k]);
    free(l->dumps);
    close(l->wake[0]);
    close(l->wake[1]);
    free(l->dump);
    free(l->load_seconds);
    free(l);
}
