package dev.hako.syscalls;

import dev.hako.syscalls.calls.Call;
import dev.hako.syscalls.calls.FileCalls;
import dev.hako.syscalls.calls.MountCalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Mounts: the classic mount, umount2 and pivot_root, and the file descriptor based mount
 * API of Linux 5.2 (fsopen, fsconfig, fsmount, move_mount, open_tree) with mount_setattr
 * (Linux 5.12).
 *
 * <p>A mount change applies to the calling thread's mount namespace. To change mounts
 * from Java without touching the JVM's own, call them on a dedicated platform thread
 * after {@code unshare(MOUNT)}, and make {@code /} private first
 * ({@code mount(null, "/", null, {MS_REC, MS_PRIVATE}, null)}) so nothing propagates back.
 *
 * <p>These calls may sleep (disk I/O, locks), so they never use the critical downcall.
 *
 * @see <a href="https://man7.org/linux/man-pages/man7/mount_namespaces.7.html">mount_namespaces(7)</a>
 */
public final class MountSyscalls {

    /** Generous for the kernel's fs context messages, which are at most a line each. */
    private static final int LOG_BUFFER = 1024;

    private MountSyscalls() {
    }

    /**
     * Mounts a file system, or with {@link MountFlag#BIND}, {@link MountFlag#MOVE},
     * {@link MountFlag#REMOUNT} or a propagation flag changes an existing mount (Linux 1.0).
     *
     * @param source what to mount (a device, a directory for a bind mount, any label for
     *               virtual file systems), or null
     * @param target where, an existing directory (or file for a file bind mount)
     * @param fsType the file system type, e.g. {@code "tmpfs"}, or null when not creating one
     * @param flags  mount flags
     * @param data   file system options, e.g. {@code "size=1m,mode=755"}, or null
     * @see <a href="https://man7.org/linux/man-pages/man2/mount.2.html">mount(2)</a>
     */
    public static void mount(String source, String target, String fsType, Set<MountFlag> flags, String data)
            throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            Kernel.run(MountCalls.mount(arena, source, target, fsType, flags, data));
        }
    }

    /**
     * Unmounts the file system mounted at {@code target} (Linux 2.1.116).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/umount2.2.html">umount2(2)</a>
     */
    public static void umount2(String target, Set<UnmountFlag> flags) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            Kernel.run(MountCalls.umount2(arena, target, flags));
        }
    }

    /**
     * Makes {@code newRoot} the root mount of the calling thread's mount namespace and
     * moves the old root to {@code putOld} (Linux 2.3.41). {@code newRoot} must be a mount
     * point, {@code putOld} must be at or under it, and neither may have shared propagation.
     * Threads and processes whose root or current directory was the old root move too.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/pivot_root.2.html">pivot_root(2)</a>
     */
    public static void pivotRoot(String newRoot, String putOld) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            Kernel.run(MountCalls.pivotRoot(arena, newRoot, putOld));
        }
    }

    /**
     * Opens a file system context for {@code fsName} (e.g. {@code "tmpfs"}), to configure
     * with the fsconfig methods and then mount with {@link #fsmount} (Linux 5.2). The
     * descriptor is close-on-exec. The kernel also queues error messages on it, which the
     * fsconfig and fsmount methods of this class put into their exceptions.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/fsopen.2.html">fsopen(2)</a>
     */
    public static Fd fsopen(String fsName) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            return Fd.adopt((int) Kernel.run(MountCalls.fsopen(arena, fsName)));
        }
    }

    /**
     * Sets a flag parameter, such as {@code "ro"} (fsconfig FSCONFIG_SET_FLAG, Linux 5.2).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/fsconfig.2.html">fsconfig(2)</a>
     */
    public static void fsconfigSetFlag(Fd context, String key) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            onContext(context, MountCalls.fsconfigSetFlag(arena, context.value(), key));
        }
    }

    /**
     * Sets a string parameter, such as {@code "size"} to {@code "1m"} (fsconfig
     * FSCONFIG_SET_STRING, Linux 5.2).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/fsconfig.2.html">fsconfig(2)</a>
     */
    public static void fsconfigSetString(Fd context, String key, String value) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            onContext(context, MountCalls.fsconfigSetString(arena, context.value(), key, value));
        }
    }

    /**
     * Sets a binary parameter (fsconfig FSCONFIG_SET_BINARY, Linux 5.2).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/fsconfig.2.html">fsconfig(2)</a>
     */
    public static void fsconfigSetBinary(Fd context, String key, byte[] value) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            onContext(context, MountCalls.fsconfigSetBinary(arena, context.value(), key, value));
        }
    }

    /**
     * Sets a path parameter, such as an overlay's {@code "lowerdir+"} (fsconfig
     * FSCONFIG_SET_PATH, Linux 5.2).
     *
     * @param directory where a relative {@code path} starts, or null for the current directory
     * @see <a href="https://man7.org/linux/man-pages/man2/fsconfig.2.html">fsconfig(2)</a>
     */
    public static void fsconfigSetPath(Fd context, String key, Fd directory, String path) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            onContext(context, MountCalls.fsconfigSetPath(arena, context.value(), key, Native.dirFd(directory), path));
        }
    }

    /**
     * Sets a path parameter to the file an open descriptor refers to (fsconfig
     * FSCONFIG_SET_PATH_EMPTY, Linux 5.2).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/fsconfig.2.html">fsconfig(2)</a>
     */
    public static void fsconfigSetPathEmpty(Fd context, String key, Fd file) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            onContext(context, MountCalls.fsconfigSetPathEmpty(arena, context.value(), key, file.value()));
        }
    }

    /**
     * Sets a descriptor parameter, such as fuse's {@code "fd"} (fsconfig FSCONFIG_SET_FD,
     * Linux 5.2).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/fsconfig.2.html">fsconfig(2)</a>
     */
    public static void fsconfigSetFd(Fd context, String key, Fd value) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            onContext(context, MountCalls.fsconfigSetFd(arena, context.value(), key, value.value()));
        }
    }

    /**
     * Creates the file system (superblock) from the parameters set so far, so that
     * {@link #fsmount} can mount it (fsconfig FSCONFIG_CMD_CREATE, Linux 5.2).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/fsconfig.2.html">fsconfig(2)</a>
     */
    public static void fsconfigCreate(Fd context) throws SyscallException {
        onContext(context, MountCalls.fsconfigCreate(context.value()));
    }

    /**
     * Applies the parameters set so far to an existing superblock, on a context from
     * fspick (fsconfig FSCONFIG_CMD_RECONFIGURE, Linux 5.2).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/fsconfig.2.html">fsconfig(2)</a>
     */
    public static void fsconfigReconfigure(Fd context) throws SyscallException {
        onContext(context, MountCalls.fsconfigReconfigure(context.value()));
    }

    /**
     * Makes a detached mount of a created file system context (Linux 5.2); attach it with
     * {@link #moveMount}. The descriptor is close-on-exec.
     *
     * @param attributes mount attributes (read-only, nosuid...; at most one access-time mode)
     * @see <a href="https://man7.org/linux/man-pages/man2/fsmount.2.html">fsmount(2)</a>
     */
    public static Fd fsmount(Fd context, Set<MountAttr> attributes) throws SyscallException {
        return Fd.adopt((int) onContext(context, MountCalls.fsmount(context.value(), attributes)));
    }

    /**
     * Moves a mount, or attaches a detached one from {@link #fsmount} or
     * {@link #openTree} (Linux 5.2).
     *
     * @param fromDirectory where {@code fromPath} starts, or the mount itself with
     *                      {@link MoveMountFlag#F_EMPTY_PATH}; null for the current directory
     * @param toDirectory   where {@code toPath} starts; null for the current directory
     * @see <a href="https://man7.org/linux/man-pages/man2/move_mount.2.html">move_mount(2)</a>
     */
    public static void moveMount(Fd fromDirectory, String fromPath, Fd toDirectory, String toPath,
                                 Set<MoveMountFlag> flags) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            Kernel.run(MountCalls.moveMount(arena, Native.dirFd(fromDirectory), fromPath, Native.dirFd(toDirectory), toPath, flags));
        }
    }

    /**
     * Opens a mount (or with {@link OpenTreeFlag#CLONE} makes a detached copy of it, a
     * bind mount waiting for {@link #moveMount}) (Linux 5.2). {@code OPEN_TREE_CLOEXEC} is
     * always added.
     *
     * @param directory where {@code path} starts, or null for the current directory
     * @see <a href="https://man7.org/linux/man-pages/man2/open_tree.2.html">open_tree(2)</a>
     */
    public static Fd openTree(Fd directory, String path, Set<OpenTreeFlag> flags) throws SyscallException {
        EnumSet<OpenTreeFlag> all = flags.isEmpty() ? EnumSet.noneOf(OpenTreeFlag.class) : EnumSet.copyOf(flags);
        all.add(OpenTreeFlag.CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            return Fd.adopt((int) Kernel.run(MountCalls.openTree(arena, Native.dirFd(directory), path, all)));
        }
    }

    /**
     * Changes the attributes and propagation of a mount, or with
     * {@link MountSetattrFlag#RECURSIVE} of a whole mount tree, in one step (Linux 5.12;
     * idmapped mounts also 5.12, per file system).
     *
     * <p>Setting an access-time mode ({@link MountAttr#RELATIME}, {@link MountAttr#NOATIME},
     * {@link MountAttr#STRICTATIME}) first clears the current one, as the kernel requires
     * ({@code MOUNT_ATTR__ATIME} in {@code attr_clr}).
     *
     * @param directory where {@code path} starts, or the mount itself with
     *                  {@link MountSetattrFlag#EMPTY_PATH}; null for the current directory
     * @see <a href="https://man7.org/linux/man-pages/man2/mount_setattr.2.html">mount_setattr(2)</a>
     */
    public static void mountSetattr(Fd directory, String path, Set<MountSetattrFlag> flags, MountAttrChange change)
            throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            Kernel.run(MountCalls.mountSetattr(arena, Native.dirFd(directory), path, flags, change));
        }
    }

    /** Runs a call on a file system context; a failure carries what the file system queued on it. */
    private static long onContext(Fd context, Call call) throws SyscallException {
        long result = Kernel.invoke(call);
        if (result < 0) {
            throw withContextLog(context, call.name(), call.arguments(), (int) -result);
        }
        return result;
    }

    /**
     * The exception for a failed call on a file system context, with the messages the file
     * system queued on the context (such as "tmpfs: Bad value for 'size'") as its hint:
     * they name the cause, where the errno alone (EINVAL) does not.
     */
    private static SyscallException withContextLog(Fd context, String syscall, String argument, int errno) {
        StringJoiner messages = new StringJoiner("; ");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(LOG_BUFFER);
            // Each read returns one message, "e text" (or w/i for warnings and notes), until ENODATA.
            for (int i = 0; i < 16; i++) {
                long n = Kernel.invoke(FileCalls.read(context.value(), buffer));
                if (n <= 0) {
                    break;
                }
                String line = new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8)
                        .strip();
                messages.add(line.length() > 2 && line.charAt(1) == ' ' ? line.substring(2) : line);
            }
        }
        String hint = messages.length() == 0 ? null : "the file system says: " + messages;
        return new SyscallException(syscall, argument, errno, hint);
    }
}
