package dev.hako.benchmarks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hako.syscalls.ChildStatus;
import dev.hako.syscalls.ProcessControl;
import dev.hako.syscalls.ProcessSyscalls;
import dev.hako.syscalls.SyscallException;
import dev.hako.syscalls.WaitOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * B9, what a container costs through an OCI runtime's command line, as containerd's shim
 * drives it: {@code hako-oci} (a JVM per call) against {@code runc} and {@code crun}, in
 * one run, the order rotating from round to round.
 * <ul>
 *   <li>The cycle: {@code create --bundle B --pid-file F ID}, {@code start ID}, the wait
 *       for the container's {@code /bin/true} to exit (this JVM is a child subreaper, as
 *       the shim is, so the init becomes its child and is reaped here), {@code delete ID};
 *       each step on the wall clock.</li>
 *   <li>{@code ctr run --rm --runc-binary RUNTIME --rootfs DIR ID /bin/true} through a
 *       private containerd (its root, state and sockets under the work directory, stopped
 *       and removed at the end): the whole path a cluster takes, shim included.</li>
 *   <li>Where hako-oci's time goes: the JVM's start ({@code java -version}), and
 *       {@code hako-oci --version} through the launcher with and without its AOT cache,
 *       and on the plain jar with an AppCDS archive (a dynamic one, made by a
 *       {@code features} run).</li>
 * </ul>
 * The bundle is the one {@code benchmarks/run} builds (busybox {@code true}), with its
 * rootfs copied beside the mount points hako-oci requires and {@code root.readonly} false,
 * which hako-oci does not support yet; all runtimes get that same bundle.
 */
public final class OciCycle {

    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(120);
    /** The first hako-oci call may build its jar and AOT cache. */
    private static final Duration FIRST_CALL_TIMEOUT = Duration.ofMinutes(10);
    private static final String CTR_NAMESPACE = "hako-bench-b9";

    /**
     * Settings of one B9 run.
     *
     * @param rounds        cycles per runtime
     * @param ctrRounds     {@code ctr run --rm} runs per runtime
     * @param versionRounds runs of each JVM start variant
     * @param hakoOci       the {@code hako-oci} launcher script
     * @param bundle        the benchmark bundle (config.json and a busybox rootfs)
     * @param work          a directory for B9's bundle, state roots and containerd
     */
    public record Config(int rounds, int ctrRounds, int versionRounds, Path hakoOci, Path bundle, Path work) {
    }

    /** A runtime under test: its name and command. */
    record Runtime(String name, List<String> command) {
    }

    private OciCycle() {
    }

    /** Runs B9 and returns its results. */
    public static ObjectNode run(Config config) throws IOException, InterruptedException {
        Path work = config.work();
        Path bundle = bundle(config.bundle(), work.resolve("bundle"));
        List<Runtime> runtimes = List.of(new Runtime("hako-oci", List.of(config.hakoOci().toString())),
                new Runtime("runc", List.of("runc")), new Runtime("crun", List.of("crun")));
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ObjectNode settings = out.putObject("config");
        settings.put("rounds", config.rounds()).put("ctrRounds", config.ctrRounds())
                .put("versionRounds", config.versionRounds());
        ObjectNode results = out.putObject("runtimes");
        Map<String, String> failures = new LinkedHashMap<>();
        Map<String, ArrayNode> cycles = new LinkedHashMap<>();
        for (Runtime runtime : runtimes) {
            ObjectNode node = results.putObject(runtime.name());
            node.put("version", version(runtime));
            cycles.put(runtime.name(), node.putArray("cycles"));
        }
        ProcessControl.setChildSubreaper(true);
        try {
            // Round 0 is untimed: hako-oci builds its jar and AOT cache there, the others warm the page cache.
            for (int round = 0; round <= config.rounds(); round++) {
                for (int k = 0; k < runtimes.size(); k++) {
                    Runtime runtime = runtimes.get((k + round) % runtimes.size());
                    if (failures.containsKey(runtime.name())) {
                        continue;
                    }
                    try {
                        ObjectNode cycle = cycle(runtime, bundle, work, round);
                        if (round > 0) {
                            cycles.get(runtime.name()).add(cycle);
                        }
                    } catch (StepFailure e) {
                        failures.put(runtime.name(), e.getMessage());
                    }
                }
            }
        } finally {
            ProcessControl.setChildSubreaper(false);
        }
        failures.forEach((name, why) -> ((ObjectNode) results.get(name)).put("failure", why));
        ctr(config, runtimes, bundle.resolve("rootfs"), work, results);
        out.set("jvmStart", jvmStart(config, work));
        return out;
    }

    /** A step that did not succeed, with what the runtime said. */
    static final class StepFailure extends Exception {
        StepFailure(String message) {
            super(message);
        }
    }

    /** B9's bundle: the benchmark's busybox with the usual mount points, root writable, run as /bin/true. */
    static Path bundle(Path source, Path target) throws IOException {
        Path rootfs = target.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(source.resolve("rootfs/bin/busybox"), rootfs.resolve("bin/busybox"),
                StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        Path link = rootfs.resolve("bin/true");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of("busybox"));
        for (String d : List.of("proc", "sys", "dev", "tmp", "etc", "run")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        ObjectNode spec = (ObjectNode) Driver.JSON.readTree(source.resolve("config.json").toFile());
        ((ObjectNode) spec.get("root")).put("path", rootfs.toString()).put("readonly", false);
        ((ObjectNode) spec.get("process")).put("terminal", false).putArray("args").add("/bin/true");
        Driver.JSON.writeValue(target.resolve("config.json").toFile(), spec);
        return target;
    }

    private static String version(Runtime runtime) {
        try {
            List<String> command = new ArrayList<>(runtime.command());
            command.add("--version");
            Result r = exec(command, FIRST_CALL_TIMEOUT, Map.of());
            return r.status() == 0 ? r.out().lines().findFirst().orElse("?") : "unavailable: " + r.out().strip();
        } catch (IOException | InterruptedException e) {
            return "unavailable: " + e.getMessage();
        }
    }

    /** One create, start, wait, delete cycle; nanoseconds per step. */
    static ObjectNode cycle(Runtime runtime, Path bundle, Path work, int round)
            throws IOException, InterruptedException, StepFailure {
        String root = work.resolve("state-" + runtime.name()).toString();
        String id = "b9-" + runtime.name() + "-" + round;
        Path pidFile = work.resolve(id + ".pid");
        Duration timeout = round == 0 ? FIRST_CALL_TIMEOUT : STEP_TIMEOUT;
        ObjectNode cycle = JsonNodeFactory.instance.objectNode();
        long begin = System.nanoTime();
        step(runtime, root, timeout, cycle, "createNs", "create", "--bundle", bundle.toString(), "--pid-file",
                pidFile.toString(), id);
        int pid = Integer.parseInt(Files.readString(pidFile).strip());
        try {
            step(runtime, root, STEP_TIMEOUT, cycle, "startNs", "start", id);
            long waitStart = System.nanoTime();
            ChildStatus status = reap(pid, STEP_TIMEOUT);
            cycle.put("waitNs", System.nanoTime() - waitStart);
            if (!status.terminated() || status.shellStatus() != 0) {
                throw new StepFailure(runtime.name() + ": the container's /bin/true ended with " + status);
            }
            step(runtime, root, STEP_TIMEOUT, cycle, "deleteNs", "delete", id);
        } catch (StepFailure e) {
            List<String> force = new ArrayList<>(runtime.command());
            force.addAll(List.of("--root", root, "delete", "--force", id));
            exec(force, STEP_TIMEOUT, Map.of());
            reapQuietly(pid);
            throw e;
        } finally {
            Files.deleteIfExists(pidFile);
        }
        cycle.put("totalNs", System.nanoTime() - begin);
        return cycle;
    }

    private static void step(Runtime runtime, String root, Duration timeout, ObjectNode cycle, String field,
                             String... args) throws IOException, InterruptedException, StepFailure {
        List<String> command = new ArrayList<>(runtime.command());
        command.addAll(List.of("--root", root));
        command.addAll(List.of(args));
        long cpu = reapedChildrenCpuNs();
        long start = System.nanoTime();
        Result r = exec(command, timeout, Map.of());
        long ns = System.nanoTime() - start;
        if (r.status() != 0) {
            throw new StepFailure(args[0] + " exited with " + r.status() + ": " + r.out().strip());
        }
        cycle.put(field, ns);
        cycle.put(field.replace("Ns", "CpuNs"), reapedChildrenCpuNs() - cpu);
    }

    /**
     * The CPU time (user and system) of this JVM's children that it has reaped, with theirs
     * (cutime and cstime of /proc/self/stat, in USER_HZ ticks, 100 a second on x86_64 and
     * aarch64): after a step, what the runtime's processes used, whatever the machine's load.
     *
     * @see <a href="https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html">proc_pid_stat(5)</a>
     */
    static long reapedChildrenCpuNs() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * 10_000_000L;
    }

    /** Waits for the container's init, re-parented to this subreaper, and reaps it. */
    private static ChildStatus reap(int pid, Duration timeout) throws InterruptedException, StepFailure {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                Optional<ChildStatus> status = ProcessSyscalls.waitidPid(pid,
                        EnumSet.of(WaitOption.EXITED, WaitOption.NOHANG));
                if (status.isPresent()) {
                    return status.get();
                }
                Thread.sleep(1);
            }
        } catch (SyscallException e) {
            throw new StepFailure("waiting for the container's init (pid " + pid + "): " + e.getMessage());
        }
        throw new StepFailure("the container's init (pid " + pid + ") did not exit within " + timeout.toSeconds()
                + " s of start");
    }

    private static void reapQuietly(int pid) {
        try {
            ProcessSyscalls.waitidPid(pid, EnumSet.of(WaitOption.EXITED, WaitOption.NOHANG));
        } catch (SyscallException e) {
            // not our child, or gone
        }
    }

    /** Exit status and output (stdout and stderr together) of a command. */
    record Result(int status, String out) {
    }

    static Result exec(List<String> command, Duration timeout, Map<String, String> environment)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("hako-b9", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null")
                            .toFile()));
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                return new Result(-1, "timed out after " + timeout.toSeconds() + " s: " + String.join(" ", command));
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    // ---- ctr run --rm through a private containerd --------------------------------------------

    private static void ctr(Config config, List<Runtime> runtimes, Path rootfs, Path work, ObjectNode results)
            throws IOException, InterruptedException {
        Path dir = work.resolve("containerd");
        try (BenchContainerd containerd = BenchContainerd.start(dir, CTR_NAMESPACE)) {
            Map<String, String> failures = new LinkedHashMap<>();
            Map<String, ArrayNode> runs = new LinkedHashMap<>();
            for (Runtime runtime : runtimes) {
                runs.put(runtime.name(), ((ObjectNode) results.get(runtime.name())).putArray("ctrRunNs"));
            }
            for (int round = 0; round <= config.ctrRounds(); round++) {
                for (int k = 0; k < runtimes.size(); k++) {
                    Runtime runtime = runtimes.get((k + round) % runtimes.size());
                    if (failures.containsKey(runtime.name())) {
                        continue;
                    }
                    long start = System.nanoTime();
                    Result r = containerd.ctr(STEP_TIMEOUT, "run", "--rm", "--runc-binary",
                            runtime.command().getFirst(), "--rootfs", rootfs.toString(),
                            "b9-" + runtime.name() + "-" + round, "/bin/true");
                    long ns = System.nanoTime() - start;
                    if (r.status() != 0) {
                        failures.put(runtime.name(), "ctr run exited with " + r.status() + ": " + r.out().strip());
                    } else if (round > 0) {
                        runs.get(runtime.name()).add(ns);
                    }
                }
            }
            failures.forEach((name, why) -> ((ObjectNode) results.get(name)).put("ctrFailure", why));
        } catch (IllegalStateException e) {
            for (Runtime runtime : runtimes) {
                ((ObjectNode) results.get(runtime.name())).put("ctrFailure", e.getMessage());
            }
        }
    }

    // ---- where hako-oci's time goes: JVM start ------------------------------------------------

    private static ArrayNode jvmStart(Config config, Path work) throws IOException, InterruptedException {
        Path repo = config.hakoOci().toAbsolutePath().getParent();
        Path jar = repo.resolve("oci/target/hako-oci.jar");
        String java = Path.of(Files.readString(repo.resolve("oci/target/hako-oci.java-home")).strip(), "bin", "java")
                .toString();
        Path archive = work.resolve("hako-oci-appcds.jsa");
        Files.deleteIfExists(archive);
        List<String> plain = List.of(java, "-XX:+UseSerialGC", "-Xms8m", "-Xmx128m", "-XX:-UsePerfData", "-Xss512k",
                "-Xlog:disable", "-Xlog:all=off");
        List<String> dump = new ArrayList<>(plain);
        dump.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-jar", jar.toString(), "features"));
        exec(dump, FIRST_CALL_TIMEOUT, Map.of());
        Map<String, List<String>> variants = new LinkedHashMap<>();
        variants.put("java -version (the JVM alone)", List.of(java, "-XX:+UseSerialGC", "-Xshare:auto", "-version"));
        variants.put("hako-oci --version, no AOT cache (HAKO_OCI_AOT=0)", List.of(config.hakoOci().toString(),
                "--version"));
        variants.put("hako-oci --version, AOT cache (the launcher's default)", List.of(config.hakoOci().toString(),
                "--version"));
        List<String> jarOnly = new ArrayList<>(plain);
        jarOnly.addAll(List.of("-jar", jar.toString(), "--version"));
        variants.put("java -jar hako-oci.jar --version, the JDK's default CDS only", jarOnly);
        if (Files.exists(archive)) {
            List<String> appCds = new ArrayList<>(plain);
            appCds.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-jar", jar.toString(), "--version"));
            variants.put("java -jar hako-oci.jar --version, AppCDS archive of a features run", appCds);
        }
        Map<String, ArrayNode> samples = new LinkedHashMap<>();
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (String label : variants.keySet()) {
            ObjectNode row = out.addObject();
            row.put("label", label);
            samples.put(label, row.putArray("ns"));
        }
        List<String> labels = List.copyOf(variants.keySet());
        for (int round = 0; round <= config.versionRounds(); round++) {
            for (int k = 0; k < labels.size(); k++) {
                String label = labels.get((k + round) % labels.size());
                Map<String, String> env = label.contains("HAKO_OCI_AOT=0") ? Map.of("HAKO_OCI_AOT", "0") : Map.of();
                long start = System.nanoTime();
                Result r = exec(variants.get(label), FIRST_CALL_TIMEOUT, env);
                long ns = System.nanoTime() - start;
                if (r.status() == 0 && round > 0) {
                    samples.get(label).add(ns);
                }
            }
        }
        Files.deleteIfExists(archive);
        return out;
    }
}
