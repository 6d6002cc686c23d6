package dev.hako.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Redirect;
import dev.hako.syscalls.Signal;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A task dumped while blocked in pause() resumes at the syscall instruction, to make the
 * call again. A signal sent the moment the restore returns must still end that pause, as
 * it would have natively: the restore returns only once the task is back inside the call.
 * Before that, a signal taken in user space ran the handler and the task then paused for
 * good (the B8 benchmark hung on it about once in five runs).
 */
@Timeout(180)
@Privileged({Requirement.ROOT, Requirement.FREEZER})
class SignalAfterRestoreTest {

    private static final int PAUSE = 34;

    @Test
    void aSignalSentAsSoonAsTheRestoreReturnsEndsThePauseTheTaskWasDumpedIn() throws Exception {
        Path program = Fixtures.program("pauser");
        try (Fixtures fixtures = new Fixtures()) {
            for (int round = 0; round < 10; round++) {
                Path out = fixtures.work.resolve("out-" + round);
                Path image = fixtures.work.resolve("image-" + round);
                ContainerProcess original = fixtures.container(program.toString()).redirectOutput(Redirect.to(out))
                        .start();
                Fixtures.dumpWhenReady(original, out, 1, image);
                ContainerProcess restored = Restore.from(image).container(fixtures.container("/bin/false")).start();
                try {
                    String call = Files.readString(Path.of("/proc", Long.toString(restored.pid()), "syscall"));
                    assertThat(call).as("round %d: back in pause() when the restore returns", round)
                            .startsWith(PAUSE + " ");
                    restored.signal(Signal.SIGUSR1.number());
                    assertThat(restored.waitFor(10, TimeUnit.SECONDS)).as("round %d: woken by SIGUSR1", round)
                            .isTrue();
                    assertThat(restored.exitValue()).isZero();
                } finally {
                    Fixtures.closeQuietly(restored);
                }
                assertThat(Files.readAllLines(out)).isEqualTo(List.of("ready", "woken"));
            }
        }
    }
}
