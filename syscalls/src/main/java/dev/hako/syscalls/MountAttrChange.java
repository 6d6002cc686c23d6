package dev.hako.syscalls;

import java.util.EnumSet;
import java.util.Set;

/**
 * What {@link MountSyscalls#mountSetattr} changes on a mount: the contents of
 * {@code struct mount_attr}.
 *
 * @param set           attributes to turn on
 * @param clear         attributes to turn off
 * @param propagation   the new propagation type, or null to keep it
 * @param userNamespace with {@link MountAttr#IDMAP} in {@code set}: the user namespace whose
 *                      id mappings the mount takes; else null
 * @see <a href="https://man7.org/linux/man-pages/man2/mount_setattr.2.html">mount_setattr(2)</a>
 */
public record MountAttrChange(Set<MountAttr> set, Set<MountAttr> clear, Propagation propagation, Fd userNamespace) {

    /** Copies the sets, so a later change to the caller's set does not change this record. */
    public MountAttrChange {
        set = set.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(set));
        clear = clear.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(clear));
        if (set.contains(MountAttr.IDMAP) != (userNamespace != null)) {
            throw new IllegalArgumentException("MOUNT_ATTR_IDMAP and a user namespace go together: give both or neither");
        }
    }

    /** Turns the given attributes on, changing nothing else. */
    public static MountAttrChange set(Set<MountAttr> attributes) {
        return new MountAttrChange(attributes, Set.of(), null, null);
    }

    /** Turns the given attributes off, changing nothing else. */
    public static MountAttrChange clear(Set<MountAttr> attributes) {
        return new MountAttrChange(Set.of(), attributes, null, null);
    }

    /** Changes only the propagation type. */
    public static MountAttrChange propagation(Propagation propagation) {
        return new MountAttrChange(Set.of(), Set.of(), propagation, null);
    }

    /** Makes the mount idmapped through {@code userNamespace}'s mappings (Linux 5.12). */
    public static MountAttrChange idmap(Fd userNamespace) {
        return new MountAttrChange(Set.of(MountAttr.IDMAP), Set.of(), null, userNamespace);
    }
}
