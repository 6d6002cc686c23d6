package dev.hako.benchmarks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Controller;
import dev.hako.cgroupfs.Hierarchy;
import dev.hako.cgroupfs.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * B5's baseline: the operation of {@link CgroupOpsBenchmark} written as a bash loop of
 * {@code mkdir}, {@code echo} and {@code rmdir}, over the same hierarchies, the same control
 * files and the same values, timed by bash itself ({@code $EPOCHREALTIME}).
 */
public final class ShellCgroupOps {

    /** Where the shell's groups live. */
    public static final String HOME = "/hako-bench/b5-shell";

    private ShellCgroupOps() {
    }

    /** The bash script for this layout: arguments are the pid to move and the iteration count. */
    static String script(CgroupLayout layout) {
        List<Hierarchy> hierarchies = layout.groupHierarchies();
        List<String> ops = new ArrayList<>();
        List<String> homes = new ArrayList<>();
        for (Hierarchy h : hierarchies) {
            homes.add(h.directory(HOME).toString());
            ops.add(h.directory(HOME + "/op").toString());
        }
        StringBuilder body = new StringBuilder();
        body.append("  mkdir");
        ops.forEach(d -> body.append(' ').append(quote(d)));
        body.append('\n');
        for (Hierarchy h : hierarchies) {
            if (h.controllers().contains(Controller.CPUSET)) {
                for (String f : List.of("cpuset.mems", "cpuset.cpus")) {
                    body.append("  read -r v < ").append(quote(h.directory(HOME).resolve(f).toString()))
                            .append("; echo \"$v\" > ").append(quote(h.directory(HOME + "/op").resolve(f).toString()))
                            .append('\n');
                }
            }
        }
        Hierarchy cpu = layout.hierarchyFor(Controller.CPU).orElseThrow();
        for (Setting s : CgroupOpsBenchmark.LIMIT.render(cpu.version())) {
            body.append("  echo ").append(s.value().contains(" ") ? "\"" + s.value() + "\"" : s.value())
                    .append(" > ").append(quote(cpu.directory(HOME + "/op").resolve(s.file()).toString())).append('\n');
        }
        for (String d : ops) {
            body.append("  echo \"$pid\" > ").append(quote(d + "/cgroup.procs")).append('\n');
        }
        for (String d : homes) {
            body.append("  echo \"$pid\" > ").append(quote(d + "/cgroup.procs")).append('\n');
        }
        body.append("  rmdir");
        ops.forEach(d -> body.append(' ').append(quote(d)));
        body.append('\n');
        return "set -euo pipefail\npid=$1\nn=$2\nt0=$EPOCHREALTIME\nfor ((i = 0; i < n; i++)); do\n" + body
                + "done\nt1=$EPOCHREALTIME\necho \"$t0 $t1\"\n";
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Runs {@code batches} batches of {@code iterations} operations; returns ops/s per batch. */
    public static ObjectNode run(int iterations, int batches) throws IOException, InterruptedException {
        CgroupLayout layout = CgroupLayout.detect();
        Cgroup home = Cgroup.create(layout, HOME, CgroupOpsBenchmark.CONTROLLERS);
        Path script = Files.createTempFile("hako-b5-", ".sh");
        Process sleeper = new ProcessBuilder("sleep", "100000").start();
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        try {
            home.attach(sleeper.pid());
            String text = script(layout);
            Files.writeString(script, text);
            out.put("script", text);
            ArrayNode results = out.putArray("opsPerSecond");
            for (int b = 0; b < batches; b++) {
                Process bash = new ProcessBuilder("bash", script.toString(), Long.toString(sleeper.pid()),
                        Integer.toString(iterations)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                String line = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (bash.waitFor() != 0) {
                    throw new IOException("the shell baseline failed (exit " + bash.exitValue() + ")");
                }
                String[] t = line.split(" ");
                double seconds = Double.parseDouble(t[1]) - Double.parseDouble(t[0]);
                results.add(iterations / seconds);
            }
        } finally {
            sleeper.destroyForcibly();
            sleeper.waitFor();
            Files.deleteIfExists(script);
            home.delete(Duration.ofSeconds(10), true);
            BenchCgroups.removeEmpty();
        }
        return out;
    }
}
