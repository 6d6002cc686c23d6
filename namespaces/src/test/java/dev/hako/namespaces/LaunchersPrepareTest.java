package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.launchprobe.PrepareProbe;
import dev.hako.testing.Privileged;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Launchers#prepare()} in the JVMs it is for, fresh ones: the warm-up runs on one
 * thread while another builds a container and starts it as soon as it can, so starts meet
 * a warm-up in progress. Every start must reach its exec and exit; a child that ran code
 * not yet compiled could hang, which the probe's bound turns into a failure.
 */
@Privileged
@Timeout(600)
class LaunchersPrepareTest {

    private static final int JVMS = 12;
    private static final int STARTS_EACH = 5;

    @Test
    void freshJvmsThatPrepareOnAThreadStartEveryContainer() throws Exception {
        for (int jvm = 0; jvm < JVMS; jvm++) {
            assertThat(probe(null)).as("JVM %d", jvm).isEqualTo("ok=" + STARTS_EACH + "\n");
        }
    }

    @Test
    void aC1OnlyJvmIsRefusedByPrepareAndByItsStart() throws Exception {
        assertThat(probe("-XX:TieredStopAtLevel=1"))
                .containsPattern("(?m)^prepare refused: this JVM compiles with C1 at most")
                .containsPattern("(?m)^refused: this JVM compiles with C1 at most");
    }

    /** Runs PrepareProbe in a fresh JVM on this JVM's class path, with {@code option} if not null; its output. */
    private static String probe(String option) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", option == null ? "-Xshare:auto" : option,
                "-cp", System.getProperty("java.class.path"), PrepareProbe.class.getName(),
                Integer.toString(STARTS_EACH)).redirectErrorStream(true);
        Process java = builder.start();
        try {
            String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(java.waitFor(90, TimeUnit.SECONDS)).as(out).isTrue();
            assertThat(java.exitValue()).as(out).isZero();
            return out;
        } finally {
            java.destroyForcibly();
        }
    }
}
