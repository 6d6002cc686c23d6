package dev.hako.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.SeccompProfile;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.MountSpec;
import dev.hako.namespaces.Redirect;
import dev.hako.syscalls.NamespaceType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test payloads and containers: a compiled checksum program, a freezer cgroup per test. */
final class Fixtures implements AutoCloseable {

    /** The v1 freezer hierarchy where the host has one, else the cgroup v2 root (freezing is core there). */
    static final Path FREEZER_ROOT = Files.isDirectory(Path.of("/sys/fs/cgroup/freezer"))
            ? Path.of("/sys/fs/cgroup/freezer") : Path.of("/sys/fs/cgroup");
    private static final boolean V1 = FREEZER_ROOT.endsWith("freezer");

    final Path work;
    final Path freezer;

    Fixtures() throws IOException {
        // Under java.io.tmpdir, not target/: the cgroup v2 guest sees the tree read-only.
        work = Files.createTempDirectory("hako-checkpoint-").toAbsolutePath();
        freezer = FREEZER_ROOT.resolve("hako-checkpoint-test-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
        Files.createDirectory(freezer);
    }

    /** The checksum program, compiled once per JVM with gcc -static. */
    static Path checksumProgram() throws IOException, InterruptedException {
        return program("checksum", "-pthread", "-mavx");
    }

    private static final java.util.Map<String, Path> PROGRAMS = new java.util.HashMap<>();
    private static Path payloads;

    /** This JVM's directory of compiled test programs, removed when the JVM exits. */
    private static Path payloadDirectory() throws IOException {
        if (payloads == null) {
            Path dir = Files.createTempDirectory("hako-checkpoint-payload-").toAbsolutePath();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> removeTree(dir)));
            payloads = dir;
        }
        return payloads;
    }

    private static void removeTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort at exit; the test's own assertions have run
        }
    }

    /** The test program NAME.c of these resources, compiled once per JVM with gcc -O2 -static. */
    static synchronized Path program(String name, String... flags) throws IOException, InterruptedException {
        Path compiled = PROGRAMS.get(name);
        if (compiled == null) {
            Path dir = payloadDirectory();
            Path source = dir.resolve(name + ".c");
            try (InputStream in = Fixtures.class.getResourceAsStream(name + ".c")) {
                Files.write(source, in.readAllBytes());
            }
            Path binary = dir.resolve(name);
            List<String> command = new java.util.ArrayList<>(List.of("gcc", "-O2", "-static", "-Wall"));
            command.addAll(List.of(flags));
            command.addAll(List.of("-o", binary.toString(), source.toString()));
            Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
            assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(gcc.exitValue()).as(output).isZero();
            compiled = binary;
            PROGRAMS.put(name, compiled);
        }
        return compiled;
    }

    /**
     * A container spec with its own pid namespace, in this test's freezer cgroup. Every
     * container the tests checkpoint or restore into is made here or in
     * {@link #shellContainer}, through {@link #checkpointable}.
     */
    ContainerBuilder container(String... command) {
        return checkpointable(new ContainerBuilder(command).namespaces(NamespaceType.PID)
                .cgroup(CgroupPlacement.attach(List.of(freezer))));
    }

    /**
     * The one place that adapts the namespaces module's defaults to what a dump accepts:
     * Docker's capabilities, no_new_privs and the private /dev are dumped and restored as
     * they are, but a seccomp filter is refused (phase 1), so the default one is turned off.
     */
    static ContainerBuilder checkpointable(ContainerBuilder builder) {
        return builder.seccomp(SeccompProfile.unconfined());
    }

    /**
     * A busybox shell as PID 1 of a container with its own pid and mount namespaces, in
     * {@code rootfs} with {@code state} bound at /state, leading its own session.
     */
    ContainerBuilder shellContainer(Path rootfs, Path state, String script) {
        Path devNull = Path.of("/dev/null");
        return checkpointable(new ContainerBuilder("/bin/busybox", "sh", "-c", script)
                .namespaces(NamespaceType.PID)
                .mounts(MountSpec.builder().rootfs(rootfs).bind(state, "/state", false).build())
                .newSession(true)
                .redirectInput(Redirect.from(devNull)).redirectOutput(Redirect.to(devNull))
                .redirectError(Redirect.to(devNull))
                .cgroup(CgroupPlacement.attach(List.of(freezer))));
    }

    /** A rootfs holding a static busybox and its applets sh, cat and sleep. */
    Path busyboxRootfs() throws IOException {
        Path root = Files.createDirectories(work.resolve("rootfs"));
        Files.createDirectories(root.resolve("bin"));
        if (!Files.exists(root.resolve("bin/busybox"))) {
            Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
            for (String applet : List.of("sh", "cat", "sleep")) {
                Files.createSymbolicLink(root.resolve("bin/" + applet), Path.of("busybox"));
            }
        }
        for (String dir : List.of("proc", "dev", "tmp", "state")) {
            Files.createDirectories(root.resolve(dir));
        }
        return root;
    }

    /** Waits until {@code file} has at least {@code lines} lines. */
    static List<String> awaitLines(Path file, int lines, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> current = Files.exists(file) ? complete(file) : List.of();
            if (current.size() >= lines) {
                return current;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " has " + current.size() + " lines, not " + lines + ", after " + timeout);
            }
            Thread.sleep(20);
        }
    }

    /** The complete (newline-terminated) lines of a file. */
    static List<String> complete(Path file) throws IOException {
        String text = Files.readString(file);
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
    }

    /** Kills every task left in the freezer cgroup and removes it and the work directory. */
    @Override
    public void close() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            List<String> pids = Files.readAllLines(freezer.resolve("cgroup.procs"));
            if (pids.isEmpty()) {
                break;
            }
            if (V1) {
                Files.writeString(freezer.resolve("freezer.state"), "THAWED");
            } else {
                Files.writeString(freezer.resolve("cgroup.freeze"), "0");
            }
            for (String pid : pids) {
                ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Files.delete(freezer);
        removeTree(work);
    }

    /**
     * Restores {@code image} into a new container of this test's and waits for its PID 1 to
     * end, which must be with status 0; nothing of it is left running either way.
     */
    void restoreAndAwaitSuccess(Path image, Duration timeout) throws IOException, InterruptedException {
        ContainerProcess restored = Restore.from(image).container(container("/bin/false")).start();
        try {
            assertThat(restored.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(restored.exitValue()).isZero();
        } finally {
            closeQuietly(restored);
        }
    }

    /**
     * Dumps {@code original} into {@code image} once {@code out} has {@code lines} lines,
     * then waits for it to end (a dump kills it) and closes it, whatever happened.
     */
    static void dumpWhenReady(ContainerProcess original, Path out, int lines, Path image)
            throws IOException, InterruptedException {
        try {
            awaitLines(out, lines, Duration.ofSeconds(60));
            Checkpoint.of(original).dump(image);
            assertThat(original.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            closeQuietly(original);
        }
    }

    static void closeQuietly(ContainerProcess process) {
        if (process != null) {
            process.close();
        }
    }
}
