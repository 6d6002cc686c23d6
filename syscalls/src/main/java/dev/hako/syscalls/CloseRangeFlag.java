package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/** Flags of close_range(2) ({@code CLOSE_RANGE_*}). @see <a href="https://man7.org/linux/man-pages/man2/close_range.2.html">close_range(2)</a> */
public enum CloseRangeFlag implements Flag {
    /** Unshare the descriptor table first ({@code CLOSE_RANGE_UNSHARE}). */
    UNSHARE(Linux.CLOSE_RANGE_UNSHARE(), "CLOSE_RANGE_UNSHARE"),
    /** Mark close-on-exec instead of closing (Linux 5.11) ({@code CLOSE_RANGE_CLOEXEC}). */
    CLOEXEC(Linux.CLOSE_RANGE_CLOEXEC(), "CLOSE_RANGE_CLOEXEC");

    private final long bits;
    private final String cName;

    CloseRangeFlag(long bits, String cName) {
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
