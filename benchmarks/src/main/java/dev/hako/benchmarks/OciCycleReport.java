package dev.hako.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * B9's part of RESULTS.md, from {@link OciCycle}'s JSON: the cycle per runtime (median of
 * each step and of the whole, and the whole's ratio to runc's; the CPU time of each step),
 * {@code ctr run --rm} per
 * runtime, and hako-oci's JVM start variants; and the verdict on the target (hako-oci's
 * cycle within 2x of runc's).
 */
final class OciCycleReport {

    static final String TARGET = "B9: hako-oci's create + start + wait + delete cycle within 2× of runc's";
    private static final List<String> STEPS = List.of("createNs", "startNs", "waitNs", "deleteNs", "totalNs");

    private final JsonNode data;

    OciCycleReport(JsonNode data) {
        this.data = data;
    }

    /** The section's text, after its heading. */
    String markdown() {
        StringBuilder md = new StringBuilder();
        JsonNode config = data.get("config");
        md.append("Each runtime runs busybox `/bin/true` from `benchmarks/run`'s bundle (root made writable: hako-oci "
                + "refuses `root.readonly` yet) the way containerd's shim drives it: `create --bundle B --pid-file F "
                + "ID`, `start ID`, the wait for the container to exit (the benchmark is a child subreaper, as the "
                + "shim is, and reaps it), `delete ID`; each step is a new process of the runtime, so every hako-oci "
                + "step starts a JVM (the `./hako-oci` launcher: serial GC, small heap, the AOT cache it trains on a "
                + "whole cycle). ").append(config.get("rounds").asInt()).append(" cycles per runtime after one "
                + "untimed, the order rotating from round to round; medians in ms.\n\n");
        md.append("| runtime | create | start | wait | delete | cycle | cycle ÷ runc's | cycles |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        double runc = median(data.path("runtimes").path("runc").path("cycles"), "totalNs");
        for (Map.Entry<String, JsonNode> runtime : data.get("runtimes").properties()) {
            JsonNode r = runtime.getValue();
            md.append("| ").append(runtime.getKey()).append(" (").append(r.path("version").asText()).append(")");
            if (r.has("failure")) {
                md.append(" | fails here: ").append(oneLine(r.get("failure").asText())).append(" | | | | | | 0 |\n");
                continue;
            }
            for (String step : STEPS) {
                md.append(" | ").append(ms(median(r.get("cycles"), step)));
            }
            md.append(" | ").append(ratio(median(r.get("cycles"), "totalNs"), runc)).append(" | ")
                    .append(r.get("cycles").size()).append(" |\n");
        }
        md.append("\nThe CPU time (user + system) of the runtime's processes in each step, which the machine's load "
                + "does not inflate as it does the wall clock (in whole 10 ms ticks, so runc's steps mostly show 0); "
                + "medians in ms, and the three steps' CPU time over their wall time.\n\n"
                + "| runtime | create CPU | start CPU | delete CPU | CPU ÷ wall |\n|---|---|---|---|---|\n");
        for (Map.Entry<String, JsonNode> runtime : data.get("runtimes").properties()) {
            JsonNode cycles = runtime.getValue().path("cycles");
            if (cycles.isEmpty()) {
                continue;
            }
            md.append("| ").append(runtime.getKey());
            double cpu = 0;
            double wall = 0;
            for (String step : List.of("create", "start", "delete")) {
                double stepCpu = median(cycles, step + "CpuNs");
                md.append(" | ").append(ms(stepCpu));
                cpu += stepCpu;
                wall += median(cycles, step + "Ns");
            }
            md.append(" | ").append(String.format(Locale.ROOT, "%.2f", cpu / wall)).append(" |\n");
        }
        md.append("\n`ctr run --rm --runc-binary RUNTIME --rootfs DIR ID /bin/true` through a private containerd "
                + "(its own root, state and sockets, stopped at the end), containerd's runc shim in between: ")
                .append(config.get("ctrRounds").asInt()).append(" runs per runtime after one untimed; medians.\n\n");
        md.append("| runtime | ctr run --rm, ms | ÷ runc's | runs |\n|---|---|---|---|\n");
        double runcCtr = median(data.path("runtimes").path("runc").path("ctrRunNs"), null);
        for (Map.Entry<String, JsonNode> runtime : data.get("runtimes").properties()) {
            JsonNode r = runtime.getValue();
            if (r.has("ctrFailure")) {
                md.append("| ").append(runtime.getKey()).append(" | fails here: ")
                        .append(oneLine(r.get("ctrFailure").asText())).append(" | | 0 |\n");
                continue;
            }
            double m = median(r.path("ctrRunNs"), null);
            md.append("| ").append(runtime.getKey()).append(" | ").append(ms(m)).append(" | ").append(ratio(m, runcCtr))
                    .append(" | ").append(r.path("ctrRunNs").size()).append(" |\n");
        }
        md.append("\nWhere hako-oci's time goes, first the JVM's start: each variant run ")
                .append(config.get("versionRounds").asInt()).append(" times after one untimed, rotating; medians.\n\n");
        md.append("| JVM start | ms | runs |\n|---|---|---|\n");
        for (JsonNode row : data.path("jvmStart")) {
            md.append("| ").append(row.get("label").asText()).append(" | ").append(ms(median(row.get("ns"), null)))
                    .append(" | ").append(row.get("ns").size()).append(" |\n");
        }
        md.append('\n');
        return md.toString();
    }

    /** The target row (what, measured, verdict), or null when hako-oci or runc has no cycles. */
    String[] target() {
        JsonNode runtimes = data.get("runtimes");
        if (runtimes.path("hako-oci").path("cycles").isEmpty() || runtimes.path("runc").path("cycles").isEmpty()) {
            return null;
        }
        double hako = median(runtimes.get("hako-oci").get("cycles"), "totalNs");
        double runc = median(runtimes.get("runc").get("cycles"), "totalNs");
        return new String[] {TARGET, "p50 " + ms(hako) + " ms against " + ms(runc) + " ms: " + ratio(hako, runc),
            hako <= 2 * runc ? "met" : "missed"};
    }

    /** hako-oci's cycle ÷ runc's, for the chart; NaN without both. */
    double ratio() {
        JsonNode runtimes = data.get("runtimes");
        return median(runtimes.path("hako-oci").path("cycles"), "totalNs")
                / median(runtimes.path("runc").path("cycles"), "totalNs");
    }

    /** The median of {@code field} over an array of objects, or of the numbers themselves when null; NaN if empty. */
    static double median(JsonNode array, String field) {
        List<Double> values = new ArrayList<>();
        for (JsonNode item : array) {
            JsonNode v = field == null ? item : item.get(field);
            if (v != null && v.isNumber()) {
                values.add(v.asDouble());
            }
        }
        if (values.isEmpty()) {
            return Double.NaN;
        }
        values.sort(null);
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    private static String ms(double ns) {
        return Double.isNaN(ns) ? "n/a" : String.format(Locale.ROOT, ns >= 1e8 ? "%.0f" : "%.1f", ns / 1e6);
    }

    private static String ratio(double value, double base) {
        return Double.isNaN(value) || Double.isNaN(base) ? "n/a" : String.format(Locale.ROOT, "%.1f×", value / base);
    }

    private static String oneLine(String text) {
        String line = text.replace('\n', ' ').replace("|", "\\|").strip();
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
