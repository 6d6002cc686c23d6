package dev.hako.cgroupfs;

import java.util.Map;
import java.util.OptionalLong;

/**
 * Memory a group uses now and at most, and the breakdown in {@code memory.stat}.
 *
 * <p>v2: {@code memory.current}, {@code memory.peak} (kernel 5.19+), {@code memory.stat};
 * v1: {@code memory.usage_in_bytes}, {@code memory.max_usage_in_bytes}, {@code memory.stat}.
 * The stat keys differ between versions (v2 {@code anon}/{@code file}, v1
 * {@code rss}/{@code cache}); all are kept as the kernel names them.
 *
 * @param current bytes charged now
 * @param peak the most bytes charged since creation (or last reset), if the kernel reports it
 * @param stat every {@code memory.stat} key and value, in file order
 */
public record MemoryStats(long current, OptionalLong peak, Map<String, Long> stat) {
    /**
     * Copies the map.
     *
     * @param current bytes now
     * @param peak peak bytes
     * @param stat the breakdown
     */
    public MemoryStats {
        stat = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(stat));
    }

    /**
     * Parses the files.
     *
     * @param current {@code memory.current} or {@code memory.usage_in_bytes}
     * @param peak {@code memory.peak} or {@code memory.max_usage_in_bytes}, or null if absent
     * @param stat {@code memory.stat}
     * @return the statistics
     * @throws CgroupFormatException for a malformed file
     */
    public static MemoryStats parse(String current, String peak, String stat) {
        return new MemoryStats(KeyedFile.singleNumber(current, "memory.current"),
                peak == null ? OptionalLong.empty() : OptionalLong.of(KeyedFile.singleNumber(peak, "memory.peak")),
                KeyedFile.flat(stat, "memory.stat"));
    }
}
