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
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/**
 * Securebits, ids, supplementary groups and capability sets come back as they were: a task
 * that raised an ambient capability, then locked SECBIT_NOROOT, SECBIT_KEEP_CAPS and
 * SECBIT_NO_CAP_AMBIENT_RAISE and set groups 5 and 7 (and, as "user", then became uid 1000
 * keeping its permitted set) prints the same credentials after a restore as an
 * uninterrupted run.
 */
@Timeout(180)
@Privileged({Requirement.ROOT, Requirement.FREEZER})
class CredentialsTest {

    @ParameterizedTest(name = "as {0}")
    @ValueSource(strings = {"root", "user"})
    void lockedSecurebitsIdsAndCapabilitiesAreRestored(String who) throws Exception {
        Path program = Fixtures.program("secbits");
        int rounds = 40;
        try (Fixtures fixtures = new Fixtures()) {
            Path reference = fixtures.work.resolve("reference.out");
            try (ContainerProcess run = fixtures.container(program.toString(), Integer.toString(rounds), who)
                    .redirectOutput(Redirect.to(reference)).start()) {
                assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(run.exitValue()).isZero();
            }
            List<String> expected = Files.readAllLines(reference);
            assertThat(expected).hasSize(rounds).allSatisfy(line -> assertThat(line).contains(" securebits 0xf3 ")
                    .contains(" groups 5,7 ").contains(" inheritable 0000000000000400 ")
                    .contains(who.equals("user") ? " uid 1000/1000/1000 gid 1000/1000/1000 " : " uid 0/0/0 ")
                    .endsWith(who.equals("user") ? " ambient 0000000000000000" : " ambient 0000000000000400"));

            Path out = fixtures.work.resolve("restored.out");
            Path image = fixtures.work.resolve("image");
            ContainerProcess original = fixtures.container(program.toString(), Integer.toString(rounds), who)
                    .redirectOutput(Redirect.to(out)).start();
            Fixtures.dumpWhenReady(original, out, 5, image);
            assertThat(Fixtures.complete(out).size()).isLessThan(rounds);

            fixtures.restoreAndAwaitSuccess(image, Duration.ofSeconds(60));
            assertThat(Files.readAllLines(out)).isEqualTo(expected);
        }
    }
}
