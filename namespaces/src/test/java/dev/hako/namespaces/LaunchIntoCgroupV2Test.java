package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.cgroupfs.Bytes;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Controller;
import dev.hako.cgroupfs.MemorySpec;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.Signal;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import dev.hako.testing.Tags;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The launch engine with cgroup v2 controllers: the payload is created inside its group
 * (CLONE_INTO_CGROUP), so the group's limits hold from its first instruction.
 */
@Tag(Tags.CGROUP2)
@Timeout(120)
class LaunchIntoCgroupV2Test {

    @Test
    @Privileged({Requirement.ROOT, Requirement.CGROUP2_CONTROLLERS})
    void payloadStartsInsideItsGroupAndIsOomKilledThere() throws Exception {
        CgroupLayout layout = CgroupLayout.detect();
        String path = "/hako-test-launch-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Cgroup group = Cgroup.create(layout, path, EnumSet.of(Controller.MEMORY, Controller.PIDS));
        try {
            group.apply(MemorySpec.limit(Bytes.mib(32)));
            ContainerBuilder builder = new ContainerBuilder("/bin/sh", "-c",
                    "cat /proc/self/cgroup; exec dd if=/dev/zero of=/dev/null bs=64M count=1")
                    .namespaces(NamespaceType.PID, NamespaceType.IPC, NamespaceType.UTS)
                    .cgroup(CgroupPlacement.of(group))
                    .redirectOutput(Redirect.PIPE).redirectError(Redirect.DISCARD);
            assertThat(builder.plan().describe()).contains("CLONE_INTO_CGROUP");
            try (ContainerProcess process = builder.start()) {
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(process.waitFor(Duration.ofSeconds(60))).isTrue();
                assertThat(out).isEqualTo("0::" + path + "\n");
                assertThat(process.exitSignal()).contains(Signal.SIGKILL);
                assertThat(group.memoryEvents().oomKill()).isGreaterThanOrEqualTo(1);
            }
        } finally {
            group.delete(Duration.ofSeconds(10), true);
        }
    }
}
