package dev.hako.namespaces;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds cgroup mounts for tests, whatever the layout. */
final class TestCgroups {

    private TestCgroups() {
    }

    /** The mount point of the cgroup v2 hierarchy (the unified one on hybrid hosts). */
    static Path v2Root() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] parts = line.split(" - ");
            if (parts.length == 2 && parts[1].startsWith("cgroup2 ")) {
                return Path.of(parts[0].split(" ")[4]);
            }
        }
        throw new IllegalStateException("no cgroup2 mount in /proc/self/mountinfo");
    }
}
