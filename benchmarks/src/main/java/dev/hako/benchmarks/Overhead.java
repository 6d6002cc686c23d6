package dev.hako.benchmarks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hako.cgroupfs.Bytes;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Controller;
import dev.hako.cgroupfs.ControllerSpec;
import dev.hako.cgroupfs.CpuSpec;
import dev.hako.cgroupfs.MemorySpec;
import dev.hako.cgroupfs.PidsSpec;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Redirect;
import dev.hako.syscalls.NamespaceType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * B3, virtualization overhead: the C workloads of {@code benchmarks/c/workload.c} run
 * natively and inside Hako containers (every namespace but user, each container in its own
 * cgroup with generous limits), 1 and 4 copies at once, native and container runs
 * alternating so that drift in the machine's load hits both alike.
 *
 * <p>Both sides start through the same launch engine; the native side simply asks for no
 * namespace and no cgroup, so the difference is isolation and nothing else. All copies wait
 * on standard input and are released together; each times its own work, and a run's score
 * is the slowest copy's time (the makespan). Each copy also reports the CPU time its work
 * cost (its own and its waited-for children's): on a shared machine wall time carries every
 * other tenant, CPU time mostly the work, so the report compares both.
 */
public final class Overhead {

    /** The namespaces of a B3 container: all but user. */
    public static final List<NamespaceType> NAMESPACES = List.of(NamespaceType.PID, NamespaceType.MOUNT,
            NamespaceType.IPC, NamespaceType.UTS, NamespaceType.NET, NamespaceType.CGROUP, NamespaceType.TIME);

    /** Where the containers' groups live. */
    public static final String CGROUP_HOME = "/hako-bench/b3";

    /**
     * One workload: its name in the tables, what it exercises, and its arguments, where
     * {@code %n} is scaled work, {@code %f} a per-copy file.
     */
    public record Workload(String name, String description, String kind, long work, String fileDir) {

        List<String> arguments(double scale, String fileTag) {
            List<String> args = new ArrayList<>(List.of("--wait", kind));
            long n = Math.max(1, Math.round(work * scale));
            switch (kind) {
                case "triad" -> args.addAll(List.of("32", Long.toString(n)));
                case "fsync" -> args.addAll(List.of(Path.of(fileDir).resolve("hako-b3-" + fileTag).toString(),
                        Long.toString(n)));
                default -> args.add(Long.toString(n));
            }
            return args;
        }
    }

    /** The B3 workloads; {@code diskDir} must be on a disk-backed file system. */
    public static List<Workload> workloads(Path diskDir) {
        return List.of(
                new Workload("cpu-int", "integer loop (xorshift, modulo, multiply)", "int", 100_000_000L, null),
                new Workload("cpu-fp", "floating-point loop (logistic map, divide)", "fp", 120_000_000L, null),
                new Workload("mem-triad", "STREAM-style triad over 3 x 32 MiB arrays", "triad", 80, null),
                new Workload("sys-pipe", "1-byte pipe ping-pong between two processes", "pipe", 150_000L, null),
                new Workload("proc-forkexec", "fork + exec /bin/true + wait loop", "forkexec", 400, null),
                new Workload("io-tmpfs", "4 KiB pwrite + fsync on tmpfs (/dev/shm)", "fsync", 500_000L, "/dev/shm"),
                new Workload("io-disk", "4 KiB pwrite + fsync on disk (" + diskDir + ")", "fsync", 400,
                        diskDir.toString()));
    }

    /**
     * Settings of one B3 run.
     *
     * @param rounds    native/container pairs per workload and copy count
     * @param scale     multiplier on each workload's work (1 = about half a second alone)
     * @param copies    copy counts, e.g. 1 and 4
     * @param only      workload names to run, or empty for all
     * @param diskDir   directory on disk for the disk I/O workload
     */
    public record Config(int rounds, double scale, List<Integer> copies, Set<String> only, Path diskDir) {
    }

    private Overhead() {
    }

    /** Runs B3 and returns its results. */
    public static ObjectNode run(Config config) throws IOException, InterruptedException {
        Path workload = NativeBuild.program(NativeBuild.WORKLOAD);
        CgroupLayout layout = CgroupLayout.detect();
        int maxCopies = config.copies().stream().mapToInt(Integer::intValue).max().orElse(1);
        Set<Controller> controllers = EnumSet.noneOf(Controller.class);
        for (Controller c : List.of(Controller.CPU, Controller.CPUACCT, Controller.MEMORY, Controller.PIDS)) {
            if (layout.availableControllers().contains(c)) {
                controllers.add(c);
            }
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        List<ControllerSpec> limits = new ArrayList<>();
        if (controllers.contains(Controller.CPU)) {
            limits.add(CpuSpec.cpus(cpus));
        }
        if (controllers.contains(Controller.MEMORY)) {
            limits.add(MemorySpec.limit(Bytes.gib(8)));
        }
        if (controllers.contains(Controller.PIDS)) {
            limits.add(PidsSpec.max(4096));
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ObjectNode conf = out.putObject("config");
        conf.put("rounds", config.rounds()).put("scale", config.scale());
        config.copies().forEach(conf.putArray("copies")::add);
        ArrayNode ns = out.putArray("namespaces");
        NAMESPACES.forEach(n -> ns.add(n.name().toLowerCase()));
        List<String> settings = new ArrayList<>();
        for (ControllerSpec spec : limits) {
            spec.render(layout.versionOf(spec.controller()).orElseThrow())
                    .forEach(s -> settings.add(s.file() + " = " + s.value()));
        }
        out.put("cgroup", "one cgroup per container (" + layout.mode().toString().toLowerCase(java.util.Locale.ROOT)
                + " layout), generous limits: " + String.join(", ", settings));
        ArrayNode descriptions = out.putArray("workloads");
        ArrayNode runs = out.putArray("runs");
        List<Cgroup> groups = new ArrayList<>();
        try {
            for (int i = 0; i < maxCopies; i++) {
                Cgroup group = Cgroup.create(layout, CGROUP_HOME + "/c" + i, controllers);
                groups.add(group);
                group.apply(limits);
            }
            List<Workload> selected = workloads(config.diskDir()).stream()
                    .filter(w -> config.only().isEmpty() || config.only().contains(w.name())).toList();
            for (Workload w : selected) {
                descriptions.addObject().put("name", w.name()).put("description", w.description());
            }
            for (int round = 0; round < config.rounds(); round++) {
                for (Workload w : selected) {
                    for (int copies : config.copies()) {
                        // ABBA: alternate which side goes first, so slow drift cancels within a pair.
                        boolean containerFirst = (round % 2) == 1;
                        for (int side = 0; side < 2; side++) {
                            boolean container = (side == 0) == containerFirst;
                            long[][] measured = runOnce(workload, w, config.scale(), copies,
                                    container ? groups : null);
                            ObjectNode run = runs.addObject();
                            run.put("workload", w.name()).put("copies", copies)
                                    .put("placement", container ? "container" : "native").put("round", round);
                            ArrayNode e = run.putArray("elapsedNs");
                            ArrayNode c = run.putArray("cpuNs");
                            for (long[] copy : measured) {
                                e.add(copy[0]);
                                c.add(copy[1]);
                            }
                        }
                    }
                }
            }
        } finally {
            for (Cgroup g : groups.reversed()) {
                g.delete(Duration.ofSeconds(10), true);
            }
            try {
                Cgroup.open(layout, CGROUP_HOME).delete(Duration.ofSeconds(10), true);
            } catch (java.nio.file.NoSuchFileException ignored) {
                // already gone
            }
            BenchCgroups.removeEmpty();
        }
        return out;
    }

    /** Starts the copies, releases them together, and returns each one's {wall ns, CPU ns}. */
    private static long[][] runOnce(Path program, Workload w, double scale, int copies, List<Cgroup> groups)
            throws IOException, InterruptedException {
        List<ContainerProcess> processes = new ArrayList<>();
        try {
            for (int i = 0; i < copies; i++) {
                List<String> command = new ArrayList<>();
                command.add(program.toString());
                command.addAll(w.arguments(scale, (groups == null ? "n" : "c") + i));
                ContainerBuilder b = new ContainerBuilder(command)
                        .redirectInput(Redirect.PIPE)
                        .redirectOutput(Redirect.PIPE)
                        .redirectError(Redirect.INHERIT);
                if (groups != null) {
                    b.namespaces(NAMESPACES.toArray(NamespaceType[]::new));
                    b.cgroup(CgroupPlacement.of(groups.get(i)));
                }
                processes.add(b.start());
            }
            for (ContainerProcess p : processes) {
                p.getOutputStream().close(); // EOF on standard input: go
            }
            long[][] measured = new long[copies][];
            for (int i = 0; i < copies; i++) {
                ContainerProcess p = processes.get(i);
                String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                int status = p.waitFor();
                String[] fields = line.split(" "); // wall ns, units of work, CPU ns
                if (status != 0 || fields.length != 3) {
                    throw new IOException("workload " + w.name() + " copy " + i + " exited with " + status
                            + " and printed \"" + line + "\"");
                }
                measured[i] = new long[] {Long.parseLong(fields[0]), Long.parseLong(fields[2])};
            }
            return measured;
        } finally {
            for (ContainerProcess p : processes) {
                p.destroyForcibly();
                p.close();
            }
        }
    }
}
