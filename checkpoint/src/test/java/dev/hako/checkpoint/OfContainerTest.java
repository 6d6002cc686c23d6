package dev.hako.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Redirect;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Checkpoint#ofContainer}: a container named by a pid, as the CLI gets it. */
@Timeout(120)
@Privileged({Requirement.ROOT, Requirement.FREEZER})
class OfContainerTest {

    @Test
    void dumpsTheContainerWhosePid1IsGivenThroughItsFreezer() throws Exception {
        dumpAndContinue((fixtures, process) -> {
            Checkpoint checkpoint = Checkpoint.ofContainer(process.pid());
            assertThat(checkpoint.freezer()).isNotNull();
            assertThat(checkpoint.freezer().path()).isEqualTo("/" + fixtures.freezer.getFileName());
            return checkpoint;
        });
    }

    @Test
    void dumpsTheTreeOfAPidInAGivenCgroup() throws Exception {
        dumpAndContinue((fixtures, process) -> {
            dev.hako.cgroupfs.Cgroup group = dev.hako.cgroupfs.Cgroup.open(dev.hako.cgroupfs.CgroupLayout.detect(),
                    "/" + fixtures.freezer.getFileName());
            Checkpoint checkpoint = Checkpoint.of(group, process.pid());
            assertThat(checkpoint.freezer()).isSameAs(group);
            return checkpoint;
        });
    }

    /** How a test names the running container it dumps. */
    private interface CheckpointOf {
        Checkpoint of(Fixtures fixtures, ContainerProcess process) throws IOException;
    }

    /** Dumps a running checksum container found by {@code find}, and checks that it goes on. */
    private static void dumpAndContinue(CheckpointOf find) throws Exception {
        Path program = Fixtures.checksumProgram();
        try (Fixtures fixtures = new Fixtures()) {
            Path out = fixtures.work.resolve("out");
            ContainerProcess process = fixtures.container(program.toString(), "sleep", "30")
                    .redirectOutput(Redirect.to(out)).start();
            try {
                Fixtures.awaitLines(out, 2, Duration.ofSeconds(30));
                ImageDescription description = find.of(fixtures, process).leaveRunning(true)
                        .dump(fixtures.work.resolve("image"));
                assertThat(description.tasks()).extracting(ImageDescription.Task::pid).containsExactly(1);
                int before = Fixtures.complete(out).size();
                Fixtures.awaitLines(out, before + 2, Duration.ofSeconds(30));
                assertThat(process.isAlive()).isTrue();
            } finally {
                Fixtures.closeQuietly(process);
            }
        }
    }

    @Test
    void aSupervisorOutsideThePidNamespaceNamesItsChild() throws Exception {
        Path program = Fixtures.checksumProgram();
        try (Fixtures fixtures = new Fixtures()) {
            // unshare stays in our pid namespace and waits for its child, PID 1 of a new one;
            // both are in our own cgroups, which must not be frozen.
            Process supervisor = new ProcessBuilder("unshare", "--pid", "--fork", program.toString(), "sleep", "30")
                    .redirectOutput(fixtures.work.resolve("out").toFile()).start();
            try {
                Fixtures.awaitLines(fixtures.work.resolve("out"), 2, Duration.ofSeconds(30));
                Checkpoint checkpoint = Checkpoint.ofContainer(supervisor.pid());
                assertThat(checkpoint.freezer()).isNull();
                ImageDescription description = checkpoint.leaveRunning(true).dump(fixtures.work.resolve("image"));
                assertThat(description.tasks()).hasSize(1);
                assertThat(description.tasks().getFirst().pid()).isEqualTo(1);
                assertThat(description.tasks().getFirst().executable()).isEqualTo(program.toString());
                assertThat(supervisor.isAlive()).isTrue();
            } finally {
                supervisor.descendants().forEach(ProcessHandle::destroyForcibly);
                supervisor.destroyForcibly();
                supervisor.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Hako's init(true): the supervisor forks PID 1 as its parent's child, so PID 1 is its sibling. */
    @Test
    void aHakoSupervisorNamesItsPid1() throws Exception {
        try (ContainerProcess process = new dev.hako.namespaces.ContainerBuilder("/bin/sleep", "60")
                .namespaces(dev.hako.syscalls.NamespaceType.PID).init(true).start()) {
            long pid1 = process.initPid().orElseThrow();
            assertThat(Checkpoint.ofContainer(process.pid()).root()).isEqualTo(pid1);
            assertThat(Checkpoint.ofContainer(pid1).root()).isEqualTo(pid1);
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aMissingProcessIsNamed() {
        assertThatThrownBy(() -> Checkpoint.ofContainer(Integer.MAX_VALUE)).isInstanceOf(IOException.class)
                .hasMessage("no process " + Integer.MAX_VALUE);
    }

    @Test
    void aProcessWithoutAPidNamespaceIsRefused() {
        long self = ProcessHandle.current().pid();
        assertThatThrownBy(() -> Checkpoint.ofContainer(self)).isInstanceOf(IOException.class)
                .hasMessage("process " + self + " is neither the PID 1 of a pid namespace nor the supervisor of one");
    }
}
