package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * Flags of move_mount(2) ({@code MOVE_MOUNT_*}), Linux 5.2.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/move_mount.2.html">move_mount(2)</a>
 */
public enum MoveMountFlag implements Flag {
    /** Follow symbolic links in the source path ({@code MOVE_MOUNT_F_SYMLINKS}). */
    F_SYMLINKS(Linux.MOVE_MOUNT_F_SYMLINKS(), "MOVE_MOUNT_F_SYMLINKS"),
    /** Follow automount points in the source path ({@code MOVE_MOUNT_F_AUTOMOUNTS}). */
    F_AUTOMOUNTS(Linux.MOVE_MOUNT_F_AUTOMOUNTS(), "MOVE_MOUNT_F_AUTOMOUNTS"),
    /** The source is the descriptor itself (empty source path), as after fsmount or open_tree ({@code MOVE_MOUNT_F_EMPTY_PATH}). */
    F_EMPTY_PATH(Linux.MOVE_MOUNT_F_EMPTY_PATH(), "MOVE_MOUNT_F_EMPTY_PATH"),
    /** Follow symbolic links in the target path ({@code MOVE_MOUNT_T_SYMLINKS}). */
    T_SYMLINKS(Linux.MOVE_MOUNT_T_SYMLINKS(), "MOVE_MOUNT_T_SYMLINKS"),
    /** Follow automount points in the target path ({@code MOVE_MOUNT_T_AUTOMOUNTS}). */
    T_AUTOMOUNTS(Linux.MOVE_MOUNT_T_AUTOMOUNTS(), "MOVE_MOUNT_T_AUTOMOUNTS"),
    /** The target is the descriptor itself (empty target path) ({@code MOVE_MOUNT_T_EMPTY_PATH}). */
    T_EMPTY_PATH(Linux.MOVE_MOUNT_T_EMPTY_PATH(), "MOVE_MOUNT_T_EMPTY_PATH"),
    /** Put the target in the source mount's peer group instead of moving, Linux 5.15 ({@code MOVE_MOUNT_SET_GROUP}). */
    SET_GROUP(Linux.MOVE_MOUNT_SET_GROUP(), "MOVE_MOUNT_SET_GROUP");

    private final long bits;
    private final String cName;

    MoveMountFlag(long bits, String cName) {
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
