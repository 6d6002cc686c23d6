package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.namespaces.launch.ChildInterpreter;
import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Thousands of starts from a busy JVM (a quarter of them with an init reaper, whose
 * supervisor loops and forks twice more): one thread allocates, one calls System.gc() and
 * Thread.getAllStackTraces() (a handshake with every thread) in a loop. A child that
 * touched JVM machinery would hang on a lock held at the fork; the exec timeout would then
 * turn the hang into a failure here.
 */
class LaunchStressTest {

    private static final int STARTS = 2_000;

    @Test
    // Hangs are caught per start (waitFor's bound below); this only caps the whole run,
    // whose length follows the machine's fork cost (2 to 30 ms a start on this project's
    // machines, with the GC and handshake pressure on top).
    @Timeout(value = 25, unit = TimeUnit.MINUTES)
    @Privileged
    void twoThousandStartsUnderGcAndHandshakePressure() throws Exception {
        Payloads.openLongLivedDescriptors();
        ChildInterpreter.ensureWarm();
        List<String> fdsBefore = Payloads.openFds();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> noise = new ArrayList<>();
        noise.add(Thread.ofPlatform().daemon().start(() -> {
            List<byte[]> keep = new ArrayList<>();
            while (!stop.get()) {
                keep.add(new byte[64 * 1024]);
                if (keep.size() > 200) {
                    keep.clear();
                }
            }
        }));
        noise.add(Thread.ofPlatform().daemon().start(() -> {
            while (!stop.get()) {
                System.gc();
                Thread.getAllStackTraces();
            }
        }));
        int failures = 0;
        List<String> failureMessages = new ArrayList<>();
        try {
            for (int i = 0; i < STARTS; i++) {
                ContainerBuilder builder = new ContainerBuilder("/bin/true");
                if (i % 2 == 1) {
                    builder.namespaces(NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.IPC, NamespaceType.UTS);
                }
                if (i % 4 == 3) {
                    builder.init(true); // a supervisor and a reaper: the loop and two forks in the child
                }
                try (ContainerProcess process = builder.start()) {
                    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("start %d exits", i).isTrue();
                    assertThat(process.exitValue()).isZero();
                } catch (java.io.IOException e) {
                    failures++;
                    failureMessages.add(i + ": " + e.getMessage());
                }
            }
        } finally {
            stop.set(true);
            for (Thread thread : noise) {
                thread.join();
            }
        }
        assertThat(failureMessages).as("starts that failed or hung").isEmpty();
        assertThat(failures).isZero();
        assertThat(Payloads.zombieChildren()).as("zombies").isEmpty();
        Payloads.assertDescriptorsBackTo(fdsBefore);
    }
}
