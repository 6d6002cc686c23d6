package dev.hako.benchmarks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Controller;
import dev.hako.checkpoint.Checkpoint;
import dev.hako.checkpoint.ImageDescription;
import dev.hako.checkpoint.Restore;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Redirect;
import dev.hako.namespaces.SeccompProfile;
import dev.hako.syscalls.NamespaceType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * B8, what a checkpoint costs: {@code benchmarks/c/touched_memory.c} holds MIB of written
 * private memory in a container (own pid namespace, its own freezer group, no seccomp
 * filter: what a dump needs); {@link Checkpoint#dump} writes it to an image directory and
 * kills it, {@link Restore#start} brings it back in a new container, and the restored copy
 * must sum its memory to the same value as before the dump. Timed: the dump call and the
 * restore call, wall clock. Beside them, in the same round, the same program's memcpy of
 * MIB between two touched buffers: the physical floor of moving that memory once. Also
 * records whether the installed CRIU could be measured ({@code criu check}).
 */
public final class CheckpointCost {

    /** Copies per memcpy measurement; the median is kept. */
    private static final int COPIES = 5;
    /** Touched memory of the untimed warm-up checkpoint, MiB. */
    private static final int WARM_UP_MIB = 16;

    /**
     * Settings of one B8 run.
     *
     * @param sizesMiB touched memory per payload, MiB
     * @param rounds   dump-restore rounds per size
     * @param imageDir where images are written (a directory on the disk the run uses)
     */
    public record Config(List<Integer> sizesMiB, int rounds, Path imageDir) {
    }

    private CheckpointCost() {
    }

    /** Runs B8 and returns its results. */
    public static ObjectNode run(Config config) throws IOException, InterruptedException {
        Path program = NativeBuild.staticProgram(NativeBuild.TOUCHED_MEMORY);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.putObject("config").put("rounds", config.rounds()).put("copies", COPIES).put("warmUpMiB", WARM_UP_MIB)
                .put("imageFileSystem", fileSystem(config.imageDir()))
                .set("sizesMiB", JsonNodeFactory.instance.arrayNode().addAll(
                        config.sizesMiB().stream().map(JsonNodeFactory.instance::numberNode).toList()));
        out.set("criu", criu());
        ArrayNode runs = out.putArray("runs");
        CgroupLayout layout = CgroupLayout.detect();
        // One untimed checkpoint and restore first: class loading and the JIT would
        // otherwise land in the first round's figures.
        checkpointAndRestore(program, WARM_UP_MIB, config.imageDir(), layout, JsonNodeFactory.instance.objectNode());
        for (int round = 0; round < config.rounds(); round++) {
            for (int size : config.sizesMiB()) {
                ObjectNode run = runs.addObject().put("sizeMiB", size).put("round", round);
                // The floor and the dump alternate sides from round to round.
                if (round % 2 == 0) {
                    run.put("memcpyNs", memcpy(program, size));
                    checkpointAndRestore(program, size, config.imageDir(), layout, run);
                } else {
                    checkpointAndRestore(program, size, config.imageDir(), layout, run);
                    run.put("memcpyNs", memcpy(program, size));
                }
            }
        }
        return out;
    }

    /** The median of {@link #COPIES} memcpys of {@code size} MiB, ns. */
    static long memcpy(Path program, int size) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(program.toString(), "copy", Integer.toString(size), Integer.toString(COPIES))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("touched_memory copy " + size + " failed: " + text);
        }
        List<Long> ns = text.lines().map(Long::parseLong).sorted().toList();
        return ns.get(ns.size() / 2);
    }

    private static void checkpointAndRestore(Path program, int size, Path imageRoot, CgroupLayout layout,
                                             ObjectNode run) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory(Files.createDirectories(imageRoot), "b8-");
        Path image = work.resolve("image");
        Path output = work.resolve("out");
        Cgroup group = Cgroup.create(layout, "/hako-bench/b8-" + ProcessHandle.current().pid(),
                Set.of(Controller.FREEZER));
        ContainerProcess original = null;
        ContainerProcess restored = null;
        try {
            original = container(group, program.toString(), "hold", Integer.toString(size))
                    .redirectOutput(Redirect.to(output)).start();
            String ready = awaitLine(output, "ready ", original);
            long start = System.nanoTime();
            ImageDescription description = Checkpoint.of(original).dump(image);
            long dumpNs = System.nanoTime() - start;
            original.waitFor();
            original.close();
            original = null;
            long imageBytes;
            try (Stream<Path> files = Files.list(image)) {
                imageBytes = files.mapToLong(f -> f.toFile().length()).sum();
            }
            start = System.nanoTime();
            restored = Restore.from(image).container(container(group, "/restored")).start();
            long restoreNs = System.nanoTime() - start;
            // Not timed: the restored copy proves it holds the same memory.
            restored.signal(dev.hako.syscalls.Signal.SIGUSR1.number());
            if (!restored.waitFor(2, TimeUnit.MINUTES)) {
                throw new IOException("the restored payload did not exit after SIGUSR1");
            }
            String sum = awaitLine(output, "sum ", null);
            if (!sum.substring(4).equals(ready.substring(6))) {
                throw new IOException("the restored payload's memory differs: " + ready + " before, " + sum + " after");
            }
            run.put("dumpNs", dumpNs).put("restoreNs", restoreNs).put("imageBytes", imageBytes)
                    .put("pagesBytes", description.tasks().getFirst().dumpedBytes()).put("verified", true);
        } finally {
            for (ContainerProcess p : new ContainerProcess[] {original, restored}) {
                if (p != null) {
                    p.destroyForcibly();
                    p.close();
                }
            }
            group.delete(Duration.ofSeconds(10), true);
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static ContainerBuilder container(Cgroup group, String... command) {
        return new ContainerBuilder(command).namespaces(NamespaceType.PID).seccomp(SeccompProfile.unconfined())
                .cgroup(CgroupPlacement.of(group)).redirectInput(Redirect.from(Path.of("/dev/null")))
                .redirectError(Redirect.INHERIT);
    }

    /** Waits for a line starting with {@code prefix} in {@code file}; fails if {@code process} ends first. */
    private static String awaitLine(Path file, String prefix, ContainerProcess process)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
            }
            if (process != null && !process.isAlive()) {
                throw new IOException("touched_memory ended before printing '" + prefix + "'");
            }
            Thread.sleep(10);
        }
        throw new IOException("no '" + prefix + "' line in " + file + " after 2 minutes");
    }

    /** The file system type of a directory, from /proc/self/mounts (longest matching mount point). */
    private static String fileSystem(Path dir) throws IOException {
        Path real = Files.createDirectories(dir).toRealPath();
        String best = "";
        String type = "unknown";
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (real.startsWith(f[1]) && f[1].length() >= best.length()) {
                best = f[1];
                type = f[2];
            }
        }
        return type;
    }

    /** Whether CRIU is installed and what {@code criu check} says: its version and its first error. */
    static ObjectNode criu() throws InterruptedException {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        try {
            node.put("version", run("criu", "--version").lines().filter(l -> l.startsWith("Version: ")).map(l -> l.substring(9).strip())
                    .findFirst().orElse("unknown"));
            Process check = new ProcessBuilder("criu", "check").redirectErrorStream(true).start();
            String text = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!check.waitFor(1, TimeUnit.MINUTES)) {
                check.destroyForcibly();
                node.put("installed", true).put("works", false).put("error", "criu check did not finish in a minute");
                return node;
            }
            List<String> errors = new ArrayList<>(text.lines().filter(l -> l.contains("Error")).toList());
            node.put("installed", true).put("works", check.exitValue() == 0)
                    .put("error", errors.stream().filter(l -> !l.contains("exited, status")).findFirst()
                            .orElse(text.strip()));
        } catch (IOException notInstalled) {
            node.put("installed", false).put("works", false).put("error", "criu is not installed");
        }
        return node;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(1, TimeUnit.MINUTES);
        return text;
    }
}
