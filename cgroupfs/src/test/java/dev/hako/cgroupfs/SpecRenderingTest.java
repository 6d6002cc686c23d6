package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SpecRenderingTest {

    @Test
    void cpuFractionBecomesQuotaPerPeriod() {
        CpuSpec half = CpuSpec.cpus(0.5);
        assertThat(half.render(CgroupVersion.V2)).containsExactly(new Setting(Controller.CPU, "cpu.max", "50000 100000"));
        assertThat(half.render(CgroupVersion.V1)).containsExactly(
                new Setting(Controller.CPU, "cpu.cfs_period_us", "100000"),
                new Setting(Controller.CPU, "cpu.cfs_quota_us", "50000"));
        assertThat(CpuSpec.cpus(2).render(CgroupVersion.V2).getFirst().value()).isEqualTo("200000 100000");
    }

    @Test
    void cpuWeightIdleBurstAndUnlimited() {
        CpuSpec spec = CpuSpec.unset().max(Duration.ofMillis(20), Duration.ofMillis(100)).weight(200)
                .burst(Duration.ofMillis(10)).idle(true);
        assertThat(spec.render(CgroupVersion.V2)).extracting(Setting::toString).containsExactly(
                "cpu.weight=200", "cpu.max=20000 100000", "cpu.max.burst=10000", "cpu.idle=1");
        assertThat(spec.render(CgroupVersion.V1)).extracting(Setting::toString).containsExactly(
                "cpu.shares=2048", "cpu.cfs_period_us=100000", "cpu.cfs_quota_us=20000", "cpu.cfs_burst_us=10000",
                "cpu.idle=1");
        assertThat(CpuSpec.unset().unlimited().render(CgroupVersion.V2)).extracting(Setting::toString)
                .containsExactly("cpu.max=max");
        assertThat(CpuSpec.unset().unlimited().render(CgroupVersion.V1)).extracting(Setting::toString)
                .containsExactly("cpu.cfs_quota_us=-1");
        // weight 100 is the kernel's equivalent of 1024 shares
        assertThat(CpuSpec.unset().weight(100).render(CgroupVersion.V1).getFirst().value()).isEqualTo("1024");
        assertThat(CpuSpec.unset().weight(1).render(CgroupVersion.V1).getFirst().value()).isEqualTo("10");
    }

    @Test
    void cpuSharesAreWrittenAsGivenOnV1AndConvertedAsRuncDoesOnV2() {
        assertThat(CpuSpec.unset().shares(1024).render(CgroupVersion.V1)).extracting(Setting::toString)
                .containsExactly("cpu.shares=1024");
        // 1 + (shares - 2) * 9999 / 262142: 2 -> 1, 1024 -> 39, 262144 -> 10000
        assertThat(CpuSpec.unset().shares(1024).render(CgroupVersion.V2)).extracting(Setting::toString)
                .containsExactly("cpu.weight=39");
        assertThat(CpuSpec.unset().shares(2).render(CgroupVersion.V2).getFirst().value()).isEqualTo("1");
        assertThat(CpuSpec.unset().shares(262144).render(CgroupVersion.V2).getFirst().value()).isEqualTo("10000");
        // the later of weight and shares wins
        assertThat(CpuSpec.unset().weight(200).shares(512).render(CgroupVersion.V1)).extracting(Setting::toString)
                .containsExactly("cpu.shares=512");
        assertThat(CpuSpec.unset().shares(512).weight(200).render(CgroupVersion.V2)).extracting(Setting::toString)
                .containsExactly("cpu.weight=200");
        assertThatThrownBy(() -> CpuSpec.unset().shares(1))
                .isInstanceOf(InvalidSpecException.class).hasMessage("cpu shares 1 is outside 2..262144");
        assertThatThrownBy(() -> CpuSpec.unset().shares(262145)).hasMessage("cpu shares 262145 is outside 2..262144");
    }

    @Test
    void cpuRulesAreCheckedWithTheRuleInTheMessage() {
        assertThatThrownBy(() -> CpuSpec.unset().max(Duration.ofNanos(500_000), Duration.ofMillis(100)))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("cpu quota 500us is below the kernel's minimum of 1ms");
        assertThatThrownBy(() -> CpuSpec.unset().max(Duration.ofMillis(50), Duration.ofSeconds(2)))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("cpu period 2s is above the kernel's maximum of 1s");
        assertThatThrownBy(() -> CpuSpec.unset().max(Duration.ofMillis(50), Duration.ofNanos(999_000)))
                .hasMessage("cpu period 999us is below the kernel's minimum of 1ms");
        assertThatThrownBy(() -> CpuSpec.unset().weight(0))
                .isInstanceOf(InvalidSpecException.class).hasMessage("cpu weight 0 is outside 1..10000");
        assertThatThrownBy(() -> CpuSpec.unset().weight(10001)).hasMessage("cpu weight 10001 is outside 1..10000");
        assertThatThrownBy(() -> CpuSpec.cpus(0.005))
                .hasMessage("cpus(0.005) gives a quota of 500us per 100ms, below the kernel's minimum quota of 1ms");
        assertThatThrownBy(() -> CpuSpec.cpus(-1))
                .hasMessage("cpus(-1.0): the number of CPUs must be positive and finite");
        assertThatThrownBy(() -> CpuSpec.unset().max(Duration.ofNanos(1_000_500), Duration.ofMillis(100)))
                .hasMessage("cpu quota 1000500ns is not a whole number of microseconds");
        assertThatThrownBy(() -> CpuSpec.cpus(0.2).burst(Duration.ofMillis(30)))
                .hasMessage("cpu burst 30ms exceeds the quota 20ms: the kernel requires burst <= quota");
    }

    @Test
    void memoryRendersForBothVersions() {
        MemorySpec spec = MemorySpec.limit(Bytes.mib(64)).withSwapMax(Bytes.ZERO).withLow(Bytes.mib(16));
        assertThat(spec.render(CgroupVersion.V2)).extracting(Setting::toString).containsExactly(
                "memory.low=16777216", "memory.max=67108864", "memory.swap.max=0");
        assertThat(spec.render(CgroupVersion.V1)).extracting(Setting::toString).containsExactly(
                "memory.limit_in_bytes=67108864", "memory.memsw.limit_in_bytes=67108864",
                "memory.soft_limit_in_bytes=16777216");
        MemorySpec full = MemorySpec.unset().withMin(Bytes.mib(1)).withHigh(Bytes.MAX).withMax(Bytes.MAX)
                .withOomGroup(true);
        assertThat(full.render(CgroupVersion.V2)).extracting(Setting::toString).containsExactly(
                "memory.min=1048576", "memory.high=max", "memory.max=max", "memory.oom.group=1");
        assertThat(MemorySpec.limit(Bytes.MAX).render(CgroupVersion.V1)).extracting(Setting::toString)
                .containsExactly("memory.limit_in_bytes=-1");
    }

    @Test
    void memorySettingsWithoutV1EquivalentAreRefused() {
        assertThatThrownBy(() -> MemorySpec.unset().withHigh(Bytes.mib(8)).render(CgroupVersion.V1))
                .isInstanceOf(InvalidSpecException.class).hasMessage("memory.high (8 MiB) has no cgroup v1 equivalent");
        assertThatThrownBy(() -> MemorySpec.unset().withOomGroup(true).render(CgroupVersion.V1))
                .hasMessage("memory.oom.group (true) has no cgroup v1 equivalent");
        assertThatThrownBy(() -> MemorySpec.unset().withSwapMax(Bytes.mib(8)).render(CgroupVersion.V1))
                .hasMessage("a swap limit (8 MiB) on cgroup v1 needs a finite memory max: v1 limits memory+swap "
                        + "together (memory.memsw.limit_in_bytes)");
    }

    @Test
    void ioRendersPerDeviceLines() {
        DeviceNumber vda = new DeviceNumber(254, 0);
        IoSpec spec = IoSpec.unset().weight(500).readBps(vda, Bytes.mib(1)).writeIops(vda, 100)
                .writeBps(vda, Bytes.MAX);
        assertThat(spec.render(CgroupVersion.V2)).extracting(Setting::toString).containsExactly(
                "io.weight=default 500", "io.max=254:0 rbps=1048576 wbps=max wiops=100");
        assertThat(spec.render(CgroupVersion.V1)).extracting(Setting::toString).containsExactly(
                "blkio.bfq.weight=50", "blkio.throttle.read_bps_device=254:0 1048576",
                "blkio.throttle.write_bps_device=254:0 0", "blkio.throttle.write_iops_device=254:0 100");
        assertThatThrownBy(() -> IoSpec.unset().weight(0)).hasMessage("io weight 0 is outside 1..10000");
        assertThatThrownBy(() -> IoSpec.unset().readIops(vda, -5)).hasMessage("io read iops -5 is negative");
    }

    @Test
    void pidsHugetlbAndCpuset() {
        assertThat(PidsSpec.max(8).render(CgroupVersion.V1)).extracting(Setting::toString)
                .containsExactly("pids.max=8");
        assertThat(PidsSpec.unlimited().render(CgroupVersion.V2)).extracting(Setting::toString)
                .containsExactly("pids.max=max");
        assertThatThrownBy(() -> PidsSpec.max(-1)).hasMessage("pids max -1 is negative");

        HugetlbSpec huge = HugetlbSpec.unset().limit(Bytes.mib(2), Bytes.mib(64)).limit(Bytes.gib(1), Bytes.MAX);
        assertThat(huge.render(CgroupVersion.V2)).extracting(Setting::toString)
                .containsExactly("hugetlb.2MB.max=67108864", "hugetlb.1GB.max=max");
        assertThat(huge.render(CgroupVersion.V1)).extracting(Setting::toString)
                .containsExactly("hugetlb.2MB.limit_in_bytes=67108864", "hugetlb.1GB.limit_in_bytes=-1");
        assertThatThrownBy(() -> HugetlbSpec.unset().limit(Bytes.of(3000), Bytes.MAX))
                .hasMessage("huge page size 3000 B is not a power of two of at least 4 KiB");

        CpusetSpec cpuset = CpusetSpec.cpus("1,0").withMems("0");
        assertThat(cpuset.render(CgroupVersion.V2)).extracting(Setting::toString)
                .containsExactly("cpuset.mems=0", "cpuset.cpus=0-1");
        assertThatThrownBy(() -> CpusetSpec.cpus("").render(CgroupVersion.V1))
                .hasMessageStartingWith("an empty cpuset.cpus or cpuset.mems is not allowed on cgroup v1");
    }

    @Test
    void cpusNotOnlineAreRejected() {
        assertThatThrownBy(() -> SystemTopology.check(CpusetSpec.cpus("0-3,8"), IndexList.parse("0-1"),
                IndexList.of(0)))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("cpuset cpus 0-3,8 include CPUs that are not online: 2-3,8 (online: 0-1)");
        assertThatThrownBy(() -> SystemTopology.check(CpusetSpec.cpus("0").withMems("1"), IndexList.parse("0-1"),
                IndexList.of(0)))
                .hasMessage("cpuset mems 1 include memory nodes that are not online: 1 (online: 0)");
    }

    @Test
    void pressureTriggerRules() {
        PressureTrigger t = PressureTrigger.some(Pressure.Resource.MEMORY, Duration.ofMillis(150), Duration.ofSeconds(1));
        assertThat(t.render()).isEqualTo("some 150000 1000000");
        assertThat(new PressureTrigger(Pressure.Resource.IO, true, Duration.ofMillis(1), Duration.ofSeconds(2)).render())
                .isEqualTo("full 1000 2000000");
        assertThatThrownBy(() -> PressureTrigger.some(Pressure.Resource.CPU, Duration.ofMillis(1), Duration.ofMillis(100)))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("PSI window 100ms is outside the kernel's 500ms..10s");
        assertThatThrownBy(() -> PressureTrigger.some(Pressure.Resource.CPU, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessage("PSI stall threshold 2s must be above 0 and not above the window 1s");
        assertThatThrownBy(() -> t.checkPrivilege(false))
                .hasMessage("PSI window 1s must be a multiple of 2s: this process lacks CAP_SYS_RESOURCE, "
                        + "and the kernel allows other windows only with it");
        t.checkPrivilege(true);
    }
}
