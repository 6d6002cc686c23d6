package dev.hako.namespaces;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the launch engine may use on this kernel. Probed once.
 *
 * @param clearSighand   clone3 accepts CLONE_CLEAR_SIGHAND (Linux 5.5)
 * @param cloneIntoCgroup clone3 accepts CLONE_INTO_CGROUP (Linux 5.7)
 */
record KernelSupport(boolean clearSighand, boolean cloneIntoCgroup) {

    private static final KernelSupport CURRENT = probe();

    static KernelSupport get() {
        return CURRENT;
    }

    private static KernelSupport probe() {
        int[] version = release();
        return new KernelSupport(atLeast(version, 5, 5), atLeast(version, 5, 7));
    }

    /** The running kernel's major and minor version, from /proc/sys/kernel/osrelease. */
    static int[] release() {
        try {
            String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
            String[] parts = release.split("[.-]");
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {0, 0};
        }
    }

    private static boolean atLeast(int[] version, int major, int minor) {
        return version[0] > major || (version[0] == major && version[1] >= minor);
    }
}
