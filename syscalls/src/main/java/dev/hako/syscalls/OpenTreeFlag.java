package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * Flags of open_tree(2), Linux 5.2; Hako always adds {@code OPEN_TREE_CLOEXEC}.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/open_tree.2.html">open_tree(2)</a>
 */
public enum OpenTreeFlag implements Flag {
    /** Return a detached copy of the mount (a bind mount to attach with move_mount) instead of a reference to it ({@code OPEN_TREE_CLONE}). */
    CLONE(Linux.OPEN_TREE_CLONE(), "OPEN_TREE_CLONE"),
    /** With CLONE: copy the whole subtree ({@code AT_RECURSIVE}). */
    RECURSIVE(Linux.AT_RECURSIVE(), "AT_RECURSIVE"),
    /** The path is empty: act on the directory descriptor itself ({@code AT_EMPTY_PATH}). */
    EMPTY_PATH(Linux.AT_EMPTY_PATH(), "AT_EMPTY_PATH"),
    /** Do not follow a symbolic link as the last component ({@code AT_SYMLINK_NOFOLLOW}). */
    SYMLINK_NOFOLLOW(Linux.AT_SYMLINK_NOFOLLOW(), "AT_SYMLINK_NOFOLLOW"),
    /** Do not trigger an automount ({@code AT_NO_AUTOMOUNT}). */
    NO_AUTOMOUNT(Linux.AT_NO_AUTOMOUNT(), "AT_NO_AUTOMOUNT"),
    /** Close on exec (always added) ({@code OPEN_TREE_CLOEXEC}). */
    CLOEXEC(Linux.OPEN_TREE_CLOEXEC(), "OPEN_TREE_CLOEXEC");

    private final long bits;
    private final String cName;

    OpenTreeFlag(long bits, String cName) {
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
