/* scanpass.c - line-aligned ranges, one worker per range, and what every
 * worker does around the parser (see scanpass.h). */
#include "scanpass.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

unsigned scanpass_threads(unsigned asked)
{
    if (asked)
        return asked > SCANPASS_MAX ? SCANPASS_MAX : asked;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > SCANPASS_MAX ? SCANPASS_MAX : (unsigned)n;
}

unsigned scanpass_split(const dumpfile *df, unsigned threads, size_t bounds[SCANPASS_MAX + 1])
{
    unsigned n = scanpass_threads(threads);
    if (df->size < SCANPASS_MIN_SPLIT)
        n = 1;
    bounds[0] = 0;
    unsigned k = 1;
    for (; k < n; k++) {
        size_t at = df->size / n * k;
        if (at <= bounds[k - 1])
            at = bounds[k - 1] + 1;
        if (at >= df->size)
            break;
        const char *nl = memchr(df->data + at - 1, '\n', df->size - at + 1);
        if (!nl || (size_t)(nl - df->data) + 1 >= df->size)
            break;
        bounds[k] = (size_t)(nl - df->data) + 1;
    }
    bounds[k] = df->size;
    return k;
}

void scanpass_jobs(void *(*fn)(void *), void *args, size_t size, unsigned n)
{
    pthread_t threads[SCANPASS_MAX];
    bool started[SCANPASS_MAX] = { false };
    for (unsigned k = 1; k < n; k++)
        started[k] = pthread_create(&threads[k], NULL, fn, (char *)args + k * size) == 0;
    fn(args);
    for (unsigned k = 1; k < n; k++) {
        if (started[k])
            pthread_join(threads[k], NULL);
        else
            fn((char *)args + k * size);
    }
}

/* After each window: the parsed bytes will not be read again by this pass,
 * so their pages go; the next ones are faulted in; progress and cancel. */
static bool worker_progress(void *ctx, size_t done)
{
    scanpass_worker *w = ctx;
    const scanpass *pass = w->pass;
    dumpfile_release(pass->file, w->begin + w->reported, done - w->reported);
    if (pass->prefetch)
        dumpfile_prefetch(pass->file, w->begin + done, pass->prefetch);
    if (pass->progress) {
        atomic_fetch_add(&pass->progress->bytes_done, done - w->reported);
        if (pass->objects) {
            size_t objects = pass->objects(ctx);
            atomic_fetch_add(&pass->progress->objects, objects - w->objects_reported);
            w->objects_reported = objects;
        }
        if (pass->progress->cancel && atomic_load(pass->progress->cancel))
            return false;
    }
    w->reported = done;
    return w->failed == HS_OK;
}

void scanpass_fail(scanpass_worker *w, hs_status status, const hs_error *err)
{
    if (w->failed != HS_OK)
        return;
    w->failed = status;
    w->fail_err = *err;
}

hs_status scanpass_read(scanpass_worker *w)
{
    const scanpass *pass = w->pass;
    json_scanner *sc = json_scanner_new();
    /* The worker's context starts with w: the scanner hands it to the
     * caller's callbacks as it is. */
    scan_sink sink = { w, pass->record, pass->problem, worker_progress };
    w->reported = 0;
    w->objects_reported = 0;
    w->status = HS_OK;
    w->err.msg[0] = '\0';
    w->failed = HS_OK;
    if (pass->prefetch)
        dumpfile_prefetch(pass->file, w->begin, pass->prefetch);
    w->status = json_scan_run(sc, pass->file->data, w->begin, w->end, &pass->opts, &sink, &w->stats, &w->err);
    json_scanner_free(sc);
    /* A callback that stopped the scan said why; the scan saw a cancel. */
    if (w->failed != HS_OK) {
        w->status = w->failed;
        w->err = w->fail_err;
    }
    return w->status;
}

static void *worker_run(void *arg)
{
    scanpass_read(arg);
    return NULL;
}

hs_status scanpass_run(const scanpass *pass, void *workers, size_t size, const size_t *bounds,
                       unsigned n, hs_error *err)
{
    if (pass->progress)
        atomic_store(&pass->progress->bytes_total, pass->file->size);
    for (unsigned k = 0; k < n; k++) {
        scanpass_worker *w = (scanpass_worker *)((char *)workers + k * size);
        w->pass = pass;
        w->begin = bounds[k];
        w->end = bounds[k + 1];
    }
    scanpass_jobs(worker_run, workers, size, n);
    for (unsigned k = 0; k < n; k++) {
        const scanpass_worker *w = (const scanpass_worker *)((const char *)workers + k * size);
        if (w->status != HS_OK)
            return hs_fail(err, w->status, "%s: %s", pass->file->path, w->err.msg);
    }
    return HS_OK;
}
