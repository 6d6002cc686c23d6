/*
 * What the C baselines share: a monotonic clock in nanoseconds and a fatal-error exit.
 * Included by startloop.c and workload.c; NativeBuild and benchmarks/run copy it beside them.
 */
#ifndef HAKO_BENCH_H
#define HAKO_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* perror(what), then exit status 2: the drivers read 2 as "the baseline itself failed". */
static inline void die(const char *what) {
    perror(what);
    exit(2);
}

#endif
