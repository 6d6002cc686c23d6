package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A probe run in a JVM of its own, on this JVM's class path. */
final class ForkedJvm {

    private ForkedJvm() {
    }

    /** The option that gives a forked JVM this one's launcher, if one was chosen on the command line. */
    static List<String> sameLauncher() {
        String launcher = System.getProperty(Launchers.PROPERTY);
        return launcher == null ? List.of() : List.of("-D" + Launchers.PROPERTY + "=" + launcher);
    }

    /** Runs {@code main} (a class name and its arguments) in a JVM with {@code options}; its output. */
    static String run(List<String> options, String main, int seconds) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(options);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(List.of(main.split(" ")));
        // Output to a file, so that a hung JVM is caught by waitFor's bound, not a blocked read.
        Path output = Files.createTempFile("hako-probe", ".out");
        Process java = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            boolean ended = java.waitFor(seconds, TimeUnit.SECONDS);
            String out = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(ended).as("ended within %d s; %s", seconds, out).isTrue();
            assertThat(java.exitValue()).as(out).isZero();
            return out;
        } finally {
            java.destroyForcibly();
            java.waitFor();
            Files.delete(output);
        }
    }
}
