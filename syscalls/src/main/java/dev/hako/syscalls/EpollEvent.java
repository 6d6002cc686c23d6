package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/** Event bits of epoll(7) ({@code EPOLL*}). @see <a href="https://man7.org/linux/man-pages/man2/epoll_ctl.2.html">epoll_ctl(2)</a> */
public enum EpollEvent implements Flag {
    /** Readable (for a pidfd: the process exited) ({@code EPOLLIN}). */
    IN(Linux.EPOLLIN(), "EPOLLIN"),
    /** Writable ({@code EPOLLOUT}). */
    OUT(Linux.EPOLLOUT(), "EPOLLOUT"),
    /** Exceptional condition (PSI triggers) ({@code EPOLLPRI}). */
    PRI(Linux.EPOLLPRI(), "EPOLLPRI"),
    /** Error condition ({@code EPOLLERR}). */
    ERR(Linux.EPOLLERR(), "EPOLLERR"),
    /** Hang up ({@code EPOLLHUP}). */
    HUP(Linux.EPOLLHUP(), "EPOLLHUP"),
    /** Peer closed its writing end ({@code EPOLLRDHUP}). */
    RDHUP(Linux.EPOLLRDHUP(), "EPOLLRDHUP"),
    /** Edge-triggered notification ({@code EPOLLET}). */
    EDGE_TRIGGERED(Linux.EPOLLET(), "EPOLLET"),
    /** Disarm after one event ({@code EPOLLONESHOT}). */
    ONESHOT(Linux.EPOLLONESHOT(), "EPOLLONESHOT");

    private final long bits;
    private final String cName;

    EpollEvent(long bits, String cName) {
        this.bits = bits;
        this.cName = cName;
    }

    @Override
    public long bits() {
        return bits;
    }

    @Override
    public String cName() {
        return cName;
    }
}
