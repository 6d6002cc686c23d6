package dev.hako.namespaces;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The control group(s) a new process starts in.
 *
 * <p>On cgroup v2 the process is created directly inside the group with
 * {@code CLONE_INTO_CGROUP} (Linux 5.7), so it never runs a single instruction outside its
 * limits. Where that is not available (cgroup v1 hierarchies, older kernels), the child
 * waits on a pipe until the parent has written its pid to each group's
 * {@code cgroup.procs}, so the payload still starts inside.
 */
public sealed interface CgroupPlacement {

    /** A cgroup v2 directory: CLONE_INTO_CGROUP where the kernel has it, else attach before exec. */
    static CgroupPlacement v2(Path directory) {
        return new V2(Objects.requireNonNull(directory, "directory"));
    }

    /** Cgroup directories (v1 controllers or v2) to attach the child to before it executes. */
    static CgroupPlacement attach(List<Path> directories) {
        if (directories.isEmpty()) {
            throw new IllegalArgumentException("cgroup placement needs at least one directory");
        }
        return new Attach(List.copyOf(directories));
    }

    /** See {@link #v2(Path)}. */
    record V2(Path directory) implements CgroupPlacement {
    }

    /** See {@link #attach(List)}. */
    record Attach(List<Path> directories) implements CgroupPlacement {
    }
}
