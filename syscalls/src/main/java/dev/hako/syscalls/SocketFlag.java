package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * Flags given with the type to socket(2); Hako always adds {@code SOCK_CLOEXEC}.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/socket.2.html">socket(2)</a>
 */
public enum SocketFlag implements Flag {
    /** Non-blocking I/O ({@code SOCK_NONBLOCK}). */
    NONBLOCK(Linux.SOCK_NONBLOCK(), "SOCK_NONBLOCK"),
    /** Close on exec (always added) ({@code SOCK_CLOEXEC}). */
    CLOEXEC(Linux.SOCK_CLOEXEC(), "SOCK_CLOEXEC");

    private final long bits;
    private final String cName;

    SocketFlag(long bits, String cName) {
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
