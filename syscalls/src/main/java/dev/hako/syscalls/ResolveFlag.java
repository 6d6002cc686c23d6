package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/** Path resolution restrictions of openat2(2) ({@code RESOLVE_*}, Linux 5.6). @see <a href="https://man7.org/linux/man-pages/man2/openat2.2.html">openat2(2)</a> */
public enum ResolveFlag implements Flag {
    /** Fail if resolution leaves the starting directory ({@code RESOLVE_BENEATH}). */
    BENEATH(Linux.RESOLVE_BENEATH(), "RESOLVE_BENEATH"),
    /** Treat the starting directory as the root, so ".." and absolute symlinks stay inside ({@code RESOLVE_IN_ROOT}). */
    IN_ROOT(Linux.RESOLVE_IN_ROOT(), "RESOLVE_IN_ROOT"),
    /** Refuse /proc magic links ({@code RESOLVE_NO_MAGICLINKS}). */
    NO_MAGICLINKS(Linux.RESOLVE_NO_MAGICLINKS(), "RESOLVE_NO_MAGICLINKS"),
    /** Refuse all symlinks ({@code RESOLVE_NO_SYMLINKS}). */
    NO_SYMLINKS(Linux.RESOLVE_NO_SYMLINKS(), "RESOLVE_NO_SYMLINKS"),
    /** Refuse to cross mount points ({@code RESOLVE_NO_XDEV}). */
    NO_XDEV(Linux.RESOLVE_NO_XDEV(), "RESOLVE_NO_XDEV"),
    /** Only resolve from the dentry cache (Linux 5.12) ({@code RESOLVE_CACHED}). */
    CACHED(Linux.RESOLVE_CACHED(), "RESOLVE_CACHED");

    private final long bits;
    private final String cName;

    ResolveFlag(long bits, String cName) {
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
