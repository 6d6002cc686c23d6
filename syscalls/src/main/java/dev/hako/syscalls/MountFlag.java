package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * Flags of mount(2) ({@code MS_*}).
 *
 * <p>Propagation changes ({@link #PRIVATE}, {@link #SLAVE}, {@link #SHARED},
 * {@link #UNBINDABLE}, optionally with {@link #REC}) are made by a mount(2) call with no
 * source and file system type; see also {@link Propagation}.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/mount.2.html">mount(2)</a>
 */
public enum MountFlag implements Flag {
    /** Read-only ({@code MS_RDONLY}). */
    RDONLY(Linux.MS_RDONLY(), "MS_RDONLY"),
    /** Ignore set-user-id and set-group-id bits and file capabilities ({@code MS_NOSUID}). */
    NOSUID(Linux.MS_NOSUID(), "MS_NOSUID"),
    /** No access to device special files ({@code MS_NODEV}). */
    NODEV(Linux.MS_NODEV(), "MS_NODEV"),
    /** No program execution ({@code MS_NOEXEC}). */
    NOEXEC(Linux.MS_NOEXEC(), "MS_NOEXEC"),
    /** Synchronous writes ({@code MS_SYNCHRONOUS}). */
    SYNCHRONOUS(Linux.MS_SYNCHRONOUS(), "MS_SYNCHRONOUS"),
    /** Change the flags of an existing mount ({@code MS_REMOUNT}). */
    REMOUNT(Linux.MS_REMOUNT(), "MS_REMOUNT"),
    /** Mandatory locking (removed in Linux 5.15) ({@code MS_MANDLOCK}). */
    MANDLOCK(Linux.MS_MANDLOCK(), "MS_MANDLOCK"),
    /** Synchronous directory changes ({@code MS_DIRSYNC}). */
    DIRSYNC(Linux.MS_DIRSYNC(), "MS_DIRSYNC"),
    /** Do not follow symbolic links, Linux 5.10 ({@code MS_NOSYMFOLLOW}). */
    NOSYMFOLLOW(Linux.MS_NOSYMFOLLOW(), "MS_NOSYMFOLLOW"),
    /** Do not update access times ({@code MS_NOATIME}). */
    NOATIME(Linux.MS_NOATIME(), "MS_NOATIME"),
    /** Do not update directory access times ({@code MS_NODIRATIME}). */
    NODIRATIME(Linux.MS_NODIRATIME(), "MS_NODIRATIME"),
    /** Bind mount: make a file or directory visible at another place ({@code MS_BIND}). */
    BIND(Linux.MS_BIND(), "MS_BIND"),
    /** Move a mount to another place ({@code MS_MOVE}). */
    MOVE(Linux.MS_MOVE(), "MS_MOVE"),
    /** Recursive: apply to every mount below too (with BIND or a propagation flag) ({@code MS_REC}). */
    REC(Linux.MS_REC(), "MS_REC"),
    /** Fewer kernel log messages ({@code MS_SILENT}). */
    SILENT(Linux.MS_SILENT(), "MS_SILENT"),
    /** POSIX access control lists ({@code MS_POSIXACL}). */
    POSIXACL(Linux.MS_POSIXACL(), "MS_POSIXACL"),
    /** Make unbindable ({@code MS_UNBINDABLE}). */
    UNBINDABLE(Linux.MS_UNBINDABLE(), "MS_UNBINDABLE"),
    /** Make private: no propagation in or out ({@code MS_PRIVATE}). */
    PRIVATE(Linux.MS_PRIVATE(), "MS_PRIVATE"),
    /** Make a slave: receive propagation, send none ({@code MS_SLAVE}). */
    SLAVE(Linux.MS_SLAVE(), "MS_SLAVE"),
    /** Make shared: propagate both ways ({@code MS_SHARED}). */
    SHARED(Linux.MS_SHARED(), "MS_SHARED"),
    /** Update access times relative to modification time ({@code MS_RELATIME}). */
    RELATIME(Linux.MS_RELATIME(), "MS_RELATIME"),
    /** Always update access times ({@code MS_STRICTATIME}). */
    STRICTATIME(Linux.MS_STRICTATIME(), "MS_STRICTATIME"),
    /** Keep time updates in memory, Linux 4.0 ({@code MS_LAZYTIME}). */
    LAZYTIME(Linux.MS_LAZYTIME(), "MS_LAZYTIME");

    private final long bits;
    private final String cName;

    MountFlag(long bits, String cName) {
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
