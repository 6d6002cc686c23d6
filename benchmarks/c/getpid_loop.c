/*
 * B1 baseline: getpid through glibc's syscall(2) in a plain C loop.
 * Built as a shared library and called ONCE per JMH invocation through FFM, so the C
 * figure and the Java figures come from the same JVM and the same process.
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <unistd.h>

long hako_getpid_loop(long n) {
    long sum = 0;
    for (long i = 0; i < n; i++) {
        sum += syscall(SYS_getpid);
    }
    return sum;
}
