package dev.hako.cgroupfs;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * CPU time used by a group and how much its bandwidth limit throttled it.
 *
 * <p>v2: {@code cpu.stat} (microseconds); v1: {@code cpuacct.usage}, {@code cpuacct.usage_user},
 * {@code cpuacct.usage_sys} (nanoseconds) and the cpu controller's {@code cpu.stat}
 * ({@code throttled_time} in nanoseconds).
 */
public final class CpuStats {
    private final Duration usage;
    private final Duration user;
    private final Duration system;
    private final Optional<Throttling> throttling;

    CpuStats(Duration usage, Duration user, Duration system, Optional<Throttling> throttling) {
        this.usage = usage;
        this.user = user;
        this.system = system;
        this.throttling = throttling;
    }

    /** {@return total CPU time} */
    public Duration usage() {
        return usage;
    }

    /** {@return time in user mode} */
    public Duration user() {
        return user;
    }

    /** {@return time in kernel mode} */
    public Duration system() {
        return system;
    }

    /** {@return bandwidth statistics, present when the cpu controller is active on the group} */
    public Optional<Throttling> throttling() {
        return throttling;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuStats other && Objects.equals(usage, other.usage)
                && Objects.equals(user, other.user)
                && Objects.equals(system, other.system)
                && Objects.equals(throttling, other.throttling);
    }

    @Override
    public int hashCode() {
        return Objects.hash(usage, user, system, throttling);
    }

    @Override
    public String toString() {
        return "CpuStats[" + "usage=" + usage + ", "
                + "user=" + user + ", "
                + "system=" + system + ", "
                + "throttling=" + throttling + "]";
    }

    /**
     * Bandwidth-control counters.
     */
    public static final class Throttling {
        private final long periods;
        private final long throttledPeriods;
        private final Duration throttledTime;
        private final long bursts;
        private final Duration burstTime;

        Throttling(long periods, long throttledPeriods, Duration throttledTime, long bursts, Duration burstTime) {
            this.periods = periods;
            this.throttledPeriods = throttledPeriods;
            this.throttledTime = throttledTime;
            this.bursts = bursts;
            this.burstTime = burstTime;
        }

        /** {@return enforcement periods that elapsed} */
        public long periods() {
            return periods;
        }

        /** {@return periods in which the group hit its quota} */
        public long throttledPeriods() {
            return throttledPeriods;
        }

        /** {@return total time the group was held back} */
        public Duration throttledTime() {
            return throttledTime;
        }

        /** {@return periods in which burst was used (0 on kernels without burst)} */
        public long bursts() {
            return bursts;
        }

        /** {@return total burst time used} */
        public Duration burstTime() {
            return burstTime;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Throttling other && Objects.equals(periods, other.periods)
                    && Objects.equals(throttledPeriods, other.throttledPeriods)
                    && Objects.equals(throttledTime, other.throttledTime)
                    && Objects.equals(bursts, other.bursts)
                    && Objects.equals(burstTime, other.burstTime);
        }

        @Override
        public int hashCode() {
            return Objects.hash(periods, throttledPeriods, throttledTime, bursts, burstTime);
        }

        @Override
        public String toString() {
            return "Throttling[" + "periods=" + periods + ", "
                    + "throttledPeriods=" + throttledPeriods + ", "
                    + "throttledTime=" + throttledTime + ", "
                    + "bursts=" + bursts + ", "
                    + "burstTime=" + burstTime + "]";
        }
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
