/* Test payload for the paths of programs and mapped files. It maps a file privately:
 * mode "inside" /state/data (a file in its root), mode "stdin" its standard input (a file
 * the container was given from outside its root), mode "deleted" /state/gone, which it
 * then unlinks. Then, every 50 ms, it appends "tick N" and the mapping's first 16 bytes
 * to /state/out. */
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
    FILE *out = fopen("/state/out", "a");
    if (out == NULL) return 6;
    for (long tick = 1;; tick++) {
        fprintf(out, "tick %ld %.16s\n", tick, mapped);
        fflush(out);
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}
