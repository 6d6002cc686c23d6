package dev.hako.namespaces;


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

    /**
     * CLONE_INTO_CGROUP comes from the feature probe. CLONE_CLEAR_SIGHAND has no probe that
     * tells it apart (every kernel answers EINVAL to the safe test calls), so it goes by
     * version: it is missing only on 5.3 and 5.4, the first kernels with clone3.
     */
    private static KernelSupport probe() {
        int[] version = release();
        boolean intoCgroup = dev.hako.syscalls.KernelFeatures.probe()
                .available(dev.hako.syscalls.KernelFeatures.Feature.CLONE_INTO_CGROUP);
        return new KernelSupport(atLeast(version, 5, 5), intoCgroup);
    }

    /** The running kernel's major and minor version, from /proc/sys/kernel/osrelease. */
    static int[] release() {
        try {
            String release = dev.hako.syscalls.KernelFiles.read("/proc/sys/kernel/osrelease").trim();
            String[] parts = release.split("[.-]");
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (dev.hako.syscalls.SyscallException | RuntimeException e) {
            return new int[] {0, 0};
        }
    }

    private static boolean atLeast(int[] version, int major, int minor) {
        return version[0] > major || (version[0] == major && version[1] >= minor);
    }
}
