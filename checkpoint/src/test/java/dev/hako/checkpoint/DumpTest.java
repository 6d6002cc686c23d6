package dev.hako.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Redirect;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Dumping a running container: what the image holds, and the original going on unharmed. */
@Timeout(120)
@Privileged({Requirement.ROOT, Requirement.FREEZER})
class DumpTest {

    @Test
    void dumpAndContinueLeavesTheProgramComputingTheSameChecksums() throws Exception {
        Path program = Fixtures.checksumProgram();
        try (Fixtures fixtures = new Fixtures()) {
            Path reference = fixtures.work.resolve("reference.out");
            try (ContainerProcess run = fixtures.container(program.toString(), "sleep", "30")
                    .redirectOutput(Redirect.to(reference)).start()) {
                assertThat(run.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
            Path out = fixtures.work.resolve("dumped.out");
            ContainerProcess process = fixtures.container(program.toString(), "sleep", "30")
                    .redirectOutput(Redirect.to(out)).start();
            try {
                Fixtures.awaitLines(out, 5, Duration.ofSeconds(30));
                Path image = fixtures.work.resolve("image");
                ImageDescription description = Checkpoint.of(process).leaveRunning(true).dump(image);

                assertThat(description.tasks()).hasSize(1);
                ImageDescription.Task task = description.tasks().getFirst();
                assertThat(task.pid()).isEqualTo(1);
                assertThat(task.executable()).isEqualTo(program.toString());
                assertThat(task.dumpedBytes()).isGreaterThan(64L << 20);
                assertThat(task.descriptors()).anyMatch(fd -> fd.startsWith("1: " + out));
                assertThat(Files.size(image.resolve("pages-1.img"))).isEqualTo(task.dumpedBytes());
                assertThat(ImageDescription.read(image).describe()).isEqualTo(description.describe());

                assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(process.exitValue()).isZero();
                assertThat(Files.readAllLines(out)).isEqualTo(Files.readAllLines(reference)).hasSize(30);
            } finally {
                Fixtures.closeQuietly(process);
            }
        }
    }

    @Test
    void presentPagesThatAreAllZeroAreNotDumped() throws Exception {
        try (Fixtures fixtures = new Fixtures()) {
            Path rootfs = PathsTest.mapperRootfs(fixtures);
            Path state = Files.createDirectories(fixtures.work.resolve("state"));
            Files.writeString(state.resolve("data"), "mapped contents!");
            Path out = state.resolve("out");
            ContainerProcess process = PathsTest.mapper(fixtures, rootfs, state, "zeros", Path.of("/dev/null")).start();
            try {
                Fixtures.awaitLines(out, 2, Duration.ofSeconds(30));
                long resident = Long.parseLong(Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream()
                        .filter(l -> l.startsWith("RssAnon:")).findFirst().orElseThrow().replaceAll("\\D", "")) << 10;
                assertThat(resident).as("RssAnon").isGreaterThanOrEqualTo(32L << 20);
                ImageDescription description = Checkpoint.of(process).leaveRunning(true)
                        .dump(fixtures.work.resolve("image"));
                assertThat(description.tasks().getFirst().dumpedBytes()).isLessThan(1L << 20);
                int before = Fixtures.complete(out).size();
                Fixtures.awaitLines(out, before + 2, Duration.ofSeconds(30));
            } finally {
                Fixtures.closeQuietly(process);
            }
        }
    }

    @Test
    void dumpWithoutLeaveRunningKillsTheContainer() throws Exception {
        Path program = Fixtures.checksumProgram();
        try (Fixtures fixtures = new Fixtures()) {
            Path out = fixtures.work.resolve("out");
            ContainerProcess process = fixtures.container(program.toString(), "busy", "100000")
                    .redirectOutput(Redirect.to(out)).start();
            try {
                Fixtures.awaitLines(out, 3, Duration.ofSeconds(30));
                Checkpoint.of(process).dump(fixtures.work.resolve("image"));
                assertThat(process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(Files.readAllLines(fixtures.freezer.resolve("cgroup.procs"))).isEmpty();
            } finally {
                Fixtures.closeQuietly(process);
            }
        }
    }
}
