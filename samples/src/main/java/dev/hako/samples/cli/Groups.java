package dev.hako.samples.cli;

import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.CgroupVersion;
import dev.hako.cgroupfs.Controller;
import dev.hako.cgroupfs.Hierarchy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the groups Hako creates live, and the few questions every subcommand asks of them.
 *
 * <p>All of them sit under one prefix so that {@code ps} and {@code top} can find them
 * without a registry file, and so an administrator can see at a glance what Hako owns.
 */
final class Groups {

    /** The parent of every group {@code hako run} creates. */
    static final String PREFIX = "/hako";

    private Groups() {
    }

    /** The path of a run's group. */
    static String runPath(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("group name '" + name + "' must be one non-empty path component");
        }
        return PREFIX + "/" + name;
    }

    /** The groups under the prefix, sorted by path; none when the prefix does not exist yet. */
    static List<Cgroup> hakoGroups(CgroupLayout layout) throws IOException {
        try {
            List<Cgroup> children = new ArrayList<>(Cgroup.open(layout, PREFIX).children());
            children.sort(java.util.Comparator.comparing(Cgroup::path));
            return children;
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    /**
     * Whether this process may create groups: the first hierarchy's root is writable. Used to
     * decide whether a run without limits still gets a group for accounting.
     */
    static boolean canCreate(CgroupLayout layout) {
        List<Hierarchy> hierarchies = layout.groupHierarchies();
        return !hierarchies.isEmpty() && hierarchies.stream().allMatch(h -> Files.isWritable(h.directory("/")));
    }

    /**
     * How many times the kernel's OOM killer killed a task of the group: v2
     * {@code memory.events} oom_kill, v1 {@code memory.oom_control} oom_kill. Empty when the
     * group has no memory controller.
     */
    static Optional<Long> oomKills(Cgroup group) throws IOException {
        CgroupLayout layout = group.layout();
        Optional<CgroupVersion> version = layout.versionOf(Controller.MEMORY);
        if (version.isEmpty() || layout.hierarchyFor(Controller.MEMORY).filter(h -> group.hierarchies().contains(h))
                .isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(version.get() == CgroupVersion.V2 ? group.memoryEvents().oomKill()
                : group.memoryOomControl().oomKill());
    }

    /** The memory limit of the group as the kernel holds it, for the OOM message. */
    static String memoryLimit(Cgroup group) {
        try {
            boolean v2 = group.layout().versionOf(Controller.MEMORY).orElseThrow() == CgroupVersion.V2;
            String raw = group.read(Controller.MEMORY, v2 ? "memory.max" : "memory.limit_in_bytes").strip();
            return raw.equals("max") ? "no limit" : dev.hako.cgroupfs.Bytes.of(Long.parseLong(raw)).toString();
        } catch (IOException | RuntimeException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
