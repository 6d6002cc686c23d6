package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.testing.Privileged;
import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's example, "cap a command at 64 MiB and half a CPU and print its peak", run as written. */
@Privileged
class ReadmeExampleTest {

    @Test
    @Timeout(30)
    void capACommandAndPrintItsPeak() throws Exception {
        String path = "/hako-test-readme-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        // --- README snippet begins ---
        CgroupLayout layout = CgroupLayout.detect();
        Cgroup group = Cgroup.create(layout, path, EnumSet.of(Controller.MEMORY, Controller.CPU));
        try {
            group.apply(MemorySpec.limit(Bytes.mib(64)), CpuSpec.cpus(0.5));
            // The shell waits for a line on stdin, so the command starts only once it is in the group.
            Process process = new ProcessBuilder("/bin/sh", "-c", "read _; exec \"$@\"", "sh",
                    "dd", "if=/dev/zero", "of=/dev/null", "bs=16M", "count=4").start();
            group.attach(process.pid());
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write('\n');
            }
            int status = process.waitFor();
            long peak = group.memoryStats().peak().orElseThrow();
            System.out.println("exit " + status + ", peak memory " + Bytes.of(peak) + " (" + peak + " bytes)");
            // --- README snippet ends ---
            assertThat(status).isZero();
            assertThat(peak).isBetween(16L << 20, 64L << 20);
        } finally {
            group.delete(Duration.ofSeconds(5), true);
        }
    }
}
