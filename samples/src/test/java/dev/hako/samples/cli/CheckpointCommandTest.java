package dev.hako.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.MountSpec;
import dev.hako.namespaces.Redirect;
import dev.hako.namespaces.SeccompProfile;
import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code hako checkpoint}, {@code hako image} and {@code hako restore} on a counting shell. */
@Privileged(Requirement.ROOT)
@Timeout(120)
class CheckpointCommandTest {

    @TempDir
    Path work;

    @Test
    void checkpointImageAndRestoreContinueTheCount() throws Exception {
        Path counter = work.resolve("counter");
        Path image = work.resolve("image");
        Path devNull = Path.of("/dev/null");
        // A pid namespace and no seccomp filter: what a dump needs. The shell appends 1..30,
        // one number every 100 ms, then exits 7.
        ContainerBuilder builder = new ContainerBuilder("/bin/busybox", "sh", "-c",
                "i=0; while [ $i -lt 30 ]; do i=$((i+1)); echo $i >> " + counter + "; sleep 0.1; done; exit 7")
                .namespaces(NamespaceType.PID).seccomp(SeccompProfile.unconfined())
                .redirectInput(Redirect.from(devNull)).redirectOutput(Redirect.to(devNull))
                .redirectError(Redirect.to(devNull));
        try (ContainerProcess original = builder.start()) {
            awaitLines(counter, 5);
            Cli.Result dumped = Cli.run("checkpoint", Long.toString(original.pid()), image.toString());
            assertThat(dumped.status()).as(dumped.err()).isZero();
            assertThat(dumped.out()).matches("checkpointed [12] task\\(s\\) into " + image + "\n");
            assertThat(original.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        List<String> before = Files.readAllLines(counter);
        assertThat(before.size()).isBetween(5, 29);

        Cli.Result listed = Cli.run("image", image.toString());
        assertThat(listed.status()).as(listed.err()).isZero();
        assertThat(listed.out()).startsWith("Hako checkpoint image v2 in " + image + ": ")
                .contains("pid 1 ppid 0 ").contains("/bin/busybox");

        Cli.Result restored = Cli.run("restore", image.toString());
        assertThat(restored.status()).as(restored.err()).isEqualTo(7);
        // The count went on from where the dump left it, not from 1.
        assertThat(Files.readAllLines(counter))
                .isEqualTo(IntStream.rangeClosed(1, 30).mapToObj(Integer::toString).toList());
    }

    @Test
    void aRootfsContainerIsRestoredIntoItsRootfsWithItsBind() throws Exception {
        Path rootfs = Files.createDirectories(work.resolve("rootfs"));
        for (String dir : List.of("bin", "proc", "sys", "dev", "state")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        Files.createSymbolicLink(rootfs.resolve("bin/sleep"), Path.of("busybox"));
        Path state = Files.createDirectories(work.resolve("state"));
        Path counter = state.resolve("counter");
        Path image = work.resolve("image");
        Path devNull = Path.of("/dev/null");
        // The counter is open all along as fd 3, at /state/counter: a path only the
        // container's bind mount has, so a restore must get the same bind to reopen it.
        ContainerBuilder builder = new ContainerBuilder("/bin/busybox", "sh", "-c", "exec 3>>/state/counter; i=0;"
                + " while [ $i -lt 30 ]; do i=$((i+1)); echo $i >&3; sleep 0.1; done; exit 7")
                .namespaces(NamespaceType.PID, NamespaceType.MOUNT).seccomp(SeccompProfile.unconfined())
                .mounts(MountSpec.builder().rootfs(rootfs).proc().bind(state, "/state", false).build())
                .redirectInput(Redirect.from(devNull)).redirectOutput(Redirect.to(devNull))
                .redirectError(Redirect.to(devNull));
        try (ContainerProcess original = builder.start()) {
            awaitLines(counter, 5);
            Cli.Result dumped = Cli.run("checkpoint", Long.toString(original.pid()), image.toString());
            assertThat(dumped.status()).as(dumped.err()).isZero();
            assertThat(original.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        List<String> before = Files.readAllLines(counter);
        assertThat(before.size()).isBetween(5, 29);

        // On the host's file system the counter is not there: the restore fails, and changes nothing.
        Cli.Result withoutRoot = Cli.run("restore", image.toString());
        assertThat(withoutRoot.status()).isEqualTo(HakoCommand.RUN_FAILED);
        assertThat(withoutRoot.err()).contains("/state/counter");
        assertThat(Files.readAllLines(counter)).isEqualTo(before);

        Cli.Result restored = Cli.run("restore", "--rootfs", rootfs.toString(), "--bind", state + ":/state",
                image.toString());
        assertThat(restored.status()).as(restored.err()).isEqualTo(7);
        assertThat(Files.readAllLines(counter))
                .isEqualTo(IntStream.rangeClosed(1, 30).mapToObj(Integer::toString).toList());
    }

    @Test
    void restoreBindsNeedARootfsAndAreParsedAsRunParsesThem() {
        Cli.Result withoutRoot = Cli.run("restore", "--bind", work + ":/state", work.toString());
        assertThat(withoutRoot.status()).isEqualTo(2);
        assertThat(withoutRoot.err().lines().findFirst()).hasValue("hako restore: --bind needs --rootfs: without it"
                + " the restored tasks see the host's file system as it is");
        Cli.Result malformed = Cli.run("restore", "--rootfs", work.toString(), "--bind", "/tmp", work.toString());
        assertThat(malformed.status()).isEqualTo(2);
        assertThat(malformed.err().lines().findFirst())
                .hasValue("hako restore: --bind needs SRC:DST or SRC:DST:ro with an absolute DST, not '/tmp'");
    }

    @Test
    void dumpAndContinueLeavesTheContainerRunning() throws Exception {
        Path image = work.resolve("image");
        try (ContainerProcess original = new ContainerBuilder("/bin/busybox", "sleep", "30")
                .namespaces(NamespaceType.PID).seccomp(SeccompProfile.unconfined())
                .redirectInput(Redirect.from(Path.of("/dev/null"))).start()) {
            Thread.sleep(200);
            Cli.Result dumped = Cli.run("checkpoint", "--leave-running", Long.toString(original.pid()),
                    image.toString());
            assertThat(dumped.status()).as(dumped.err()).isZero();
            assertThat(dumped.out()).isEqualTo("checkpointed 1 task(s) into " + image + " (left running)\n");
            assertThat(original.isAlive()).isTrue();
            original.destroyForcibly();
        }
    }

    @Test
    void checkpointOfNoSuchProcess() {
        Cli.Result result = Cli.run("checkpoint", Integer.toString(Integer.MAX_VALUE), work.resolve("i").toString());
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("hako: no process " + Integer.MAX_VALUE + "\n");
        assertThat(work.resolve("i")).doesNotExist();
    }

    @Test
    void checkpointOfAProcessWithoutPidNamespace() {
        long self = ProcessHandle.current().pid();
        Cli.Result result = Cli.run("checkpoint", Long.toString(self), work.resolve("i").toString());
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("hako: process " + self
                + " is neither the PID 1 of a pid namespace nor the supervisor of one\n");
    }

    @Test
    void checkpointIntoANonEmptyDirectory() throws Exception {
        Files.writeString(work.resolve("keep"), "x");
        Cli.Result result = Cli.run("checkpoint", "1", work.toString());
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("hako: image directory " + work + " is not empty\n");
    }

    @Test
    void imageAndRestoreOfADirectoryThatIsNoImage() {
        Cli.Result image = Cli.run("image", work.toString());
        assertThat(image.status()).isEqualTo(1);
        assertThat(image.err()).isEqualTo("hako: " + work + " is not a checkpoint image: it has no inventory.img\n");
        Cli.Result restore = Cli.run("restore", work.toString());
        assertThat(restore.status()).isEqualTo(HakoCommand.RUN_FAILED);
        assertThat(restore.err()).isEqualTo("hako: " + work + " is not a checkpoint image: it has no inventory.img\n");
    }

    private static void awaitLines(Path file, int lines) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(file) || Files.readAllLines(file).size() < lines) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " did not reach " + lines + " lines");
            }
            Thread.sleep(20);
        }
    }
}
