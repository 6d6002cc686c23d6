package dev.hako.benchmarks;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * B2, start latency: start-to-exit of {@code /bin/true} through Hako from a warm JVM, for
 * each namespace set, with a cgroup (CLONE_INTO_CGROUP), and with an init process. Sampled, so the results carry
 * percentiles. The C clone3 floor and the command-line tools are measured by
 * {@code benchmarks/run} with {@code benchmarks/c/startloop.c}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class StartLatencyBenchmark {

    /** Made by JMH, once per fork and state scope. */
    public StartLatencyBenchmark() {
    }

    /** The namespace set, as {@link StartVariant#label()}. */
    @Param({"none", "pid,mnt,ipc,uts", "pid,mnt,ipc,uts,net", "pid,mnt,ipc,uts,net,user", "pid,mnt,ipc,uts+cgroup",
        "pid,mnt,ipc,uts+init"})
    public String variant;

    private ContainerBuilder builder;

    /** Builds the launch once and pays the engine's first-start warm-up outside the measurement. */
    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        builder = StartVariant.of(variant).builder("/bin/true");
        for (int i = 0; i < 3; i++) {
            startAndWait(builder);
        }
    }

    /** Removes the benchmark's cgroup directory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        BenchCgroups.removeEmpty();
    }

    /** Start, then wait for exit. */
    @Benchmark
    public int hako() throws IOException, InterruptedException {
        return startAndWait(builder);
    }

    static int startAndWait(ContainerBuilder builder) throws IOException, InterruptedException {
        try (ContainerProcess p = builder.start()) {
            int status = p.waitFor();
            if (status != 0) {
                throw new IllegalStateException("/bin/true exited with " + status);
            }
            return status;
        }
    }
}
