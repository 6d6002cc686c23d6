package dev.hako.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.MountSpec;
import dev.hako.namespaces.Redirect;
import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The program and the mapped files of a task are saved by the path the task itself sees
 * (its root, not the dumping process's) and found again there in the new container; one
 * that the task's root cannot reach, or that was deleted, is refused before anything stops.
 */
@Timeout(180)
@Privileged({Requirement.ROOT, Requirement.FREEZER})
class PathsTest {

    @Test
    void programAndMappedFileAreFoundInTheNewContainersRoot() throws Exception {
        try (Fixtures fixtures = new Fixtures()) {
            Path rootfs = mapperRootfs(fixtures);
            Path state = Files.createDirectories(fixtures.work.resolve("state"));
            Files.writeString(state.resolve("data"), "mapped contents!");
            Path out = state.resolve("out");
            Path image = fixtures.work.resolve("image");
            ContainerProcess original = mapper(fixtures, rootfs, state, "inside", Path.of("/dev/null")).start();
            String flags;
            try {
                Fixtures.awaitLines(out, 3, Duration.ofSeconds(30));
                flags = fdFlags(original.pid(), 3);
                Checkpoint.of(original).dump(image);
                assertThat(original.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                Fixtures.closeQuietly(original);
            }
            int atDump = Fixtures.complete(out).size();
            // /opt/mapper exists only in the rootfs: the restore found it (and mapped it, and
            // /state/data) in the new container's root.
            assertThat(Path.of("/opt/mapper")).doesNotExist();
            assertThat(ImageDescription.read(image).tasks().getFirst().executable()).isEqualTo("/opt/mapper");
            ContainerProcess restored = Restore.from(image)
                    .container(mapper(fixtures, rootfs, state, "inside", Path.of("/dev/null"))).start();
            try {
                // /state/out as fopen("ae") opened it: O_APPEND and close-on-exec, as before.
                assertThat(fdFlags(restored.pid(), 3)).isEqualTo(flags);
                assertThat(Integer.parseInt(flags, 8) & 02002000).isEqualTo(02002000);
                List<String> lines = Fixtures.awaitLines(out, atDump + 3, Duration.ofSeconds(30));
                for (int i = 0; i < lines.size(); i++) {
                    assertThat(lines.get(i)).isEqualTo("tick " + (i + 1) + " mapped contents!");
                }
            } finally {
                Fixtures.closeQuietly(restored);
            }
        }
    }

    @Test
    void aMappedFileOutsideTheTasksRootIsRefused() throws Exception {
        try (Fixtures fixtures = new Fixtures()) {
            Path rootfs = mapperRootfs(fixtures);
            Path state = Files.createDirectories(fixtures.work.resolve("state"));
            Path outside = fixtures.work.resolve("outside");
            Files.writeString(outside, "from the host...");
            try (ContainerProcess process = mapper(fixtures, rootfs, state, "stdin", outside).start()) {
                Fixtures.awaitLines(state.resolve("out"), 2, Duration.ofSeconds(30));
                assertRefused(process, state, "cannot checkpoint: task " + process.pid() + " (mapper) maps " + outside
                        + " at 0x", ": it cannot be reached from the task's root, so a restore could not map it");
            }
        }
    }

    @Test
    void aDeletedMappedFileIsRefused() throws Exception {
        try (Fixtures fixtures = new Fixtures()) {
            Path rootfs = mapperRootfs(fixtures);
            Path state = Files.createDirectories(fixtures.work.resolve("state"));
            try (ContainerProcess process = mapper(fixtures, rootfs, state, "deleted", Path.of("/dev/null")).start()) {
                Fixtures.awaitLines(state.resolve("out"), 2, Duration.ofSeconds(30));
                assertRefused(process, state, "cannot checkpoint: task " + process.pid() + " (mapper) maps ",
                        "gone (deleted) at 0x", ": the file was deleted, so a restore could not map it");
            }
        }
    }

    @Test
    void aDeletedProgramIsRefused() throws Exception {
        try (Fixtures fixtures = new Fixtures()) {
            Path rootfs = mapperRootfs(fixtures);
            Path state = Files.createDirectories(fixtures.work.resolve("state"));
            Files.writeString(state.resolve("data"), "mapped contents!");
            try (ContainerProcess process = mapper(fixtures, rootfs, state, "inside", Path.of("/dev/null")).start()) {
                Fixtures.awaitLines(state.resolve("out"), 2, Duration.ofSeconds(30));
                Files.delete(rootfs.resolve("opt/mapper"));
                assertRefused(process, state, "cannot checkpoint: task " + process.pid() + " (mapper) runs ",
                        "mapper (deleted)", ": the file was deleted, so a restore could not execute it");
            }
        }
    }

    private static void assertRefused(ContainerProcess process, Path state, String start, String... rest)
            throws Exception {
        Path image = state.resolveSibling("image");
        assertThatThrownBy(() -> Checkpoint.of(process).dump(image)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(start).hasMessageContaining(rest[0]).hasMessageEndingWith(rest[rest.length - 1]);
        try (var files = Files.list(image)) {
            assertThat(files).isEmpty();
        }
        int before = Fixtures.complete(state.resolve("out")).size();
        Fixtures.awaitLines(state.resolve("out"), before + 2, Duration.ofSeconds(30));
        assertThat(process.isAlive()).isTrue();
        assertThat(Files.readString(Path.of("/proc/" + process.pid() + "/status")))
                .doesNotContainPattern("TracerPid:\\s+[1-9]");
    }

    /** The flags line of /proc/PID/fdinfo/FD: status flags and O_CLOEXEC, in octal. */
    static String fdFlags(long pid, int fd) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/fdinfo/" + fd)).stream().filter(l -> l.startsWith("flags:"))
                .findFirst().orElseThrow().substring(6).trim();
    }

    /** The busybox rootfs plus the mapper program at /opt/mapper, a path the host does not have. */
    static Path mapperRootfs(Fixtures fixtures) throws Exception {
        Path rootfs = fixtures.busyboxRootfs();
        Files.createDirectories(rootfs.resolve("opt"));
        Files.copy(Fixtures.program("mapper"), rootfs.resolve("opt/mapper"), StandardCopyOption.REPLACE_EXISTING);
        return rootfs;
    }

    static ContainerBuilder mapper(Fixtures fixtures, Path rootfs, Path state, String mode, Path input) {
        Path devNull = Path.of("/dev/null");
        return Fixtures.checkpointable(new ContainerBuilder("/opt/mapper", mode).namespaces(NamespaceType.PID)
                .mounts(MountSpec.builder().rootfs(rootfs).bind(state, "/state", false).build())
                .redirectInput(Redirect.from(input)).redirectOutput(Redirect.to(devNull))
                .redirectError(Redirect.to(devNull))
                .cgroup(dev.hako.namespaces.CgroupPlacement.attach(List.of(fixtures.freezer))));
    }
}
