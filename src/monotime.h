/* monotime.h - seconds on the monotonic clock, for durations (progress
 * rates, load times, benchmarks): never steps back with the wall clock. */
#ifndef HEAPSIFT_MONOTIME_H
#define HEAPSIFT_MONOTIME_H

#include <sys/resource.h>
#include <time.h>

static inline double monotime_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds the whole process has spent so far, in user and in system
 * mode (every thread's, the joined ones included): a phase's CPU time is
 * the difference across it, on a shared machine steadier than wall time. */
static inline void monotime_cpu(double *user, double *sys)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    *sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

#endif
