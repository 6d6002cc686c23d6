package dev.hako.cgroupfs;

import java.util.Map;

/**
 * Counts of memory events in a v2 group ({@code memory.events}); see
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#memory-interface-files">memory interface files</a>.
 *
 * @param low times the group was reclaimed despite being under its low boundary
 * @param high times the group was throttled for being over its high boundary
 * @param max times the group reached its max limit
 * @param oom times the group's limit was reached and allocation would fail (OOM)
 * @param oomKill processes killed by the OOM killer in this group
 * @param oomGroupKill times the whole group was OOM-killed (0 before kernel 5.19)
 */
public record MemoryEvents(long low, long high, long max, long oom, long oomKill, long oomGroupKill) {
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
