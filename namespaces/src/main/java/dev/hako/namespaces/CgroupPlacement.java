package dev.hako.namespaces;

import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupVersion;
import dev.hako.cgroupfs.Hierarchy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * @param v2Directory the cgroup v2 directory, or null
 * @param attach      directories to attach the child to before it executes
 */
public record CgroupPlacement(Path v2Directory, List<Path> attach) {

    /** Validates the placement. */
    public CgroupPlacement {
        attach = List.copyOf(attach);
        if (v2Directory == null && attach.isEmpty()) {
            throw new IllegalArgumentException("cgroup placement needs at least one directory");
        }
    }

    /** A cgroup v2 directory: CLONE_INTO_CGROUP where the kernel has it, else attach before exec. */
    public static CgroupPlacement v2(Path directory) {
        return new CgroupPlacement(Objects.requireNonNull(directory, "directory"), List.of());
    }

    /** Cgroup directories (v1 controllers or v2) to attach the child to before it executes. */
    public static CgroupPlacement attach(List<Path> directories) {
        return new CgroupPlacement(null, directories);
    }

    /**
     * Every hierarchy of a {@link Cgroup}: its v2 directory through CLONE_INTO_CGROUP, its v1
     * directories by attaching (both on a hybrid layout).
     */
    public static CgroupPlacement of(Cgroup group) {
        java.util.Map<Hierarchy, Path> directories = new java.util.LinkedHashMap<>();
        for (Hierarchy hierarchy : group.hierarchies()) {
            directories.put(hierarchy, hierarchy.directory(group.path()));
        }
        return of(directories);
    }

    /**
     * Group directories by hierarchy (as {@link dev.hako.cgroupfs.CgroupLayout#groupDirectories}
     * gives them for a running process): the v2 one through CLONE_INTO_CGROUP, v1 ones by attaching.
     */
    public static CgroupPlacement of(java.util.Map<Hierarchy, Path> directories) {
        Path v2 = null;
        List<Path> v1 = new ArrayList<>();
        for (java.util.Map.Entry<Hierarchy, Path> directory : directories.entrySet()) {
            if (directory.getKey().version() == CgroupVersion.V2) {
                v2 = directory.getValue();
            } else {
                v1.add(directory.getValue());
            }
        }
        return new CgroupPlacement(v2, v1);
    }
}
