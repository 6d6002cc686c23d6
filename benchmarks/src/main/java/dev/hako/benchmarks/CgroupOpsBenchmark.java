package dev.hako.benchmarks;

import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Controller;
import dev.hako.cgroupfs.CpuSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * B5, cgroup operations: one operation creates a group (in every hierarchy of the layout),
 * sets a CPU limit, moves a sleeping process in, moves it back out and deletes the group.
 * {@link ShellCgroupOps} does the same with a shell script for the baseline.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CgroupOpsBenchmark {

    /** Made by JMH, once per fork and state scope. */
    public CgroupOpsBenchmark() {
    }

    /** Where the benchmark's groups live. */
    public static final String HOME = "/hako-bench/b5-hako";
    /** The controllers of each group. */
    public static final Set<Controller> CONTROLLERS = EnumSet.of(Controller.CPU);
    /** The limit written by each operation. */
    public static final CpuSpec LIMIT = CpuSpec.cpus(0.5);

    private CgroupLayout layout;
    private Cgroup home;
    private Process sleeper;

    /** Starts the process that every operation moves in and out. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        layout = CgroupLayout.detect();
        home = Cgroup.create(layout, HOME, CONTROLLERS);
        sleeper = new ProcessBuilder("sleep", "100000").start();
        home.attach(sleeper.pid());
    }

    /** Create, configure, attach, detach, delete. */
    @Benchmark
    public Cgroup createConfigureAttachDelete() throws IOException {
        Cgroup group = Cgroup.create(layout, HOME + "/op", CONTROLLERS);
        group.apply(LIMIT);
        group.attach(sleeper.pid());
        home.attach(sleeper.pid());
        group.delete(Duration.ofSeconds(5), false);
        return group;
    }

    /** Stops the sleeper and removes the groups. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        sleeper.destroyForcibly();
        sleeper.waitFor();
        home.delete(Duration.ofSeconds(5), true);
        BenchCgroups.removeEmpty();
    }
}
