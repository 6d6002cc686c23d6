package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import dev.hako.testing.Tags;
import java.nio.file.Files;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The enforcement proofs on cgroup v2 controllers; runs in the v2 guest. */
@Tag(Tags.CGROUP2)
@Privileged({Requirement.ROOT, Requirement.CGROUP2_CONTROLLERS})
class CgroupV2EnforcementTest extends EnforcementProofs {

    @Override
    CgroupVersion version() {
        return CgroupVersion.V2;
    }

    @Override
    long oomKills(Cgroup group) throws Exception {
        return group.memoryEvents().oomKill();
    }

    @Override
    MemorySpec memoryLimit(Cgroup group) throws Exception {
        MemorySpec spec = MemorySpec.limit(Bytes.mib(32));
        return Files.exists(group.directory(Controller.MEMORY).resolve("memory.swap.max"))
                ? spec.withSwapMax(Bytes.ZERO) : spec;
    }

    @Test
    @Timeout(30)
    void controllersAreEnabledDownThePath() throws Exception {
        Cgroup leaf = leaf("a");
        assertThat(leaf.controllers()).containsAll(CONTROLLERS);
        var along = groups.layout().subtreeControlAlong(leaf.path());
        assertThat(along.get("/")).containsAll(CONTROLLERS);
        assertThat(along.get(groups.parent(CONTROLLERS).path())).containsAll(CONTROLLERS);
        assertThat(along.get(leaf.path())).isEmpty();
    }

    @Test
    @Timeout(30)
    void noInternalProcessesRuleIsCheckedBeforeAnyChange() throws Exception {
        Cgroup busy = leaf("busy");
        try (Payload payload = Payload.start("exec sleep 30")) {
            busy.attach(payload.pid());
            assertThatThrownBy(() -> busy.createChild("inner", EnumSet.of(Controller.MEMORY)))
                    .isInstanceOf(CgroupException.class)
                    .hasMessageContaining("cgroup.subtree_control: that group holds processes [" + payload.pid() + "]")
                    .hasMessageContaining("no-internal-processes rule");
            assertThat(Files.exists(busy.unifiedDirectory().orElseThrow().resolve("inner"))).isFalse();
            busy.kill(Duration.ofSeconds(5));
        }
    }

    @Test
    @Timeout(30)
    void memoryEventsAndStatsAreReadable() throws Exception {
        Cgroup leaf = leaf("stats");
        assertThat(leaf.memoryEvents().oom()).isZero();
        assertThat(leaf.memoryStats().stat()).containsKey("anon");
        // The leaf has cpu, memory and pids only: io's files do not exist there.
        assertThatThrownBy(leaf::ioStats).isInstanceOf(CgroupException.class)
                .hasMessageEndingWith(": the io controller is not enabled for cgroup " + leaf.path()
                        + "; create it with Controller.IO");
        assertThat(leaf.cpuStats().throttling()).isPresent();
        assertThat(leaf.pressure(Pressure.Resource.MEMORY).some().avg10()).isNotNegative();
    }
}
