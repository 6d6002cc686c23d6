package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.statfs;
import dev.hako.syscalls.calls.FileCalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Descriptors and plain I/O: read, write, close, pipe2, dup3, close_range, openat2,
 * rmdir, statfs and eventfd. Every descriptor these return is close-on-exec.
 */
public final class FileSyscalls {

    private FileSyscalls() {
    }

    /** The two ends of a pipe. */
    public record Pipe(Fd read, Fd write) implements AutoCloseable {
        /** Closes both ends. */
        @Override
        public void close() {
            read.close();
            write.close();
        }
    }

    /**
     * What statfs(2) reports about a file system. A class rather than a record, so that
     * fields of {@code struct statfs} not reported yet ({@code f_fsid}, {@code f_frsize})
     * can be added without breaking callers.
     */
    public static final class FsStat {
        private final long type;
        private final long blockSize;
        private final long blocks;
        private final long blocksFree;
        private final long blocksAvailable;
        private final long files;
        private final long filesFree;
        private final long nameMax;
        private final long flags;

        FsStat(long type, long blockSize, long blocks, long blocksFree, long blocksAvailable, long files,
                long filesFree, long nameMax, long flags) {
            this.type = type;
            this.blockSize = blockSize;
            this.blocks = blocks;
            this.blocksFree = blocksFree;
            this.blocksAvailable = blocksAvailable;
            this.files = files;
            this.filesFree = filesFree;
            this.nameMax = nameMax;
            this.flags = flags;
        }

        /** {@return the file system type, a magic number such as {@code CGROUP2_SUPER_MAGIC} ({@code f_type})} */
        public long type() {
            return type;
        }

        /** {@return the optimal transfer block size ({@code f_bsize})} */
        public long blockSize() {
            return blockSize;
        }

        /** {@return the total data blocks, in units of the fragment size ({@code f_blocks})} */
        public long blocks() {
            return blocks;
        }

        /** {@return the free blocks ({@code f_bfree})} */
        public long blocksFree() {
            return blocksFree;
        }

        /** {@return the free blocks available to unprivileged users ({@code f_bavail})} */
        public long blocksAvailable() {
            return blocksAvailable;
        }

        /** {@return the total inodes ({@code f_files})} */
        public long files() {
            return files;
        }

        /** {@return the free inodes ({@code f_ffree})} */
        public long filesFree() {
            return filesFree;
        }

        /** {@return the maximum length of a file name ({@code f_namelen})} */
        public long nameMax() {
            return nameMax;
        }

        /** {@return the mount flags ({@code f_flags}, {@code ST_*})} */
        public long flags() {
            return flags;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FsStat other && Objects.equals(type, other.type)
                    && Objects.equals(blockSize, other.blockSize)
                    && Objects.equals(blocks, other.blocks)
                    && Objects.equals(blocksFree, other.blocksFree)
                    && Objects.equals(blocksAvailable, other.blocksAvailable)
                    && Objects.equals(files, other.files)
                    && Objects.equals(filesFree, other.filesFree)
                    && Objects.equals(nameMax, other.nameMax)
                    && Objects.equals(flags, other.flags);
        }

        @Override
        public int hashCode() {
            return Objects.hash(type, blockSize, blocks, blocksFree, blocksAvailable, files, filesFree, nameMax, flags);
        }

        @Override
        public String toString() {
            return "FsStat[" + "type=" + type + ", "
                    + "blockSize=" + blockSize + ", "
                    + "blocks=" + blocks + ", "
                    + "blocksFree=" + blocksFree + ", "
                    + "blocksAvailable=" + blocksAvailable + ", "
                    + "files=" + files + ", "
                    + "filesFree=" + filesFree + ", "
                    + "nameMax=" + nameMax + ", "
                    + "flags=" + flags + "]";
        }
    }

    /**
     * Reads up to {@code buffer.byteSize()} bytes; returns the count, 0 at end of file.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/read.2.html">read(2)</a>
     */
    public static long read(Fd fd, MemorySegment buffer) throws SyscallException {
        return Kernel.run(FileCalls.read(fd.value(), buffer));
    }

    /**
     * Writes up to {@code buffer.byteSize()} bytes; returns how many were written.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/write.2.html">write(2)</a>
     */
    public static long write(Fd fd, MemorySegment buffer) throws SyscallException {
        return Kernel.run(FileCalls.write(fd.value(), buffer));
    }

    /**
     * Writes all of {@code bytes}, retrying short writes; for small control messages
     * (cgroup files, uid_map) where one write must carry the whole value.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/write.2.html">write(2)</a>
     */
    public static void writeFully(Fd fd, byte[] bytes) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, buffer, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
            long done = 0;
            while (done < bytes.length) {
                done += write(fd, buffer.asSlice(done, bytes.length - done));
            }
        }
    }

    /**
     * Closes a descriptor number this code does not own through an {@link Fd}. Prefer
     * {@link Fd#close()}.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/close.2.html">close(2)</a>
     */
    public static void close(int fd) throws SyscallException {
        Kernel.run(FileCalls.close(fd));
    }

    /**
     * Creates a pipe; both ends close-on-exec (Linux 2.6.27).
     *
     * @param nonblock open both ends O_NONBLOCK
     * @see <a href="https://man7.org/linux/man-pages/man2/pipe2.2.html">pipe2(2)</a>
     */
    public static Pipe pipe2(boolean nonblock) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(java.lang.foreign.ValueLayout.JAVA_INT, 2);
            int flags = Linux.O_CLOEXEC() | (nonblock ? Linux.O_NONBLOCK() : 0);
            long result = Kernel.critical(Linux.SYS_pipe2(), fds.address(), flags, 0);
            if (result < 0) {
                throw Kernel.failure(result, "pipe2", nonblock ? "O_CLOEXEC|O_NONBLOCK" : "O_CLOEXEC");
            }
            return new Pipe(Fd.adopt(fds.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, 0)),
                    Fd.adopt(fds.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, 1)));
        }
    }

    /**
     * Duplicates {@code oldFd} onto the number {@code newFd}, closing what was there.
     *
     * @param cloexec set close-on-exec on the copy
     * @return the new descriptor, owned by the caller
     * @see <a href="https://man7.org/linux/man-pages/man2/dup3.2.html">dup3(2)</a>
     */
    public static Fd dup3(Fd oldFd, int newFd, boolean cloexec) throws SyscallException {
        return Fd.adopt((int) Kernel.runCritical(FileCalls.dup3(oldFd.value(), newFd, cloexec)));
    }

    /**
     * Duplicates a descriptor to the lowest free number at or above {@code minimum}, with
     * close-on-exec set ({@code fcntl(F_DUPFD_CLOEXEC)}, Linux 2.6.24).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/fcntl.2.html">fcntl(2)</a>
     */
    public static Fd dupCloexec(Fd fd, int minimum) throws SyscallException {
        return Fd.adopt((int) Kernel.runCritical(FileCalls.dupCloexec(fd.value(), minimum)));
    }

    /**
     * Closes (or with {@link CloseRangeFlag#CLOEXEC} marks close-on-exec) every descriptor
     * from {@code first} to {@code last} inclusive (Linux 5.9; CLOEXEC 5.11).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/close_range.2.html">close_range(2)</a>
     */
    public static void closeRange(int first, int last, Set<CloseRangeFlag> flags) throws SyscallException {
        Kernel.runCritical(FileCalls.closeRange(first, last, flags));
    }

    /**
     * Opens a path with resolution restrictions (Linux 5.6). O_CLOEXEC is always added.
     *
     * @param directory the starting directory, or null for the current directory
     * @param path      the path, relative to {@code directory} (absolute paths ignore it
     *                  unless {@link ResolveFlag#IN_ROOT} is given)
     * @param flags     open flags
     * @param mode      permission bits for a created file, else 0
     * @param resolve   resolution restrictions
     * @see <a href="https://man7.org/linux/man-pages/man2/openat2.2.html">openat2(2)</a>
     */
    public static Fd openat2(Fd directory, String path, Set<OpenFlag> flags, int mode, Set<ResolveFlag> resolve)
            throws SyscallException {
        EnumSet<OpenFlag> all = flags.isEmpty() ? EnumSet.noneOf(OpenFlag.class) : EnumSet.copyOf(flags);
        all.add(OpenFlag.CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            return Fd.adopt((int) Kernel.run(FileCalls.openat2(arena, Native.dirFd(directory), path, all, mode, resolve)));
        }
    }

    /**
     * Removes an empty directory. For a cgroup directory "empty" means no member processes
     * and no child groups: its control files do not count, and a busy group fails with
     * EBUSY. Made as unlinkat(AT_FDCWD, path, AT_REMOVEDIR), which is what rmdir is on
     * every architecture (aarch64 has no rmdir syscall); failures name {@code rmdir}.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/rmdir.2.html">rmdir(2)</a>
     * @see <a href="https://man7.org/linux/man-pages/man2/unlinkat.2.html">unlinkat(2)</a>
     */
    public static void rmdir(String path) throws SyscallException {
        Native.requireNoNul(path, "rmdir path");
        try (Arena arena = Arena.ofConfined()) {
            long result = Kernel.blocking(Linux.SYS_unlinkat(), Linux.AT_FDCWD(), arena.allocateFrom(path).address(),
                    Linux.AT_REMOVEDIR());
            if (result < 0) {
                throw Kernel.failure(result, "rmdir", '"' + path + '"');
            }
        }
    }

    /**
     * Reports on the file system holding {@code path}; {@link FsStat#type()} is its magic
     * number (e.g. {@code Linux.CGROUP2_SUPER_MAGIC()}).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/statfs.2.html">statfs(2)</a>
     */
    public static FsStat statfs(String path) throws SyscallException {
        Native.requireNoNul(path, "statfs path");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = statfs.allocate(arena);
            long result = Kernel.blocking(Linux.SYS_statfs(), arena.allocateFrom(path).address(), buffer.address(), 0);
            if (result < 0) {
                throw Kernel.failure(result, "statfs", '"' + path + '"');
            }
            return new FsStat(statfs.f_type(buffer), statfs.f_bsize(buffer), statfs.f_blocks(buffer),
                    statfs.f_bfree(buffer), statfs.f_bavail(buffer), statfs.f_files(buffer), statfs.f_ffree(buffer),
                    statfs.f_namelen(buffer), statfs.f_flags(buffer));
        }
    }

    /**
     * Creates an event counter descriptor; EFD_CLOEXEC is always added (Linux 2.6.27).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/eventfd.2.html">eventfd(2)</a>
     */
    public static Fd eventfd(int initialValue, Set<EventFdFlag> flags) throws SyscallException {
        EnumSet<EventFdFlag> all = flags.isEmpty() ? EnumSet.noneOf(EventFdFlag.class) : EnumSet.copyOf(flags);
        all.add(EventFdFlag.CLOEXEC);
        long result = Kernel.critical(Linux.SYS_eventfd2(), Integer.toUnsignedLong(initialValue), Flag.combine(all), 0);
        if (result < 0) {
            throw Kernel.failure(result, "eventfd", initialValue + ", " + Flag.describe(all));
        }
        return Fd.adopt((int) result);
    }
}
