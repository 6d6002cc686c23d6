package dev.hako.namespaces.launch;


/**
 * What the launch engine may use on this kernel. Probed once.
 *
 * @param clearSighand   clone3 accepts CLONE_CLEAR_SIGHAND (Linux 5.5)
 * @param cloneIntoCgroup clone3 accepts CLONE_INTO_CGROUP (Linux 5.7)
 * @param newMountApi    fsopen/fsmount/open_tree/move_mount (5.2) and mount_setattr (5.12)
 * @param openat2        openat2(2) with RESOLVE_* flags (Linux 5.6)
 */
public record KernelSupport(boolean clearSighand, boolean cloneIntoCgroup, boolean newMountApi, boolean openat2) {

    private static final KernelSupport CURRENT = probe();

    static KernelSupport get() {
        return CURRENT;
    }

    /**
     * CLONE_INTO_CGROUP comes from the feature probe. CLONE_CLEAR_SIGHAND has no probe that
     * tells it apart (every kernel answers EINVAL to the safe test calls), so it goes by
     * version: it is missing only on 5.3 and 5.4, the first kernels with clone3.
     */
    private static KernelSupport probe() {
        var features = dev.hako.syscalls.KernelFeatures.probe();
        int[] version = release(features.kernelRelease());
        boolean intoCgroup = features.available(dev.hako.syscalls.KernelFeatures.Feature.CLONE_INTO_CGROUP);
        boolean newMountApi = features.available(dev.hako.syscalls.KernelFeatures.Feature.NEW_MOUNT_API)
                && features.available(dev.hako.syscalls.KernelFeatures.Feature.MOUNT_SETATTR);
        return new KernelSupport(atLeast(version, 5, 5), intoCgroup, newMountApi,
                features.available(dev.hako.syscalls.KernelFeatures.Feature.OPENAT2));
    }

    /** The same kernel as if it had only mount(2) (for tests of that path). */
    KernelSupport withoutNewMountApi() {
        return new KernelSupport(clearSighand, cloneIntoCgroup, false, openat2);
    }

    /** Major and minor version of a release string such as "6.1.0-56-amd64"; 0.0 if unreadable. */
    static int[] release(String release) {
        try {
            String[] parts = release.trim().split("[.-]");
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (RuntimeException e) {
            return new int[] {0, 0};
        }
    }

    private static boolean atLeast(int[] version, int major, int minor) {
        return version[0] > major || (version[0] == major && version[1] >= minor);
    }
}
