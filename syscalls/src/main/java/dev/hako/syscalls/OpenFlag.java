package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/** Flags of open(2) and openat2(2) ({@code O_*}); Hako always adds {@code O_CLOEXEC}. @see <a href="https://man7.org/linux/man-pages/man2/open.2.html">open(2)</a> */
public enum OpenFlag implements Flag {
    /** Open for reading only ({@code O_RDONLY}). */
    READ_ONLY(Linux.O_RDONLY(), "O_RDONLY"),
    /** Open for writing only ({@code O_WRONLY}). */
    WRITE_ONLY(Linux.O_WRONLY(), "O_WRONLY"),
    /** Open for reading and writing ({@code O_RDWR}). */
    READ_WRITE(Linux.O_RDWR(), "O_RDWR"),
    /** Create the file if missing ({@code O_CREAT}). */
    CREATE(Linux.O_CREAT(), "O_CREAT"),
    /** Fail if the file exists ({@code O_EXCL}). */
    EXCLUSIVE(Linux.O_EXCL(), "O_EXCL"),
    /** Truncate to zero length ({@code O_TRUNC}). */
    TRUNCATE(Linux.O_TRUNC(), "O_TRUNC"),
    /** Write at the end ({@code O_APPEND}). */
    APPEND(Linux.O_APPEND(), "O_APPEND"),
    /** Non-blocking I/O ({@code O_NONBLOCK}). */
    NONBLOCK(Linux.O_NONBLOCK(), "O_NONBLOCK"),
    /** Fail unless a directory ({@code O_DIRECTORY}). */
    DIRECTORY(Linux.O_DIRECTORY(), "O_DIRECTORY"),
    /** Fail if the last component is a symlink ({@code O_NOFOLLOW}). */
    NOFOLLOW(Linux.O_NOFOLLOW(), "O_NOFOLLOW"),
    /** A location only, no I/O ({@code O_PATH}). */
    PATH(Linux.O_PATH(), "O_PATH"),
    /** Close on exec (always added) ({@code O_CLOEXEC}). */
    CLOEXEC(Linux.O_CLOEXEC(), "O_CLOEXEC"),
    /** Never become the controlling terminal ({@code O_NOCTTY}). */
    NOCTTY(Linux.O_NOCTTY(), "O_NOCTTY"),
    /** Bypass the page cache ({@code O_DIRECT}). */
    DIRECT(Linux.O_DIRECT(), "O_DIRECT"),
    /** Synchronous writes ({@code O_SYNC}). */
    SYNC(Linux.O_SYNC(), "O_SYNC"),
    /** An unnamed temporary file ({@code O_TMPFILE}). */
    TMPFILE(Linux.O_TMPFILE(), "O_TMPFILE");

    private final long bits;
    private final String cName;

    OpenFlag(long bits, String cName) {
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
