package dev.hako.cgroupfs;

import java.util.Optional;

/**
 * A cgroup controller (v1: "subsystem"), with its name in each interface.
 *
 * <p>Some exist only in one interface: v2 has no {@code cpuacct} (its numbers are in
 * {@code cpu.stat}), no {@code freezer} controller (freezing is the core file
 * {@code cgroup.freeze}) and no {@code devices} controller (BPF programs do that job); v2
 * calls {@code blkio} "io". See
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#controllers">cgroup v2 controllers</a>.
 */
public enum Controller {
    /** CPU bandwidth and weight. */
    CPU("cpu", "cpu"),
    /** CPU accounting (v1 only). */
    CPUACCT(null, "cpuacct"),
    /** CPU and memory-node placement. */
    CPUSET("cpuset", "cpuset"),
    /** Memory limits, protection and accounting. */
    MEMORY("memory", "memory"),
    /** Block I/O weight and throttling ({@code blkio} in v1). */
    IO("io", "blkio"),
    /** Process-count limit. */
    PIDS("pids", "pids"),
    /** Huge-page limits per page size. */
    HUGETLB("hugetlb", "hugetlb"),
    /** Freezing (a v1 controller; in v2 the core file {@code cgroup.freeze}). */
    FREEZER(null, "freezer"),
    /** Device access lists (v1 only; v2 uses BPF). */
    DEVICES(null, "devices"),
    /** perf_event grouping. */
    PERF_EVENT("perf_event", "perf_event"),
    /** RDMA resources. */
    RDMA("rdma", "rdma"),
    /** Miscellaneous scalar resources. */
    MISC("misc", "misc"),
    /** Network classid tagging (v1 only). */
    NET_CLS(null, "net_cls"),
    /** Network priority maps (v1 only). */
    NET_PRIO(null, "net_prio");

    private final String v2Name;
    private final String v1Name;

    Controller(String v2Name, String v1Name) {
        this.v2Name = v2Name;
        this.v1Name = v1Name;
    }

    /** {@return the name in {@code cgroup.controllers}, or empty if v2 has no such controller} */
    public Optional<String> v2Name() {
        return Optional.ofNullable(v2Name);
    }

    /** {@return the v1 subsystem name, as in mount options and /proc/cgroups} */
    public String v1Name() {
        return v1Name;
    }

    /**
     * The controller with this v2 name.
     *
     * @param name as listed in {@code cgroup.controllers}
     * @return the controller, or empty for a name this library does not know
     */
    public static Optional<Controller> fromV2Name(String name) {
        for (Controller c : values()) {
            if (name.equals(c.v2Name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * The controller with this v1 subsystem name.
     *
     * @param name as in mount options, e.g. {@code blkio}
     * @return the controller, or empty for a name this library does not know
     */
    public static Optional<Controller> fromV1Name(String name) {
        for (Controller c : values()) {
            if (name.equals(c.v1Name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
