/*
 * B2 baselines, measured from a small C process: start-to-exit of /bin/true, one line of
 * nanoseconds per iteration on stdout.
 *
 *   startloop clone3 <iterations> <ns-set> [cgroup-dir]
 *       clone3 (no CLONE_VM) with the namespaces of <ns-set> (comma list of
 *       pid,mnt,ipc,uts,net,user or "none"), optionally CLONE_INTO_CGROUP, then
 *       execve(/bin/true) in the child and waitid in the parent: the floor for Hako.
 *       With "user" the parent writes uid_map/gid_map (root -> caller) before the child
 *       execs, as Hako does.
 *   startloop exec <iterations> -- program args...
 *       fork+execvp(program) and wait: the cost of a command-line tool (unshare, bwrap,
 *       crun, runc). Its stdout/stderr go to /dev/null; a non-zero exit stops the loop,
 *       prints the first failure's stderr to our stderr and exits 3.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static uint64_t parse_ns(const char *set) {
    uint64_t flags = 0;
    if (strcmp(set, "none") == 0) {
        return 0;
    }
    char *copy = strdup(set);
    for (char *tok = strtok(copy, ",+"); tok; tok = strtok(NULL, ",+")) {
        if (!strcmp(tok, "pid")) flags |= CLONE_NEWPID;
        else if (!strcmp(tok, "mnt")) flags |= CLONE_NEWNS;
        else if (!strcmp(tok, "ipc")) flags |= CLONE_NEWIPC;
        else if (!strcmp(tok, "uts")) flags |= CLONE_NEWUTS;
        else if (!strcmp(tok, "net")) flags |= CLONE_NEWNET;
        else if (!strcmp(tok, "user")) flags |= CLONE_NEWUSER;
        else if (!strcmp(tok, "cgroup")) flags |= CLONE_NEWCGROUP;
        else { fprintf(stderr, "unknown namespace %s\n", tok); exit(2); }
    }
    free(copy);
    return flags;
}

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text)) die(path);
    close(fd);
}

static int run_clone3(long iterations, const char *set, const char *cgroup) {
    uint64_t flags = parse_ns(set);
    int cgfd = -1;
    if (cgroup) {
        cgfd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cgfd < 0) die(cgroup);
        flags |= CLONE_INTO_CGROUP;
    }
    int user = (flags & CLONE_NEWUSER) != 0;
    char uidmap[64], gidmap[64];
    snprintf(uidmap, sizeof uidmap, "0 %d 1\n", (int) getuid());
    snprintf(gidmap, sizeof gidmap, "0 %d 1\n", (int) getgid());
    char *const argv[] = {"/bin/true", NULL};
    char *const envp[] = {NULL};
    for (long i = 0; i < iterations; i++) {
        int sync[2] = {-1, -1};
        long long t0 = now_ns();
        if (user && pipe2(sync, O_CLOEXEC) < 0) die("pipe2");
        struct clone_args args;
        memset(&args, 0, sizeof args);
        args.flags = flags;
        args.exit_signal = SIGCHLD;
        args.cgroup = cgfd >= 0 ? (uint64_t) cgfd : 0;
        long pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid < 0) die("clone3");
        if (pid == 0) {
            if (user) {
                char c;
                close(sync[1]);
                if (read(sync[0], &c, 1) != 1) _exit(126);
            }
            execve(argv[0], argv, envp);
            _exit(127);
        }
        if (user) {
            char path[64];
            close(sync[0]);
            snprintf(path, sizeof path, "/proc/%ld/uid_map", pid);
            write_file(path, uidmap);
            snprintf(path, sizeof path, "/proc/%ld/setgroups", pid);
            write_file(path, "deny");
            snprintf(path, sizeof path, "/proc/%ld/gid_map", pid);
            write_file(path, gidmap);
            if (write(sync[1], "x", 1) != 1) die("sync");
            close(sync[1]);
        }
        siginfo_t info;
        if (waitid(P_PID, (id_t) pid, &info, WEXITED) < 0) die("waitid");
        long long t1 = now_ns();
        if (info.si_code != CLD_EXITED || info.si_status != 0) {
            fprintf(stderr, "child ended with code %d status %d\n", info.si_code, info.si_status);
            return 3;
        }
        printf("%lld\n", t1 - t0);
    }
    return 0;
}

static int run_exec(long iterations, char **argv) {
    char errpath[] = "/tmp/hako-startloop-XXXXXX";
    int errfd = mkstemp(errpath);
    if (errfd < 0) die("mkstemp");
    unlink(errpath);
    int nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (long i = 0; i < iterations; i++) {
        if (ftruncate(errfd, 0) < 0 || lseek(errfd, 0, SEEK_SET) < 0) die("truncate");
        long long t0 = now_ns();
        pid_t pid = fork();
        if (pid < 0) die("fork");
        if (pid == 0) {
            dup2(nullfd, 0);
            dup2(nullfd, 1);
            dup2(errfd, 2);
            execvp(argv[0], argv);
            dprintf(2, "%s: %s\n", argv[0], strerror(errno));
            _exit(127);
        }
        int status;
        if (waitpid(pid, &status, 0) < 0) die("waitpid");
        long long t1 = now_ns();
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            char buf[4096];
            ssize_t n = pread(errfd, buf, sizeof buf - 1, 0);
            buf[n > 0 ? n : 0] = 0;
            fprintf(stderr, "%s exited with status %d: %s", argv[0], status, buf);
            return 3;
        }
        printf("%lld\n", t1 - t0);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 4 && !strcmp(argv[1], "clone3")) {
        return run_clone3(atol(argv[2]), argv[3], argc > 4 ? argv[4] : NULL);
    }
    if (argc >= 5 && !strcmp(argv[1], "exec") && !strcmp(argv[3], "--")) {
        return run_exec(atol(argv[2]), argv + 4);
    }
    fprintf(stderr, "usage: startloop clone3 N none|pid,mnt,... [cgroup-dir]\n"
                    "       startloop exec N -- program args...\n");
    return 2;
}
