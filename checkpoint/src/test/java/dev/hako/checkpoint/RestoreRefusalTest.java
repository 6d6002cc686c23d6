package dev.hako.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.checkpoint.internal.ImageStore;
import dev.hako.checkpoint.internal.TaskImage;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Redirect;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a restore or a dump refuses besides the contents of the tree: another kernel (its
 * vdso differs), another architecture than x86_64, and a task that changed its root.
 */
@Timeout(120)
@Privileged({Requirement.ROOT, Requirement.FREEZER})
class RestoreRefusalTest {

    @Test
    void anImageFromAKernelWithAnotherVdsoIsRefusedAndNothingIsLeft() throws Exception {
        Path program = Fixtures.checksumProgram();
        try (Fixtures fixtures = new Fixtures()) {
            Path out = fixtures.work.resolve("out");
            Path image = fixtures.work.resolve("image");
            try (ContainerProcess process = fixtures.container(program.toString(), "sleep", "1000")
                    .redirectOutput(Redirect.to(out)).start()) {
                Fixtures.awaitLines(out, 2, Duration.ofSeconds(30));
                Checkpoint.of(process).dump(image);
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            // The image as another kernel would have written it: one byte of its vdso differs.
            TaskImage task = ImageStore.read(image).getFirst();
            task.vdso[100] ^= 1;
            ImageStore.writeTask(image, task);
            assertThatThrownBy(() -> Restore.from(image).container(fixtures.container("/bin/false")).start())
                    .isInstanceOf(IOException.class).hasMessage("cannot restore task 1: this kernel's vdso differs"
                            + " from the one it was dumped with (restore needs the same kernel)");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!Files.readAllLines(fixtures.freezer.resolve("cgroup.procs")).isEmpty()
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(Files.readAllLines(fixtures.freezer.resolve("cgroup.procs"))).isEmpty();
        }
    }

    @Test
    void anotherArchitectureIsRefusedByDumpAndRestore() throws Exception {
        try (Fixtures fixtures = new Fixtures()) {
            Path image = fixtures.work.resolve("image");
            String arch = System.getProperty("os.arch");
            System.setProperty("os.arch", "aarch64");
            try {
                assertThatThrownBy(() -> Checkpoint.ofPid(ProcessHandle.current().pid()).dump(image))
                        .isInstanceOf(IOException.class)
                        .hasMessage("checkpoint supports x86_64 only for now (this is aarch64)");
                assertThatThrownBy(() -> Restore.from(image).container(fixtures.container("/bin/false")).start())
                        .isInstanceOf(IOException.class)
                        .hasMessage("restore supports x86_64 only for now (this is aarch64)");
            } finally {
                System.setProperty("os.arch", arch);
            }
        }
    }

    @Test
    void aTaskThatChangedItsRootIsRefused() throws Exception {
        try (Fixtures fixtures = new Fixtures()) {
            Path rootfs = fixtures.busyboxRootfs();
            Path jail = Files.createDirectories(rootfs.resolve("jail/bin"));
            Files.copy(rootfs.resolve("bin/busybox"), jail.resolve("busybox"));
            Files.createSymbolicLink(jail.resolve("sh"), Path.of("busybox"));
            Files.createSymbolicLink(rootfs.resolve("bin/chroot"), Path.of("busybox"));
            Path state = Files.createDirectories(fixtures.work.resolve("state"));
            try (ContainerProcess process = fixtures.shellContainer(rootfs, state, "chroot /jail /bin/busybox sh -c"
                    + " 'while true; do /bin/busybox sleep 0.1; done' & echo started >/state/log; while true; do"
                    + " sleep 0.1; done").start()) {
                Fixtures.awaitLines(state.resolve("log"), 1, Duration.ofSeconds(30));
                Thread.sleep(300);
                Path image = fixtures.work.resolve("image");
                assertThatThrownBy(() -> Checkpoint.of(process).dump(image)).isInstanceOf(IOException.class)
                        .hasMessageStartingWith("cannot checkpoint: task ").hasMessageContaining(" has changed its root to ")
                        .hasMessageContaining("jail")
                        .hasMessageEndingWith("; only tasks in their container's root can be checkpointed");
                assertThat(process.isAlive()).isTrue();
            }
        }
    }
}
