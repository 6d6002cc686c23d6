package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * The communication semantics of a socket ({@code SOCK_*}).
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/socket.2.html">socket(2)</a>
 */
public enum SocketType {
    /** Reliable byte stream (TCP) ({@code SOCK_STREAM}). */
    STREAM(Linux.SOCK_STREAM(), "SOCK_STREAM"),
    /** Datagrams (UDP, netlink) ({@code SOCK_DGRAM}). */
    DGRAM(Linux.SOCK_DGRAM(), "SOCK_DGRAM"),
    /** Raw protocol access ({@code SOCK_RAW}). */
    RAW(Linux.SOCK_RAW(), "SOCK_RAW");

    private final int value;
    private final String cName;

    SocketType(int value, String cName) {
        this.value = value;
        this.cName = cName;
    }

    /** The socket type as socket(2) takes it. */
    public int value() {
        return value;
    }

    /** The C name, e.g. {@code "SOCK_STREAM"}. */
    public String cName() {
        return cName;
    }
}
