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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Timeout;

/**
 * Dump, kill, restore into a new container: the restored program goes on from where it
 * was and its output equals an uninterrupted run's, bit for bit.
 */
@Timeout(180)
@Privileged({Requirement.ROOT, Requirement.FREEZER})
class RestoreTest {

    @ParameterizedTest(name = "{0}, dumped after {1} rounds")
    @CsvSource({"sleep, 4", "sleep, 9", "busy, 6"})
    void restoredProgramContinuesWithTheReferenceChecksums(String mode, int rounds) throws Exception {
        Path program = Fixtures.checksumProgram();
        int total = mode.equals("busy") ? 120 : 40;
        try (Fixtures fixtures = new Fixtures()) {
            Path reference = fixtures.work.resolve("reference.out");
            try (ContainerProcess run = fixtures.container(program.toString(), mode, Integer.toString(total))
                    .redirectOutput(Redirect.to(reference)).start()) {
                assertThat(run.waitFor(90, TimeUnit.SECONDS)).isTrue();
                assertThat(run.exitValue()).isZero();
            }
            Path out = fixtures.work.resolve("restored.out");
            Path image = fixtures.work.resolve("image");
            ContainerProcess original = fixtures.container(program.toString(), mode, Integer.toString(total))
                    .redirectOutput(Redirect.to(out)).start();
            Fixtures.dumpWhenReady(original, out, rounds, image);
            int linesAtDump = Fixtures.complete(out).size();
            assertThat(linesAtDump).isLessThan(total);

            fixtures.restoreAndAwaitSuccess(image, Duration.ofSeconds(90));
            List<String> expected = Files.readAllLines(reference);
            assertThat(expected).hasSize(total);
            assertThat(Files.readAllLines(out)).isEqualTo(expected);
        }
    }
}
