/*
 * B7: the cost of a seccomp filter per syscall. Run inside containers with and without a
 * filter; prints one line, "<cpu ns> <calls> <elapsed ns>", around the measured loop only
 * (after a warm-up of a tenth as many calls). The CPU time (CLOCK_THREAD_CPUTIME_ID, user
 * and system) is the figure: on a shared machine the elapsed time also holds the time the
 * loop waited for a core, which has nothing to do with the filter.
 *
 *   syscall_loop getpid N    N times syscall(SYS_getpid): the cheapest call there is
 *   syscall_loop read4k N    N times read(2) of 4 KiB from /dev/zero
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

static char buffer[4096];

static long long cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long run(int read4k, int fd, long n) {
    long sum = 0;
    for (long i = 0; i < n; i++) {
        sum += read4k ? read(fd, buffer, sizeof buffer) : syscall(SYS_getpid);
    }
    return sum;
}

int main(int argc, char **argv) {
    if (argc != 3 || (strcmp(argv[1], "getpid") && strcmp(argv[1], "read4k"))) {
        fprintf(stderr, "usage: syscall_loop getpid|read4k N\n");
        return 2;
    }
    int read4k = !strcmp(argv[1], "read4k");
    long n = atol(argv[2]);
    int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        die("open /dev/zero");
    }
    if (read4k && run(1, fd, 1) != (long) sizeof buffer) {
        die("read /dev/zero");
    }
    run(read4k, fd, n / 10);
    long long t0 = now_ns();
    long long c0 = cpu_ns();
    run(read4k, fd, n);
    long long cpu = cpu_ns() - c0;
    printf("%lld %ld %lld\n", cpu, n, now_ns() - t0);
    return 0;
}
