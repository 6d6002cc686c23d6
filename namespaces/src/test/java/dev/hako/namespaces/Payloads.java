package dev.hako.namespaces;

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
     * Opens what stays open for the JVM's lifetime once used: the JDK's /dev/random and
     * /dev/urandom (on the first temporary directory name) and the reaper's epoll instance,
     * so that counts taken afterwards see only what tests open.
     */
    static void openLongLivedDescriptors() throws IOException {
        Files.delete(Files.createTempDirectory("hako-fd-baseline"));
        Objects.requireNonNull(Reaper.INSTANCE);
    }

    /** This JVM's open descriptors, except jars and directories the class loader holds. */
    static List<String> openFds() throws IOException {
        List<String> result = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (!target.endsWith(".jar") && !Files.isDirectory(Path.of(target))) {
                        result.add(fd.getFileName() + " -> " + target);
                    }
                } catch (IOException e) {
                    // the descriptor of the listing itself
                }
            }
        }
        result.sort(null);
        return result;
    }

    /**
     * Asserts the JVM's descriptors are back to {@code before}, giving the Cleaner a moment
     * to close those of unreachable {@code Fd}s first (only numbers nobody owns are leaks).
     */
    static void assertDescriptorsBackTo(List<String> before) throws IOException, InterruptedException {
        List<String> fds = openFds();
        for (int i = 0; i < 20 && !fds.equals(before); i++) {
            System.gc();
            Thread.sleep(50);
            fds = openFds();
        }
        org.assertj.core.api.Assertions.assertThat(fds).as("open descriptors").isEqualTo(before);
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
