package dev.hako.benchmarks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Which JVM flags make a cheap launch server (issue 13): for each candidate flag set, a
 * fresh JVM ({@link ServerFlagsProbe}) starts {@code /bin/true} containers through the
 * in-process engine, and in the same rounds the C clone3 floor and {@code unshare -fpmiu}
 * start the same namespaces ({@code benchmarks/c/startloop.c}). Every side runs once per
 * round, the order rotating from round to round so that drift on a shared machine hits all
 * of them. Per set: start latency percentiles over all rounds and the p50 ratios to the floor
 * and to unshare(1); the JVM's time to {@code main} and to its first container (engine
 * warm-up included), timed by this process from the exec; and its memory after the starts
 * from {@code /proc/self/smaps_rollup} (Rss, Anonymous, AnonHugePages) and VmPTE, medians
 * over rounds.
 *
 * <p>{@code aot} sets use a JDK 25 AOT cache (JEP 483/514) written by one training run of the
 * probe with the same flags before the first round.
 */
final class ServerFlags {

    /** A candidate: JVM options, and MALLOC_ARENA_MAX or null. */
    record FlagSet(String name, List<String> options, String mallocArenaMax, boolean aot) {
    }

    private static final List<String> SMALL = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx16m");
    private static final List<String> CODE = List.of("-XX:ReservedCodeCacheSize=16m", "-XX:MaxMetaspaceSize=64m");
    private static final List<String> THP = List.of("-XX:+UseTransparentHugePages");
    private static final List<String> NO_PERF = List.of("-XX:-UsePerfData");
    private static final List<String> C1 = List.of("-XX:TieredStopAtLevel=1");
    private static final List<String> C2_ONE = List.of("-XX:-TieredCompilation", "-XX:CICompilerCount=1");
    private static final List<String> NO_RELOCATION = List.of("-XX:+UnlockDiagnosticVMOptions",
            "-XX:ArchiveRelocationMode=0");

    /** Every candidate, the JVM's defaults first. */
    static List<FlagSet> candidates() {
        List<FlagSet> sets = new ArrayList<>();
        sets.add(new FlagSet("default", List.of(), null, false));
        sets.add(new FlagSet("small", SMALL, null, false));
        sets.add(new FlagSet("small+thp", concat(SMALL, THP), null, false));
        sets.add(new FlagSet("small+code", concat(SMALL, CODE), null, false));
        sets.add(new FlagSet("small+noperf", concat(SMALL, NO_PERF), null, false));
        sets.add(new FlagSet("small+arena1", SMALL, "1", false));
        sets.add(new FlagSet("small+c1", concat(SMALL, C1), null, false));
        sets.add(new FlagSet("small+c2one", concat(SMALL, C2_ONE), null, false));
        List<String> all = concat(SMALL, THP, CODE, NO_PERF);
        sets.add(new FlagSet("all-c1", concat(all, C1), "1", false));
        sets.add(new FlagSet("all-c2one", concat(all, C2_ONE), "1", false));
        sets.add(new FlagSet("all-tiered", all, "1", false));
        sets.add(new FlagSet("all-tiered+aot", all, "1", true));
        // The class-data archive at its built address: not relocated at start, so its
        // read-write part stays mostly shared with the file.
        sets.add(new FlagSet("all-c2one+noreloc", concat(all, C2_ONE, NO_RELOCATION), "1", false));
        // What the launch server of this build runs with: all-c2one, plus the flags chosen
        // for the server's own request path (see LaunchServer.JVM_OPTIONS).
        sets.add(new FlagSet("server", launchServerOptions(), "1", false));
        // The application's side (B2 for issue 13): in-process against the launch server, at
        // the default heap and at a pre-touched 4 GB one.
        List<String> server = List.of("-Dhako.launcher=server");
        List<String> heap4g = List.of("-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch");
        sets.add(new FlagSet("app+server", server, null, false));
        sets.add(new FlagSet("app4g", heap4g, null, false));
        sets.add(new FlagSet("app4g+server", concat(heap4g, server), null, false));
        return sets;
    }

    /** The JVM options the launch server starts with: its command line between java and the first Hako option. */
    static List<String> launchServerOptions() {
        try {
            List<String> command = dev.hako.namespaces.launch.LaunchServer.serverCommand();
            return List.copyOf(command.subList(1, command.indexOf("--enable-native-access=ALL-UNNAMED")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> out = new ArrayList<>();
        for (List<String> l : lists) {
            out.addAll(l);
        }
        return List.copyOf(out);
    }

    /** What one probe run reported. */
    record ProbeRun(double mainMs, double firstMs, List<Double> samplesMs, Map<String, Long> smaps, String failure) {
    }

    private ServerFlags() {
    }

    static ObjectNode run(int rounds, int starts, String variant, List<String> only, Path work)
            throws IOException, InterruptedException {
        Files.createDirectories(work);
        List<FlagSet> sets = new ArrayList<>();
        for (FlagSet s : candidates()) {
            if (only.isEmpty() ? !s.name().startsWith("app") : only.contains(s.name())) {
                sets.add(s);
            }
        }
        Path startloop = NativeBuild.program(NativeBuild.STARTLOOP);
        Map<String, Path> caches = new LinkedHashMap<>();
        for (FlagSet s : sets) {
            if (s.aot()) {
                Path cache = work.resolve(s.name().replaceAll("[^a-z0-9]", "_") + ".aot");
                Files.deleteIfExists(cache);
                List<String> training = new ArrayList<>(s.options());
                training.add("-XX:AOTCacheOutput=" + cache);
                ProbeRun r = probe(training, s.mallocArenaMax(), 50, variant);
                if (r.failure() != null || !Files.exists(cache)) {
                    throw new IOException("AOT training run for " + s.name() + " failed: " + r.failure());
                }
                caches.put(s.name(), cache);
            }
        }
        // The sides of one round: every flag set, then the two baselines.
        List<String> sides = new ArrayList<>();
        sets.forEach(s -> sides.add(s.name()));
        sides.add("clone3");
        sides.add("unshare");
        Map<String, List<ProbeRun>> runs = new LinkedHashMap<>();
        Map<String, List<Double>> baselines = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < sides.size(); k++) {
                String side = sides.get((k + round * 5) % sides.size());
                if (side.equals("clone3")) {
                    baselines.computeIfAbsent(side, x -> new ArrayList<>()).addAll(loop(startloop, "clone3",
                            Integer.toString(starts), variant));
                } else if (side.equals("unshare")) {
                    baselines.computeIfAbsent(side, x -> new ArrayList<>()).addAll(loop(startloop, "exec",
                            Integer.toString(starts), "--", "unshare", unshareFlags(variant), "/bin/true"));
                } else {
                    FlagSet s = sets.stream().filter(f -> f.name().equals(side)).findFirst().orElseThrow();
                    List<String> options = new ArrayList<>(s.options());
                    if (s.aot()) {
                        options.add("-XX:AOTCache=" + caches.get(side));
                    }
                    runs.computeIfAbsent(side, x -> new ArrayList<>()).add(probe(options, s.mallocArenaMax(),
                            starts, variant));
                }
                System.err.printf(Locale.ROOT, "round %d: %s%n", round + 1, side);
            }
        }

        ObjectNode out = Driver.JSON.createObjectNode();
        out.put("rounds", rounds).put("starts", starts).put("variant", variant);
        double floor = percentile(baselines.get("clone3"), 50);
        double unshare = percentile(baselines.get("unshare"), 50);
        ArrayNode rows = out.putArray("rows");
        for (Map.Entry<String, List<Double>> b : baselines.entrySet()) {
            ObjectNode row = rows.addObject().put("name", b.getKey());
            putLatency(row, b.getValue(), floor, unshare);
        }
        for (FlagSet s : sets) {
            ObjectNode row = rows.addObject().put("name", s.name());
            row.put("options", String.join(" ", s.options())
                    + (s.mallocArenaMax() == null ? "" : " MALLOC_ARENA_MAX=" + s.mallocArenaMax())
                    + (s.aot() ? " -XX:AOTCache" : ""));
            List<ProbeRun> rs = runs.get(s.name());
            List<Double> all = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            for (ProbeRun r : rs) {
                all.addAll(r.samplesMs());
                if (r.failure() != null) {
                    failures.add(r.failure());
                }
            }
            row.put("failedRuns", failures.size());
            if (!failures.isEmpty()) {
                row.put("failure", failures.getFirst());
            }
            putLatency(row, all, floor, unshare);
            row.put("jvmToMainMs", median(rs.stream().map(ProbeRun::mainMs).toList()));
            row.put("jvmToFirstContainerMs", median(rs.stream().map(ProbeRun::firstMs).toList()));
            for (String key : List.of("Rss", "Anonymous", "AnonHugePages", "VmPTE")) {
                row.put(key + "KiB", median(rs.stream().filter(r -> r.smaps().containsKey(key))
                        .map(r -> (double) r.smaps().get(key)).toList()));
            }
        }
        return out;
    }

    private static String unshareFlags(String variant) {
        return switch (variant) {
            case "pid,mnt,ipc,uts" -> "-fpmiu";
            case "none" -> "-f";
            default -> throw new IllegalArgumentException("no unshare(1) peer for " + variant);
        };
    }

    private static void putLatency(ObjectNode row, List<Double> ms, double floor, double unshare) {
        row.put("n", ms.size());
        if (ms.isEmpty()) {
            return;
        }
        double p50 = percentile(ms, 50);
        row.put("p50Ms", p50).put("p90Ms", percentile(ms, 90)).put("p99Ms", percentile(ms, 99));
        row.put("p50OverFloor", p50 / floor).put("p50OverUnshare", p50 / unshare);
    }

    static double percentile(List<Double> values, double p) {
        if (values == null || values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int i = (int) Math.ceil(p / 100 * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, i))];
    }

    private static double median(List<Double> values) {
        return percentile(values, 50);
    }

    /** Runs startloop; milliseconds per start. */
    private static List<Double> loop(Path startloop, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(startloop.toString());
        command.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Double> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank()) {
                    out.add(Long.parseLong(line.strip()) / 1e6);
                }
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed");
        }
        return out;
    }

    /** Starts a probe JVM and times its lines from the exec. */
    static ProbeRun probe(List<String> options, String mallocArenaMax, int starts, String variant)
            throws IOException, InterruptedException {
        ProbeJvm.Output out = ProbeJvm.run(options, mallocArenaMax, ServerFlagsProbe.class, Integer.toString(starts),
                variant);
        List<Double> samples = new ArrayList<>();
        String line = out.value("samples");
        if (line != null) {
            for (String s : line.split(",")) {
                samples.add(Long.parseLong(s) / 1e6);
            }
        }
        return new ProbeRun(out.at("main"), out.at("first"), samples, keyValues(out.value("smaps")), out.failure());
    }

    /** {@return the "Key=N Key=N ..." pairs of a probe's line, empty if it printed none} */
    static Map<String, Long> keyValues(String line) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (line != null) {
            for (String kv : line.split(" ")) {
                String[] f = kv.split("=");
                out.put(f[0], Long.parseLong(f[1]));
            }
        }
        return out;
    }

    /** A plain-text table of {@link #run}'s result, for the console. */
    static String table(ObjectNode result) {
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT,
                "%-16s %7s %7s %7s %6s %6s %8s %8s %8s %8s %8s %7s  %s%n", "set", "p50ms", "p90ms", "p99ms",
                "/floor", "/unsh", "mainMs", "firstMs", "RssKiB", "AnonKiB", "THPKiB", "PTEKiB", "options"));
        for (var row : result.get("rows")) {
            t.append(String.format(Locale.ROOT, "%-16s %7.2f %7.2f %7.2f %6.2f %6.2f %8.0f %8.0f %8.0f %8.0f %8.0f %7.0f  %s%s%n",
                    row.get("name").asText(), row.path("p50Ms").asDouble(Double.NaN),
                    row.path("p90Ms").asDouble(Double.NaN), row.path("p99Ms").asDouble(Double.NaN),
                    row.path("p50OverFloor").asDouble(Double.NaN), row.path("p50OverUnshare").asDouble(Double.NaN),
                    row.path("jvmToMainMs").asDouble(Double.NaN), row.path("jvmToFirstContainerMs").asDouble(Double.NaN),
                    row.path("RssKiB").asDouble(Double.NaN), row.path("AnonymousKiB").asDouble(Double.NaN),
                    row.path("AnonHugePagesKiB").asDouble(Double.NaN), row.path("VmPTEKiB").asDouble(Double.NaN),
                    row.path("options").asText(""),
                    row.path("failedRuns").asInt(0) > 0 ? "  FAILED " + row.path("failedRuns").asInt() + ": "
                            + row.path("failure").asText() : ""));
        }
        return t.toString();
    }
}
