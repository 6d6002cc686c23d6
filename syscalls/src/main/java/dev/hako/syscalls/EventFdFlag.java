package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/** Flags of eventfd(2) ({@code EFD_*}); Hako always adds {@code EFD_CLOEXEC}. @see <a href="https://man7.org/linux/man-pages/man2/eventfd.2.html">eventfd(2)</a> */
public enum EventFdFlag implements Flag {
    /** Non-blocking reads and writes ({@code EFD_NONBLOCK}). */
    NONBLOCK(Linux.EFD_NONBLOCK(), "EFD_NONBLOCK"),
    /** Reads decrement by one ({@code EFD_SEMAPHORE}). */
    SEMAPHORE(Linux.EFD_SEMAPHORE(), "EFD_SEMAPHORE"),
    /** Close on exec (always added) ({@code EFD_CLOEXEC}). */
    CLOEXEC(Linux.EFD_CLOEXEC(), "EFD_CLOEXEC");

    private final long bits;
    private final String cName;

    EventFdFlag(long bits, String cName) {
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
