package dev.hako.cgroupfs;

/**
 * Something that happened to a group, delivered to a {@link CgroupEvents} listener.
 */
public sealed interface CgroupEvent {

    /** {@return the group path the event is about} */
    String path();

    /**
     * The group hit its memory limit and the kernel invoked the OOM killer (v2
     * {@code memory.events} "oom" grew; v1 the {@code memory.oom_control} eventfd fired).
     *
     * @param path the group
     * @param count the new total of such events (v2) or the number of notifications received (v1)
     */
    record Oom(String path, long count) implements CgroupEvent {
    }

    /**
     * The OOM killer killed a process in the group ({@code oom_kill} grew in
     * {@code memory.events} or {@code memory.oom_control}).
     *
     * @param path the group
     * @param count the new total of OOM kills
     */
    record OomKill(String path, long count) implements CgroupEvent {
    }

    /**
     * The group (with descendants) became populated or empty ({@code cgroup.events}, v2).
     *
     * @param path the group
     * @param populated whether any process is in it now
     */
    record Populated(String path, boolean populated) implements CgroupEvent {
    }

    /**
     * The group finished freezing or thawing ({@code cgroup.events}, v2).
     *
     * @param path the group
     * @param frozen whether it is frozen now
     */
    record Frozen(String path, boolean frozen) implements CgroupEvent {
    }

    /**
     * A PSI trigger fired: stalls on the resource exceeded the threshold within the window.
     *
     * @param path the group
     * @param trigger the trigger that fired
     */
    record PressureStall(String path, PressureTrigger trigger) implements CgroupEvent {
    }
}
