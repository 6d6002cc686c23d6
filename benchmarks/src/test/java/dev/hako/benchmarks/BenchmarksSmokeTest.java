package dev.hako.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hako.testing.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark once, tiny, so none can rot: each JMH benchmark for one 100 ms
 * iteration in this JVM, the B3/B4/B5/B6/B7/B8 drivers with minimal work, one C start loop, and the
 * report generator over all of it, the launch server's rows included. The figures mean nothing; only that everything runs
 * and the report has every section.
 */
@Privileged(programs = {"gcc", "unshare"})
class BenchmarksSmokeTest {

    @AfterAll
    static void removeCgroups() {
        BenchCgroups.removeEmpty();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyBenchmarkRunsOnceAndTheReportIsWritten(@TempDir Path results) throws Exception {
        Options options = new OptionsBuilder()
                .include("dev\\.hako\\.benchmarks\\..*")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(results.resolve("jmh-r1.json").toString())
                .build();
        var run = new Runner(options).run();
        assertThat(run.stream().map(r -> r.getParams().getBenchmark().replace("dev.hako.benchmarks.", "")))
                .contains("DowncallBenchmark.cLoop", "DowncallBenchmark.ffmCritical", "StartLatencyBenchmark.hako",
                        "StartHeapBenchmark.hakoHeap4g", "StartHeapBenchmark.processBuilder",
                        "LauncherStartBenchmark.defaultHeap", "LauncherStartBenchmark.heap8g",
                        "LauncherStartBenchmark.defaultHeapInit",
                        "CgroupOpsBenchmark.createConfigureAttachDelete");
        assertThat(run).allSatisfy((RunResult r) -> assertThat(r.getPrimaryResult().getSampleCount()).isPositive());

        Path disk = Files.createDirectories(results.resolve("disk"));
        ObjectNode overhead = Overhead.run(new Overhead.Config(1, 0.005, List.of(1, 2), Set.of(), disk));
        for (var measured : overhead.get("runs")) {
            // Each copy reports the CPU time of its work beside its wall time.
            assertThat(measured.get("cpuNs")).hasSameSizeAs(measured.get("elapsedNs"));
            assertThat(measured.get("cpuNs").get(0).asLong()).isPositive();
        }
        Driver.write(overhead, results.resolve("b3.json"));
        Driver.write(Enforcement.run(new Enforcement.Config(Duration.ofMillis(150), 1, 0.05, disk)),
                results.resolve("b4.json"));
        ObjectNode shell = ShellCgroupOps.run(5, 1);
        assertThat(shell.get("opsPerSecond").get(0).asDouble()).isPositive();
        Driver.write(shell, results.resolve("b5-shell-r1.json"));
        ObjectNode memory = InitMemory.run(new InitMemory.Config(16, 0.2));
        assertThat(memory.get("hako").get("after").get("reaper").get("comm").asText()).isEqualTo("hako-init");
        assertThat(memory.get("hakoServer").get("after").get("reaper").get("comm").asText()).isEqualTo("hako-init");
        assertThat(memory.get("unshare").get("after").get("parent").get("ussKiB").asLong()).isPositive();
        Driver.write(memory, results.resolve("b6.json"));
        ObjectNode server = ServerStart.run(1, 3);
        assertThat(server.get("runs").get(0).get("serverKiB").get("Anonymous").asLong()).isPositive();
        Driver.write(server, results.resolve("server-start.json"));
        ObjectNode seccomp = SeccompOverhead.run(new SeccompOverhead.Config(1, 2000, 1000));
        assertThat(seccomp.get("runs")).hasSize(SeccompOverhead.MODES.size() * SeccompOverhead.VARIANTS.size());
        Driver.write(seccomp, results.resolve("b7.json"));
        ObjectNode checkpoint = CheckpointCost.run(new CheckpointCost.Config(List.of(64), 1, disk.resolve("b8")));
        assertThat(checkpoint.get("runs")).hasSize(1);
        assertThat(checkpoint.get("runs").get(0).get("verified").asBoolean()).isTrue();
        assertThat(checkpoint.get("runs").get(0).get("pagesBytes").asLong()).isGreaterThanOrEqualTo(64L << 20);
        Driver.write(checkpoint, results.resolve("b8.json"));

        Path b2 = Files.createDirectories(results.resolve("b2"));
        Files.writeString(b2.resolve("manifest.tsv"), "clone3-pmiu\tclone3\tpid,mnt,ipc,uts\tstartloop clone3 pid,mnt,ipc,uts\n"
                + "absent\tnosuchtool\tpid,mnt,ipc,uts\tnosuchtool run\n");
        Process loop = new ProcessBuilder(NativeBuild.program(NativeBuild.STARTLOOP).toString(), "clone3", "3",
                "pid,mnt,ipc,uts").redirectOutput(b2.resolve("clone3-pmiu.r1.txt").toFile()).start();
        assertThat(loop.waitFor()).isZero();
        Files.writeString(b2.resolve("clone3-pmiu.status"), "ok");
        Files.writeString(b2.resolve("absent.status"), "not installable here (test)");

        Path markdown = results.resolve("RESULTS.md");
        Path chart = results.resolve("chart.png");
        Report.write(results, markdown, chart, "smoke test");
        String text = Files.readString(markdown);
        assertThat(text).contains("## B1", "## B2", "## B3", "## B4", "## B5", "## B6", "## B7", "## B8", "## Targets", "## Machine",
                "C clone3 loop (floor)", "not installable here (test)", "mem-triad", "io-disk", "CPU overhead %",
                "| Hako | pid,mnt,ipc,uts+init |", "With `init(true)`", "**Hako supervisor + reaper**",
                "### B2 through the launch server", "| launch server, 8 GB heap pre-touched |",
                "### The launch server itself", "**anonymous RSS**",
                "**Hako supervisor + reaper**, through the launch server", "B2: launch server p50 ≤ 1.5×",
                "B6: supervisor + reaper through the launch server")
                .doesNotContain("No B1 results", "No B3 results", "No B5 results", "No B6 results", "No B7 results",
                        "No B8 results");
        assertThat(Files.size(chart)).isPositive();
    }
}
