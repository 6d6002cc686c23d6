/* Test payload for checkpoint/restore: a 64 MiB heap and AVX state, one checksum line per
 * round. Between rounds it sleeps (mode "sleep"), blocks reading one byte of stdin
 * (mode "read") or goes straight on (mode "busy"). Output depends only on the round.
 * Modes "thread", "socket", "tty", "shared", "eventfd", "seccomp" and "timer" first make a second
 * thread, a unix socket, a pseudo-terminal master, a shared anonymous mapping, an eventfd,
 * a seccomp filter (one that allows everything) or a POSIX timer, which a checkpoint must refuse, then
 * sleep between rounds. */
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <immintrin.h>
#include <pthread.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void *idle(void *unused) {
    (void)unused;
    for (;;) pause();
    return NULL;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "sleep";
    if (!strcmp(mode, "thread")) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, idle, NULL)) return 3;
        mode = "sleep";
    } else if (!strcmp(mode, "socket")) {
        if (socket(AF_UNIX, SOCK_STREAM, 0) < 0) return 3;
        mode = "sleep";
    } else if (!strcmp(mode, "tty")) {
        if (open("/dev/ptmx", O_RDWR | O_NOCTTY) < 0) return 3;
        mode = "sleep";
    } else if (!strcmp(mode, "shared")) {
        if (mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) == MAP_FAILED) return 3;
        mode = "sleep";
    } else if (!strcmp(mode, "timer")) {
        timer_t timer;
        if (timer_create(CLOCK_MONOTONIC, NULL, &timer)) return 3;
        mode = "sleep";
    } else if (!strcmp(mode, "eventfd")) {
        if (eventfd(0, 0) < 0) return 3;
        mode = "sleep";
    } else if (!strcmp(mode, "seccomp")) {
        struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        struct sock_fprog program = {1, &allow};
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program)) return 3;
        mode = "sleep";
    }
    long rounds = argc > 2 ? atol(argv[2]) : 50;
    size_t size = (size_t)64 << 20;
    unsigned char *heap = malloc(size);
    for (size_t i = 0; i < size; i++) heap[i] = (unsigned char)(i * 31 + 7);
    __m256d acc = _mm256_set_pd(1.0, 2.0, 3.0, 4.0);
    const __m256d factor = _mm256_set1_pd(1.0000001), step = _mm256_set1_pd(1e-7);
    for (long round = 1; round <= rounds; round++) {
        for (int k = 0; k < 2000000; k++) acc = _mm256_add_pd(_mm256_mul_pd(acc, factor), step);
        heap[((size_t)round * 4099 * 4096) % size] ^= (unsigned char)round;
        uint64_t sum = 0;
        for (size_t i = 0; i < size; i += 256) sum = sum * 31 + heap[i];
        double lanes[4];
        _mm256_storeu_pd(lanes, acc);
        printf("round %ld sum %016llx acc %a %a %a %a\n", round, (unsigned long long)sum,
               lanes[0], lanes[1], lanes[2], lanes[3]);
        fflush(stdout);
        if (!strcmp(mode, "sleep")) {
            struct timespec pause = {0, 30 * 1000 * 1000};
            nanosleep(&pause, NULL);
        } else if (!strcmp(mode, "read")) {
            char c;
            if (read(0, &c, 1) != 1) return 2;
        }
    }
    return 0;
}
