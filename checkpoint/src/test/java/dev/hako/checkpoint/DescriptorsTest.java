package dev.hako.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.bindings.Linux;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.checkpoint.internal.Dumper;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.syscalls.TraceSyscalls;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Descriptors shared between tasks, and what a pipe holds, come back as they were. */
@Timeout(180)
@Privileged({Requirement.ROOT, Requirement.FREEZER})
class DescriptorsTest {

    /** fd 3 opened once (no O_APPEND: writes go to the description's offset), then inherited. */
    static final String WRITERS = "exec 3>/state/log; (i=0; while true; do i=$((i+1)); echo \"child $i\" >&3;"
            + " sleep 0.1; done) & i=0; while true; do i=$((i+1)); echo \"parent line $i\" >&3; sleep 0.13; done";

    /**
     * One open file shared by a parent and its child (the child inherited the descriptor):
     * both write through it at one offset. After a restore they must still share it, or each
     * would write at its own offset and overwrite the other's lines.
     */
    @Test
    void parentAndChildGoOnWritingAtTheirSharedOffset() throws Exception {
        try (Fixtures fixtures = new Fixtures()) {
            Path rootfs = fixtures.busyboxRootfs();
            Path state = Files.createDirectories(fixtures.work.resolve("state"));
            Path log = state.resolve("log");
            Path image = fixtures.work.resolve("image");
            ContainerProcess original = fixtures.shellContainer(rootfs, state, WRITERS).start();
            Fixtures.dumpWhenReady(original, log, 6, image);
            int atDump = Fixtures.complete(log).size();

            // The image holds one open file for fd 3 of both shells, however many tasks hold it.
            List<ImageDescription.Task> tasks = ImageDescription.read(image).tasks();
            List<String> fd3 = tasks.stream().filter(t -> t.pid() <= 2).flatMap(t -> t.descriptors().stream())
                    .filter(fd -> fd.startsWith("3: ")).toList();
            assertThat(fd3).hasSize(2).allSatisfy(fd -> assertThat(fd).matches("3: /state/log at \\d+ \\(open file \\d+,"
                    + " shared\\)")).satisfies(both -> assertThat(both.get(0)).isEqualTo(both.get(1)));

            ContainerProcess restored = Restore.from(image)
                    .container(fixtures.shellContainer(rootfs, state, "exit 99")).start();
            try {
                Fixtures.awaitLines(log, atDump + 12, Duration.ofSeconds(30));
                assertThat(restored.isAlive()).isTrue();
                assertOneOpenFileAtTheEnd(fixtures, (int) restored.pid(), log);
            } finally {
                Fixtures.closeQuietly(restored);
            }
            // Every line whole, each writer's count without a gap: nothing was overwritten.
            List<String> lines = Fixtures.complete(log);
            List<Integer> parent = new ArrayList<>();
            List<Integer> child = new ArrayList<>();
            for (String line : lines) {
                assertThat(line).as("in %s", lines).matches("parent line \\d+|child \\d+");
                (line.startsWith("parent") ? parent : child).add(Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1)));
            }
            assertThat(parent).as("the parent's lines").isEqualTo(IntStream.rangeClosed(1, parent.size()).boxed().toList());
            assertThat(child).as("the child's lines").isEqualTo(IntStream.rangeClosed(1, child.size()).boxed().toList());
            assertThat(parent.size() + child.size()).isGreaterThanOrEqualTo(atDump + 12);
        }
    }

    /**
     * The kernel's view of the restored tree, frozen so nothing writes meanwhile: every task
     * holding fd 3 (the shells and the sleeps they forked) holds the open file PID 1 holds
     * (kcmp KCMP_FILE), and its offset in /proc/PID/fdinfo is where the log ends.
     */
    private static void assertOneOpenFileAtTheEnd(Fixtures fixtures, int root, Path log) throws Exception {
        Cgroup group = Cgroup.open(CgroupLayout.detect(), "/" + fixtures.freezer.getFileName());
        group.freeze(Duration.ofSeconds(10));
        try {
            long end = Files.size(log);
            List<Integer> holders = Dumper.tree(root).stream()
                    .filter(pid -> Files.exists(Path.of("/proc/" + pid + "/fd/3"))).toList();
            assertThat(holders).as("tasks holding fd 3").hasSizeGreaterThanOrEqualTo(2).contains(root);
            for (int pid : holders) {
                assertThat(TraceSyscalls.kcmp(root, pid, Linux.KCMP_FILE(), 3, 3)).as("kcmp of fd 3 of %d and %d",
                        root, pid).isZero();
                assertThat(Files.readAllLines(Path.of("/proc/" + pid + "/fdinfo/3"))).as("fdinfo of %d", pid)
                        .contains("pos:\t" + end);
            }
        } finally {
            group.thaw(Duration.ofSeconds(10));
        }
    }

    /** A line written into a pipe that its reader reads only after the restore. */
    @Test
    void unreadPipeContentsAreReadAfterTheRestore() throws Exception {
        try (Fixtures fixtures = new Fixtures()) {
            Path rootfs = fixtures.busyboxRootfs();
            Path state = Files.createDirectories(fixtures.work.resolve("state"));
            Path piped = state.resolve("piped");
            Path image = fixtures.work.resolve("image");
            ContainerProcess original = fixtures.shellContainer(rootfs, state, "echo one-unread-line | { sleep 4;"
                    + " cat >/state/piped; }; echo done >>/state/piped; exec /bin/sleep 1000").start();
            try {
                Thread.sleep(1000);
                Checkpoint.of(original).dump(image);
                assertThat(original.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                Fixtures.closeQuietly(original);
            }
            assertThat(piped).doesNotExist();
            assertThat(ImageDescription.read(image).tasks().stream().flatMap(t -> t.descriptors().stream()))
                    .anyMatch(fd -> fd.matches("0: pipe:\\[\\d+\\] \\(16 unread bytes\\)"));
            ContainerProcess restored = Restore.from(image)
                    .container(fixtures.shellContainer(rootfs, state, "exit 99")).start();
            try {
                assertThat(Fixtures.awaitLines(piped, 2, Duration.ofSeconds(30))).containsExactly("one-unread-line", "done");
            } finally {
                Fixtures.closeQuietly(restored);
            }
        }
    }
}
