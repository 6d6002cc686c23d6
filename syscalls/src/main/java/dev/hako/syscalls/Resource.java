package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * The resources whose use prlimit(2) limits ({@code RLIMIT_*}).
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/prlimit.2.html">getrlimit(2)</a>
 */
public enum Resource {
    /** Address space size in bytes ({@code RLIMIT_AS}). */
    AS(Linux.RLIMIT_AS()),
    /** Core dump size in bytes ({@code RLIMIT_CORE}). */
    CORE(Linux.RLIMIT_CORE()),
    /** CPU time in seconds ({@code RLIMIT_CPU}). */
    CPU(Linux.RLIMIT_CPU()),
    /** Data segment size in bytes ({@code RLIMIT_DATA}). */
    DATA(Linux.RLIMIT_DATA()),
    /** File size in bytes ({@code RLIMIT_FSIZE}). */
    FSIZE(Linux.RLIMIT_FSIZE()),
    /** File locks (unused since Linux 2.4.25) ({@code RLIMIT_LOCKS}). */
    LOCKS(Linux.RLIMIT_LOCKS()),
    /** Locked memory in bytes ({@code RLIMIT_MEMLOCK}). */
    MEMLOCK(Linux.RLIMIT_MEMLOCK()),
    /** POSIX message queue bytes ({@code RLIMIT_MSGQUEUE}). */
    MSGQUEUE(Linux.RLIMIT_MSGQUEUE()),
    /** Ceiling of the nice value, as 20 - nice ({@code RLIMIT_NICE}). */
    NICE(Linux.RLIMIT_NICE()),
    /** Open file descriptors: one more than the highest number ({@code RLIMIT_NOFILE}). */
    NOFILE(Linux.RLIMIT_NOFILE()),
    /** Processes (threads) of the real user id ({@code RLIMIT_NPROC}). */
    NPROC(Linux.RLIMIT_NPROC()),
    /** Resident set size (no effect since Linux 2.6) ({@code RLIMIT_RSS}). */
    RSS(Linux.RLIMIT_RSS()),
    /** Ceiling of the real-time priority ({@code RLIMIT_RTPRIO}). */
    RTPRIO(Linux.RLIMIT_RTPRIO()),
    /** Real-time CPU time in microseconds without a blocking call ({@code RLIMIT_RTTIME}). */
    RTTIME(Linux.RLIMIT_RTTIME()),
    /** Queued signals ({@code RLIMIT_SIGPENDING}). */
    SIGPENDING(Linux.RLIMIT_SIGPENDING()),
    /** Main thread stack size in bytes ({@code RLIMIT_STACK}). */
    STACK(Linux.RLIMIT_STACK());

    private final int number;

    Resource(int number) {
        this.number = number;
    }

    /** The resource's number, the second argument of prlimit(2). */
    public int number() {
        return number;
    }

    /** The C name, e.g. {@code "RLIMIT_NOFILE"}. */
    public String cName() {
        return "RLIMIT_" + name();
    }
}
