package dev.hako.cgroupfs;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * One mounted cgroup hierarchy: the v2 unified one, or a v1 hierarchy of one or more controllers.
 *
 * @param version the interface
 * @param mountPoint where it is mounted, e.g. {@code /sys/fs/cgroup/memory}
 * @param root the hierarchy path shown at the mount point ({@code /} unless in a cgroup namespace
 *     or a bind mount of a subtree)
 * @param controllers v1: the controllers bound to it; v2: those listed in the mount's
 *     {@code cgroup.controllers}
 * @param name a v1 named hierarchy's name ({@code name=systemd}), if any
 */
public record Hierarchy(CgroupVersion version, Path mountPoint, String root, Set<Controller> controllers,
        Optional<String> name) {

    /**
     * Copies the set.
     *
     * @param version the interface
     * @param mountPoint the mount point
     * @param root the hierarchy path at the mount point
     * @param controllers the controllers
     * @param name a v1 name, if any
     */
    public Hierarchy {
        controllers = Set.copyOf(controllers);
    }

    /**
     * The directory of a group in this hierarchy.
     *
     * @param groupPath a group path relative to the mount point, e.g. {@code /a/b}
     * @return the directory (it may not exist)
     */
    public Path directory(String groupPath) {
        return GroupPaths.resolve(mountPoint, groupPath);
    }

    @Override
    public String toString() {
        return version + (name.map(n -> " name=" + n).orElse("")) + " " + controllers + " at " + mountPoint;
    }
}
