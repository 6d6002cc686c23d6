package dev.hako.cgroupfs;

import java.util.Map;
import java.util.Objects;

/**
 * Counts of memory events in a v2 group ({@code memory.events}); see
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#memory-interface-files">memory interface files</a>.
 */
public final class MemoryEvents {
    private final long low;
    private final long high;
    private final long max;
    private final long oom;
    private final long oomKill;
    private final long oomGroupKill;

    MemoryEvents(long low, long high, long max, long oom, long oomKill, long oomGroupKill) {
        this.low = low;
        this.high = high;
        this.max = max;
        this.oom = oom;
        this.oomKill = oomKill;
        this.oomGroupKill = oomGroupKill;
    }

    /** {@return times the group was reclaimed despite being under its low boundary} */
    public long low() {
        return low;
    }

    /** {@return times the group was throttled for being over its high boundary} */
    public long high() {
        return high;
    }

    /** {@return times the group reached its max limit} */
    public long max() {
        return max;
    }

    /** {@return times the group's limit was reached and allocation would fail (OOM)} */
    public long oom() {
        return oom;
    }

    /** {@return processes killed by the OOM killer in this group} */
    public long oomKill() {
        return oomKill;
    }

    /** {@return times the whole group was OOM-killed (0 before kernel 5.19)} */
    public long oomGroupKill() {
        return oomGroupKill;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemoryEvents other && Objects.equals(low, other.low)
                && Objects.equals(high, other.high)
                && Objects.equals(max, other.max)
                && Objects.equals(oom, other.oom)
                && Objects.equals(oomKill, other.oomKill)
                && Objects.equals(oomGroupKill, other.oomGroupKill);
    }

    @Override
    public int hashCode() {
        return Objects.hash(low, high, max, oom, oomKill, oomGroupKill);
    }

    @Override
    public String toString() {
        return "MemoryEvents[" + "low=" + low + ", "
                + "high=" + high + ", "
                + "max=" + max + ", "
                + "oom=" + oom + ", "
                + "oomKill=" + oomKill + ", "
                + "oomGroupKill=" + oomGroupKill + "]";
    }

    /**
     * Parses {@code memory.events} (or {@code memory.events.local}).
     *
     * @param content the file content
     * @return the counts
     * @throws CgroupFormatException for a malformed file or a missing key
     */
    public static MemoryEvents parse(String content) {
        String file = "memory.events";
        Map<String, Long> v = KeyedFile.flat(content, file);
        return new MemoryEvents(KeyedFile.require(v, "low", file), KeyedFile.require(v, "high", file),
                KeyedFile.require(v, "max", file), KeyedFile.require(v, "oom", file),
                KeyedFile.require(v, "oom_kill", file), KeyedFile.orZero(v, "oom_group_kill", file));
    }
}
