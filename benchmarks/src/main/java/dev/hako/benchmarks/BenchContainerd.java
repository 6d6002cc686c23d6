package dev.hako.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A containerd for B9 alone: its root, state, sockets and log under one directory, a
 * child of this JVM, without the CRI plugin. {@link #close()} kills the shims it started
 * (their command lines name its socket) and the daemon, by pid, then removes what the
 * shims leave by design (the namespace's parent cgroups, the runc shim's state root) and
 * the directory.
 */
final class BenchContainerd implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private final Path dir;
    private final Path socket;
    private final String namespace;
    private final Process daemon;

    private BenchContainerd(Path dir, String namespace, Process daemon) {
        this.dir = dir;
        this.socket = dir.resolve("containerd.sock");
        this.namespace = namespace;
        this.daemon = daemon;
    }

    /**
     * Starts containerd with its files under {@code dir} and waits for its socket.
     *
     * @throws IllegalStateException if containerd is missing or does not come up
     */
    static BenchContainerd start(Path dir, String namespace) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path socket = dir.resolve("containerd.sock");
        Path config = dir.resolve("config.toml");
        Files.writeString(config, String.join("\n",
                "version = 2",
                "root = \"" + dir.resolve("root") + "\"",
                "state = \"" + dir.resolve("state") + "\"",
                "disabled_plugins = [\"io.containerd.grpc.v1.cri\", \"io.containerd.tracing.processor.v1.otlp\","
                        + " \"io.containerd.snapshotter.v1.btrfs\", \"io.containerd.snapshotter.v1.zfs\","
                        + " \"io.containerd.snapshotter.v1.aufs\", \"io.containerd.snapshotter.v1.devmapper\"]",
                "[grpc]", "  address = \"" + socket + "\"",
                "[ttrpc]", "  address = \"" + socket + ".ttrpc\"",
                "[debug]", "  address = \"" + socket + ".debug\"", ""));
        Process daemon;
        try {
            daemon = new ProcessBuilder("containerd", "--config", config.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("containerd.log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("containerd is not available here: " + e.getMessage(), e);
        }
        BenchContainerd containerd = new BenchContainerd(dir, namespace, daemon);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(socket)) {
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                String log = Files.readString(dir.resolve("containerd.log"));
                containerd.close();
                throw new IllegalStateException("containerd did not start: "
                        + log.lines().reduce((a, b) -> b).orElse("(no log)"));
            }
            Thread.sleep(20);
        }
        return containerd;
    }

    /** Runs {@code ctr --address SOCKET -n NAMESPACE ARGS...}, bounded. */
    OciCycle.Result ctr(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ctr", "--address", socket.toString(), "-n", namespace));
        command.addAll(List.of(args));
        return OciCycle.exec(command, timeout, Map.of());
    }

    @Override
    public void close() throws IOException, InterruptedException {
        List<ProcessHandle> shims = ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(a -> String.join(" ", a)).orElse("").contains(socket.toString())).toList();
        for (ProcessHandle shim : shims) {
            shim.destroyForcibly();
        }
        daemon.destroy();
        if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
            daemon.destroyForcibly().waitFor();
        }
        Path cgroups = Path.of("/sys/fs/cgroup");
        try (var hierarchies = Files.list(cgroups)) {
            for (Path hierarchy : hierarchies.filter(Files::isDirectory).toList()) {
                Files.deleteIfExists(hierarchy.resolve(namespace));
            }
        }
        Files.deleteIfExists(Path.of("/run/containerd/runc", namespace));
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
