package dev.hako.benchmarks;

import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Hierarchy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The benchmarks' cgroups all live under {@code /hako-bench}; this removes what is left of it. */
public final class BenchCgroups {

    private BenchCgroups() {
    }

    /**
     * Removes {@code /hako-bench/b2} and {@code /hako-bench} in every hierarchy where they
     * exist and are empty; a group still in use stays (best effort, never fails).
     */
    public static void removeEmpty() {
        try {
            for (Hierarchy h : CgroupLayout.detect().groupHierarchies()) {
                for (String path : new String[] {StartVariant.CGROUP_PATH, "/hako-bench"}) {
                    Path dir = h.directory(path);
                    try {
                        Files.deleteIfExists(dir);
                    } catch (IOException busyOrNotEmpty) {
                        // still in use by someone: leave it
                    }
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // no cgroup layout to clean
        }
    }
}
