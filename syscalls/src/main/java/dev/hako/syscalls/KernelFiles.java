package dev.hako.syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads small kernel-generated files (/proc, /sys, cgroup control files) the way they
 * must be read: from offset 0 in as few read(2) calls as possible.
 *
 * <p>{@code Files.readString} is not safe here: for a file that reports size 0 it reads a
 * first byte, then asks for the rest at offset 1, and many /proc/sys handlers answer any
 * read past offset 0 with end of file, so "40" comes back as "4".
 */
public final class KernelFiles {

    private static final int BUFFER = 64 * 1024;

    private KernelFiles() {
    }

    /**
     * Returns the file's content as UTF-8 text.
     *
     * @throws SyscallException if it cannot be opened or read
     */
    public static String read(String path) throws SyscallException {
        try (Fd fd = FileSyscalls.openat2(null, path, EnumSet.of(OpenFlag.READ_ONLY), 0, Set.of());
             Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(BUFFER);
            long total = 0;
            long n;
            while (total < BUFFER && (n = FileSyscalls.read(fd, buffer.asSlice(total))) > 0) {
                total += n;
            }
            return new String(buffer.asSlice(0, total).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    /** Like {@link #read(String)} with surrounding white space stripped, or null if unreadable. */
    public static String readStrippedOrNull(String path) {
        try {
            return read(path).strip();
        } catch (SyscallException e) {
            return null;
        }
    }
}
