package dev.hako.benchmarks;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.Launchers;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * B2 for the launch server (issue 13): start-to-exit of {@code /bin/true} with pid, mount,
 * ipc and uts namespaces through each {@link Launchers launcher}, from an application JVM
 * whose heap is the JVM's default, or 4 GB or 8 GB fixed and pre-touched (so resident). The
 * in-process launcher forks this JVM, whose page tables grow with its heap; the server forks
 * its own small JVM, so its rows should not grow. {@link #defaultHeapInit} adds
 * {@link ContainerBuilder#init(boolean) init(true)}. Each method and launcher runs in its own
 * fork; the server is started (and the engine warmed) before the measurement.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Thread)
public class LauncherStartBenchmark {

    /** Made by JMH, once per fork and state scope. */
    public LauncherStartBenchmark() {
    }

    /** The launcher's name: {@value #SERVER} or {@value #IN_PROCESS}. */
    @Param({SERVER, IN_PROCESS})
    public String launcher;

    /** The parameter value for {@link Launchers#server()}. */
    public static final String SERVER = "server";
    /** The parameter value for {@link Launchers#inProcess()}. */
    public static final String IN_PROCESS = "in-process";

    private ContainerBuilder builder;

    /** Builds the start (with init for {@link #defaultHeapInit}) and warms it up, starting the server if it is one. */
    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws IOException, InterruptedException {
        Launchers l = launcher.equals(SERVER) ? Launchers.server() : Launchers.inProcess();
        StartVariant variant = params.getBenchmark().endsWith("Init") ? StartVariant.PLUS_INIT
                : StartVariant.PID_MNT_IPC_UTS;
        builder = variant.builder(l, "/bin/true");
        for (int i = 0; i < 3; i++) {
            StartLatencyBenchmark.startAndWait(builder);
        }
    }

    /** The JVM's default heap. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
    public int defaultHeap() throws IOException, InterruptedException {
        return StartLatencyBenchmark.startAndWait(builder);
    }

    /** The JVM's default heap, with {@code init(true)}. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
    public int defaultHeapInit() throws IOException, InterruptedException {
        return StartLatencyBenchmark.startAndWait(builder);
    }

    /** 4 GB heap, pre-touched. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms4g", "-Xmx4g",
        "-XX:+AlwaysPreTouch"})
    public int heap4g() throws IOException, InterruptedException {
        return StartLatencyBenchmark.startAndWait(builder);
    }

    /** 8 GB heap, pre-touched. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms8g", "-Xmx8g",
        "-XX:+AlwaysPreTouch"})
    public int heap8g() throws IOException, InterruptedException {
        return StartLatencyBenchmark.startAndWait(builder);
    }
}
