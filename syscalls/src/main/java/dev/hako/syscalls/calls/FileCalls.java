package dev.hako.syscalls.calls;

import static dev.hako.syscalls.calls.Show.cString;
import static dev.hako.syscalls.calls.Show.dirFd;
import static dev.hako.syscalls.calls.Show.octal;
import static dev.hako.syscalls.calls.Show.quote;

import dev.hako.bindings.Linux;
import dev.hako.bindings.open_how;
import dev.hako.syscalls.CloseRangeFlag;
import dev.hako.syscalls.Flag;
import dev.hako.syscalls.OpenFlag;
import dev.hako.syscalls.ResolveFlag;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Encoders of the descriptor and file calls: read, write, close, fcntl, close_range, dup3,
 * openat, openat2, chdir, fchdir, umask, mkdirat, mknodat, fchmodat, fchownat, symlinkat, fchown. Directory
 * descriptors are numbers, {@link Linux#AT_FDCWD()} for the current directory.
 */
public final class FileCalls {

    /** {@code AT_FDCWD}: paths relative to the current directory. */
    public static final int AT_FDCWD = Linux.AT_FDCWD();

    private FileCalls() {
    }

    /** read(2) of up to {@code buffer.byteSize()} bytes. */
    public static Call read(int fd, MemorySegment buffer) {
        return Call.of("read", Linux.SYS_read(), new long[] {fd, buffer.address(), buffer.byteSize()},
                () -> new String[] {Integer.toString(fd), "buf", Long.toString(buffer.byteSize())});
    }

    /** write(2) of {@code buffer}. */
    public static Call write(int fd, MemorySegment buffer) {
        return Call.of("write", Linux.SYS_write(), new long[] {fd, buffer.address(), buffer.byteSize()},
                () -> new String[] {Integer.toString(fd), "buf", Long.toString(buffer.byteSize())});
    }

    /** write(2) of a text (UTF-8), shown in the description. */
    public static Call write(SegmentAllocator memory, int fd, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        MemorySegment buffer = memory.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, buffer, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
        return Call.of("write", Linux.SYS_write(), new long[] {fd, buffer.address(), bytes.length},
                () -> new String[] {Integer.toString(fd), quote(text), Integer.toString(bytes.length)});
    }

    /** close(2). */
    public static Call close(int fd) {
        return Call.of("close", Linux.SYS_close(), new long[] {fd}, () -> new String[] {Integer.toString(fd)});
    }

    /** fcntl(2) F_DUPFD_CLOEXEC: a close-on-exec duplicate of {@code fd} numbered {@code minimum} or above. */
    public static Call dupCloexec(int fd, int minimum) {
        return fcntl(fd, Linux.F_DUPFD_CLOEXEC(), "F_DUPFD_CLOEXEC", minimum, Integer.toString(minimum));
    }

    /** fcntl(2) F_SETFD: the descriptor's own flags, FD_CLOEXEC or none. */
    public static Call setDescriptorFlags(int fd, boolean cloexec) {
        return fcntl(fd, Linux.F_SETFD(), "F_SETFD", cloexec ? Linux.FD_CLOEXEC() : 0, cloexec ? "FD_CLOEXEC" : "0");
    }

    /** fcntl(2) F_SETFL: the open file's status flags ({@code O_*} bits, shown in octal). */
    public static Call setStatusFlags(int fd, int flags) {
        return fcntl(fd, Linux.F_SETFL(), "F_SETFL", flags, "0" + Integer.toOctalString(flags));
    }

    private static Call fcntl(int fd, int command, String commandName, long argument, String argumentShown) {
        return Call.of("fcntl", Linux.SYS_fcntl(), new long[] {fd, command, argument},
                () -> new String[] {Integer.toString(fd), commandName, argumentShown});
    }

    /** close_range(2) from {@code first} to {@code last} inclusive (-1: the highest, {@code ~0U}). */
    public static Call closeRange(int first, int last, Set<CloseRangeFlag> flags) {
        return Call.of("close_range", Linux.SYS_close_range(), new long[] {Integer.toUnsignedLong(first),
                Integer.toUnsignedLong(last), Flag.combine(flags)},
                () -> new String[] {Integer.toUnsignedString(first),
                        last == -1 ? "~0U" : Integer.toUnsignedString(last), Flag.describe(flags)});
    }

    /** dup3(2); {@code cloexec} sets O_CLOEXEC on the copy. */
    public static Call dup3(int oldFd, int newFd, boolean cloexec) {
        return Call.of("dup3", Linux.SYS_dup3(), new long[] {oldFd, newFd, cloexec ? Linux.O_CLOEXEC() : 0},
                () -> new String[] {Integer.toString(oldFd), Integer.toString(newFd), cloexec ? "O_CLOEXEC" : "0"});
    }

    /** openat(2) with the flags as given; the mode is shown when not 0. */
    public static Call openat(SegmentAllocator memory, int directory, String path, Set<OpenFlag> flags, int mode) {
        long[] words = {directory, cString(memory, path, "openat path"), Flag.combine(flags), mode};
        return mode == 0
                ? Call.of("openat", Linux.SYS_openat(), words,
                        () -> new String[] {dirFd(directory), quote(path), Flag.describe(flags)})
                : Call.of("openat", Linux.SYS_openat(), words,
                        () -> new String[] {dirFd(directory), quote(path), Flag.describe(flags), octal(mode)});
    }

    /** openat2(2) with a {@code struct open_how}; the flags as given (callers add {@link OpenFlag#CLOEXEC}). */
    public static Call openat2(SegmentAllocator memory, int directory, String path, Set<OpenFlag> flags, int mode,
                               Set<ResolveFlag> resolve) {
        MemorySegment how = open_how.allocate(memory);
        open_how.flags(how, Flag.combine(flags));
        open_how.mode(how, mode);
        open_how.resolve(how, Flag.combine(resolve));
        return Call.of("openat2", Linux.SYS_openat2(), new long[] {directory, cString(memory, path, "openat2 path"),
                how.address(), open_how.sizeof()}, () -> new String[] {dirFd(directory), quote(path),
                        "{flags=" + Flag.describe(flags) + (mode == 0 ? "" : ", mode=" + octal(mode))
                                + (resolve.isEmpty() ? "" : ", resolve=" + Flag.describe(resolve)) + "}",
                        Long.toString(open_how.sizeof())});
    }

    /** chdir(2). */
    public static Call chdir(SegmentAllocator memory, String path) {
        return Call.of("chdir", Linux.SYS_chdir(), new long[] {cString(memory, path, "chdir path")},
                () -> new String[] {quote(path)});
    }

    /** fchdir(2). */
    public static Call fchdir(int fd) {
        return Call.of("fchdir", Linux.SYS_fchdir(), new long[] {fd}, () -> new String[] {Integer.toString(fd)});
    }

    /** umask(2); the result is the previous mask, never an error. */
    public static Call umask(int mask) {
        return Call.of("umask", Linux.SYS_umask(), new long[] {mask}, () -> new String[] {octal(mask)});
    }

    /** mkdirat(2). */
    public static Call mkdirat(SegmentAllocator memory, int directory, String path, int mode) {
        return Call.of("mkdirat", Linux.SYS_mkdirat(), new long[] {directory, cString(memory, path, "mkdirat path"),
                mode}, () -> new String[] {dirFd(directory), quote(path), octal(mode)});
    }

    /**
     * mknodat(2); a mode without a file type makes a regular file. The device number is the
     * kernel's encoding (glibc's makedev(3)); the plan shows a typed mode and a device as
     * strace does, {@code S_IFCHR|0660, makedev(0xa, 0x29a)}.
     */
    public static Call mknodat(SegmentAllocator memory, int directory, String path, int mode, long device) {
        return Call.of("mknodat", Linux.SYS_mknodat(), new long[] {directory, cString(memory, path, "mknodat path"),
                mode, device}, () -> new String[] {dirFd(directory), quote(path), fileMode(mode),
                        device == 0 ? "0" : "makedev(0x" + Long.toHexString(major(device)) + ", 0x"
                                + Long.toHexString(minor(device)) + ")"});
    }

    /** The major number of a device number as glibc's makedev(3) encodes it. */
    private static long major(long device) {
        return ((device >>> 32) & 0xfffff000L) | ((device >>> 8) & 0xfffL);
    }

    /** The minor number of a device number as glibc's makedev(3) encodes it. */
    private static long minor(long device) {
        return ((device >>> 12) & 0xffffff00L) | (device & 0xffL);
    }

    /** A mode with its file type named, as strace prints it: {@code S_IFBLK|0600}, or {@code 0644} without one. */
    private static String fileMode(int mode) {
        int type = mode & Linux.S_IFMT();
        String name = type == Linux.S_IFREG() ? "S_IFREG" : type == Linux.S_IFCHR() ? "S_IFCHR"
                : type == Linux.S_IFBLK() ? "S_IFBLK" : type == Linux.S_IFIFO() ? "S_IFIFO"
                : type == Linux.S_IFDIR() ? "S_IFDIR" : null;
        return name == null ? octal(mode) : name + "|" + octal(mode & ~Linux.S_IFMT());
    }

    /**
     * fchmodat(2): sets the permission bits, whatever the umask was when the file was made.
     * The system call has no flags: a link as the last component is followed.
     */
    public static Call fchmodat(SegmentAllocator memory, int directory, String path, int mode) {
        return Call.of("fchmodat", Linux.SYS_fchmodat(), new long[] {directory, cString(memory, path, "fchmodat path"),
                mode}, () -> new String[] {dirFd(directory), quote(path), octal(mode)});
    }

    /** fchownat(2) with {@code AT_SYMLINK_NOFOLLOW}: a link as the last component is changed itself, never followed. */
    public static Call fchownat(SegmentAllocator memory, int directory, String path, long uid, long gid) {
        return Call.of("fchownat", Linux.SYS_fchownat(), new long[] {directory, cString(memory, path, "fchownat path"),
                uid, gid, Linux.AT_SYMLINK_NOFOLLOW()}, () -> new String[] {dirFd(directory), quote(path),
                        Long.toString(uid), Long.toString(gid), "AT_SYMLINK_NOFOLLOW"});
    }

    /** symlinkat(2): makes {@code linkPath} a link whose contents are {@code target}. */
    public static Call symlinkat(SegmentAllocator memory, String target, int directory, String linkPath) {
        return Call.of("symlinkat", Linux.SYS_symlinkat(), new long[] {cString(memory, target, "symlinkat target"),
                directory, cString(memory, linkPath, "symlinkat linkPath")},
                () -> new String[] {quote(target), dirFd(directory), quote(linkPath)});
    }

    /** fchown(2); -1 leaves the owner or the group as it is. */
    public static Call fchown(int fd, long uid, long gid) {
        return Call.of("fchown", Linux.SYS_fchown(), new long[] {fd, uid == -1 ? 0xffffffffL : uid,
                gid == -1 ? 0xffffffffL : gid}, () -> new String[] {Integer.toString(fd), Long.toString(uid),
                        Long.toString(gid)});
    }
}
