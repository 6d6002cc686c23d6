package dev.hako.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.checkpoint.internal.ImageStore;
import dev.hako.checkpoint.internal.Registers;
import dev.hako.checkpoint.internal.TaskImage;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Redirect;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A task dumped inside an rseq critical section: the dump moves it to the section's abort
 * handler, where the kernel sends a preempted task, so the task (restored, or the original
 * left running) runs the section again from its start, with rseq still registered, and
 * computes what an uninterrupted run computes.
 *
 * <p>The totals alone would not show a missing fix-up (the section's loop gives the same
 * result when it simply goes on); the abort of the section the task was in does: with the
 * fix-up turned off, the saved rip was inside the section and the task's first abort after
 * the dump was in a later section (restored: 3 runs of 3; left running: 1 of 1).
 */
@Timeout(180)
@Privileged({Requirement.ROOT, Requirement.FREEZER})
class RseqTest {

    @ParameterizedTest(name = "leaveRunning {0}")
    @ValueSource(booleans = {false, true})
    void aTaskDumpedInsideACriticalSectionRestartsItThroughTheAbortHandler(boolean leaveRunning) throws Exception {
        Path program = Fixtures.program("rseq");
        try (Fixtures fixtures = new Fixtures()) {
            Path reference = fixtures.work.resolve("reference.out");
            try (ContainerProcess run = fixtures.container(program.toString()).redirectOutput(Redirect.to(reference))
                    .redirectError(Redirect.to(fixtures.work.resolve("reference.err"))).start()) {
                assertThat(run.waitFor(90, TimeUnit.SECONDS)).isTrue();
                assertThat(run.exitValue()).isZero();
            }
            List<String> expected = Files.readAllLines(reference);
            assertThat(expected).hasSize(22).last().isEqualTo("rseq again: EBUSY");

            Path out = fixtures.work.resolve("dumped.out");
            Path err = fixtures.work.resolve("dumped.err");
            Path image = fixtures.work.resolve("image");
            try (ContainerProcess original = fixtures.container(program.toString()).redirectOutput(Redirect.to(out))
                    .redirectError(Redirect.to(err)).start()) {
                Fixtures.awaitLines(out, 3, Duration.ofSeconds(60));
                dumpAndAwaitEnd(original, image, leaveRunning);
            }

            // "start 0x... end 0x... abort 0x...": the program spends all but a few
            // instructions per section in [start, end), so the dump caught it there, and the
            // fix-up saved the abort handler's address as the instruction pointer.
            long abort = Long.decode(expected.getFirst().split(" ")[5]);
            TaskImage task = ImageStore.read(image).getFirst();
            assertThat(task.rseqPointer).as("glibc's rseq area").isNotZero();
            assertThat(task.rseqSignature).as("the registered signature").isEqualTo(0x53053053L);
            Registers saved = Registers.of(task.registers);
            assertThat(Long.toHexString(saved.get("rip"))).as("saved rip").isEqualTo(Long.toHexString(abort));
            long inSection = saved.get("rsi"); // cs_run's seed: the number of the section it was in
            long errorAtDump = task.fds.stream().filter(fd -> fd.fd == 2).findFirst().orElseThrow().position;

            if (!leaveRunning) {
                assertThat(Fixtures.complete(out).size()).isLessThan(expected.size() - 1);
                fixtures.restoreAndAwaitSuccess(image, Duration.ofSeconds(90));
            }
            // The same totals, and the area is still registered with the same length and
            // signature (a second registration fails with EBUSY; with none it would succeed,
            // with another area, length or signature fail otherwise).
            assertThat(Files.readAllLines(out)).isEqualTo(expected);
            // The first thing the task did after the dump was the abort of the section it was in.
            byte[] error = Files.readAllBytes(err);
            String after = new String(Arrays.copyOfRange(error, (int) errorAtDump, error.length), StandardCharsets.UTF_8);
            assertThat(after.lines().findFirst()).as("standard error after the dump").hasValue("abort in section "
                    + inSection);
        }
    }

    /**
     * A task asleep in pause() inside a section (the ABI forbids calls there; the kernel
     * copes): woken, the kernel steps back over the syscall to restart it and then sends
     * the task to the abort handler, as an uninterrupted run woken by SIGSTOP and SIGCONT
     * shows. A dumped task, restored or left running, must leave it the same way, not two
     * bytes before the handler (where the restart's step back would put it).
     */
    @ParameterizedTest(name = "leaveRunning {0}")
    @ValueSource(booleans = {false, true})
    void aTaskAsleepInACallInsideASectionLeavesItThroughTheAbortHandler(boolean leaveRunning) throws Exception {
        Path program = Fixtures.program("rseq");
        try (Fixtures fixtures = new Fixtures()) {
            Path reference = fixtures.work.resolve("reference.out");
            try (ContainerProcess run = fixtures.container(program.toString(), "pause")
                    .redirectOutput(Redirect.to(reference)).start()) {
                Fixtures.awaitLines(reference, 1, Duration.ofSeconds(30));
                awaitProc(run, "syscall", "34 ");
                assertThat(run.signal(19)).isTrue(); // SIGSTOP
                awaitProc(run, "status", "State:\tT");
                assertThat(run.signal(18)).isTrue(); // SIGCONT
                assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(run.exitValue()).isZero();
            }
            List<String> expected = Files.readAllLines(reference);
            assertThat(expected).hasSize(2).last().isEqualTo("left pause() through the abort handler: 1");

            Path out = fixtures.work.resolve("dumped.out");
            Path image = fixtures.work.resolve("image");
            try (ContainerProcess original = fixtures.container(program.toString(), "pause")
                    .redirectOutput(Redirect.to(out)).start()) {
                Fixtures.awaitLines(out, 1, Duration.ofSeconds(30));
                awaitProc(original, "syscall", "34 ");
                dumpAndAwaitEnd(original, image, leaveRunning);
            }
            long abort = Long.decode(expected.getFirst().split(" ")[5]);
            Registers saved = Registers.of(ImageStore.read(image).getFirst().registers);
            assertThat(Long.toHexString(saved.get("rip"))).as("saved rip").isEqualTo(Long.toHexString(abort));
            assertThat(saved.get("orig_rax")).as("saved orig_rax: no restart").isEqualTo(-1);
            if (!leaveRunning) {
                fixtures.restoreAndAwaitSuccess(image, Duration.ofSeconds(30));
            }
            assertThat(Files.readAllLines(out)).isEqualTo(expected);
        }
    }

    /** Dumps the task and waits for its end: killed, or (left running) its own with status 0. */
    private static void dumpAndAwaitEnd(ContainerProcess original, Path image, boolean leaveRunning) throws Exception {
        Checkpoint.of(original).leaveRunning(leaveRunning).dump(image);
        assertThat(original.waitFor(90, TimeUnit.SECONDS)).isTrue();
        if (leaveRunning) {
            assertThat(original.exitValue()).isZero();
        }
    }

    /** Waits until a line of /proc/PID/{@code file} of the task starts with {@code prefix}. */
    private static void awaitProc(ContainerProcess task, String file, String prefix) throws Exception {
        Path path = Path.of("/proc/" + task.pid() + "/" + file);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (Files.readAllLines(path).stream().noneMatch(line -> line.startsWith(prefix))) {
            assertThat(System.nanoTime()).as("%s never had a line starting with %s", path, prefix).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /**
     * A task asleep inside a section whose abort handler follows another signature than the
     * one it registered: the kernel kills it with SIGSEGV as soon as it returns to user
     * space, so the dump does not send it there; it fails naming the task, the section and
     * the reason, and the task, resumed, dies as the kernel decides (proof that the dump's
     * check is the kernel's).
     */
    @Test
    void aTaskInsideASectionTheKernelRefusesIsNotDumped() throws Exception {
        Path program = Fixtures.program("rseq");
        try (Fixtures fixtures = new Fixtures()) {
            Path out = fixtures.work.resolve("out");
            ContainerProcess original = fixtures.container(program.toString(), "bad-signature")
                    .redirectOutput(Redirect.to(out)).start();
            try {
                // "start 0x... end 0x... abort 0x... descriptor 0x...", then pause() in the section.
                String[] section = Fixtures.awaitLines(out, 1, Duration.ofSeconds(30)).getFirst().split(" ");
                awaitProc(original, "syscall", "34 "); // asleep in pause()
                assertThatThrownBy(() -> Checkpoint.of(original).dump(fixtures.work.resolve("image")))
                        .isInstanceOf(IOException.class)
                        .hasMessage("cannot checkpoint task 1: it is inside the rseq critical section [" + section[1]
                                + ", " + section[3] + ") aborting to " + section[5] + ", whose descriptor at "
                                + section[7] + " the kernel refuses: signature 0x12345678 before its abort"
                                + " handler, not the registered 0x53053053");
                assertThat(original.waitFor(30, TimeUnit.SECONDS)).as("killed by the kernel").isTrue();
                assertThat(original.exitValue()).isEqualTo(128 + 11); // SIGSEGV
            } finally {
                Fixtures.closeQuietly(original);
            }
        }
    }
}
