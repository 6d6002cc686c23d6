package dev.hako.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.cgroupfs.Bytes;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Controller;
import dev.hako.testing.Privileged;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Asserts what each cap guarantees, never what a quiet machine happens to show: a loaded
 * machine can throttle any add-on that uses CPU, so "cpu" is only ruled out for one that
 * uses far less than its quota.
 */
@Privileged
@Timeout(180)
class AddonGuardTest {

    @Test
    void reportsWhichAddonHitWhichLimit() throws Exception {
        Map<String, List<String>> addons = new LinkedHashMap<>(AddonGuard.examples());
        addons.put("spinner", spinsUntilThrottled());
        AddonGuard guard = new AddonGuard(new AddonGuard.Caps(Bytes.mib(32), 0.5, 8));
        Map<String, AddonGuard.Outcome> outcomes = guard.runAll(addons).stream()
                .collect(Collectors.toMap(AddonGuard.Outcome::name, o -> o));

        // A few milliseconds of CPU never exhaust a 50 ms quota, a shell never 32 MiB.
        assertThat(outcomes.get("polite").limitsHit()).isEmpty();
        assertThat(outcomes.get("polite").exitStatus()).isZero();
        // dd's 128 MiB buffer cannot fit under 32 MiB: the OOM killer ends it.
        assertThat(outcomes.get("hog").limitsHit()).contains("memory").doesNotContain("pids");
        assertThat(outcomes.get("hog").exitStatus()).isEqualTo(128 + 9);
        // Twelve background sleeps under a limit of 8 tasks: forks are refused. Whether the
        // shell is also throttled depends on the machine's load, so "cpu" is not asserted.
        assertThat(outcomes.get("forker").limitsHit()).contains("pids").doesNotContain("memory");
        // The spinner exits 0 only once its own group counted a throttled period.
        assertThat(outcomes.get("spinner").exitStatus()).isZero();
        assertThat(outcomes.get("spinner").limitsHit()).contains("cpu").doesNotContain("memory", "pids");
    }

    /**
     * A spinner that keeps spinning until the kernel has throttled its group (nr_throttled
     * in cpu.stat, v1 and v2 alike) instead of for a fixed time: on a busy machine a second
     * of spinning may never get half a CPU within one period. Bounded to 60 rounds.
     */
    private static List<String> spinsUntilThrottled() throws Exception {
        Path stat = CgroupLayout.detect().hierarchyFor(Controller.CPU).orElseThrow()
                .directory("/hako/addon-spinner").resolve("cpu.stat");
        return List.of("/bin/sh", "-c", "for i in $(seq 60); do timeout 1 sh -c 'while :; do :; done';"
                + " grep -q '^nr_throttled [1-9]' " + stat + " && exit 0; done; exit 1");
    }
}
