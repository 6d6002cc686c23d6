package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * Path flags of mount_setattr(2), Linux 5.12.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/mount_setattr.2.html">mount_setattr(2)</a>
 */
public enum MountSetattrFlag implements Flag {
    /** The path is empty: act on the mount the descriptor refers to ({@code AT_EMPTY_PATH}). */
    EMPTY_PATH(Linux.AT_EMPTY_PATH(), "AT_EMPTY_PATH"),
    /** Change every mount in the subtree ({@code AT_RECURSIVE}). */
    RECURSIVE(Linux.AT_RECURSIVE(), "AT_RECURSIVE"),
    /** Do not follow a symbolic link as the last component ({@code AT_SYMLINK_NOFOLLOW}). */
    SYMLINK_NOFOLLOW(Linux.AT_SYMLINK_NOFOLLOW(), "AT_SYMLINK_NOFOLLOW"),
    /** Do not trigger an automount ({@code AT_NO_AUTOMOUNT}). */
    NO_AUTOMOUNT(Linux.AT_NO_AUTOMOUNT(), "AT_NO_AUTOMOUNT");

    private final long bits;
    private final String cName;

    MountSetattrFlag(long bits, String cName) {
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
