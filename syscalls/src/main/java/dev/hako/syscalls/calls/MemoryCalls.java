package dev.hako.syscalls.calls;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.Flag;
import dev.hako.syscalls.MapFlag;
import dev.hako.syscalls.MemoryProtection;
import java.util.Set;

/**
 * Encoders of the memory-mapping calls (mmap, munmap, madvise): what
 * {@link dev.hako.syscalls.MemorySyscalls} runs, and what a child program maps its private
 * copy of a launch server's program chunk with.
 */
public final class MemoryCalls {

    private MemoryCalls() {
    }

    /**
     * mmap(2) of {@code length} bytes of {@code fd} (or -1 with {@link MapFlag#ANONYMOUS}) at
     * {@code offset}, at {@code address} (0: where the kernel chooses).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/mmap.2.html">mmap(2)</a>
     */
    public static Call mmap(long address, long length, Set<MemoryProtection> protection, Set<MapFlag> flags, int fd,
                            long offset) {
        return Call.of("mmap", Linux.SYS_mmap(), new long[] {address, length, Flag.combine(protection),
                Flag.combine(flags), fd, offset},
                () -> new String[] {"0x" + Long.toHexString(address), Long.toString(length), Flag.describe(protection),
                        Flag.describe(flags), Integer.toString(fd), Long.toString(offset)});
    }

    /** munmap(2) of {@code length} bytes at {@code address}. */
    public static Call munmap(long address, long length) {
        return Call.of("munmap", Linux.SYS_munmap(), new long[] {address, length},
                () -> new String[] {"0x" + Long.toHexString(address), Long.toString(length)});
    }

    /**
     * madvise(2) with MADV_POPULATE_WRITE (Linux 5.14): every page of the range is faulted
     * in writable now, so a private file mapping becomes a private copy at once.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/madvise.2.html">madvise(2)</a>
     */
    public static Call populateWrite(long address, long length) {
        return Call.of("madvise", Linux.SYS_madvise(), new long[] {address, length, Linux.MADV_POPULATE_WRITE()},
                () -> new String[] {"0x" + Long.toHexString(address), Long.toString(length), "MADV_POPULATE_WRITE"});
    }
}
