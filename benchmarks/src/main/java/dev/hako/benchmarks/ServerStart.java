package dev.hako.benchmarks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the launch server itself costs (issue 13): its start, and its memory. Each round
 * starts a fresh application JVM ({@link ServerStartProbe}) that warms Hako's engine
 * in-process, times in-process starts, then starts through the server, the first of which
 * waits for the server to come up; then it reads the server's memory and its own.
 *
 * <p>Per round: the JVM's time from exec to {@code main} (a plain JVM start, the baseline of
 * the server's start, measured in the same run), the first start through the server and
 * the median of the following ones (their difference is the server's own start), the
 * in-process starts' median, and smaps_rollup (Rss, Pss, Anonymous, AnonHugePages) with
 * VmPTE and RssAnon for the server and for the application JVM.
 */
final class ServerStart {

    private ServerStart() {
    }

    /** Runs {@code rounds} probes of {@code starts} starts each and returns their results. */
    static ObjectNode run(int rounds, int starts) throws IOException, InterruptedException {
        if (rounds < 1 || starts < 1) {
            throw new IllegalArgumentException("need rounds ≥ 1 and starts ≥ 1, got " + rounds + ", " + starts);
        }
        ObjectNode out = Driver.JSON.createObjectNode();
        out.put("rounds", rounds).put("starts", starts).put("variant", StartVariant.PID_MNT_IPC_UTS.label());
        ArrayNode runs = out.putArray("runs");
        for (int round = 0; round < rounds; round++) {
            ProbeJvm.Output o = ProbeJvm.run(List.of(), null, ServerStartProbe.class, Integer.toString(starts));
            String failure = o.failure();
            if (failure != null) {
                throw new IOException("ServerStartProbe, round " + (round + 1) + ": " + failure);
            }
            List<Double> server = millis(o.value("server"));
            List<Double> inProcess = millis(o.value("inProcess"));
            ObjectNode run = runs.addObject();
            run.put("jvmToMainMs", o.at("main"));
            run.put("serverFirstStartMs", server.getFirst());
            double steady = ServerFlags.percentile(server.subList(1, server.size()), 50);
            run.put("serverStartP50Ms", steady);
            run.put("serverStartupMs", server.getFirst() - steady);
            run.put("inProcessStartP50Ms", ServerFlags.percentile(inProcess, 50));
            run.put("serverPid", Long.parseLong(o.value("server-pid")));
            put(run.putObject("serverKiB"), ServerFlags.keyValues(o.value("server-smaps")));
            put(run.putObject("applicationKiB"), ServerFlags.keyValues(o.value("self-smaps")));
            System.err.printf(Locale.ROOT, "server-start round %d: first start through the server %.1f ms, then p50 %.2f ms%n",
                    round + 1, server.getFirst(), steady);
        }
        return out;
    }

    private static List<Double> millis(String line) {
        List<Double> out = new ArrayList<>();
        for (String s : line.split(",")) {
            out.add(Long.parseLong(s) / 1e6);
        }
        return out;
    }

    private static void put(ObjectNode node, Map<String, Long> values) {
        values.forEach(node::put);
    }
}
