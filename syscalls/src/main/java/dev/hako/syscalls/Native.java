package dev.hako.syscalls;

import dev.hako.syscalls.calls.CStrings;
import dev.hako.syscalls.calls.FileCalls;
import java.lang.foreign.MemorySegment;

/** Small helpers for C data that the syscall wrappers share. */
final class Native {

    private Native() {
    }

    /** Reads a NUL-terminated string at a native address of unknown length. */
    static String string(MemorySegment pointer) {
        // A C string's length is unknown until its NUL: widening the segment is the only way.
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /**
     * Rejects strings the kernel would cut at the first NUL byte, naming the field; a
     * silently truncated path or hostname is worse than an error.
     */
    static String requireNoNul(String value, String what) {
        return CStrings.requireNoNul(value, what);
    }

    /** The address of a segment as a syscall argument; NULL for {@code null}. */
    static long address(MemorySegment segment) {
        return segment == null ? 0L : segment.address();
    }

    /** A directory descriptor argument: its number, or AT_FDCWD for null (the current directory). */
    static int dirFd(Fd directory) {
        return directory == null ? FileCalls.AT_FDCWD : directory.value();
    }
}
