package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.cgroupfs.Bytes;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Controller;
import dev.hako.cgroupfs.CpuSpec;
import dev.hako.cgroupfs.MemorySpec;
import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's examples, as written there (with a real command for "my-command"). */
@Timeout(60)
class ReadmeExamplesTest {

    @Test
    @Privileged
    void freshNamespacesInFiveLines() throws Exception {
        ContainerProcess p = new ContainerBuilder("/bin/sh", "-c", "hostname; echo $$")
                .namespaces(NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.UTS, NamespaceType.IPC)
                .hostname("box").redirectOutput(Redirect.PIPE).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        assertThat(out).isEqualTo("box\n1\n");
        p.close();
    }

    @Test
    @Privileged
    void initForwardsDestroyToAPid2WithoutHandlers() throws Exception {
        try (ContainerProcess p = new ContainerBuilder("/bin/sleep", "600").namespaces(NamespaceType.PID)
                .init(true).start()) {
            p.destroy();
            assertThat(p.waitFor()).isEqualTo(143);
            assertThat(p.exitSignal()).contains(dev.hako.syscalls.Signal.SIGTERM);
        }
    }

    @Test
    @Privileged
    void capAt64MiBAndHalfACpuAndPrintThePeak() throws Exception {
        String name = "/hako-readme-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        CgroupLayout layout = CgroupLayout.detect();
        Cgroup group = Cgroup.create(layout, name, EnumSet.of(Controller.MEMORY, Controller.CPU));
        try {
            group.apply(MemorySpec.limit(Bytes.mib(64)), CpuSpec.cpus(0.5));
            // "my-command arg": touch 16 MiB so the peak is visible.
            try (ContainerProcess p = new ContainerBuilder("/bin/sh", "-c",
                    "head -c 16777216 /dev/zero | tail -c 1 > /dev/null").cgroup(CgroupPlacement.of(group)).start()) {
                int status = p.waitFor();
                long peak = group.memoryStats().peak().orElseThrow();
                System.out.println("exit " + status + ", peak " + Bytes.of(peak));
                assertThat(status).isZero();
                assertThat(peak).isPositive().isLessThanOrEqualTo(64L << 20);
            }
        } finally {
            group.delete(Duration.ofSeconds(5), true);
        }
    }
}
