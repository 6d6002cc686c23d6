package dev.hako.syscalls.calls;

import static dev.hako.syscalls.calls.Show.cString;
import static dev.hako.syscalls.calls.Show.dirFd;
import static dev.hako.syscalls.calls.Show.quote;

import dev.hako.bindings.Linux;
import dev.hako.bindings.mount_attr;
import dev.hako.syscalls.Flag;
import dev.hako.syscalls.MountAttr;
import dev.hako.syscalls.MountAttrChange;
import dev.hako.syscalls.MountFlag;
import dev.hako.syscalls.MountSetattrFlag;
import dev.hako.syscalls.MoveMountFlag;
import dev.hako.syscalls.OpenTreeFlag;
import dev.hako.syscalls.UnmountFlag;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Encoders of the mount calls: mount, umount2, pivot_root, and the descriptor based mount
 * API (fsopen, fsconfig, fsmount, move_mount, open_tree, mount_setattr). Directory
 * descriptors are numbers, {@link Linux#AT_FDCWD()} for the current directory.
 */
public final class MountCalls {

    private static final Set<MountAttr> ATIME_MODES = EnumSet.of(MountAttr.RELATIME, MountAttr.NOATIME,
            MountAttr.STRICTATIME);

    private MountCalls() {
    }

    /** mount(2): {@code source}, {@code fsType} and {@code data} may be null. */
    public static Call mount(SegmentAllocator memory, String source, String target, String fsType,
                             Set<MountFlag> flags, String data) {
        return Call.of("mount", Linux.SYS_mount(), new long[] {cString(memory, source, "mount source"),
                cString(memory, target, "mount target"), cString(memory, fsType, "mount fsType"), Flag.combine(flags),
                cString(memory, data, "mount data")},
                () -> new String[] {quote(source), quote(target), quote(fsType), Flag.describe(flags), quote(data)});
    }

    /** umount2(2). */
    public static Call umount2(SegmentAllocator memory, String target, Set<UnmountFlag> flags) {
        return Call.of("umount2", Linux.SYS_umount2(), new long[] {cString(memory, target, "umount2 target"),
                Flag.combine(flags)}, () -> new String[] {quote(target), Flag.describe(flags)});
    }

    /** pivot_root(2). */
    public static Call pivotRoot(SegmentAllocator memory, String newRoot, String putOld) {
        return Call.of("pivot_root", Linux.SYS_pivot_root(), new long[] {cString(memory, newRoot, "pivot_root newRoot"),
                cString(memory, putOld, "pivot_root putOld")}, () -> new String[] {quote(newRoot), quote(putOld)});
    }

    /** fsopen(2) with FSOPEN_CLOEXEC. */
    public static Call fsopen(SegmentAllocator memory, String fsName) {
        return Call.of("fsopen", Linux.SYS_fsopen(), new long[] {cString(memory, fsName, "fsopen fsName"),
                Linux.FSOPEN_CLOEXEC()}, () -> new String[] {quote(fsName), "FSOPEN_CLOEXEC"});
    }

    /** fsconfig(2) FSCONFIG_SET_FLAG: a flag parameter such as {@code "ro"}. */
    public static Call fsconfigSetFlag(SegmentAllocator memory, int context, String key) {
        return fsconfig(context, Linux.FSCONFIG_SET_FLAG(), "FSCONFIG_SET_FLAG", memory, key, 0, "NULL", 0, "0");
    }

    /** fsconfig(2) FSCONFIG_SET_STRING: a string parameter such as {@code "size"}. */
    public static Call fsconfigSetString(SegmentAllocator memory, int context, String key, String value) {
        return fsconfig(context, Linux.FSCONFIG_SET_STRING(), "FSCONFIG_SET_STRING", memory, key,
                cString(memory, value, "fsconfig value"), quote(value), 0, "0");
    }

    /** fsconfig(2) FSCONFIG_SET_BINARY: a binary blob parameter. */
    public static Call fsconfigSetBinary(SegmentAllocator memory, int context, String key, byte[] value) {
        MemorySegment blob = memory.allocate(Math.max(1, value.length));
        MemorySegment.copy(value, 0, blob, ValueLayout.JAVA_BYTE, 0, value.length);
        return fsconfig(context, Linux.FSCONFIG_SET_BINARY(), "FSCONFIG_SET_BINARY", memory, key, blob.address(),
                "<" + value.length + " bytes>", value.length, Integer.toString(value.length));
    }

    /** fsconfig(2) FSCONFIG_SET_PATH: a path parameter, relative to {@code directory}. */
    public static Call fsconfigSetPath(SegmentAllocator memory, int context, String key, int directory, String path) {
        return fsconfig(context, Linux.FSCONFIG_SET_PATH(), "FSCONFIG_SET_PATH", memory, key,
                cString(memory, path, "fsconfig path"), quote(path), directory, dirFd(directory));
    }

    /** fsconfig(2) FSCONFIG_SET_PATH_EMPTY: the file an open descriptor refers to. */
    public static Call fsconfigSetPathEmpty(SegmentAllocator memory, int context, String key, int file) {
        return fsconfig(context, Linux.FSCONFIG_SET_PATH_EMPTY(), "FSCONFIG_SET_PATH_EMPTY", memory, key,
                cString(memory, "", "fsconfig path"), "\"\"", file, Integer.toString(file));
    }

    /** fsconfig(2) FSCONFIG_SET_FD: a descriptor parameter such as fuse's {@code "fd"}. */
    public static Call fsconfigSetFd(SegmentAllocator memory, int context, String key, int value) {
        return fsconfig(context, Linux.FSCONFIG_SET_FD(), "FSCONFIG_SET_FD", memory, key, 0, "NULL", value,
                Integer.toString(value));
    }

    /** fsconfig(2) FSCONFIG_CMD_CREATE: creates the superblock. */
    public static Call fsconfigCreate(int context) {
        return Call.of("fsconfig", Linux.SYS_fsconfig(), new long[] {context, Linux.FSCONFIG_CMD_CREATE()},
                () -> new String[] {Integer.toString(context), "FSCONFIG_CMD_CREATE", "NULL", "NULL", "0"});
    }

    /** fsconfig(2) FSCONFIG_CMD_RECONFIGURE: applies the parameters to an existing superblock. */
    public static Call fsconfigReconfigure(int context) {
        return Call.of("fsconfig", Linux.SYS_fsconfig(), new long[] {context, Linux.FSCONFIG_CMD_RECONFIGURE()},
                () -> new String[] {Integer.toString(context), "FSCONFIG_CMD_RECONFIGURE", "NULL", "NULL", "0"});
    }

    private static Call fsconfig(int context, int command, String commandName, SegmentAllocator memory, String key,
                                 long value, String valueShown, long aux, String auxShown) {
        return Call.of("fsconfig", Linux.SYS_fsconfig(), new long[] {context, command,
                cString(memory, key, "fsconfig key"), value, aux},
                () -> new String[] {Integer.toString(context), commandName, quote(key), valueShown, auxShown});
    }

    /** fsmount(2) with FSMOUNT_CLOEXEC. */
    public static Call fsmount(int context, Set<MountAttr> attributes) {
        return Call.of("fsmount", Linux.SYS_fsmount(), new long[] {context, Linux.FSMOUNT_CLOEXEC(),
                Flag.combine(attributes)},
                () -> new String[] {Integer.toString(context), "FSMOUNT_CLOEXEC", Flag.describe(attributes)});
    }

    /** move_mount(2). */
    public static Call moveMount(SegmentAllocator memory, int fromDirectory, String fromPath, int toDirectory,
                                 String toPath, Set<MoveMountFlag> flags) {
        return Call.of("move_mount", Linux.SYS_move_mount(), new long[] {fromDirectory,
                cString(memory, fromPath, "move_mount fromPath"), toDirectory,
                cString(memory, toPath, "move_mount toPath"), Flag.combine(flags)},
                () -> new String[] {dirFd(fromDirectory), quote(fromPath), dirFd(toDirectory), quote(toPath),
                        Flag.describe(flags)});
    }

    /** open_tree(2); the flags as given (callers add {@link OpenTreeFlag#CLOEXEC}). */
    public static Call openTree(SegmentAllocator memory, int directory, String path, Set<OpenTreeFlag> flags) {
        return Call.of("open_tree", Linux.SYS_open_tree(), new long[] {directory,
                cString(memory, path, "open_tree path"), Flag.combine(flags)},
                () -> new String[] {dirFd(directory), quote(path), Flag.describe(flags)});
    }

    /**
     * mount_setattr(2) with a {@code struct mount_attr}. Setting or clearing an access-time
     * mode also clears the current one ({@code MOUNT_ATTR__ATIME} in {@code attr_clr}), as
     * the kernel requires.
     */
    public static Call mountSetattr(SegmentAllocator memory, int directory, String path, Set<MountSetattrFlag> flags,
                                    MountAttrChange change) {
        long clear = Flag.combine(change.clear());
        boolean atime = false;
        for (MountAttr attr : ATIME_MODES) {
            atime |= change.set().contains(attr) || change.clear().contains(attr);
        }
        if (atime) {
            clear |= Linux.MOUNT_ATTR__ATIME();
        }
        MemorySegment attr = mount_attr.allocate(memory);
        mount_attr.attr_set(attr, Flag.combine(change.set()));
        mount_attr.attr_clr(attr, clear);
        mount_attr.propagation(attr, change.propagation() == null ? 0 : change.propagation().bits());
        mount_attr.userns_fd(attr, change.userNamespace() == null ? 0 : change.userNamespace().value());
        boolean clearsAtime = atime;
        return Call.of("mount_setattr", Linux.SYS_mount_setattr(), new long[] {directory,
                cString(memory, path, "mount_setattr path"), Flag.combine(flags), attr.address(), mount_attr.sizeof()},
                () -> new String[] {dirFd(directory), quote(path), Flag.describe(flags), describe(change, clearsAtime),
                        Long.toString(mount_attr.sizeof())});
    }

    /** A {@code struct mount_attr} as strace prints it. */
    private static String describe(MountAttrChange change, boolean clearsAtime) {
        StringJoiner text = new StringJoiner(", ", "{", "}");
        text.add("attr_set=" + Flag.describe(change.set()));
        text.add("attr_clr=" + (clearsAtime ? describeWithAtime(change.clear()) : Flag.describe(change.clear())));
        text.add("propagation=" + (change.propagation() == null ? "0" : change.propagation().cName()));
        if (change.userNamespace() != null) {
            text.add("userns_fd=" + change.userNamespace().value());
        }
        return text.toString();
    }

    private static String describeWithAtime(Set<MountAttr> clear) {
        EnumSet<MountAttr> rest = clear.isEmpty() ? EnumSet.noneOf(MountAttr.class) : EnumSet.copyOf(clear);
        rest.removeAll(ATIME_MODES);
        return rest.isEmpty() ? "MOUNT_ATTR__ATIME" : Flag.describe(rest) + "|MOUNT_ATTR__ATIME";
    }
}
