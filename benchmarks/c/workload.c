/*
 * B3 and B4 workloads. Each run prints one line: "<elapsed ns> <units of work> <CPU ns>":
 * CLOCK_MONOTONIC around the measured part only, and the CPU time (user + system) that part
 * cost this process and the children it waited for. Wall time carries every other tenant of
 * the machine; CPU time mostly carries the work itself, so B3 compares both.
 *
 *   workload [--wait] int N            integer arithmetic loop, N steps
 *   workload [--wait] fp N             floating-point loop, N steps
 *   workload [--wait] triad MiB REPS   STREAM-style triad a = b + s*c over three arrays
 *   workload [--wait] pipe N           N one-byte round trips between two processes
 *   workload [--wait] forkexec N       N times fork + execve(/bin/true) + wait
 *   workload [--wait] fsync FILE N     N times pwrite 4 KiB + fsync on FILE (removed after)
 *   workload spin SECONDS              busy loop for B4's CPU limit
 *   workload filetouch FILE SECONDS    B4's memory limit: drop FILE from the page cache,
 *                                      then read every page of it through mmap in passes;
 *                                      prints "<elapsed ns> <bytes read after pass 1>"
 *
 * With --wait the program first reads standard input to EOF (after any setup, such as
 * allocating and touching arrays), so that a driver can start several copies at once.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static void barrier(int wait) {
    char buf[64];
    while (wait && read(0, buf, sizeof buf) > 0) {
    }
}

/* CPU time of this process and of its waited-for children, in nanoseconds. */
static long long cpu_now(void) {
    struct timespec ts;
    struct rusage children;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0 || getrusage(RUSAGE_CHILDREN, &children) < 0) die("cpu clock");
    long long self = (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
    long long kids = ((long long) children.ru_utime.tv_sec + children.ru_stime.tv_sec) * 1000000000LL
                     + ((long long) children.ru_utime.tv_usec + children.ru_stime.tv_usec) * 1000LL;
    return self + kids;
}

/* The CPU time of the last measured part, set beside its wall time. */
static long long cpu_spent;

/* Ends a measured part: its wall time, and its CPU time into cpu_spent. */
static long long finish(long long t0, long long c0) {
    long long t = now_ns() - t0;
    cpu_spent = cpu_now() - c0;
    return t;
}

static volatile uint64_t sink_u;
static volatile double sink_d;

static long long run_int(long n, int wait) {
    barrier(wait);
    long long t0 = now_ns(), c0 = cpu_now();
    uint64_t x = 88172645463325252ULL, acc = 0;
    for (long i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc += (x % 1000003) * (uint64_t) i;
    }
    sink_u = acc;
    return finish(t0, c0);
}

static long long run_fp(long n, int wait) {
    barrier(wait);
    long long t0 = now_ns(), c0 = cpu_now();
    double x = 0.5, acc = 0.0;
    for (long i = 1; i <= n; i++) {
        x = x * 3.7 * (1.0 - x);          /* logistic map: stays in (0, 1) */
        acc += x / (double) i + 1e-9 * x * x;
    }
    sink_d = acc;
    return finish(t0, c0);
}

static long long run_triad(long mib, long reps, int wait) {
    size_t n = (size_t) mib * 1024 * 1024 / sizeof(double);
    double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double)), *c = malloc(n * sizeof(double));
    if (!a || !b || !c) die("malloc");
    for (size_t i = 0; i < n; i++) {
        a[i] = 0.0;
        b[i] = 1.0 + (double) (i & 7);
        c[i] = 2.0;
    }
    barrier(wait);
    long long t0 = now_ns(), c0 = cpu_now();
    const double s = 3.0;
    for (long r = 0; r < reps; r++) {
        for (size_t i = 0; i < n; i++) {
            a[i] = b[i] + s * c[i];
        }
        b[r % n] = a[(r * 7) % n];        /* keep the passes dependent */
    }
    long long t = finish(t0, c0);
    sink_d = a[n / 2];
    return t;
}

static long long run_pipe(long n, int wait) {
    int up[2], down[2];
    if (pipe(up) < 0 || pipe(down) < 0) die("pipe");
    pid_t pid = fork();
    if (pid < 0) die("fork");
    char c = 'x';
    if (pid == 0) {
        for (long i = 0; i < n; i++) {
            if (read(down[0], &c, 1) != 1 || write(up[1], &c, 1) != 1) _exit(1);
        }
        _exit(0);
    }
    barrier(wait);
    long long t0 = now_ns(), c0 = cpu_now();
    for (long i = 0; i < n; i++) {
        if (write(down[1], &c, 1) != 1 || read(up[0], &c, 1) != 1) die("ping-pong");
    }
    long long t = finish(t0, c0);
    waitpid(pid, NULL, 0);
    cpu_spent = cpu_now() - c0;   /* now with the echoing child's share */
    return t;
}

static long long run_forkexec(long n, int wait) {
    char *const argv[] = {"/bin/true", NULL};
    char *const envp[] = {NULL};
    barrier(wait);
    long long t0 = now_ns(), c0 = cpu_now();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) die("fork");
        if (pid == 0) {
            execve(argv[0], argv, envp);
            _exit(127);
        }
        int status;
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) die("/bin/true");
    }
    return finish(t0, c0);
}

static long long run_fsync(const char *file, long n, int wait) {
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) die(file);
    char block[4096];
    memset(block, 'h', sizeof block);
    barrier(wait);
    long long t0 = now_ns(), c0 = cpu_now();
    for (long i = 0; i < n; i++) {
        if (pwrite(fd, block, sizeof block, (off_t) (i % 256) * (off_t) sizeof block) != (ssize_t) sizeof block) die("pwrite");
        if (fsync(fd) < 0) die("fsync");
    }
    long long t = finish(t0, c0);
    close(fd);
    unlink(file);
    return t;
}

static long long run_spin(double seconds) {
    long long c0 = cpu_now(), t0 = now_ns(), end = t0 + (long long) (seconds * 1e9);
    uint64_t x = 1;
    while (now_ns() < end) {
        for (int i = 0; i < 10000; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        }
    }
    sink_u = x;
    return finish(t0, c0);
}

static long long run_filetouch(const char *file, double seconds, long long *bytes) {
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) die(file);
    struct stat st;
    if (fstat(fd, &st) < 0) die("fstat");
    /* Pages cached earlier were charged to whoever read them; drop them so that every
       page this run touches is charged to this run's cgroup. */
    if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0) die("fadvise");
    const volatile unsigned char *p = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) die("mmap");
    long page = sysconf(_SC_PAGESIZE);
    unsigned sum = 0;
    for (off_t off = 0; off < st.st_size; off += page) {   /* pass 1: fill the cache, untimed */
        sum += p[off];
    }
    long long c0 = cpu_now(), t0 = now_ns(), end = t0 + (long long) (seconds * 1e9);
    *bytes = 0;
    while (now_ns() < end) {
        for (off_t off = 0; off < st.st_size; off += page) {
            sum += p[off];
        }
        *bytes += st.st_size;
    }
    sink_u = sum;
    return finish(t0, c0);
}

int main(int argc, char **argv) {
    int wait = 0, i = 1;
    if (argc > 1 && !strcmp(argv[1], "--wait")) {
        wait = 1;
        i++;
    }
    if (argc - i < 2) {
        fprintf(stderr, "usage: workload [--wait] int|fp|triad|pipe|forkexec|fsync|spin|filetouch ARGS\n");
        return 2;
    }
    const char *kind = argv[i];
    long long t, units;
    if (!strcmp(kind, "int")) t = run_int(units = atol(argv[i + 1]), wait);
    else if (!strcmp(kind, "fp")) t = run_fp(units = atol(argv[i + 1]), wait);
    else if (!strcmp(kind, "triad") && argc - i >= 3) {
        units = atol(argv[i + 1]) * atol(argv[i + 2]) * 3 * 1024 * 1024;   /* bytes moved */
        t = run_triad(atol(argv[i + 1]), atol(argv[i + 2]), wait);
    }
    else if (!strcmp(kind, "pipe")) t = run_pipe(units = atol(argv[i + 1]), wait);
    else if (!strcmp(kind, "forkexec")) t = run_forkexec(units = atol(argv[i + 1]), wait);
    else if (!strcmp(kind, "fsync") && argc - i >= 3) t = run_fsync(argv[i + 1], units = atol(argv[i + 2]), wait);
    else if (!strcmp(kind, "spin")) t = run_spin(atof(argv[i + 1])), units = 0;
    else if (!strcmp(kind, "filetouch") && argc - i >= 3) t = run_filetouch(argv[i + 1], atof(argv[i + 2]), &units);
    else {
        fprintf(stderr, "unknown workload or missing argument: %s\n", kind);
        return 2;
    }
    printf("%lld %lld %lld\n", t, units, cpu_spent);
    return 0;
}
