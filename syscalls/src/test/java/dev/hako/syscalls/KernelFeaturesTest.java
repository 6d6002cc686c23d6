package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.bindings.Linux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelFeaturesTest {

    private static final FeatureReport REPORT = KernelFeatures.probe();

    @Test
    void reportsTheRunningKernel() throws Exception {
        assertThat(REPORT.kernelRelease()).isEqualTo(ProcFiles.read("/proc/sys/kernel/osrelease"));
        assertThat(REPORT.machine()).isIn("x86_64", "aarch64");
        assertThat(REPORT.results()).extracting(FeatureReport.Result::feature)
                .containsExactly(KernelFeatures.Feature.values());
    }

    /** The oldest kernel the README supports: close_range with CLOSE_RANGE_CLOEXEC. */
    private static final int[] SUPPORTED_SINCE = {5, 11};

    @Test
    void everySyscallFeatureOfTheRunningReleaseIsFound() throws Exception {
        int[] running = version(REPORT.kernelRelease());
        assertThat(compare(running, SUPPORTED_SINCE)).as("kernel %s is older than the README's 5.11",
                REPORT.kernelRelease()).isGreaterThanOrEqualTo(0);
        // A feature the running release has by mainline history must be found; one that came
        // later may still be there (distributions backport), so it is not asserted absent.
        for (KernelFeatures.Feature feature : List.of(KernelFeatures.Feature.CLONE3,
                KernelFeatures.Feature.CLONE_INTO_CGROUP, KernelFeatures.Feature.PIDFD_OPEN,
                KernelFeatures.Feature.PIDFD_SEND_SIGNAL, KernelFeatures.Feature.NEW_MOUNT_API,
                KernelFeatures.Feature.MOUNT_SETATTR, KernelFeatures.Feature.IDMAPPED_MOUNTS,
                KernelFeatures.Feature.OPENAT2, KernelFeatures.Feature.CLOSE_RANGE)) {
            if (compare(running, version(feature.since())) >= 0) {
                assertThat(REPORT.available(feature)).as(REPORT.result(feature).toString()).isTrue();
            }
        }
        // Every supported kernel (5.11 and later) has clone3 with the cgroup field.
        assertThat(REPORT.result(KernelFeatures.Feature.CLONE_INTO_CGROUP).detail())
                .isEqualTo("present: clone3 read the cgroup field");
        assertThat(REPORT.available(KernelFeatures.Feature.TIME_NAMESPACE))
                .isEqualTo(Files.exists(Path.of("/proc/self/ns/time")));
    }

    @Test
    void releasesCompareByNumbersNotText() {
        assertThat(version("6.18.0-1-amd64")).containsExactly(6, 18);
        assertThat(version("5.11")).containsExactly(5, 11);
        assertThat(compare(version("5.9"), version("5.11"))).isNegative();
        assertThat(compare(version("6.1.0"), SUPPORTED_SINCE)).isPositive();
    }

    /** Major and minor of a release such as {@code 6.18.0-1-amd64}. */
    private static int[] version(String release) {
        String[] parts = release.split("[.-]");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    private static int compare(int[] a, int[] b) {
        return a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]);
    }

    @Test
    void cgroupModeMatchesWhatIsMounted() throws Exception {
        FeatureReport.CgroupMode expected;
        if (Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))) {
            expected = FeatureReport.CgroupMode.UNIFIED;
        } else if (Files.exists(Path.of("/sys/fs/cgroup/unified/cgroup.controllers"))) {
            expected = FeatureReport.CgroupMode.HYBRID;
        } else {
            expected = FeatureReport.CgroupMode.LEGACY;
        }
        assertThat(REPORT.cgroupMode()).isEqualTo(expected);
        if (expected == FeatureReport.CgroupMode.UNIFIED) {
            assertThat(String.join(" ", REPORT.cgroupControllers()))
                    .isEqualTo(ProcFiles.read("/sys/fs/cgroup/cgroup.controllers"));
        } else {
            assertThat(REPORT.cgroupControllers()).contains("memory", "pids");
        }
    }

    @Test
    void userNamespacesFollowTheSysctl() throws Exception {
        long max = Long.parseLong(ProcFiles.read("/proc/sys/user/max_user_namespaces"));
        assertThat(REPORT.available(KernelFeatures.Feature.USER_NAMESPACES)).isEqualTo(max > 0);
        assertThat(REPORT.result(KernelFeatures.Feature.USER_NAMESPACES).detail())
                .startsWith("max_user_namespaces=" + max);
    }

    @Test
    void enosysMeansMissingAndOtherRefusalsMeanPresent() {
        FeatureReport.Result missing = KernelFeatures.present(KernelFeatures.Feature.OPENAT2, Linux.ENOSYS());
        assertThat(missing.available()).isFalse();
        assertThat(missing.detail()).isEqualTo("ENOSYS: missing (Linux 5.6+, or blocked by seccomp)");
        FeatureReport.Result present = KernelFeatures.present(KernelFeatures.Feature.OPENAT2, Linux.EINVAL());
        assertThat(present.available()).isTrue();
        assertThat(present.detail()).isEqualTo("present: probe refused with EINVAL");
        assertThat(KernelFeatures.present(KernelFeatures.Feature.NEW_MOUNT_API, Linux.EPERM()).detail())
                .isEqualTo("present: probe refused with EPERM (not permitted for this process)");
    }

    @Test
    void describeIsAnAlignedTable() {
        String text = REPORT.describe();
        List<String> lines = text.lines().toList();
        assertThat(lines).hasSize(1 + KernelFeatures.Feature.values().length);
        assertThat(lines.get(0)).startsWith("kernel ").contains(REPORT.kernelRelease());
        int column = 2 + java.util.Arrays.stream(KernelFeatures.Feature.values())
                .mapToInt(feature -> feature.label().length()).max().orElseThrow();
        assertThat(lines.get(0).substring(column)).startsWith(REPORT.kernelRelease());
        for (String line : lines.subList(1, lines.size())) {
            assertThat(line.substring(column)).as(line).matches("(yes|no )  \\S.*");
        }
        assertThat(text).containsPattern("\nCLONE_INTO_CGROUP +yes  present: clone3 read the cgroup field\n")
                .containsPattern("\nseccomp filters +yes  present: probe refused with EINVAL\n");
    }
}
