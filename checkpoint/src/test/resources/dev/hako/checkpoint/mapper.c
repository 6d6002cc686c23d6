/* Test payload for the paths of programs and mapped files. It maps a file privately:
 * mode "inside" /state/data (a file in its root), mode "stdin" its standard input (a file
 * the container was given from outside its root), mode "deleted" /state/gone, which it
 * then unlinks; mode "zeros" as "inside", and it also writes zeros to every page of 32 MiB
 * of anonymous memory (present pages, all zero). Then, every 50 ms, it appends "tick N"
 * and the mapping's first 16 bytes to /state/out, opened O_APPEND|O_CLOEXEC. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "inside";
    int fd;
    if (!strcmp(mode, "stdin")) {
        fd = 0;
    } else if (!strcmp(mode, "deleted")) {
        fd = open("/state/gone", O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || write(fd, "soon deleted....", 16) != 16) return 3;
    } else {
        fd = open("/state/data", O_RDONLY);
    }
    if (fd < 0) return 3;
    const char *mapped = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapped == MAP_FAILED) return 4;
    if (fd != 0) close(fd);
    if (!strcmp(mode, "deleted") && unlink("/state/gone") != 0) return 5;
    if (!strcmp(mode, "zeros")) {
        volatile char *zeros = mmap(NULL, 32 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (zeros == MAP_FAILED) return 7;
        for (long i = 0; i < 32 << 20; i += 4096) zeros[i] = 0;
    }
    FILE *out = fopen("/state/out", "ae");
    if (out == NULL) return 6;
    for (long tick = 1;; tick++) {
        fprintf(out, "tick %ld %.16s\n", tick, mapped);
        fflush(out);
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}
