package dev.hako.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.testing.Privileged;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code hako} command from its shaded jar ({@code ./hako}, which runs
 * {@code java -jar samples/target/hako.jar}) starts its container through the launch
 * server, whose class path is then that one jar: while the container runs, the command's
 * JVM has two children, the server (a JVM on hako.jar) and the container (CLONE_PARENT
 * makes it the command's child, not the server's).
 */
@Privileged
class ShadedJarServerTest {

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void theCommandsContainerIsForkedByAServerOnTheShadedJar() throws Exception {
        Path script = Path.of("..", "hako").toAbsolutePath().normalize();
        Path jar = script.resolveSibling("samples/target/hako.jar");
        // The script builds the jar when it is missing or stale, which may take minutes.
        Process hako = new ProcessBuilder(script.toString(), "run", "--", "/bin/sh", "-c", "echo up; read line")
                .directory(new File("/"))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(hako.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("up");
            // The script exec'd the JVM: the process we started is the hako command's JVM.
            List<ProcessHandle> children = hako.toHandle().children().toList();
            assertThat(children).hasSize(2);
            ProcessHandle server = children.stream().filter(c -> commandLine(c).contains("LaunchServerMain"))
                    .findFirst().orElseThrow(() -> new AssertionError("no launch server among " + children.stream()
                            .map(ShadedJarServerTest::commandLine).toList()));
            assertThat(commandLine(server)).contains(" -cp " + jar + " dev.hako.namespaces.launch.LaunchServerMain");
            ProcessHandle container = children.stream().filter(c -> c.pid() != server.pid()).findFirst().orElseThrow();
            assertThat(commandLine(container)).isEqualTo("/bin/sh -c echo up; read line");
            hako.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
            hako.getOutputStream().close();
            assertThat(hako.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(hako.exitValue()).isZero();
        } finally {
            hako.destroyForcibly();
            hako.waitFor();
        }
    }

    private static String commandLine(ProcessHandle process) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (java.io.IOException e) {
            return "(gone)";
        }
    }
}
