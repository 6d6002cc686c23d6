package dev.hako.benchmarks;

import dev.hako.namespaces.ContainerBuilder;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * B2, continued: how start latency grows with the JVM's resident memory (clone3 without
 * CLONE_VM copies the parent's page tables), and {@link ProcessBuilder} for reference.
 * Each heap variant runs in its own fork with the heap fixed and pre-touched, so it is
 * resident; the last one backs the same heap with transparent huge pages, the lever the
 * design names for a flat cost.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Thread)
public class StartHeapBenchmark {

    /** Made by JMH, once per fork and state scope. */
    public StartHeapBenchmark() {
    }

    private ContainerBuilder builder;

    /** pid+mnt+ipc+uts, warmed outside the measurement. */
    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        builder = StartVariant.PID_MNT_IPC_UTS.builder("/bin/true");
        for (int i = 0; i < 3; i++) {
            StartLatencyBenchmark.startAndWait(builder);
        }
    }

    /** 256 MB heap, pre-touched. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m",
        "-XX:+AlwaysPreTouch"})
    public int hakoHeap256m() throws IOException, InterruptedException {
        return StartLatencyBenchmark.startAndWait(builder);
    }

    /** 4 GB heap, pre-touched. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms4g", "-Xmx4g",
        "-XX:+AlwaysPreTouch"})
    public int hakoHeap4g() throws IOException, InterruptedException {
        return StartLatencyBenchmark.startAndWait(builder);
    }

    /** 4 GB heap, pre-touched, on transparent huge pages. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms4g", "-Xmx4g",
        "-XX:+AlwaysPreTouch", "-XX:+UseTransparentHugePages"})
    public int hakoHeap4gThp() throws IOException, InterruptedException {
        return StartLatencyBenchmark.startAndWait(builder);
    }

    /** {@code new ProcessBuilder("/bin/true").start().waitFor()}: what the JDK offers, no isolation. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
    public int processBuilder() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/true").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        int status = p.waitFor();
        p.getInputStream().close();
        p.getOutputStream().close();
        p.getErrorStream().close();
        return status;
    }
}
