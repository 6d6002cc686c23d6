package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.launchprobe.InitMemoryProbe;
import dev.hako.launchprobe.StressLoop;
import dev.hako.testing.Privileged;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The launch server from JVMs whose own flags would hurt an in-process start: a big
 * pre-touched heap, and C1 only. Each runs a probe in a JVM of its own, on this JVM's
 * class path, with the default launcher (the server).
 */
@Privileged
class LaunchServerForkedJvmTest {

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void initsSupervisorAndReaperHoldTheServersMemoryNotA4GHeap() throws Exception {
        String out = ForkedJvm.run(List.of("-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"), InitMemoryProbe.class.getName(),
                150);
        Matcher m = Pattern.compile("self=(\\d+) server=(\\d+) supervisor=(\\d+) reaper=(\\d+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        System.out.println("anonymous resident KiB under a pre-touched 4 GiB heap: " + m.group());
        long self = Long.parseLong(m.group(1));
        long server = Long.parseLong(m.group(2));
        long supervisor = Long.parseLong(m.group(3));
        long reaper = Long.parseLong(m.group(4));
        assertThat(self).as("the application's anonymous KiB: its pre-touched heap").isGreaterThan(4L << 20);
        // Copies of the server: its anonymous memory at the fork, and the private copy of
        // the program chunk (256 KiB); nowhere near the application's 4 GiB.
        assertThat(supervisor).as("supervisor KiB; %s", out).isLessThanOrEqualTo(server + 8192);
        assertThat(reaper).as("reaper KiB; %s", out).isLessThanOrEqualTo(server + 8192);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void aJvmThatRunsOnlyC1StartsThroughTheServerUnderPressure() throws Exception {
        int starts = 2_000;
        String out = ForkedJvm.run(List.of("-XX:TieredStopAtLevel=1"), StressLoop.class.getName() + " " + starts + " 900", 1100);
        assertThat(out).as("the C1-only JVM's output").startsWith(starts + " starts, 0 failed\n");
    }
}
