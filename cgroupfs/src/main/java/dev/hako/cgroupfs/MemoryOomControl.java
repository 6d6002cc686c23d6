package dev.hako.cgroupfs;

import java.util.Map;

/**
 * The v1 {@code memory.oom_control} file: the only OOM record v1 keeps; see
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v1/memory.html">memory v1, section 10</a>.
 *
 * @param oomKillDisable whether the OOM killer is disabled for the group (tasks then wait)
 * @param underOom whether the group is out of memory right now
 * @param oomKill processes killed by the OOM killer in this group (kernel 4.13+; 0 before)
 */
public record MemoryOomControl(boolean oomKillDisable, boolean underOom, long oomKill) {
    /**
     * Parses the file.
     *
     * @param content the file content
     * @return the state
     * @throws CgroupFormatException for a malformed file
     */
    public static MemoryOomControl parse(String content) {
        String file = "memory.oom_control";
        Map<String, Long> v = KeyedFile.flat(content, file);
        return new MemoryOomControl(KeyedFile.require(v, "oom_kill_disable", file) != 0,
                KeyedFile.require(v, "under_oom", file) != 0, KeyedFile.orZero(v, "oom_kill", file));
    }
}
