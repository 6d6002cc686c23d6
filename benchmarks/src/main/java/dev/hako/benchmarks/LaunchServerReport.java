package dev.hako.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The launch server's part of {@link Report} (issue 13's proof): B2 through each launcher at
 * growing heaps ({@link LauncherStartBenchmark}), the server's own start and memory
 * ({@link ServerStart}, and {@link ServerFlags} where the run made it), and B6's pair of
 * copies of the server ({@link InitMemory}). It writes into the report's markdown, targets
 * and chart bars, in the report's style: every ratio against a baseline of the same run.
 */
final class LaunchServerReport {

    /** The targets. */
    static final double HEAP_FLAT = 1.1;
    static final double OVER_UNSHARE = 1.5;
    static final double INIT_OVER_PLAIN = 2;
    static final double PAIR_MIB = 16;

    private static final String CHART = "B2 launch server: p50 ratios";
    private static final Map<String, String> HEAPS = new LinkedHashMap<>();

    static {
        HEAPS.put("defaultHeap", "default heap");
        HEAPS.put("heap4g", "4 GB heap pre-touched");
        HEAPS.put("heap8g", "8 GB heap pre-touched");
        HEAPS.put("defaultHeapInit", "default heap, `init(true)`");
    }

    private final Report r;

    LaunchServerReport(Report report) {
        this.r = report;
    }

    private Report.Pooled jmh(String method, String launcher) {
        return r.jmh.get("LauncherStartBenchmark." + method + "[" + launcher + "]");
    }

    private static String launcherName(String launcher) {
        return launcher.equals(LauncherStartBenchmark.SERVER) ? "launch server" : "in-process";
    }

    private void target(String what, double measured, double baseline, double limit, String unit, String of) {
        double ratio = measured / baseline;
        r.targets.add(new String[] {what, Report.f(measured) + " vs " + Report.f(baseline) + " " + unit + " " + of
            + " (" + Report.f(ratio) + "×)", Double.isNaN(ratio) ? "not measured" : ratio <= limit ? "met" : "missed"});
    }

    // ---------------------------------------------------------------- B2

    /**
     * The launcher × heap table, its ratios and the B2 targets of issue 13; nothing if this
     * run has no {@link LauncherStartBenchmark} results.
     */
    void starts(Stats.Histogram floor, Stats.Histogram unshare, Double processBuilder) {
        Map<String, Double> p50 = new LinkedHashMap<>();
        for (String launcher : List.of(LauncherStartBenchmark.SERVER, LauncherStartBenchmark.IN_PROCESS)) {
            for (String method : HEAPS.keySet()) {
                if (jmh(method, launcher) != null) {
                    p50.put(method + "[" + launcher + "]", Double.NaN);
                }
            }
        }
        if (p50.isEmpty()) {
            return;
        }
        StringBuilder md = r.md;
        md.append("### B2 through the launch server\n\nThe same start (pid,mnt,ipc,uts, `/bin/true`) through each "
                + "launcher, chosen explicitly with `ContainerBuilder.launcher(...)`, from an application JVM whose "
                + "heap is the default or fixed and pre-touched (`-Xms -Xmx -XX:+AlwaysPreTouch`, so resident) at "
                + "4 GB and 8 GB; each row is its own JMH fork. In-process, the application JVM forks itself; "
                + "through the launch server (`Launchers.server()`), a small second JVM forks the container "
                + "(clone3 with CLONE_PARENT, so it is still the application's child). The server is up and the "
                + "engine warm before the measurement. Last column: p50 ÷ the same launcher at the default heap "
                + "(for `init(true)`: ÷ the same launcher without it).\n\n");
        md.append("| launcher, heap | namespaces | p50 | p90 | p99 | mean ± 95% CI | n | p50 ÷ C floor | p50 ÷ unshare(1) "
                + "| p50 ÷ default heap |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (String key : p50.keySet()) {
            String method = key.substring(0, key.indexOf('['));
            String launcher = key.substring(key.indexOf('[') + 1, key.length() - 1);
            Report.Pooled p = jmh(method, launcher);
            double v = r.row(launcherName(launcher) + ", " + HEAPS.get(method),
                    StartVariant.PID_MNT_IPC_UTS.label() + (method.endsWith("Init") ? StartVariant.INIT_SUFFIX : ""),
                    p.samples, floor, unshare);
            p50.put(key, v);
            // row() ended the line; the last column goes before its newline.
            Double base = p50.get("defaultHeap[" + launcher + "]");
            md.insert(md.length() - 1, " " + (base == null || method.equals("defaultHeap") ? "" : Report.f(v / base))
                    + " |");
        }
        md.append('\n');

        String s = "[" + LauncherStartBenchmark.SERVER + "]";
        String i = "[" + LauncherStartBenchmark.IN_PROCESS + "]";
        double server = p50.getOrDefault("defaultHeap" + s, Double.NaN);
        double inProcess = p50.getOrDefault("defaultHeap" + i, Double.NaN);
        double u = unshare == null ? Double.NaN : unshare.percentile(0.5);
        md.append("Through the server a start takes ").append(Report.f(server)).append(" ms at the default heap, ")
                .append(Report.f(server / inProcess)).append("× the in-process start (").append(Report.f(inProcess))
                .append(" ms): the request and the pidfd cross a socket, and the server, not the application, is "
                        + "the JVM that forks. At 8 GB the in-process start takes ")
                .append(Report.f(p50.getOrDefault("heap8g" + i, Double.NaN) / inProcess))
                .append("× its default-heap time, through the server ")
                .append(Report.f(p50.getOrDefault("heap8g" + s, Double.NaN) / server)).append("×");
        if (processBuilder != null) {
            md.append("; `ProcessBuilder` (no isolation, the application forks itself too) takes ")
                    .append(Report.f(processBuilder)).append(" ms at the default heap");
        }
        md.append(".\n\n");

        for (String heap : List.of("heap4g", "heap8g")) {
            String size = heap.substring(4).toUpperCase(Locale.ROOT).replace("G", " GB");
            double big = p50.getOrDefault(heap + s, Double.NaN);
            target("B2: launch server p50 at a " + size + " heap ≤ " + HEAP_FLAT + "× at the default heap", big, server,
                    HEAP_FLAT, "ms", "at the default heap");
            r.bars.add(new Report.Bar(CHART, "server, " + size + " ÷ default heap", big / server, "lower is better"));
            r.bars.add(new Report.Bar(CHART, "in-process, " + size + " ÷ default heap",
                    p50.getOrDefault(heap + i, Double.NaN) / inProcess, "lower is better"));
        }
        target("B2: launch server p50 ≤ " + OVER_UNSHARE + "× `unshare -fpmiu`", server, u, OVER_UNSHARE, "ms",
                "for unshare(1)");
        r.bars.add(new Report.Bar(CHART, "server ÷ unshare -fpmiu", server / u, "lower is better"));
        double init = p50.getOrDefault("defaultHeapInit" + s, Double.NaN);
        target("B2: launch server, `init(true)` p50 ≤ " + (int) INIT_OVER_PLAIN + "× without init", init, server,
                INIT_OVER_PLAIN, "ms", "without");
        r.bars.add(new Report.Bar(CHART, "server, init(true) ÷ without", init / server, "lower is better"));
    }

    // ---------------------------------------------------------------- the server itself

    /** The server's start and memory, and the flag sets if the run compared them. */
    void itself() throws IOException {
        Optional<JsonNode> start = r.json("server-start.json");
        Optional<JsonNode> flags = r.json("server-flags.json");
        if (start.isEmpty() && flags.isEmpty()) {
            return;
        }
        StringBuilder md = r.md;
        md.append("### The launch server itself: its start and its memory\n\n");
        if (start.isPresent()) {
            serverStart(start.get());
        }
        if (flags.isPresent()) {
            serverFlags(flags.get());
        }
    }

    private void serverStart(JsonNode d) {
        StringBuilder md = r.md;
        List<JsonNode> runs = new ArrayList<>();
        d.get("runs").forEach(runs::add);
        md.append("`Driver server-start`: ").append(d.get("rounds").asInt()).append(" fresh application JVMs (default "
                + "flags, nothing loaded but Hako) each warm the engine with in-process starts, time ")
                .append(d.get("starts").asInt()).append(" of them, then start through the launch server: the first "
                        + "start waits for the server to come up (a JVM started with the server's own flags, "
                        + "connected, its program region mapped), the next ")
                .append(d.get("starts").asInt()).append(" do not. The server's start is the first start minus the "
                        + "p50 of the later ones; its baseline is the application JVM's own start, from exec to "
                        + "`main`, timed from outside in the same round. Memory from smaps_rollup after the starts. "
                        + "Medians over rounds; MiB unless stated.\n\n");
        double main = median(runs, "jvmToMainMs");
        double first = median(runs, "serverFirstStartMs");
        double steady = median(runs, "serverStartP50Ms");
        double startup = median(runs, "serverStartupMs");
        double serverAnon = median(runs, "serverKiB", "Anonymous") / 1024;
        double appAnon = median(runs, "applicationKiB", "Anonymous") / 1024;
        md.append("| measure | launch server | baseline | ratio |\n|---|---|---|---|\n");
        md.append("| start, ms (first start through it − a later one's p50) | ").append(Report.f(startup))
                .append(" | a JVM's exec to `main`: ").append(Report.f(main)).append(" | ").append(Report.f(startup / main))
                .append(" |\n");
        md.append("| time to the first container through it, ms | ").append(Report.f(first)).append(" | a later start's p50: ")
                .append(Report.f(steady)).append(" | ").append(Report.f(first / steady)).append(" |\n");
        md.append("| in-process start p50 in the same JVMs, ms | | ").append(Report.f(median(runs, "inProcessStartP50Ms")))
                .append(" | |\n");
        for (String field : List.of("Anonymous", "AnonHugePages", "Rss", "Pss")) {
            double sv = median(runs, "serverKiB", field) / 1024;
            double av = median(runs, "applicationKiB", field) / 1024;
            md.append("| ").append(field.equals("Anonymous") ? "**anonymous RSS**" : field).append(" | ")
                    .append(Report.f(sv)).append(" | the application JVM's: ").append(Report.f(av)).append(" | ")
                    .append(av > 0 ? Report.f(sv / av) : "").append(" |\n");
        }
        md.append("| page tables (VmPTE), KiB | ").append(Report.f(median(runs, "serverKiB", "VmPTE")))
                .append(" | the application JVM's: ").append(Report.f(median(runs, "applicationKiB", "VmPTE")))
                .append(" | |\n\n");
        r.targets.add(new String[] {"Launch server: its start and anonymous RSS (reported)",
            "start " + Report.f(startup) + " ms (" + Report.f(startup / main) + "× a JVM's start to `main`, "
                + Report.f(main) + " ms); anonymous RSS " + Report.f(serverAnon) + " MiB (" + Report.f(serverAnon / appAnon)
                + "× the application JVM's, " + Report.f(appAnon) + " MiB)", "reported"});
        r.bars.add(new Report.Bar("Launch server ÷ an application JVM", "anonymous RSS", serverAnon / appAnon,
                "lower is better"));
        r.bars.add(new Report.Bar("Launch server ÷ an application JVM", "start ÷ JVM exec to main", startup / main,
                "lower is better"));
    }

    private static double median(List<JsonNode> runs, String... path) {
        List<Double> values = new ArrayList<>();
        for (JsonNode run : runs) {
            JsonNode v = run;
            for (String p : path) {
                v = v.path(p);
            }
            if (v.isNumber()) {
                values.add(v.asDouble());
            }
        }
        return ServerFlags.percentile(values, 50);
    }

    private void serverFlags(JsonNode d) {
        StringBuilder md = r.md;
        md.append("Which flags make the server cheap (`Driver server-flags`): for each flag set a fresh JVM starts ")
                .append(d.get("starts").asInt()).append(" ").append(d.get("variant").asText()).append(" containers "
                        + "in-process (what the server does), ").append(d.get("rounds").asInt()).append(" rounds "
                        + "with the C floor and `unshare` interleaved; time to `main` and to the first container "
                        + "from the exec; memory after the starts, medians over rounds. The server runs the `server` "
                        + "set: `all-c2one`, its request path compiled after 100 calls, its native heap trimmed. "
                        + "That set's C2 compiles (one thread) fall inside these few starts, which is what its row "
                        + "shows; the server's steady state is B2's rows above. "
                        + "Ratios against `default` (the JVM's defaults) of the same run.\n\n");
        JsonNode base = null;
        for (JsonNode row : d.get("rows")) {
            if (row.get("name").asText().equals("default")) {
                base = row;
            }
        }
        md.append("| flag set | start p50 ms | ÷ C floor | ÷ unshare | to first container ms | ÷ default | anonymous MiB "
                + "| ÷ default | RSS MiB | page tables KiB | options |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (JsonNode row : d.get("rows")) {
            boolean isSet = row.has("options");
            md.append("| ").append(isSet ? row.get("name").asText() : row.get("name").asText() + " (baseline)")
                    .append(" | ").append(Report.f(row.path("p50Ms").asDouble(Double.NaN))).append(" | ")
                    .append(Report.f(row.path("p50OverFloor").asDouble(Double.NaN))).append(" | ")
                    .append(Report.f(row.path("p50OverUnshare").asDouble(Double.NaN))).append(" | ");
            if (!isSet) {
                md.append("| | | | | | |\n");
                continue;
            }
            double first = row.path("jvmToFirstContainerMs").asDouble(Double.NaN);
            double anon = row.path("AnonymousKiB").asDouble(Double.NaN) / 1024;
            md.append(Report.f(first)).append(" | ")
                    .append(base == null ? "" : Report.f(first / base.path("jvmToFirstContainerMs").asDouble(Double.NaN)))
                    .append(" | ").append(Report.f(anon)).append(" | ")
                    .append(base == null ? "" : Report.f(anon / (base.path("AnonymousKiB").asDouble(Double.NaN) / 1024)))
                    .append(" | ").append(Report.f(row.path("RssKiB").asDouble(Double.NaN) / 1024)).append(" | ")
                    .append(Report.f(row.path("VmPTEKiB").asDouble(Double.NaN))).append(" | ")
                    .append(row.get("options").asText().isBlank() ? "(the JVM's defaults)"
                            : "`" + row.get("options").asText().strip() + "`")
                    .append(row.path("failedRuns").asInt(0) > 0 ? " (" + row.get("failedRuns").asInt() + " runs failed: "
                            + row.path("failure").asText().replace("|", "\\|") + ")" : "")
                    .append(" |\n");
        }
        md.append('\n');
    }

    // ---------------------------------------------------------------- B6

    /** {@return " in a heap of N MiB (`flags`)" from B6's JVM node, or "" if it was not recorded} */
    static String heapOf(JsonNode jvm) {
        if (!jvm.has("maxHeapMiB")) {
            return "";
        }
        List<String> flags = new ArrayList<>();
        for (String o : jvm.path("options").asText().split(" ")) {
            if (o.startsWith("-Xm") || o.equals("-XX:+AlwaysPreTouch")) {
                flags.add(o);
            }
        }
        return " in a heap of " + jvm.get("maxHeapMiB").asLong() + " MiB"
                + (flags.isEmpty() ? " (the JVM's default)" : " (`" + String.join(" ", flags) + "`)");
    }

    /** B6's rows for the pair started through the server, and the server's own. */
    void initMemoryRows(JsonNode d) {
        JsonNode s = d.get("hakoServer");
        if (s == null) {
            return;
        }
        JsonNode b = s.get("before");
        JsonNode a = s.get("after");
        r.b6Row("Hako supervisor, through the launch server", b, a, "supervisor");
        r.b6Row("Hako reaper, through the launch server", b, a, "reaper");
        r.b6Row("**Hako supervisor + reaper**, through the launch server", Report.pair(b), Report.pair(a), null);
        JsonNode sb = s.get("serverBefore").deepCopy();
        JsonNode sa = s.get("serverAfter").deepCopy();
        for (JsonNode n : List.of(sb, sa)) {
            ((ObjectNode) n).put("ussKiB", n.get("Private_CleanKiB").asLong()
                    + n.get("Private_DirtyKiB").asLong()).putNull("onlyTheirsAnonKiB");
        }
        r.b6Row("the launch server itself (shared by every container it starts; for reference)", sb, sa, null);
    }

    /**
     * The paragraph on the pair through the server, and the target: at most
     * {@value #PAIR_MIB} MiB per container, judged on the pair's pages that neither the
     * JVM nor the server maps ("only theirs"), or on USS where page frames are hidden.
     */
    void initMemory(JsonNode d, double inProcessOnly, double inProcessUss) {
        JsonNode s = d.get("hakoServer");
        if (s == null) {
            return;
        }
        JsonNode pair = Report.pair(s.get("after"));
        double only = Report.mib(pair, "onlyTheirsAnonKiB");
        double uss = Report.mib(pair, "ussKiB");
        double pss = Report.mib(pair, "PssKiB");
        double parentUss = Report.mib(d.get("unshare").get("after").get("parent"), "ussKiB");
        boolean frames = !Double.isNaN(only);
        double judged = frames ? only : uss;
        StringBuilder md = r.md;
        md.append("Through the launch server, the supervisor and the reaper are copies of the server's small JVM, "
                + "which the application's churn does not touch: after it they hold ");
        if (frames) {
            md.append("**").append(Report.f(only)).append(" MiB** that no other process maps (in-process: ")
                    .append(Report.f(inProcessOnly)).append(" MiB, ").append(Report.f(inProcessOnly / only))
                    .append("× as much), ");
        }
        md.append("USS ").append(Report.f(uss)).append(" MiB together (in-process: ").append(Report.f(inProcessUss))
                .append(" MiB), PSS ").append(Report.f(pss)).append(" MiB; the unshare parent holds ")
                .append(Report.f(parentUss)).append(" MiB (USS), the pair ").append(Report.f(judged / parentUss))
                .append("× that; page tables ").append(Report.f(pair.get("pteKiB").asDouble()))
                .append(" KiB for the pair. The target is judged on ")
                .append(frames ? "\"only theirs\" (anonymous pages by frame: USS misses the pages the two share "
                        + "with each other)" : "USS (page frames are not readable here)")
                .append(".\n\n");
        long heap = d.path("jvm").path("maxHeapMiB").asLong(0);
        String at = heap >= 4000 ? "" : " (measured at a " + heap + " MiB heap; the target is for 4 GB: see `--full`)";
        r.targets.add(new String[] {"B6: supervisor + reaper through the launch server ≤ " + (int) PAIR_MIB
            + " MiB per container, 4 GB heap under churn",
            Report.f(judged) + " MiB " + (frames ? "only theirs" : "USS") + heapOf(d.path("jvm")) + at
                + "; in-process " + Report.f(frames ? inProcessOnly : inProcessUss) + " MiB",
            judged <= PAIR_MIB ? "met" + (at.isEmpty() ? "" : " at this heap") : "missed"});
        if (frames && only > 0) {
            r.bars.add(new Report.Bar("B6 init pair memory ÷ through the server", "in-process ÷ server (only theirs)",
                    inProcessOnly / only, "higher means the server saves"));
        }
    }
}
