package dev.hako.cgroupfs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A {@code /bin/sh -c} test payload that waits on stdin before running its script, so the
 * test can move it into a group first. Output goes to files; close() kills and reaps it.
 */
final class Payload implements AutoCloseable {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private Payload(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code sh -c 'read _; SCRIPT'}; the script runs after {@link #release()}. */
    static Payload start(String script) throws IOException {
        Path out = Files.createTempFile("hako-payload", ".out");
        Path err = Files.createTempFile("hako-payload", ".err");
        Process p = new ProcessBuilder("/bin/sh", "-c", "read _gate; " + script)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new Payload(p, out, err);
    }

    long pid() {
        return process.pid();
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    void release() throws IOException {
        try (OutputStream in = process.getOutputStream()) {
            in.write('\n');
        }
    }

    /** Exit status as Java reports it (128 + signal for a signal death); fails on timeout. */
    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("payload " + pid() + " still running after " + timeout);
        }
        return process.exitValue();
    }

    boolean alive() {
        return process.isAlive();
    }

    String stdout() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        Files.deleteIfExists(stdout);
        Files.deleteIfExists(stderr);
    }
}
