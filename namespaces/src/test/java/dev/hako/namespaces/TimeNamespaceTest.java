package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import dev.hako.testing.Tags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Time namespaces with offsets, on both kernels: the command is forked after the offsets
 * are written, so it is in the namespace whether or not execve would have moved it.
 */
@Privileged
@Timeout(30)
@Tag(Tags.GUEST)
class TimeNamespaceTest {

    private static double hostUptime() throws Exception {
        return Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
    }

    @Test
    void offsetsShowInTheClocks() throws Exception {
        double before = hostUptime();
        String out = Payloads.sh(new ContainerBuilder("/bin/true").timeOffsets(Duration.ofDays(2), Duration.ofDays(3).plusMillis(500)),
                "cat /proc/self/timens_offsets; cat /proc/uptime");
        String[] lines = out.split("\n");
        assertThat(lines[0].replaceAll(" +", " ")).isEqualTo("monotonic 172800 0");
        assertThat(lines[1].replaceAll(" +", " ")).isEqualTo("boottime 259200 500000000");
        double uptime = Double.parseDouble(lines[2].split(" ")[0]);
        assertThat(uptime - before).isBetween(259200.0, 259200.0 + 20);
    }

    @Test
    void withAPidNamespaceTheReaperIsPid1() throws Exception {
        double before = hostUptime();
        String out = Payloads.sh(new ContainerBuilder("/bin/true").timeOffsets(Duration.ZERO, Duration.ofDays(1))
                .namespaces(NamespaceType.PID).mounts(MountSpec.builder().hostRootReadOnly().proc().build()),
                "echo $$; cat /proc/1/comm; cat /proc/uptime");
        String[] lines = out.split("\n");
        assertThat(lines[0]).isEqualTo("2");
        assertThat(lines[1]).isEqualTo("hako-init");
        assertThat(Double.parseDouble(lines[2].split(" ")[0]) - before).isBetween(86400.0, 86400.0 + 20);
    }

    @Test
    void theNamespaceIsUnsharedInTheChildNotCloned() {
        String plan = new ContainerBuilder("/bin/true").timeOffsets(Duration.ofSeconds(5), Duration.ZERO).plan()
                .describe();
        assertThat(plan).doesNotContain("CLONE_NEWTIME}").contains("unshare(CLONE_NEWTIME)")
                .contains("write(<timens_offsets>, \"monotonic 5 0\\nboottime 0 0\\n\", 27)")
                .containsPattern("clone3\\(\\{exit_signal=SIGCHLD}, \\d+\\) = <command pid>");
    }
}
