package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/** Event bits of poll(2) ({@code POLL*}). @see <a href="https://man7.org/linux/man-pages/man2/poll.2.html">poll(2)</a> */
public enum PollEvent implements Flag {
    /** Data to read ({@code POLLIN}). */
    IN(Linux.POLLIN(), "POLLIN"),
    /** Exceptional condition (cgroup PSI triggers, cgroup.events changes) ({@code POLLPRI}). */
    PRI(Linux.POLLPRI(), "POLLPRI"),
    /** Writable ({@code POLLOUT}). */
    OUT(Linux.POLLOUT(), "POLLOUT"),
    /** Error condition ({@code POLLERR}). */
    ERR(Linux.POLLERR(), "POLLERR"),
    /** Hang up ({@code POLLHUP}). */
    HUP(Linux.POLLHUP(), "POLLHUP"),
    /** The descriptor is not open ({@code POLLNVAL}). */
    NVAL(Linux.POLLNVAL(), "POLLNVAL"),
    /** Peer closed its writing end ({@code POLLRDHUP}). */
    RDHUP(Linux.POLLRDHUP(), "POLLRDHUP");

    private final long bits;
    private final String cName;

    PollEvent(long bits, String cName) {
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
