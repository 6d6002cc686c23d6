package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * Non-namespace flags of unshare(2): parts of the execution context a thread can stop
 * sharing with the rest of its process. Namespaces themselves are {@link NamespaceType}s.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/unshare.2.html">unshare(2)</a>
 */
public enum UnshareFlag implements Flag {
    /** Root, current directory and umask; needed before a thread changes its root or cwd alone, implied by CLONE_NEWNS ({@code CLONE_FS}). */
    FS(Linux.CLONE_FS(), "CLONE_FS"),
    /** The file descriptor table ({@code CLONE_FILES}). */
    FILES(Linux.CLONE_FILES(), "CLONE_FILES"),
    /** System V semaphore adjustment (semadj) values, Linux 2.6.26 ({@code CLONE_SYSVSEM}). */
    SYSVSEM(Linux.CLONE_SYSVSEM(), "CLONE_SYSVSEM");

    private final long bits;
    private final String cName;

    UnshareFlag(long bits, String cName) {
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
