package dev.hako.cgroupfs;

import java.util.OptionalLong;

/**
 * Task counts: {@code pids.current} and {@code pids.peak} (same names in v1 and v2;
 * older kernels have no {@code pids.peak}).
 *
 * @param current tasks in the group now
 * @param peak the most tasks the group has held, if the kernel reports it
 */
public record PidsStats(long current, OptionalLong peak) {
    /**
     * Parses the files.
     *
     * @param current {@code pids.current}
     * @param peak {@code pids.peak}, or null if absent
     * @return the counts
     * @throws CgroupFormatException for a malformed file
     */
    public static PidsStats parse(String current, String peak) {
        return new PidsStats(KeyedFile.singleNumber(current, "pids.current"),
                peak == null ? OptionalLong.empty() : OptionalLong.of(KeyedFile.singleNumber(peak, "pids.peak")));
    }
}
