package dev.hako.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A containerd of the test's own: root, state, sockets and config under a temp directory,
 * started as a child and stopped by its pid. {@link #ctr} runs the ctr client against it.
 * Shims it started (their command line names its socket) are killed by pid at the end.
 */
final class PrivateContainerd implements AutoCloseable {

    static final String NAMESPACE = "hako-oci-test";
    private final Path dir;
    private final Path socket;
    private final Process daemon;

    record Result(int status, String out) {
    }

    PrivateContainerd(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        this.socket = dir.resolve("c.sock");
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
                  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
                  "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp",
                  "io.containerd.internal.v1.opt"]
                [grpc]
                  address = "%2$s"
                [ttrpc]
                  address = "%2$s.ttrpc"
                [debug]
                  address = "%2$s.debug"
                """.formatted(dir, socket));
        daemon = new ProcessBuilder("containerd", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(socket)) {
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException("containerd did not start: " + log());
            }
            Thread.sleep(20);
        }
    }

    String log() throws IOException {
        return Files.readString(dir.resolve("containerd.log"));
    }

    /** The command line {@code ctr --address SOCK -n NAMESPACE ARGS...}. */
    List<String> ctrCommand(String... args) {
        List<String> command = new ArrayList<>(List.of("ctr", "--address", socket.toString(), "-n", NAMESPACE));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs {@code ctr --address SOCK -n NAMESPACE ARGS...}, bounded. */
    Result ctr(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = ctrCommand(args);
        Path out = Files.createTempFile(dir, "ctr", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("ctr " + String.join(" ", args) + " hung; it printed: " + Files.readString(out)
                    + "\ncontainerd: " + log());
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    /** Pids of processes whose command line names this containerd's socket (its shims). */
    List<Long> shims() {
        return ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(a -> String.join(" ", a))
                .orElse("").contains(socket.toString())).map(ProcessHandle::pid).toList();
    }

    @Override
    public void close() throws InterruptedException {
        for (long pid : shims()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        daemon.destroy();
        if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
            daemon.destroyForcibly().waitFor();
        }
        assertThat(daemon.isAlive()).isFalse();
        // What the shim and hako-oci leave by design, as with runc: the namespace's parent
        // cgroup (cgroupsPath is /NAMESPACE/ID) and the shim's state root, both empty here.
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Files.deleteIfExists(hierarchy.resolve(NAMESPACE));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try {
            Files.deleteIfExists(Path.of("/run/containerd/runc", NAMESPACE));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
