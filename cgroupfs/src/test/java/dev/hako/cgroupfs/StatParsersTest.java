package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StatParsersTest {

    @Test
    void v2CpuStatFromTheDocsFormat() {
        CpuStats stats = CpuStats.parseV2(Fixtures.read("v2-docs/cpu.stat"));
        assertThat(stats.usage()).isEqualTo(Duration.ofNanos(3_013_566_000L));
        assertThat(stats.user()).isEqualTo(Duration.ofNanos(2_117_384_000L));
        CpuStats.Throttling t = stats.throttling().orElseThrow();
        assertThat(t.periods()).isEqualTo(30);
        assertThat(t.throttledPeriods()).isEqualTo(24);
        assertThat(t.throttledTime()).isEqualTo(Duration.ofNanos(2_394_107_000L));
    }

    @Test
    void v2RootCpuStatWithoutTheCpuControllerHasNoThrottling() {
        CpuStats stats = CpuStats.parseV2(Fixtures.read("host-6.18-hybrid/v2-root-cpu.stat"));
        assertThat(stats.usage()).isPositive();
        assertThat(stats.throttling()).isEmpty();
    }

    @Test
    void v1CpuFilesFromThisHost() {
        CpuStats stats = CpuStats.parseV1("1500000000\n", "1000000000\n", "500000000\n",
                Fixtures.read("host-6.18-hybrid/v1-cpu.stat"));
        assertThat(stats.usage()).isEqualTo(Duration.ofMillis(1500));
        assertThat(stats.system()).isEqualTo(Duration.ofMillis(500));
        assertThat(stats.throttling().orElseThrow().throttledTime()).isEqualTo(Duration.ZERO);
    }

    @Test
    void memoryFiles() {
        MemoryStats v2 = MemoryStats.parse(Fixtures.read("v2-docs/memory.current"), Fixtures.read("v2-docs/memory.peak"),
                Fixtures.read("v2-docs/memory.stat"));
        assertThat(v2.current()).isEqualTo(33_554_432L);
        assertThat(v2.peak()).hasValue(33_558_528L);
        assertThat(v2.stat()).containsEntry("anon", 33_464_320L).containsEntry("pgscan", 1013L);
        MemoryStats v1 = MemoryStats.parse("4096\n", null, Fixtures.read("host-6.18-hybrid/v1-memory.stat"));
        assertThat(v1.peak()).isEmpty();
        assertThat(v1.stat()).containsEntry("hierarchical_memory_limit", 9_223_372_036_854_771_712L)
                .containsEntry("total_cache", 1_258_348_544L);

        MemoryEvents events = MemoryEvents.parse(Fixtures.read("v2-docs/memory.events"));
        assertThat(events).isEqualTo(new MemoryEvents(0, 0, 137, 1, 1, 0));
        MemoryOomControl oom = MemoryOomControl.parse(Fixtures.read("host-6.18-hybrid/v1-memory.oom_control"));
        assertThat(oom).isEqualTo(new MemoryOomControl(false, false, 0));
    }

    @Test
    void ioStatBothVersions() {
        IoStats v2 = IoStats.parseV2(Fixtures.read("v2-docs/io.stat"));
        assertThat(v2.devices()).hasSize(2);
        IoStats.Device sda = v2.devices().get(1);
        assertThat(sda.device()).isEqualTo(new DeviceNumber(8, 0));
        assertThat(sda.readBytes()).isEqualTo(90_430_464L);
        assertThat(sda.discardOps()).isEqualTo(3021);
        IoStats v1 = IoStats.parseV1(Fixtures.read("v1-legacy/blkio.throttle.io_service_bytes_recursive"),
                Fixtures.read("v1-legacy/blkio.throttle.io_serviced_recursive"));
        assertThat(v1.devices()).containsExactly(new IoStats.Device(new DeviceNumber(8, 0), 4_096_000, 1_048_576,
                1000, 256, 0, 0));
        IoStats idle = IoStats.parseV1(Fixtures.read("host-6.18-hybrid/v1-blkio.throttle.io_service_bytes_recursive"),
                Fixtures.read("host-6.18-hybrid/v1-blkio.throttle.io_serviced_recursive"));
        assertThat(idle.devices()).isEmpty();
    }

    @Test
    void pidsAndPressure() {
        assertThat(PidsStats.parse(Fixtures.read("v2-docs/pids.current"), Fixtures.read("v2-docs/pids.peak")))
                .isEqualTo(new PidsStats(8, java.util.OptionalLong.of(8)));
        Pressure memory = Pressure.parse(Fixtures.read("v2-docs/memory.pressure"));
        assertThat(memory.some().avg10()).isEqualTo(12.5);
        assertThat(memory.full().orElseThrow().total()).isEqualTo(Duration.ofNanos(1_621_955_000L));
        Pressure cpu = Pressure.parse(Fixtures.read("host-6.18-hybrid/v2-cpu.pressure"));
        assertThat(cpu.some().total()).isEqualTo(Duration.ofNanos(11_947_523_000L));
        assertThat(Pressure.parse(Fixtures.read("host-6.18-hybrid/proc-pressure-cpu")).full()).isPresent();
        // old kernels' cpu.pressure has no full line
        assertThat(Pressure.parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n").full()).isEmpty();
    }

    @Test
    void unknownKeysAndNewFieldsAreTolerated() {
        CpuStats stats = CpuStats.parseV2("usage_usec 10\nuser_usec 6\nsystem_usec 4\nfuture_field_usec 99\n");
        assertThat(stats.usage()).isEqualTo(Duration.ofNanos(10_000));
        assertThat(MemoryEvents.parse("low 0\nhigh 0\nmax 1\noom 2\noom_kill 3\nsock_throttled 7\n").oomKill())
                .isEqualTo(3);
        assertThat(Pressure.parse("some avg10=1.00 avg60=0.50 avg300=0.10 total=5 avg900=0.01\n").some().avg60())
                .isEqualTo(0.5);
        assertThat(IoStats.parseV2("8:0 rbytes=1 wbytes=2 rios=3 wios=4 newkey=abc\n").devices().getFirst()
                .writeOps()).isEqualTo(4);
    }

    @Test
    void truncatedFilesAreRefusedNotMisread() {
        // "usage_usec 3013566" cut to "usage_usec 301": without its newline it must not parse as 301.
        assertThatThrownBy(() -> CpuStats.parseV2("usage_usec 301"))
                .isInstanceOf(CgroupFormatException.class)
                .hasMessage("cpu.stat is truncated: its last line 'usage_usec 301' has no newline");
        assertThatThrownBy(() -> MemoryEvents.parse("low 0\nhigh 0\nmax\n"))
                .isInstanceOf(CgroupFormatException.class)
                .hasMessage("memory.events line 3 is not 'key value': 'max'");
        assertThatThrownBy(() -> PidsStats.parse("", null))
                .hasMessage("pids.current should hold one line, found 0");
        assertThatThrownBy(() -> Pressure.parse("some avg10=0.00 avg60=0.00\n"))
                .hasMessage("pressure 'some' line lacks total");
    }

    @Test
    void hugeAndBogusNumbersAreRefused() {
        assertThatThrownBy(() -> MemoryStats.parse("18446744073709551615\n", null, "anon 1\n"))
                .isInstanceOf(CgroupFormatException.class)
                .hasMessage("memory.current '18446744073709551615' does not fit in a signed 64-bit integer");
        assertThatThrownBy(() -> CpuStats.parseV2("usage_usec 9223372036854775807\nuser_usec 0\nsystem_usec 0\n"))
                .hasMessage("cpu.stat value 9223372036854775807us overflows a Duration in nanoseconds");
        assertThatThrownBy(() -> MemoryEvents.parse("low 0\nhigh 0\nmax x1\noom 0\noom_kill 0\n"))
                .hasMessage("memory.events key max 'x1' is not a decimal integer");
        assertThatThrownBy(() -> MemoryEvents.parse("low 0\nhigh 0\nmax -1\noom 0\noom_kill 0\n"))
                .hasMessage("memory.events key 'max' is negative: -1");
        assertThatThrownBy(() -> MemoryEvents.parse("low 0\nhigh 0\n"))
                .hasMessage("memory.events lacks the key 'max'");
        assertThatThrownBy(() -> Pressure.parse("some avg10=250.00 avg60=0.00 avg300=0.00 total=0\n"))
                .hasMessage("pressure 'some' avg10=250.00 is above 100");
        assertThatThrownBy(() -> IoStats.parseV2("8:0 rbytes=99999999999999999999\n"))
                .hasMessage("io.stat device 8:0 rbytes '99999999999999999999' does not fit in a signed 64-bit integer");
        assertThatThrownBy(() -> IoStats.parseV1("8:0 Read\n", ""))
                .hasMessage("blkio.throttle.io_service_bytes_recursive line 1 is not 'MAJ:MIN Op N': '8:0 Read'");
    }
}
