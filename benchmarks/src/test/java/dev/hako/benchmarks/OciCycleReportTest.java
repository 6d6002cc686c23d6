package dev.hako.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** B9's report from its JSON, and B9's bundle from the benchmark's: data in, text and files out. */
class OciCycleReportTest {

    private static JsonNode results(String hakoTotals, String runcTotals) throws Exception {
        return Driver.JSON.readTree("""
                {"config": {"rounds": 3, "ctrRounds": 2, "versionRounds": 2},
                 "runtimes": {
                   "hako-oci": {"version": "hako-oci version 0.1.0", "cycles": [%s], "ctrRunNs": [900000000, 700000000]},
                   "runc": {"version": "runc version 1.1.5", "cycles": [%s], "ctrRunNs": [100000000, 100000000]},
                   "crun": {"version": "crun version 1.8.1", "cycles": [],
                            "failure": "create exited with 1: cgroups in hybrid mode not supported",
                            "ctrRunNs": [], "ctrFailure": "ctr run exited with 1: no|pipe"}},
                 "jvmStart": [{"label": "java -version (the JVM alone)", "ns": [30000000, 50000000, 40000000]}]}
                """.formatted(hakoTotals, runcTotals));
    }

    private static String cycles(long... totals) {
        StringBuilder out = new StringBuilder();
        for (long t : totals) {
            out.append(out.isEmpty() ? "" : ", ").append("{\"createNs\": ").append(t / 2).append(", \"startNs\": 1000000,"
                    + " \"waitNs\": 500000, \"deleteNs\": 2000000, \"totalNs\": ").append(t)
                    .append(", \"createCpuNs\": ").append(t / 4).append(", \"startCpuNs\": 0, \"deleteCpuNs\": 0}");
        }
        return out.toString();
    }

    @Test
    void mediansRatiosAndFailuresAreReported() throws Exception {
        OciCycleReport report = new OciCycleReport(results(cycles(3_000_000_000L, 1_000_000_000L, 2_000_000_000L),
                cycles(100_000_000L, 120_000_000L, 80_000_000L)));
        String md = report.markdown();
        assertThat(md).contains("| hako-oci (hako-oci version 0.1.0) | 1000 | 1.0 | 0.5 | 2.0 | 2000 | 20.0× | 3 |")
                .contains("| runc (runc version 1.1.5) | 50.0 | 1.0 | 0.5 | 2.0 | 100 | 1.0× | 3 |")
                .contains("| crun (crun version 1.8.1) | fails here: create exited with 1: cgroups in hybrid mode not"
                        + " supported | | | | | | 0 |")
                .contains("| hako-oci | 800 | 8.0× | 2 |")
                .contains("| crun | fails here: ctr run exited with 1: no\\|pipe | | 0 |")
                .contains("| java -version (the JVM alone) | 40.0 | 3 |")
                .contains("| hako-oci | 500 | 0.0 | 0.0 | 0.50 |");
        assertThat(report.target()).containsExactly(OciCycleReport.TARGET, "p50 2000 ms against 100 ms: 20.0×", "missed");
        assertThat(report.ratio()).isEqualTo(20.0);
    }

    @Test
    void withinTwiceRuncsCycleTheTargetIsMet() throws Exception {
        OciCycleReport report = new OciCycleReport(results(cycles(150_000_000L, 200_000_000L),
                cycles(100_000_000L, 100_000_000L)));
        assertThat(report.target()).containsExactly(OciCycleReport.TARGET, "p50 175 ms against 100 ms: 1.8×", "met");
    }

    @Test
    void withoutCyclesOfBothThereIsNoTarget() throws Exception {
        assertThat(new OciCycleReport(results("", cycles(100_000_000L))).target()).isNull();
    }

    @Test
    void theBundleIsTheBenchmarksBusyboxWithMountPointsAndAWritableRoot(@TempDir Path temp) throws Exception {
        Path source = Files.createDirectories(temp.resolve("bundle/rootfs/bin"));
        Files.writeString(source.resolve("busybox"), "not really busybox");
        Files.writeString(temp.resolve("bundle/config.json"), """
                {"process": {"terminal": true, "args": ["sh"]}, "root": {"path": "rootfs", "readonly": true}}
                """);
        Path bundle = OciCycle.bundle(temp.resolve("bundle"), temp.resolve("b9"));
        ObjectNode config = (ObjectNode) Driver.JSON.readTree(bundle.resolve("config.json").toFile());
        assertThat(config.get("root").get("path").asText()).isEqualTo(bundle.resolve("rootfs").toString());
        assertThat(config.get("root").get("readonly").asBoolean()).isFalse();
        assertThat(config.get("process").get("terminal").asBoolean()).isFalse();
        assertThat(config.get("process").get("args").toString()).isEqualTo("[\"/bin/true\"]");
        assertThat(Files.readSymbolicLink(bundle.resolve("rootfs/bin/true"))).isEqualTo(Path.of("busybox"));
        for (String d : new String[] {"proc", "sys", "dev", "tmp", "etc", "run"}) {
            assertThat(bundle.resolve("rootfs").resolve(d)).isDirectory();
        }
    }
}
