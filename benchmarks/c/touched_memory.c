/*
 * B8's payload and floor.
 *
 *   touched_memory hold MIB   maps MIB of private anonymous memory, writes a non-zero
 *                             pattern to every byte (a dump skips all-zero pages), prints
 *                             "ready SUM", then waits in pause(); on SIGUSR1 it sums the
 *                             memory again, prints "sum SUM" and exits 0. A checkpoint is
 *                             taken while it waits; the restored copy must print the same sum.
 *   touched_memory copy MIB N copies MIB between two touched buffers N times with memcpy and
 *                             prints the nanoseconds of each copy: the floor of moving that
 *                             much memory once on this machine.
 */
#define _GNU_SOURCE
#include "bench.h"
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile sig_atomic_t asked;

static void on_usr1(int sig) {
    (void) sig;
    asked = 1;
}

static unsigned char *touched(size_t size) {
    unsigned char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap");
    for (size_t i = 0; i < size; i += sizeof(uint64_t)) {
        uint64_t v = (i / sizeof(uint64_t)) * 0x9E3779B97F4A7C15ULL + 1;
        memcpy(p + i, &v, sizeof v);
    }
    return p;
}

static uint64_t sum(const unsigned char *p, size_t size) {
    uint64_t s = 0;
    for (size_t i = 0; i < size; i += sizeof(uint64_t)) {
        uint64_t v;
        memcpy(&v, p + i, sizeof v);
        s = s * 31 + v;
    }
    return s;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s hold MIB | copy MIB N\n", argv[0]);
        return 2;
    }
    size_t size = (size_t) atol(argv[2]) << 20;
    if (!strcmp(argv[1], "copy") && argc == 4) {
        unsigned char *from = touched(size), *to = touched(size);
        for (long n = atol(argv[3]); n > 0; n--) {
            long long start = now_ns();
            memcpy(to, from, size);
            long long end = now_ns();
            printf("%lld\n", end - start);
            from[n % size] ^= to[(n * 4099) % size]; /* keeps the copies from being merged */
        }
        return 0;
    }
    if (strcmp(argv[1], "hold")) {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    if (sigaction(SIGUSR1, &sa, NULL)) die("sigaction");
    unsigned char *p = touched(size);
    printf("ready %016llx\n", (unsigned long long) sum(p, size));
    fflush(stdout);
    while (!asked) pause();
    printf("sum %016llx\n", (unsigned long long) sum(p, size));
    fflush(stdout);
    return 0;
}
