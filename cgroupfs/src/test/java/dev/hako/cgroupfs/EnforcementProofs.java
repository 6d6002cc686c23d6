package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The enforcement proofs, run for real against the kernel. Subclasses pick the
 * cgroup version (by the machine they run on) and supply what differs between versions.
 */
abstract class EnforcementProofs {
    static final Set<Controller> CONTROLLERS = EnumSet.of(Controller.CPU, Controller.MEMORY, Controller.PIDS);

    @RegisterExtension
    final TestGroups groups = new TestGroups();

    /** The version the controllers under test must be on. */
    abstract CgroupVersion version();

    /** OOM kills recorded by the group (memory.events or memory.oom_control). */
    abstract long oomKills(Cgroup group) throws Exception;

    /** Limit the group to 32 MiB without swap. */
    abstract MemorySpec memoryLimit(Cgroup group) throws Exception;

    Cgroup leaf(String name) throws Exception {
        CgroupLayout layout = groups.layout();
        for (Controller c : CONTROLLERS) {
            assertThat(layout.versionOf(c)).as("version of %s", c).contains(version());
        }
        return groups.leaf(name, CONTROLLERS);
    }

    @Test
    @Timeout(30)
    void memoryMaxOomKillsAPayloadTouching64MiB() throws Exception {
        Cgroup group = leaf("oom");
        group.apply(memoryLimit(group));
        List<CgroupEvent> events = new CopyOnWriteArrayList<>();
        try (CgroupEvents watch = group.watch(events::add);
             Payload payload = Payload.start("exec dd if=/dev/zero of=/dev/null bs=64M count=1")) {
            group.attach(payload.pid());
            payload.release();
            // Java reports death by signal N as 128 + N: 137 is SIGKILL.
            assertThat(payload.waitFor(Duration.ofSeconds(20))).isEqualTo(137);
            assertThat(oomKills(group)).isGreaterThanOrEqualTo(1);
            long end = System.nanoTime() + 5_000_000_000L;
            while (events.stream().noneMatch(e -> e instanceof CgroupEvent.OomKill) && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertThat(events).anyMatch(e -> e instanceof CgroupEvent.Oom)
                    .anyMatch(e -> e instanceof CgroupEvent.OomKill);
            assertThat(watch.failure()).isEmpty();
            assertThat(group.memoryStats().peak().orElse(Long.MAX_VALUE)).isLessThanOrEqualTo(32L << 20);
        }
    }

    @Test
    @Timeout(30)
    void pidsMaxMakesForksFail() throws Exception {
        Cgroup group = leaf("pids");
        group.apply(PidsSpec.max(8));
        // The shell gives up at the first failed fork; that failure is the proof.
        try (Payload payload = Payload.start(
                "i=0; while [ $i -lt 20 ]; do i=$((i+1)); sleep 5 & done; echo all-forked")) {
            group.attach(payload.pid());
            payload.release();
            int status = payload.waitFor(Duration.ofSeconds(20));
            assertThat(payload.stdout()).doesNotContain("all-forked");
            assertThat(payload.stderr()).containsIgnoringCase("fork");
            assertThat(status).isNotZero();
            PidsStats stats = group.pidsStats();
            assertThat(stats.peak()).isPresent();
            assertThat(stats.peak().getAsLong()).isLessThanOrEqualTo(8);
            String events = group.read(Controller.PIDS, "pids.events");
            assertThat(KeyedFile.flat(events, "pids.events").get("max")).isPositive();
        }
    }

    @Test
    @Timeout(30)
    void cpuMaxHoldsABusyLoopTo20PercentOfOneCpu() throws Exception {
        Cgroup group = leaf("cpu");
        group.apply(CpuSpec.cpus(0.2));
        try (Payload payload = Payload.start("while :; do :; done")) {
            group.attach(payload.pid());
            payload.release();
            Thread.sleep(300); // let the loop reach steady state
            long before = group.cpuStats().usage().toNanos();
            long start = System.nanoTime();
            Thread.sleep(3000);
            long used = group.cpuStats().usage().toNanos() - before;
            double share = (double) used / (System.nanoTime() - start);
            assertThat(share).as("CPU share of the busy loop").isBetween(0.15, 0.25);
            assertThat(group.cpuStats().throttling().orElseThrow().throttledPeriods()).isPositive();
        }
    }
}
