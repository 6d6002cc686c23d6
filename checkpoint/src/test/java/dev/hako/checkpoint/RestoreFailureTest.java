package dev.hako.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.namespaces.ContainerProcess;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A restore that fails at any of its steps (seize, each execve and clone3, process groups,
 * each task's memory, descriptors, signals, credentials, registers, the release) leaves
 * no process, no mount, no cgroup and no descriptor behind; the step after the last one
 * is a restore that works.
 */
@Timeout(600)
@Privileged({Requirement.ROOT, Requirement.FREEZER})
class RestoreFailureTest {

    @Test
    void aRestoreFailingAtEachStepLeavesNothingBehind() throws Exception {
        try (Fixtures fixtures = new Fixtures()) {
            Path rootfs = fixtures.busyboxRootfs();
            Path state = Files.createDirectories(fixtures.work.resolve("state"));
            Path log = state.resolve("log");
            Path image = fixtures.work.resolve("image");
            ContainerProcess original = fixtures.shellContainer(rootfs, state, TreeRestoreTest.LOOP).start();
            Fixtures.dumpWhenReady(original, log, 3, image);
            List<ImageDescription.Task> saved = ImageDescription.read(image).tasks();
            int tasks = saved.size();
            List<String> mountsBefore = Files.readAllLines(Path.of("/proc/self/mountinfo"));
            List<String> cgroupsBefore = subgroups(fixtures.freezer);
            int fdsBefore = openFds();
            List<String> failedSteps = new ArrayList<>();
            for (int step = 0; ; step++) {
                Restore restore = Restore.from(image).failAtStep(step);
                restore.container(fixtures.shellContainer(rootfs, state, "exit 99"));
                int failing = step;
                try {
                    ContainerProcess restored = restore.start();
                    // Past the last step: this restore worked.
                    try {
                        assertThat(restore.stepsReached()).isEqualTo(step);
                        int lines = Fixtures.complete(log).size();
                        Fixtures.awaitLines(log, lines + 2, Duration.ofSeconds(30));
                    } finally {
                        Fixtures.closeQuietly(restored);
                    }
                    break;
                } catch (IOException e) {
                    assertThat(e).hasMessageStartingWith("injected failure at restore step " + failing + " (");
                    failedSteps.add(e.getMessage());
                }
                awaitEmpty(fixtures.freezer, e -> "after a failure at step " + failing + ": " + e);
                assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo"))).as("mounts after step %d", step)
                        .isEqualTo(mountsBefore);
                assertThat(subgroups(fixtures.freezer)).as("cgroups after step %d", step).isEqualTo(cgroupsBefore);
                assertThat(openFds()).as("JVM descriptors after step %d", step).isEqualTo(fdsBefore);
            }
            // Seize, execve of PID 1, then per task at least memory, descriptors, signals,
            // credentials and registers, plus clone3 and execve for each child.
            assertThat(failedSteps).hasSizeGreaterThanOrEqualTo(2 + 5 * tasks + 2 * (tasks - 1));
            // The loop's pids vary (a sleep may take 3 or 4): name the steps of the saved tasks.
            String failed = String.join("\n", failedSteps);
            assertThat(failed).contains("(descriptors of task 1)", "(process groups)", "(release)");
            for (ImageDescription.Task task : saved) {
                assertThat(failed).contains("(memory of task " + task.pid() + ")",
                        "(registers of task " + task.pid() + ")");
                if (task.pid() != 1) {
                    assertThat(failed).contains("(clone3 of task " + task.pid() + ")");
                }
            }
        }
    }

    private static void awaitEmpty(Path cgroup, java.util.function.Function<List<String>, String> message)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<String> procs = Files.readAllLines(cgroup.resolve("cgroup.procs"));
        while (!procs.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            procs = Files.readAllLines(cgroup.resolve("cgroup.procs"));
        }
        assertThat(procs).as(message.apply(procs)).isEmpty();
    }

    private static List<String> subgroups(Path cgroup) throws IOException {
        try (var entries = Files.list(cgroup)) {
            return entries.filter(Files::isDirectory).map(Path::toString).sorted().toList();
        }
    }

    private static int openFds() throws IOException {
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            return (int) entries.count();
        }
    }
}
