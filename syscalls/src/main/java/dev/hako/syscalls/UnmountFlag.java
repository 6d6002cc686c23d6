package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * Flags of umount2(2).
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/umount2.2.html">umount2(2)</a>
 */
public enum UnmountFlag implements Flag {
    /** Abort pending requests (network file systems); may lose data ({@code MNT_FORCE}). */
    FORCE(Linux.MNT_FORCE(), "MNT_FORCE"),
    /** Lazy unmount: detach now, clean up when no longer busy ({@code MNT_DETACH}). */
    DETACH(Linux.MNT_DETACH(), "MNT_DETACH"),
    /** Mark for expiry; a second call unmounts if unused since ({@code MNT_EXPIRE}). */
    EXPIRE(Linux.MNT_EXPIRE(), "MNT_EXPIRE"),
    /** Do not follow a symbolic link as the target, Linux 2.6.34 ({@code UMOUNT_NOFOLLOW}). */
    NOFOLLOW(Linux.UMOUNT_NOFOLLOW(), "UMOUNT_NOFOLLOW");

    private final long bits;
    private final String cName;

    UnmountFlag(long bits, String cName) {
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
