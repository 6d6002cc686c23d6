package dev.hako.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code ./hako} script end to end, from another directory: it finds the repository,
 * a JDK 25, builds the jar if needed and passes arguments and the exit status through.
 */
class LauncherScriptTest {

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void runsFromAnyDirectoryAndPassesTheExitStatus() throws Exception {
        Path script = Path.of("..", "hako").toAbsolutePath().normalize();
        assertThat(script).isExecutable();
        Process process = new ProcessBuilder(script.toString(), "frobnicate")
                .directory(new File("/"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(process.exitValue()).as(err).isEqualTo(2);
            assertThat(err).contains("hako: unknown subcommand 'frobnicate'");
            assertThat(Files.exists(script.resolveSibling("samples/target/hako.jar"))).isTrue();
        } finally {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
