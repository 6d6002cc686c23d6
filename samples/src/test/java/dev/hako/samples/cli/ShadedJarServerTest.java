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
 * {@code java -jar samples/target/hako.jar}): asked to ({@code -Dhako.launcher=server} in
 * {@code HAKO_JAVA_OPTS}), it starts its container through the launch server, whose class
 * path is then that one jar; by default it forks itself (one start per command JVM). While
 * the container runs through the server, the command's
 * JVM has two children, the server (a JVM on hako.jar) and the container (CLONE_PARENT
 * makes it the command's child, not the server's).
 */
@Privileged
class ShadedJarServerTest {

    private static final Path SCRIPT = Path.of("..", "hako").toAbsolutePath().normalize();
    private static final String COMMAND = "/bin/sh -c echo up; read line";

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void theCommandsContainerIsForkedByAServerOnTheShadedJar() throws Exception {
        Path jar = SCRIPT.resolveSibling("samples/target/hako.jar");
        Process hako = start("-Dhako.launcher=server");
        try {
            List<ProcessHandle> children = awaitContainer(hako);
            assertThat(children).hasSize(2);
            ProcessHandle server = children.stream().filter(c -> commandLine(c).contains("LaunchServerMain"))
                    .findFirst().orElseThrow(() -> new AssertionError("no launch server among " + children.stream()
                            .map(ShadedJarServerTest::commandLine).toList()));
            assertThat(commandLine(server)).contains(" -cp " + jar + " dev.hako.namespaces.launch.LaunchServerMain");
            ProcessHandle container = children.stream().filter(c -> c.pid() != server.pid()).findFirst().orElseThrow();
            assertThat(commandLine(container)).isEqualTo(COMMAND);
            finish(hako);
        } finally {
            hako.destroyForcibly();
            hako.waitFor();
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void byDefaultTheCommandForksItselfAndStartsNoServer() throws Exception {
        Process hako = start("");
        try {
            List<ProcessHandle> children = awaitContainer(hako);
            assertThat(children).singleElement().extracting(ShadedJarServerTest::commandLine).isEqualTo(COMMAND);
            finish(hako);
        } finally {
            hako.destroyForcibly();
            hako.waitFor();
        }
    }

    /** Runs {@code ./hako run} with {@code HAKO_JAVA_OPTS}; the script builds a missing or stale jar first. */
    private static Process start(String javaOptions) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(SCRIPT.toString(), "run", "--", "/bin/sh", "-c", "echo up; read line")
                .directory(new File("/"))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("HAKO_JAVA_OPTS", javaOptions);
        return builder.start();
    }

    /** The command JVM's children once the container has printed (the script exec'd that JVM). */
    private static List<ProcessHandle> awaitContainer(Process hako) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(hako.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("up");
        return hako.toHandle().children().toList();
    }

    /** Lets the container read its line and checks the command ends with its status. */
    private static void finish(Process hako) throws Exception {
        hako.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
        hako.getOutputStream().close();
        assertThat(hako.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(hako.exitValue()).isZero();
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
