package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * Mount attributes of fsmount(2) and mount_setattr(2) ({@code MOUNT_ATTR_*}).
 *
 * <p>The access-time mode is one value, not a set of bits: {@link #RELATIME} is 0, and
 * {@link MountSyscalls#mountSetattr} clears the old mode when a new one is set.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/mount_setattr.2.html">mount_setattr(2)</a>
 */
public enum MountAttr implements Flag {
    /** Read-only ({@code MOUNT_ATTR_RDONLY}). */
    RDONLY(Linux.MOUNT_ATTR_RDONLY(), "MOUNT_ATTR_RDONLY"),
    /** Ignore set-user-id and set-group-id bits ({@code MOUNT_ATTR_NOSUID}). */
    NOSUID(Linux.MOUNT_ATTR_NOSUID(), "MOUNT_ATTR_NOSUID"),
    /** No access to device special files ({@code MOUNT_ATTR_NODEV}). */
    NODEV(Linux.MOUNT_ATTR_NODEV(), "MOUNT_ATTR_NODEV"),
    /** No program execution ({@code MOUNT_ATTR_NOEXEC}). */
    NOEXEC(Linux.MOUNT_ATTR_NOEXEC(), "MOUNT_ATTR_NOEXEC"),
    /** Access times relative to modification time (value 0: the default mode) ({@code MOUNT_ATTR_RELATIME}). */
    RELATIME(Linux.MOUNT_ATTR_RELATIME(), "MOUNT_ATTR_RELATIME"),
    /** Do not update access times ({@code MOUNT_ATTR_NOATIME}). */
    NOATIME(Linux.MOUNT_ATTR_NOATIME(), "MOUNT_ATTR_NOATIME"),
    /** Always update access times ({@code MOUNT_ATTR_STRICTATIME}). */
    STRICTATIME(Linux.MOUNT_ATTR_STRICTATIME(), "MOUNT_ATTR_STRICTATIME"),
    /** Do not update directory access times ({@code MOUNT_ATTR_NODIRATIME}). */
    NODIRATIME(Linux.MOUNT_ATTR_NODIRATIME(), "MOUNT_ATTR_NODIRATIME"),
    /** Idmapped mount: ids mapped through a user namespace, mount_setattr only, Linux 5.12 ({@code MOUNT_ATTR_IDMAP}). */
    IDMAP(Linux.MOUNT_ATTR_IDMAP(), "MOUNT_ATTR_IDMAP"),
    /** Do not follow symbolic links, Linux 5.14 ({@code MOUNT_ATTR_NOSYMFOLLOW}). */
    NOSYMFOLLOW(Linux.MOUNT_ATTR_NOSYMFOLLOW(), "MOUNT_ATTR_NOSYMFOLLOW");

    private final long bits;
    private final String cName;

    MountAttr(long bits, String cName) {
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
