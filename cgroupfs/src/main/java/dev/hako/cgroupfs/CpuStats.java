package dev.hako.cgroupfs;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * CPU time used by a group and how much its bandwidth limit throttled it.
 *
 * <p>v2: {@code cpu.stat} (microseconds); v1: {@code cpuacct.usage}, {@code cpuacct.usage_user},
 * {@code cpuacct.usage_sys} (nanoseconds) and the cpu controller's {@code cpu.stat}
 * ({@code throttled_time} in nanoseconds).
 *
 * @param usage total CPU time
 * @param user time in user mode
 * @param system time in kernel mode
 * @param throttling bandwidth statistics, present when the cpu controller is active on the group
 */
public record CpuStats(Duration usage, Duration user, Duration system, Optional<Throttling> throttling) {

    /**
     * Bandwidth-control counters.
     *
     * @param periods enforcement periods that elapsed
     * @param throttledPeriods periods in which the group hit its quota
     * @param throttledTime total time the group was held back
     * @param bursts periods in which burst was used (0 on kernels without burst)
     * @param burstTime total burst time used
     */
    public record Throttling(long periods, long throttledPeriods, Duration throttledTime, long bursts,
            Duration burstTime) {
    }

    /**
     * Parses a v2 {@code cpu.stat}.
     *
     * @param content the file content
     * @return the statistics
     * @throws CgroupFormatException for a malformed file or a missing usage key
     */
    public static CpuStats parseV2(String content) {
        String file = "cpu.stat";
        Map<String, Long> v = KeyedFile.flat(content, file);
        Optional<Throttling> throttling = v.containsKey("nr_periods")
                ? Optional.of(new Throttling(KeyedFile.require(v, "nr_periods", file),
                        KeyedFile.require(v, "nr_throttled", file),
                        Duration.ofNanos(micros(KeyedFile.require(v, "throttled_usec", file))),
                        KeyedFile.orZero(v, "nr_bursts", file),
                        Duration.ofNanos(micros(KeyedFile.orZero(v, "burst_usec", file)))))
                : Optional.empty();
        return new CpuStats(Duration.ofNanos(micros(KeyedFile.require(v, "usage_usec", file))),
                Duration.ofNanos(micros(KeyedFile.require(v, "user_usec", file))),
                Duration.ofNanos(micros(KeyedFile.require(v, "system_usec", file))), throttling);
    }

    /**
     * Parses the v1 files.
     *
     * @param cpuacctUsage {@code cpuacct.usage}
     * @param cpuacctUser {@code cpuacct.usage_user}
     * @param cpuacctSys {@code cpuacct.usage_sys}
     * @param cpuStat the cpu controller's {@code cpu.stat}, or null if not mounted
     * @return the statistics
     * @throws CgroupFormatException for a malformed file
     */
    public static CpuStats parseV1(String cpuacctUsage, String cpuacctUser, String cpuacctSys, String cpuStat) {
        Optional<Throttling> throttling = Optional.empty();
        if (cpuStat != null) {
            String file = "cpu.stat";
            Map<String, Long> v = KeyedFile.flat(cpuStat, file);
            throttling = Optional.of(new Throttling(KeyedFile.require(v, "nr_periods", file),
                    KeyedFile.require(v, "nr_throttled", file),
                    Duration.ofNanos(KeyedFile.require(v, "throttled_time", file)),
                    KeyedFile.orZero(v, "nr_bursts", file),
                    Duration.ofNanos(KeyedFile.orZero(v, "burst_time", file))));
        }
        return new CpuStats(Duration.ofNanos(KeyedFile.singleNumber(cpuacctUsage, "cpuacct.usage")),
                Duration.ofNanos(KeyedFile.singleNumber(cpuacctUser, "cpuacct.usage_user")),
                Duration.ofNanos(KeyedFile.singleNumber(cpuacctSys, "cpuacct.usage_sys")), throttling);
    }

    private static long micros(long micros) {
        try {
            return Math.multiplyExact(micros, 1000L);
        } catch (ArithmeticException e) {
            throw new CgroupFormatException("cpu.stat value " + micros + "us overflows a Duration in nanoseconds");
        }
    }
}
