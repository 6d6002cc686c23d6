package dev.hako.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A fresh JVM on this JVM's class path running one of the benchmarks' probe programs, whose
 * output lines are timed on this process's clock from the exec: so a probe can say
 * "main" or "first" and the time it took is measured from outside it.
 */
final class ProbeJvm {

    /** How long a probe may run before it is killed. */
    static final long LIMIT_SECONDS = 180;

    /** One line the probe printed, and when, in milliseconds since the exec. */
    record Line(double atMs, String text) {
    }

    /** What the probe printed and its exit status. */
    record Output(List<Line> lines, int status) {
        /** {@return the time of the first line equal to {@code text}, or NaN} */
        double at(String text) {
            return lines.stream().filter(l -> l.text().equals(text)).mapToDouble(Line::atMs).findFirst()
                    .orElse(Double.NaN);
        }

        /** {@return the rest of the first line that starts with {@code key} and a space, or null} */
        String value(String key) {
            return lines.stream().filter(l -> l.text().startsWith(key + " ")).map(l -> l.text().substring(key.length() + 1))
                    .findFirst().orElse(null);
        }

        /** {@return null if the probe printed {@code done} and exited with 0, else what went wrong} */
        String failure() {
            boolean done = !Double.isNaN(at("done"));
            return done && status == 0 ? null : "probe exited with status " + status
                    + (done ? "" : " before finishing (killed after " + LIMIT_SECONDS + " s if it hung)");
        }
    }

    private ProbeJvm() {
    }

    /**
     * Runs {@code mainClass} with {@code args} in a JVM with {@code options} (and
     * MALLOC_ARENA_MAX unless null), its standard error inherited.
     */
    static Output run(List<String> options, String mallocArenaMax, Class<?> mainClass, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(options);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (mallocArenaMax != null) {
            pb.environment().put("MALLOC_ARENA_MAX", mallocArenaMax);
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
            try {
                if (!p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        });
        List<Line> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(new Line((System.nanoTime() - t0) / 1e6, line));
            }
        }
        int status = p.waitFor();
        watchdog.interrupt();
        return new Output(lines, status);
    }
}
