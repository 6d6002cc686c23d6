package dev.hako.syscalls;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * What {@link KernelFeatures#probe()} found: the kernel release, the cgroup layout and,
 * for each {@link KernelFeatures.Feature}, whether it is available with a short detail.
 * A class rather than a record, so that what the probe reports can grow without
 * breaking callers.
 */
public final class FeatureReport {
    private final String kernelRelease;
    private final String machine;
    private final CgroupMode cgroupMode;
    private final List<String> cgroupControllers;
    private final List<Result> results;

    FeatureReport(String kernelRelease, String machine, CgroupMode cgroupMode, List<String> cgroupControllers,
            List<Result> results) {
        this.kernelRelease = kernelRelease;
        this.machine = machine;
        this.cgroupMode = cgroupMode;
        this.cgroupControllers = List.copyOf(cgroupControllers);
        this.results = List.copyOf(results);
    }

    /** {@return the kernel release as uname(2) reports it, e.g. {@code "6.8.0-45-generic"}} */
    public String kernelRelease() {
        return kernelRelease;
    }

    /** {@return the hardware name from uname(2), e.g. {@code "x86_64"}} */
    public String machine() {
        return machine;
    }

    /** {@return how cgroups are mounted at /sys/fs/cgroup} */
    public CgroupMode cgroupMode() {
        return cgroupMode;
    }

    /**
     * {@return the controllers available: v2 from the root's cgroup.controllers, otherwise
     * the enabled ones of /proc/cgroups}
     */
    public List<String> cgroupControllers() {
        return cgroupControllers;
    }

    /** {@return one result per feature, in {@link KernelFeatures.Feature} order} */
    public List<Result> results() {
        return results;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureReport other && Objects.equals(kernelRelease, other.kernelRelease)
                && Objects.equals(machine, other.machine)
                && Objects.equals(cgroupMode, other.cgroupMode)
                && Objects.equals(cgroupControllers, other.cgroupControllers)
                && Objects.equals(results, other.results);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kernelRelease, machine, cgroupMode, cgroupControllers, results);
    }

    @Override
    public String toString() {
        return "FeatureReport[" + "kernelRelease=" + kernelRelease + ", "
                + "machine=" + machine + ", "
                + "cgroupMode=" + cgroupMode + ", "
                + "cgroupControllers=" + cgroupControllers + ", "
                + "results=" + results + "]";
    }

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
