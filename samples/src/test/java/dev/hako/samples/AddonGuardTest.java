package dev.hako.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.cgroupfs.Bytes;
import dev.hako.testing.Privileged;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Privileged
@Timeout(120)
class AddonGuardTest {

    @Test
    void reportsWhichAddonHitWhichLimit() throws Exception {
        AddonGuard guard = new AddonGuard(new AddonGuard.Caps(Bytes.mib(32), 0.5, 8));
        Map<String, AddonGuard.Outcome> outcomes = guard.runAll(AddonGuard.examples()).stream()
                .collect(Collectors.toMap(AddonGuard.Outcome::name, o -> o));
        assertThat(outcomes.get("polite").limitsHit()).isEmpty();
        assertThat(outcomes.get("polite").exitStatus()).isZero();
        assertThat(outcomes.get("hog").limitsHit()).contains("memory");
        assertThat(outcomes.get("hog").exitStatus()).isEqualTo(128 + 9);
        assertThat(outcomes.get("forker").limitsHit()).isEqualTo(List.of("pids"));
        assertThat(outcomes.get("spinner").limitsHit()).contains("cpu");
    }
}
