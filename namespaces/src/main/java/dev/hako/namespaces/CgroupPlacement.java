package dev.hako.namespaces;

import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupVersion;
import dev.hako.cgroupfs.Hierarchy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The control group a new process starts in: at most one cgroup v2 directory, plus any
 * number of directories (v1 controller hierarchies) to join before exec.
 *
 * <p>On cgroup v2 the process is created directly inside the group with
 * {@code CLONE_INTO_CGROUP} (Linux 5.7), so it never runs an instruction outside its
 * limits. Where that is not available (v1 hierarchies, older kernels), the child waits on
 * a pipe until the parent has written its pid to each group's {@code cgroup.procs}, so the
 * payload still starts inside.
 *
 * <p>A placement made {@link #of(Cgroup) of a Cgroup} is a group made for the container,
 * so the start also applies the container's device rules to it (see
 * {@link ContainerBuilder#hostDevices()}); a placement of bare directories (joining a
 * running container's groups, say) changes nothing in them.
 */
public final class CgroupPlacement {

    private final Path v2Directory;
    private final List<Path> attach;
    private final Cgroup group;

    private CgroupPlacement(Path v2Directory, List<Path> attach, Cgroup group) {
        this.attach = List.copyOf(attach);
        this.v2Directory = v2Directory;
        this.group = group;
        if (v2Directory == null && attach.isEmpty()) {
            throw new IllegalArgumentException("cgroup placement needs at least one directory");
        }
    }

    /** A cgroup v2 directory: CLONE_INTO_CGROUP where the kernel has it, else attach before exec. */
    public static CgroupPlacement v2(Path directory) {
        return new CgroupPlacement(Objects.requireNonNull(directory, "directory"), List.of(), null);
    }

    /** Cgroup directories (v1 controllers or v2) to attach the child to before it executes. */
    public static CgroupPlacement attach(List<Path> directories) {
        return new CgroupPlacement(null, directories, null);
    }

    /**
     * Every hierarchy of a {@link Cgroup}: its v2 directory through CLONE_INTO_CGROUP, its v1
     * directories by attaching (both on a hybrid layout). The group is the container's own:
     * its device rules are set at the start.
     */
    public static CgroupPlacement of(Cgroup group) {
        Map<Hierarchy, Path> directories = new LinkedHashMap<>();
        for (Hierarchy hierarchy : group.hierarchies()) {
            directories.put(hierarchy, hierarchy.directory(group.path()));
        }
        CgroupPlacement placement = of(directories);
        return new CgroupPlacement(placement.v2Directory, placement.attach, group);
    }

    /**
     * Group directories by hierarchy (as {@link dev.hako.cgroupfs.CgroupLayout#groupDirectories}
     * gives them for a running process): the v2 one through CLONE_INTO_CGROUP, v1 ones by attaching.
     */
    public static CgroupPlacement of(Map<Hierarchy, Path> directories) {
        Path v2 = null;
        List<Path> v1 = new ArrayList<>();
        for (Map.Entry<Hierarchy, Path> directory : directories.entrySet()) {
            if (directory.getKey().version() == CgroupVersion.V2) {
                v2 = directory.getValue();
            } else {
                v1.add(directory.getValue());
            }
        }
        return new CgroupPlacement(v2, v1, null);
    }

    /** The cgroup v2 directory, or null. */
    public Path v2Directory() {
        return v2Directory;
    }

    /** Directories to attach the child to before it executes. */
    public List<Path> attach() {
        return attach;
    }

    /** The container's own group, whose device rules the start sets, or null. */
    Cgroup group() {
        return group;
    }

    @Override
    public String toString() {
        return "CgroupPlacement[v2Directory=" + v2Directory + ", attach=" + attach + "]";
    }
}
