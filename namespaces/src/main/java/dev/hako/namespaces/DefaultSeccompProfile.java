package dev.hako.namespaces;

import dev.hako.bindings.Linux;
import dev.hako.namespaces.SeccompProfile.ArgCheck;
import java.util.List;

/**
 * The default seccomp profile ({@link SeccompProfile#defaultProfile()}), written from what
 * seccomp(2), syscalls(2) and Docker's documentation of its default profile say, not copied
 * from any profile file.
 *
 * <p>Semantics, as Docker's: an allowlist. Known syscalls that are not listed fail with
 * EPERM, the answer of a call the caller may not make; numbers the syscall table does not
 * know (calls newer than the headers) fail with ENOSYS, the answer of a kernel that lacks
 * them, so that C libraries fall back to an older call. clone3 fails with ENOSYS on
 * purpose: its flags are in a struct in memory, which a filter cannot read, and glibc falls
 * back to clone, whose flags are an argument the filter checks.
 *
 * <p>Left out, so EPERM (the reason in brackets): mount, umount2, pivot_root, the new mount
 * API (fsopen, fsconfig, fsmount, fspick, move_mount, open_tree, mount_setattr) and
 * unshare, setns, clone with CLONE_NEW* [namespaces and mounts are the container's walls];
 * ptrace, process_vm_readv/writev, pidfd_getfd, kcmp, process_madvise [reading or changing
 * other processes]; bpf, perf_event_open, userfaultfd, io_uring_* [large kernel attack
 * surface, several container escapes]; add_key, request_key, keyctl [the keyring is not
 * namespaced]; kexec_load, kexec_file_load, reboot, init_module, finit_module,
 * delete_module, create_module, query_module, get_kernel_syms, swapon, swapoff, acct,
 * quotactl, nfsservctl, syslog, vhangup, lookup_dcookie, _sysctl, sysfs, ustat, uselib,
 * ioperm, iopl, modify_ldt [host-wide or obsolete]; settimeofday, clock_settime,
 * clock_adjtime, adjtimex [the clocks are not namespaced]; open_by_handle_at and
 * name_to_handle_at [open_by_handle_at opened host files from a container (the 2014
 * "shocker" escape)]; mbind, set_mempolicy, get_mempolicy, move_pages, migrate_pages
 * [NUMA placement of the host]; sethostname, setdomainname, fanotify_init [need
 * CAP_SYS_ADMIN anyway].
 */
final class DefaultSeccompProfile {

    /** Calls that exist only on some architectures are allowed where they exist. */
    private static final List<String> ALLOWED = List.of(
            // files and descriptors
            "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
            "lseek", "close", "close_range", "dup", "dup2", "dup3", "fcntl", "flock", "fsync", "fdatasync", "sync",
            "syncfs", "sync_file_range", "truncate", "ftruncate", "fallocate", "fadvise64", "readahead", "sendfile",
            "splice", "tee", "vmsplice", "copy_file_range", "open", "openat", "openat2", "creat", "stat", "fstat",
            "lstat", "newfstatat", "statx", "statfs", "fstatfs", "access", "faccessat", "faccessat2", "readlink",
            "readlinkat", "getdents", "getdents64", "getcwd", "chdir", "fchdir", "chroot", "mkdir", "mkdirat", "rmdir",
            "unlink", "unlinkat", "rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat",
            "chmod", "fchmod", "fchmodat", "chown", "fchown", "lchown", "fchownat", "umask", "utime", "utimes",
            "utimensat", "futimesat", "mknod", "mknodat", "getxattr", "lgetxattr", "fgetxattr", "setxattr",
            "lsetxattr", "fsetxattr", "listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr",
            "fremovexattr", "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch", "ioctl",
            "memfd_create", "memfd_secret",
            // memory
            "brk", "mmap", "munmap", "mremap", "mprotect", "msync", "mincore", "madvise", "mlock", "mlock2",
            "munlock", "mlockall", "munlockall", "membarrier", "pkey_alloc", "pkey_free", "pkey_mprotect",
            "remap_file_pages",
            // processes and threads (clone is a rule below)
            "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "kill", "tkill", "tgkill",
            "getpid", "getppid", "gettid", "getpgid", "setpgid", "getpgrp", "getsid", "setsid", "getuid", "geteuid",
            "getgid", "getegid", "getresuid", "getresgid", "setuid", "setgid", "setreuid", "setregid", "setresuid",
            "setresgid", "setfsuid", "setfsgid", "getgroups", "setgroups", "capget", "capset", "prctl", "arch_prctl",
            "set_tid_address", "set_robust_list", "get_robust_list", "rseq", "futex", "futex_waitv",
            "set_thread_area", "get_thread_area", "sched_yield", "sched_getaffinity", "sched_setaffinity",
            "sched_getparam", "sched_setparam", "sched_getscheduler", "sched_setscheduler", "sched_get_priority_max",
            "sched_get_priority_min", "sched_rr_get_interval", "sched_getattr", "sched_setattr", "getpriority",
            "setpriority", "ioprio_get", "ioprio_set", "getrlimit", "setrlimit", "prlimit64", "getrusage", "times",
            "uname", "sysinfo", "getcpu", "pidfd_open", "pidfd_send_signal", "restart_syscall", "seccomp",
            "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self", "getrandom",
            // signals
            "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend", "rt_sigpending", "rt_sigtimedwait",
            "rt_sigqueueinfo", "rt_tgsigqueueinfo", "sigaltstack", "signalfd", "signalfd4", "pause", "alarm",
            // time and timers
            "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres", "gettimeofday", "time", "getitimer",
            "setitimer", "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete",
            "timerfd_create", "timerfd_settime", "timerfd_gettime",
            // waiting for descriptors
            "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
            "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "pipe", "pipe2",
            // sockets
            "socket", "socketpair", "bind", "connect", "listen", "accept", "accept4", "getsockname", "getpeername",
            "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "setsockopt", "getsockopt", "shutdown",
            // System V and POSIX IPC (namespaced by the IPC namespace)
            "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semctl", "msgget", "msgsnd",
            "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify",
            "mq_getsetattr",
            // asynchronous I/O
            "io_setup", "io_destroy", "io_submit", "io_cancel", "io_getevents", "io_pgetevents");

    /** personality(2) values programs use: Linux, 32-bit Linux, the 2.6 uname emulation, and the query. */
    private static final long[] PERSONALITIES = {Linux.PER_LINUX(), Linux.PER_LINUX32(), Linux.UNAME26(),
            Linux.UNAME26() | Linux.PER_LINUX32(), 0xffffffffL};

    /** Every CLONE_NEW* flag that clone(2) takes (CLONE_NEWTIME's bit is the exit signal's there). */
    static final long CLONE_NEW_FLAGS = Linux.CLONE_NEWNS() | Linux.CLONE_NEWCGROUP() | Linux.CLONE_NEWUTS()
            | Linux.CLONE_NEWIPC() | Linux.CLONE_NEWUSER() | Linux.CLONE_NEWPID() | Linux.CLONE_NEWNET();

    static final SeccompProfile PROFILE = build();

    private DefaultSeccompProfile() {
    }

    /** The names the allowlist holds (each exists on at least one architecture; a test checks). */
    static List<String> allowed() {
        return ALLOWED;
    }

    private static SeccompProfile build() {
        SeccompProfile.Builder builder = SeccompProfile.builder()
                .defaultAction(SeccompAction.errno(Linux.EPERM()))
                .unknownSyscallAction(SeccompAction.errno(Linux.ENOSYS()))
                .allowWherePresent(ALLOWED.toArray(String[]::new))
                .rule("clone3", SeccompAction.errno(Linux.ENOSYS()))
                .rule("clone", SeccompAction.ALLOW, ArgCheck.maskedEq(0, CLONE_NEW_FLAGS, 0));
        for (long persona : PERSONALITIES) {
            builder.rule("personality", SeccompAction.ALLOW, ArgCheck.eq(0, persona));
        }
        return builder.build();
    }
}
