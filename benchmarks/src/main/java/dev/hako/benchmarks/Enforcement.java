package dev.hako.benchmarks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hako.cgroupfs.Bytes;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.CgroupVersion;
import dev.hako.cgroupfs.Controller;
import dev.hako.cgroupfs.CpuSpec;
import dev.hako.cgroupfs.MemorySpec;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Redirect;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * B4, enforcement accuracy.
 *
 * <p>CPU: one busy process in a group; the CPU limit is set to 10%, 25%, 50% and 100% of
 * one CPU in turn (cpu.max on v2, cpu.cfs_quota_us/cfs_period_us on v1, as
 * {@link CpuSpec} renders them for the layout), and the group's measured CPU time over
 * fixed windows is compared with the setting. A first window without a limit shows what
 * one busy process gets on this machine at all.
 *
 * <p>Memory: a loop that reads every page of a file through mmap, in a group whose memory
 * limit tightens step by step; throughput against the limit. memory.high where the memory
 * controller is v2; on v1 (which has no memory.high) the hard limit memory.limit_in_bytes,
 * which, with file pages and no swap, reclaims rather than kills.
 */
public final class Enforcement {

    /** CPU settings, in CPUs. */
    public static final List<Double> CPU_SETTINGS = List.of(0.10, 0.25, 0.50, 1.00);
    /** Memory limits, MiB, against a file of {@link #FILE_MIB} MiB; 0 means no limit. */
    public static final List<Integer> MEMORY_LIMITS_MIB = List.of(0, 512, 256, 224, 192, 160, 128, 64);
    /** Size of the file the memory loop reads. */
    public static final int FILE_MIB = 192;

    /**
     * Settings of one B4 run.
     *
     * @param window      length of one CPU measurement window
     * @param windows     windows per CPU setting
     * @param memorySeconds how long the memory loop runs per limit
     * @param fileDir     disk directory for the memory loop's file
     */
    public record Config(Duration window, int windows, double memorySeconds, Path fileDir) {
    }

    private Enforcement() {
    }

    /** Runs B4 and returns its results. */
    public static ObjectNode run(Config config) throws IOException, InterruptedException {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        CgroupLayout layout = CgroupLayout.detect();
        cpu(layout, config, out.putObject("cpu"));
        try {
            memory(layout, config, out.putObject("memory"));
        } finally {
            BenchCgroups.removeEmpty();
        }
        return out;
    }

    private static void cpu(CgroupLayout layout, Config config, ObjectNode out)
            throws IOException, InterruptedException {
        Set<Controller> controllers = EnumSet.of(Controller.CPU);
        if (layout.availableControllers().contains(Controller.CPUACCT)) {
            controllers.add(Controller.CPUACCT);
        }
        CgroupVersion version = layout.versionOf(Controller.CPU).orElseThrow();
        out.put("interface", version == CgroupVersion.V2 ? "cpu.max (cgroup v2)"
                : "cpu.cfs_quota_us / cpu.cfs_period_us (cgroup v1 cpu controller), period 100 ms");
        out.put("windowSeconds", config.window().toMillis() / 1000.0);
        ArrayNode settings = out.putArray("settings");
        Cgroup group = Cgroup.create(layout, "/hako-bench/b4-cpu", controllers);
        Path program = NativeBuild.program(NativeBuild.WORKLOAD);
        double total = (config.window().toMillis() / 1000.0 + 0.5) * config.windows() * (CPU_SETTINGS.size() + 1) + 30;
        ContainerProcess spinner = null;
        try {
            spinner = new ContainerBuilder(program.toString(), "spin", Double.toString(total))
                    .redirectInput(Redirect.DISCARD).redirectOutput(Redirect.DISCARD)
                    .cgroup(CgroupPlacement.of(group)).start();
            for (int s = -1; s < CPU_SETTINGS.size(); s++) {
                double setting = s < 0 ? 0 : CPU_SETTINGS.get(s);
                group.apply(s < 0 ? CpuSpec.unset().unlimited() : CpuSpec.cpus(setting));
                Thread.sleep(500); // let a period or five pass under the new setting
                ObjectNode entry = settings.addObject();
                entry.put("cpus", setting);
                ArrayNode measured = entry.putArray("measuredCpus");
                for (int w = 0; w < config.windows(); w++) {
                    long u0 = group.cpuStats().usage().toNanos();
                    long t0 = System.nanoTime();
                    Thread.sleep(config.window());
                    long u1 = group.cpuStats().usage().toNanos();
                    long t1 = System.nanoTime();
                    measured.add((double) (u1 - u0) / (t1 - t0));
                }
            }
        } finally {
            if (spinner != null) {
                spinner.destroyForcibly();
                spinner.waitFor();
                spinner.close();
            }
            group.delete(Duration.ofSeconds(10), true);
        }
    }

    private static void memory(CgroupLayout layout, Config config, ObjectNode out)
            throws IOException, InterruptedException {
        CgroupVersion version = layout.versionOf(Controller.MEMORY).orElseThrow();
        out.put("interface", version == CgroupVersion.V2 ? "memory.high (cgroup v2)"
                : "memory.limit_in_bytes (cgroup v1 has no memory.high)");
        out.put("fileMiB", FILE_MIB);
        Path file = config.fileDir().resolve("b4-touch-" + FILE_MIB + "m.dat");
        if (!Files.isRegularFile(file) || Files.size(file) != FILE_MIB * 1024L * 1024) {
            byte[] block = new byte[1 << 20];
            Random random = new Random(42);
            try (OutputStream o = Files.newOutputStream(file)) {
                for (int i = 0; i < FILE_MIB; i++) {
                    random.nextBytes(block);
                    o.write(block);
                }
            }
        }
        Path program = NativeBuild.program(NativeBuild.WORKLOAD);
        ArrayNode points = out.putArray("points");
        for (int limit : MEMORY_LIMITS_MIB) {
            Cgroup group = Cgroup.create(layout, "/hako-bench/b4-mem", EnumSet.of(Controller.MEMORY));
            try {
                if (limit > 0) {
                    Bytes bytes = Bytes.mib(limit);
                    group.apply(version == CgroupVersion.V2 ? MemorySpec.unset().withHigh(bytes) : MemorySpec.limit(bytes));
                }
                try (ContainerProcess p = new ContainerBuilder(program.toString(), "filetouch", file.toString(),
                        Double.toString(config.memorySeconds()))
                        .redirectInput(Redirect.DISCARD).redirectOutput(Redirect.PIPE)
                        .cgroup(CgroupPlacement.of(group)).start()) {
                    String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                    int status = p.waitFor();
                    ObjectNode point = points.addObject().put("limitMiB", limit);
                    if (status != 0 || line.isEmpty()) {
                        point.put("failed", "exit status " + status);
                        continue;
                    }
                    String[] parts = line.split(" ");
                    point.put("elapsedNs", Long.parseLong(parts[0])).put("bytes", Long.parseLong(parts[1]));
                }
            } finally {
                group.delete(Duration.ofSeconds(10), true);
            }
        }
    }
}
