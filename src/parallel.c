/* parallel.c - line-aligned ranges and one worker per range. */
#include "parallel.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

unsigned parallel_threads(unsigned asked)
{
    if (asked)
        return asked > PARALLEL_MAX ? PARALLEL_MAX : asked;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > PARALLEL_MAX ? PARALLEL_MAX : (unsigned)n;
}

unsigned parallel_split_lines(const dumpfile *df, unsigned n, size_t *bounds)
{
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

void parallel_run(void *(*fn)(void *), void *args, size_t size, unsigned n)
{
    pthread_t threads[PARALLEL_MAX];
    bool started[PARALLEL_MAX] = { false };
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
