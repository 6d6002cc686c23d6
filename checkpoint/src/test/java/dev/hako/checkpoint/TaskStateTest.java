package dev.hako.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Redirect;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An interval timer, a blocked pending signal, a lowered rlimit, the personality, the
 * robust list and the clear-tid address: after a restore the timer still fires into its
 * handler, every alarm shows, and each of the others is as the task left it.
 */
@Timeout(120)
@Privileged({Requirement.ROOT, Requirement.FREEZER})
class TaskStateTest {

    static final String AS_IT_WAS = " usr1 pending 1 blocked 1 nofile 100/200 personality 0x40000 robust"
            + " same tid same";

    @Test
    void timersPendingSignalsLimitsRobustListAndTidAddressComeBack() throws Exception {
        Path program = Fixtures.program("state");
        try (Fixtures fixtures = new Fixtures()) {
            Path out = fixtures.work.resolve("out");
            Path image = fixtures.work.resolve("image");
            ContainerProcess original = fixtures.container(program.toString()).redirectOutput(Redirect.to(out)).start();
            Fixtures.dumpWhenReady(original, out, 3, image);
            int atDump = Fixtures.complete(out).size();
            ContainerProcess restored = Restore.from(image).container(fixtures.container("/bin/false")).start();
            try {
                List<String> lines = Fixtures.awaitLines(out, atDump + 5, Duration.ofSeconds(30));
                int previous = 0;
                for (String line : lines) {
                    assertThat(line).as("in %s", lines).endsWith(AS_IT_WAS).startsWith("alarm ");
                    int alarm = Integer.parseInt(line.split(" ")[1]);
                    // One line per alarm, none lost: a task dumped with its SIGALRM pending in
                    // pause() takes it into the handler and returns from pause, as the kernel
                    // would have made it, instead of blocking in pause again.
                    assertThat(alarm).as("in %s", lines).isEqualTo(previous + 1);
                    previous = alarm;
                }
                assertThat(restored.isAlive()).isTrue();
            } finally {
                Fixtures.closeQuietly(restored);
            }
        }
    }
}
