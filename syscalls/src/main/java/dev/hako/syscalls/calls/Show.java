package dev.hako.syscalls.calls;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.Signal;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringJoiner;

/** How the encoders write argument values, and the C strings they allocate. */
final class Show {

    static final int AT_FDCWD = Linux.AT_FDCWD();

    private Show() {
    }

    /** A string as strace quotes it; NULL for null. */
    static String quote(String value) {
        return CStrings.quote(value);
    }

    /** A directory descriptor argument: {@code AT_FDCWD} or its number. */
    static String dirFd(int fd) {
        return fd == AT_FDCWD ? "AT_FDCWD" : Integer.toString(fd);
    }

    /** Octal, as modes are written: {@code 0755}. */
    static String octal(long mode) {
        return "0" + Long.toOctalString(mode);
    }

    /** A list of strings as strace prints argv: {@code ["a", "b"]}. */
    static String strings(List<String> values) {
        StringJoiner joiner = new StringJoiner(", ", "[", "]");
        values.forEach(value -> joiner.add(quote(value)));
        return joiner.toString();
    }

    /** A signal number by name, {@code SIGTERM}. */
    static String signal(int number) {
        return Signal.name(number);
    }

    /** A signal set (bit {@code n - 1} for signal {@code n}) as strace prints it: {@code [HUP CHLD]}. */
    static String signalSet(long mask) {
        StringJoiner joiner = new StringJoiner(" ", "[", "]");
        for (int signal = 1; signal <= 64; signal++) {
            if ((mask & (1L << (signal - 1))) != 0) {
                String name = Signal.name(signal);
                joiner.add(name.startsWith("SIG") ? name.substring(3) : name);
            }
        }
        return joiner.toString();
    }

    /** A NUL-terminated copy of {@code value} (UTF-8), after refusing an embedded NUL; NULL for null. */
    static long cString(SegmentAllocator memory, String value, String what) {
        if (value == null) {
            return 0;
        }
        CStrings.requireNoNul(value, what);
        return memory.allocateFrom(value, StandardCharsets.UTF_8).address();
    }

    /** The address of a segment; NULL for null. */
    static long address(MemorySegment segment) {
        return segment == null ? 0 : segment.address();
    }
}
