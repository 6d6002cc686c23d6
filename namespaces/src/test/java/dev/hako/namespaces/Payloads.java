package dev.hako.namespaces;

import dev.hako.namespaces.launch.Reaper;
import dev.hako.testing.OpenDescriptors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Test helpers: run a payload and read what it says; look for leftovers. */
final class Payloads {

    private Payloads() {
    }

    /** What a payload printed and how it ended. */
    record Result(String out, int status) {
    }

    /** Starts {@code builder} with stdout piped, reads all of it, waits (bounded). */
    static Result run(ContainerBuilder builder) throws IOException, InterruptedException {
        try (ContainerProcess process = builder.redirectOutput(Redirect.PIPE).start()) {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new AssertionError("payload did not exit within 20 s: " + builder.command());
            }
            return new Result(out, process.exitValue());
        }
    }

    /** Output of a shell script run with the builder's other settings. */
    static String sh(ContainerBuilder builder, String script) throws IOException, InterruptedException {
        Result result = run(builder.command("/bin/sh", "-c", script));
        if (result.status() != 0) {
            throw new AssertionError("script failed with " + result.status() + ": " + script + "\n" + result.out());
        }
        return result.out();
    }

    /** The pid of a process that has exited and been reaped (until the kernel reuses it). */
    static long exitedPid() throws IOException, InterruptedException {
        try (ContainerProcess gone = new ContainerBuilder("/bin/true").start()) {
            if (!gone.waitFor(20, TimeUnit.SECONDS)) {
                throw new AssertionError("/bin/true did not exit within 20 s");
            }
            return gone.pid();
        }
    }

    /** Children of this JVM that are zombies (exited, not reaped). */
    static List<String> zombieChildren() throws IOException {
        long self = ProcessHandle.current().pid();
        List<String> zombies = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String stat;
                try {
                    stat = Files.readString(proc.resolve("stat"));
                } catch (IOException e) {
                    continue; // exited meanwhile
                }
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (fields[0].equals("Z") && Long.parseLong(fields[1]) == self) {
                    zombies.add(stat);
                }
            }
        }
        return zombies;
    }

    /**
     * Opens what stays open for the JVM's lifetime once used: the reaper's epoll instance
     * and the JDK's own socket (see {@link OpenDescriptors#openWhatTheJvmKeeps()}), so that
     * counts taken afterwards see only what tests open. (What the JVM opens by path, such
     * as /dev/random, is recognised by its target instead.)
     */
    static void openLongLivedDescriptors() {
        Objects.requireNonNull(Reaper.INSTANCE);
        if (Launchers.fromSystemProperty() == Launchers.server()) {
            // The suite in server mode: the server's socket, memfd and pidfd live as long as the JVM.
            try {
                dev.hako.namespaces.launch.LaunchServer.get();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        OpenDescriptors.openWhatTheJvmKeeps();
    }

    /** This JVM's open descriptors, directories and O_PATH ones included; see {@link OpenDescriptors}. */
    static List<String> openFds() {
        return OpenDescriptors.list();
    }

    /**
     * Asserts the JVM's descriptors are back to {@code before}, at once: no System.gc() and
     * no waiting first, because a descriptor that only a Cleaner would close is a leak.
     */
    static void assertDescriptorsBackTo(List<String> before) {
        org.assertj.core.api.Assertions.assertThat(openFds()).as("open descriptors").isEqualTo(before);
    }

    /** Lines of /proc/self/status starting with {@code key}, values only. */
    static String statusField(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) {
                return line.substring(key.length() + 1).trim();
            }
        }
        throw new AssertionError("no " + key + " in\n" + status);
    }
}
