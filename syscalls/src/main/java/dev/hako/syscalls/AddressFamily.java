package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * The communication domain of a socket ({@code AF_*}).
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/socket.2.html">socket(2)</a>
 */
public enum AddressFamily {
    /** Local communication ({@code AF_UNIX}). */
    UNIX(Linux.AF_UNIX(), "AF_UNIX"),
    /** IPv4 ({@code AF_INET}). */
    INET(Linux.AF_INET(), "AF_INET"),
    /** IPv6 ({@code AF_INET6}). */
    INET6(Linux.AF_INET6(), "AF_INET6"),
    /** Kernel interfaces such as rtnetlink ({@code AF_NETLINK}). */
    NETLINK(Linux.AF_NETLINK(), "AF_NETLINK"),
    /** Device-level packets ({@code AF_PACKET}). */
    PACKET(Linux.AF_PACKET(), "AF_PACKET"),
    /** Unspecified ({@code AF_UNSPEC}). */
    UNSPEC(Linux.AF_UNSPEC(), "AF_UNSPEC");

    private final int value;
    private final String cName;

    AddressFamily(int value, String cName) {
        this.value = value;
        this.cName = cName;
    }

    /** The address family as socket(2) takes it. */
    public int value() {
        return value;
    }

    /** The C name, e.g. {@code "AF_UNIX"}. */
    public String cName() {
        return cName;
    }
}
