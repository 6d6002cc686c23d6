/* Test payload for per-task state: an ITIMER_REAL every 200 ms whose SIGALRM handler
 * counts; SIGUSR1 blocked and pending; RLIMIT_NOFILE lowered to 100/200; and the robust
 * list head and clear-tid address glibc registered at start; personality ADDR_NO_RANDOMIZE. At each alarm it appends
 * one line to stdout: the alarm's number and whether each of those is still as it was. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int signal) {
    (void)signal;
    alarms++;
}

static void *robust_head(void) {
    void *head;
    size_t length;
    return syscall(SYS_get_robust_list, 0, &head, &length) == 0 ? head : NULL;
}

static void *tid_address(void) {
    void *address = NULL;
    return prctl(PR_GET_TID_ADDRESS, &address, 0, 0, 0) == 0 ? address : NULL;
}

int main(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_alarm;
    action.sa_flags = SA_RESTART;
    if (sigaction(SIGALRM, &action, NULL)) return 3;
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    if (sigprocmask(SIG_BLOCK, &usr1, NULL) || raise(SIGUSR1)) return 4;
    struct rlimit files = {100, 200};
    if (setrlimit(RLIMIT_NOFILE, &files)) return 5;
    if (personality(PER_LINUX | ADDR_NO_RANDOMIZE) == -1) return 8;
    void *robust = robust_head(), *tid = tid_address();
    if (robust == NULL || tid == NULL) return 6;
    struct itimerval timer = {{0, 200000}, {0, 200000}};
    if (setitimer(ITIMER_REAL, &timer, NULL)) return 7;
    for (int seen = 0;;) {
        pause();
        if (alarms == seen) continue;
        seen = alarms;
        sigset_t pending, blocked;
        sigpending(&pending);
        sigprocmask(SIG_BLOCK, NULL, &blocked);
        getrlimit(RLIMIT_NOFILE, &files);
        printf("alarm %d usr1 pending %d blocked %d nofile %ld/%ld personality 0x%x robust %s tid %s\n", seen,
               sigismember(&pending, SIGUSR1), sigismember(&blocked, SIGUSR1), (long)files.rlim_cur,
               (long)files.rlim_max, personality(0xffffffff), robust_head() == robust ? "same" : "moved", tid_address() == tid ? "same" : "moved");
        fflush(stdout);
    }
}
