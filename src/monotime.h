/* monotime.h - seconds on the monotonic clock, for durations (progress
 * rates, load times, benchmarks): never steps back with the wall clock. */
#ifndef HEAPSIFT_MONOTIME_H
#define HEAPSIFT_MONOTIME_H

#include <time.h>

static inline double monotime_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
