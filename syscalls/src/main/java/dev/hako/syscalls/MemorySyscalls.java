package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.calls.MemoryCalls;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Memory shared between processes: an anonymous file ({@code memfd_create}), its size
 * ({@code ftruncate}), and mappings of it ({@code mmap}, {@code munmap}).
 */
public final class MemorySyscalls {

    private MemorySyscalls() {
    }

    /**
     * An anonymous file in memory, close-on-exec ({@code memfd_create} with
     * {@code MFD_CLOEXEC}, Linux 3.17). Its size is 0 until {@link #ftruncate} sets one.
     *
     * @param name shown in /proc/PID/fd and maps as {@code /memfd:name}; at most 249 bytes
     * @see <a href="https://man7.org/linux/man-pages/man2/memfd_create.2.html">memfd_create(2)</a>
     */
    public static Fd memfdCreate(String name) throws SyscallException {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 249 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a memfd name is at most 249 bytes without NUL, not \"" + name + "\"");
        }
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment text = arena.allocateFrom(name, StandardCharsets.UTF_8);
            long result = Kernel.critical(Linux.SYS_memfd_create(), text.address(), Linux.MFD_CLOEXEC(), 0);
            if (result < 0) {
                throw Kernel.failure(result, "memfd_create", "\"" + name + "\", MFD_CLOEXEC");
            }
            return Fd.adopt((int) result);
        }
    }

    /**
     * Sets a file's size: pages beyond the old end read as zero and cost nothing until
     * written ({@code ftruncate}).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/ftruncate.2.html">ftruncate(2)</a>
     */
    public static void ftruncate(Fd fd, long length) throws SyscallException {
        long result = Kernel.critical(Linux.SYS_ftruncate(), fd.value(), length, 0);
        if (result < 0) {
            throw Kernel.failure(result, "ftruncate", fd.value() + ", " + length);
        }
    }

    /**
     * Maps a file, or anonymous memory with {@code fd} null ({@code mmap}). The segment is
     * the mapping itself: it stays valid until {@link #munmap}, whatever arena or scope the
     * caller has.
     *
     * @param address where to map: 0 lets the kernel choose; with
     *                {@link MapFlag#FIXED_NOREPLACE} exactly there or EEXIST
     * @param fd      the file, or null for {@link MapFlag#ANONYMOUS}
     * @see <a href="https://man7.org/linux/man-pages/man2/mmap.2.html">mmap(2)</a>
     */
    public static MemorySegment mmap(long address, long length, Set<MemoryProtection> protection, Set<MapFlag> flags,
                                     Fd fd, long offset) throws SyscallException {
        if (flags.contains(MapFlag.SHARED) == flags.contains(MapFlag.PRIVATE)) {
            throw new IllegalArgumentException("mmap takes exactly one of MAP_SHARED and MAP_PRIVATE, not "
                    + Flag.describe(flags));
        }
        long result = Kernel.runCritical(MemoryCalls.mmap(address, length, protection, flags,
                fd == null ? -1 : fd.value(), offset));
        return MemorySegment.ofAddress(result).reinterpret(length);
    }

    /**
     * Removes a mapping ({@code munmap}); every segment over it must no longer be used.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/munmap.2.html">munmap(2)</a>
     */
    public static void munmap(MemorySegment mapping) throws SyscallException {
        Kernel.runCritical(MemoryCalls.munmap(mapping.address(), mapping.byteSize()));
    }
}
