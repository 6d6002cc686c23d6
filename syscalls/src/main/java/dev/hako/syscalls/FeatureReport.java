package dev.hako.syscalls;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * What {@link KernelFeatures#probe()} found: the kernel release, the cgroup layout and,
 * for each {@link KernelFeatures.Feature}, whether it is available with a short detail.
 *
 * @param kernelRelease     the kernel release as uname(2) reports it, e.g. {@code "6.8.0-45-generic"}
 * @param machine           the hardware name from uname(2), e.g. {@code "x86_64"}
 * @param cgroupMode        how cgroups are mounted at /sys/fs/cgroup
 * @param cgroupControllers the controllers available: v2 from the root's cgroup.controllers,
 *                          otherwise the enabled ones of /proc/cgroups
 * @param results           one result per feature, in {@link KernelFeatures.Feature} order
 */
public record FeatureReport(String kernelRelease, String machine, CgroupMode cgroupMode,
                            List<String> cgroupControllers, List<Result> results) {

    /** How the cgroup hierarchies are mounted. */
    public enum CgroupMode {
        /** cgroup v2 only, at /sys/fs/cgroup. */
        UNIFIED,
        /** v1 controllers at /sys/fs/cgroup/NAME plus a v2 hierarchy at /sys/fs/cgroup/unified. */
        HYBRID,
        /** cgroup v1 only. */
        LEGACY,
        /** No cgroup file system found at /sys/fs/cgroup. */
        NONE
    }

    /**
     * The outcome of probing one feature.
     *
     * @param feature   which feature
     * @param available whether Hako can use it on this kernel, as far as the probe can tell
     * @param detail    how that was found out, or why not, in a few words
     */
    public record Result(KernelFeatures.Feature feature, boolean available, String detail) {
    }

    /** Copies the lists. */
    public FeatureReport {
        cgroupControllers = List.copyOf(cgroupControllers);
        results = List.copyOf(results);
    }

    /**
     * The result for one feature.
     *
     * @throws NoSuchElementException if the report has none for it (it always has)
     */
    public Result result(KernelFeatures.Feature feature) {
        for (Result result : results) {
            if (result.feature() == feature) {
                return result;
            }
        }
        throw new NoSuchElementException("no result for " + feature);
    }

    /** Whether {@code feature} is available. */
    public boolean available(KernelFeatures.Feature feature) {
        return result(feature).available();
    }

    /**
     * Renders the report as an aligned text table, one feature per line:
     * <pre>
     * kernel             6.18.4 (x86_64)
     * clone3             yes  clone3 answered EINVAL to an empty argument
     * ...
     * </pre>
     */
    public String describe() {
        int width = "kernel".length();
        for (Result result : results) {
            width = Math.max(width, result.feature().label().length());
        }
        StringBuilder text = new StringBuilder();
        text.append(pad("kernel", width)).append("  ").append(kernelRelease).append(" (").append(machine).append(")\n");
        for (Result result : results) {
            text.append(pad(result.feature().label(), width)).append("  ")
                    .append(result.available() ? "yes" : "no ").append("  ")
                    .append(result.detail()).append('\n');
        }
        return text.toString();
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(width - text.length());
    }
}
