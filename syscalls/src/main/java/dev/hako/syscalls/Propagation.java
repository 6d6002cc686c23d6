package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * The propagation type of a mount: whether mount and unmount events below it spread to
 * and from its peers. Exactly one applies to a mount, so this is a single value rather
 * than a flag set. Containers make their root {@link #PRIVATE} (recursively) so that
 * their mounts do not leak into the host's namespace and the host's do not follow them in.
 *
 * @see <a href="https://man7.org/linux/man-pages/man7/mount_namespaces.7.html">mount_namespaces(7)</a>
 */
public enum Propagation implements Flag {
    /** No propagation in either direction ({@code MS_PRIVATE}). */
    PRIVATE(Linux.MS_PRIVATE(), "MS_PRIVATE"),
    /** Receives events from its master, sends none ({@code MS_SLAVE}). */
    SLAVE(Linux.MS_SLAVE(), "MS_SLAVE"),
    /** Shares events with its peer group both ways ({@code MS_SHARED}). */
    SHARED(Linux.MS_SHARED(), "MS_SHARED"),
    /** Private, and refuses to be the source of a bind mount ({@code MS_UNBINDABLE}). */
    UNBINDABLE(Linux.MS_UNBINDABLE(), "MS_UNBINDABLE");

    private final long bits;
    private final String cName;

    Propagation(long bits, String cName) {
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

    /** The equivalent {@link MountFlag}, for a propagation change through mount(2). */
    public MountFlag mountFlag() {
        return switch (this) {
            case PRIVATE -> MountFlag.PRIVATE;
            case SLAVE -> MountFlag.SLAVE;
            case SHARED -> MountFlag.SHARED;
            case UNBINDABLE -> MountFlag.UNBINDABLE;
        };
    }
}
