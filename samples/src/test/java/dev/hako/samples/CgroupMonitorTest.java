package dev.hako.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.cgroupfs.Bytes;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Controller;
import dev.hako.cgroupfs.MemorySpec;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.testing.Privileged;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Privileged
@Timeout(60)
class CgroupMonitorTest {

    @Test
    void printsStatsAndTheOomKillAsItHappens() throws Exception {
        Cgroup group = Cgroup.create(CgroupLayout.detect(), "/hako/test-monitor-" + ProcessHandle.current().pid(),
                EnumSet.of(Controller.MEMORY, Controller.PIDS));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try {
            group.apply(MemorySpec.limit(Bytes.mib(16)));
            try (CgroupMonitor monitor = new CgroupMonitor(group.path(), out)) {
                try (ContainerProcess hog = new ContainerBuilder("/bin/dd", "if=/dev/zero", "of=/dev/null",
                        "bs=64M", "count=1").cgroup(CgroupPlacement.of(group)).start()) {
                    assertThat(hog.waitFor()).isEqualTo(128 + 9);
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!text(bytes).contains("oom-kill") && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                monitor.printStats();
            }
        } finally {
            group.delete(Duration.ofSeconds(10), true);
        }
        assertThat(text(bytes)).contains("event oom-kill").contains("stats memory ");
    }

    private static String text(ByteArrayOutputStream bytes) {
        synchronized (bytes) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
