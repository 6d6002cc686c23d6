/*
 * Waits in pause() for SIGUSR1 (its handler sets a flag), then prints "woken" and exits 0.
 * Prints "ready" first, once the handler is installed.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t woken;

static void on_usr1(int signal) {
    (void)signal;
    woken = 1;
}

int main(void) {
    struct sigaction action = {0};
    action.sa_handler = on_usr1;
    if (sigaction(SIGUSR1, &action, NULL)) return 2;
    printf("ready\n");
    fflush(stdout);
    while (!woken) pause();
    printf("woken\n");
    fflush(stdout);
    return 0;
}
