package dev.hako.cgroupfs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * CPU controller limits: bandwidth (quota per period), weight, idle and burst.
 *
 * <p>Immutable; each method returns a new spec and checks its value at once. v2 files:
 * {@code cpu.max}, {@code cpu.weight}, {@code cpu.idle}, {@code cpu.max.burst}
 * (<a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#cpu-interface-files">cpu interface files</a>);
 * v1 files: {@code cpu.cfs_period_us}, {@code cpu.cfs_quota_us}, {@code cpu.shares},
 * {@code cpu.idle}, {@code cpu.cfs_burst_us}
 * (<a href="https://docs.kernel.org/scheduler/sched-bwc.html">CFS bandwidth control</a>).
 *
 * <p>Kernel rules checked here: quota and period at least 1 ms, period at most 1 s,
 * weight 1..10000, shares 2..262144, burst not above the quota.
 */
public final class CpuSpec implements ControllerSpec {
    /** The kernel's default CFS period, used by {@link #cpus(double)}. */
    public static final Duration DEFAULT_PERIOD = Duration.ofMillis(100);
    static final Duration MIN_QUOTA = Duration.ofMillis(1);
    static final Duration MIN_PERIOD = Duration.ofMillis(1);
    static final Duration MAX_PERIOD = Duration.ofSeconds(1);

    private final Duration quota;     // null: not set; see unlimited
    private final boolean unlimited;  // "max" quota
    private final Duration period;    // null: not set
    private final Integer weight;     // null: not set, or shares are set instead
    private final Long shares;        // null: not set, or a weight is set instead
    private final Boolean idle;
    private final Duration burst;

    private CpuSpec(Duration quota, boolean unlimited, Duration period, Integer weight, Long shares, Boolean idle,
            Duration burst) {
        this.quota = quota;
        this.unlimited = unlimited;
        this.period = period;
        this.weight = weight;
        this.shares = shares;
        this.idle = idle;
        this.burst = burst;
        if (burst != null && quota != null && burst.compareTo(quota) > 0) {
            throw new InvalidSpecException("cpu burst " + Durations.format(burst) + " exceeds the quota "
                    + Durations.format(quota) + ": the kernel requires burst <= quota");
        }
    }

    /** {@return a spec that sets nothing} */
    public static CpuSpec unset() {
        return new CpuSpec(null, false, null, null, null, null, null);
    }

    /**
     * A quota of {@code fraction} CPUs per {@link #DEFAULT_PERIOD}: {@code cpus(0.5)} is
     * 50 ms every 100 ms, {@code cpus(2)} is 200 ms every 100 ms.
     *
     * @param fraction CPUs, positive; the quota it gives must be at least 1 ms
     * @return the spec
     * @throws InvalidSpecException for a non-positive fraction or a quota below 1 ms
     */
    public static CpuSpec cpus(double fraction) {
        return unset().cpuFraction(fraction);
    }

    /**
     * Sets the quota to {@code fraction} CPUs per {@link #DEFAULT_PERIOD}, rounded to whole microseconds.
     *
     * @param fraction CPUs, positive
     * @return a new spec
     * @throws InvalidSpecException for a non-positive or non-finite fraction or a quota below 1 ms
     */
    public CpuSpec cpuFraction(double fraction) {
        if (!(fraction > 0) || Double.isInfinite(fraction)) {
            throw new InvalidSpecException("cpus(" + fraction + "): the number of CPUs must be positive and finite");
        }
        long periodMicros = DEFAULT_PERIOD.toNanos() / 1000;
        long quotaMicros = Math.round(fraction * periodMicros);
        if (quotaMicros < MIN_QUOTA.toNanos() / 1000) {
            throw new InvalidSpecException("cpus(" + fraction + ") gives a quota of " + quotaMicros
                    + "us per " + Durations.format(DEFAULT_PERIOD) + ", below the kernel's minimum quota of 1ms");
        }
        return max(Duration.ofNanos(quotaMicros * 1000), DEFAULT_PERIOD);
    }

    /**
     * Sets the bandwidth: at most {@code quota} of CPU time every {@code period}.
     *
     * @param quota at least 1 ms, whole microseconds
     * @param period 1 ms to 1 s, whole microseconds
     * @return a new spec
     * @throws InvalidSpecException naming the rule broken
     */
    public CpuSpec max(Duration quota, Duration period) {
        Objects.requireNonNull(quota, "quota");
        checkPeriod(period);
        Durations.micros(quota, "cpu quota");
        if (quota.compareTo(MIN_QUOTA) < 0) {
            throw new InvalidSpecException("cpu quota " + Durations.format(quota)
                    + " is below the kernel's minimum of 1ms");
        }
        return new CpuSpec(quota, false, period, weight, shares, idle, burst);
    }

    /**
     * Removes the bandwidth limit ({@code max}); the period is left as it is.
     *
     * @return a new spec
     */
    public CpuSpec unlimited() {
        return new CpuSpec(null, true, null, weight, shares, idle, burst);
    }

    private static void checkPeriod(Duration period) {
        Objects.requireNonNull(period, "period");
        Durations.micros(period, "cpu period");
        if (period.compareTo(MIN_PERIOD) < 0) {
            throw new InvalidSpecException("cpu period " + Durations.format(period)
                    + " is below the kernel's minimum of 1ms");
        }
        if (period.compareTo(MAX_PERIOD) > 0) {
            throw new InvalidSpecException("cpu period " + Durations.format(period)
                    + " is above the kernel's maximum of 1s");
        }
    }

    /**
     * Sets the relative weight (v2 {@code cpu.weight}, default 100).
     *
     * <p>On v1 it becomes {@code cpu.shares = round(weight * 1024 / 100)}: the kernel treats
     * weight 100 and 1024 shares alike, so this keeps the meaning rather than the range.
     * Replaces {@link #shares(long) shares} set earlier.
     *
     * @param weight 1..10000
     * @return a new spec
     * @throws InvalidSpecException outside 1..10000
     */
    public CpuSpec weight(int weight) {
        if (weight < 1 || weight > 10000) {
            throw new InvalidSpecException("cpu weight " + weight + " is outside 1..10000");
        }
        return new CpuSpec(quota, unlimited, period, weight, null, idle, burst);
    }

    /**
     * Sets the relative weight in v1's unit, {@code cpu.shares} (default 1024), as the OCI
     * runtime spec's {@code linux.resources.cpu.shares} gives it.
     *
     * <p>On v1 the value is written as it is. On v2 it becomes
     * {@code cpu.weight = 1 + (shares - 2) * 9999 / 262142}, the conversion runc and crun
     * use (the kernel documents none), so a config means the same under either runtime.
     * Replaces a {@link #weight(int) weight} set earlier.
     *
     * @param shares 2..262144 (the kernel's range for cpu.shares)
     * @return a new spec
     * @throws InvalidSpecException outside 2..262144
     */
    public CpuSpec shares(long shares) {
        if (shares < 2 || shares > 262144) {
            throw new InvalidSpecException("cpu shares " + shares + " is outside 2..262144");
        }
        return new CpuSpec(quota, unlimited, period, null, shares, idle, burst);
    }

    /**
     * Sets SCHED_IDLE-like treatment of the whole group ({@code cpu.idle}).
     *
     * @param idle whether the group is idle
     * @return a new spec
     */
    public CpuSpec idle(boolean idle) {
        return new CpuSpec(quota, unlimited, period, weight, shares, idle, burst);
    }

    /**
     * Sets how much unused quota may accumulate and be spent in a later period ({@code cpu.max.burst}).
     *
     * @param burst 0 or more, whole microseconds, not above the quota
     * @return a new spec
     * @throws InvalidSpecException if negative, fractional or above the quota
     */
    public CpuSpec burst(Duration burst) {
        Durations.micros(burst, "cpu burst");
        return new CpuSpec(quota, unlimited, period, weight, shares, idle, burst);
    }

    /** {@return the quota, if a finite one is set} */
    public java.util.Optional<Duration> quota() {
        return java.util.Optional.ofNullable(quota);
    }

    /** {@return the period, if set} */
    public java.util.Optional<Duration> period() {
        return java.util.Optional.ofNullable(period);
    }

    @Override
    public Controller controller() {
        return Controller.CPU;
    }

    @Override
    public List<Setting> render(CgroupVersion version) {
        List<Setting> out = new ArrayList<>();
        if (version == CgroupVersion.V2) {
            if (weight != null) {
                out.add(set("cpu.weight", weight.toString()));
            } else if (shares != null) {
                out.add(set("cpu.weight", Long.toString(1 + (shares - 2) * 9999 / 262142)));
            }
            if (quota != null) {
                out.add(set("cpu.max", micros(quota) + " " + micros(period)));
            } else if (unlimited) {
                out.add(set("cpu.max", "max"));
            }
            if (burst != null) {
                out.add(set("cpu.max.burst", Long.toString(micros(burst))));
            }
            if (idle != null) {
                out.add(set("cpu.idle", idle ? "1" : "0"));
            }
        } else {
            if (weight != null) {
                long fromWeight = Math.max(2, Math.min(262144, Math.round(weight * 1024.0 / 100)));
                out.add(set("cpu.shares", Long.toString(fromWeight)));
            } else if (shares != null) {
                out.add(set("cpu.shares", shares.toString()));
            }
            if (quota != null) {
                out.add(set("cpu.cfs_period_us", Long.toString(micros(period))));
                out.add(set("cpu.cfs_quota_us", Long.toString(micros(quota))));
            } else if (unlimited) {
                out.add(set("cpu.cfs_quota_us", "-1"));
            }
            if (burst != null) {
                out.add(set("cpu.cfs_burst_us", Long.toString(micros(burst))));
            }
            if (idle != null) {
                out.add(set("cpu.idle", idle ? "1" : "0"));
            }
        }
        return out;
    }

    private static long micros(Duration d) {
        return Durations.micros(d, "duration");
    }

    private Setting set(String file, String value) {
        return new Setting(Controller.CPU, file, value);
    }

    @Override
    public String toString() {
        return "CpuSpec" + render(CgroupVersion.V2);
    }
}
