package dev.hako.cgroupfs;

/**
 * The two cgroup interfaces: the unified hierarchy (v2) and the per-controller hierarchies (v1).
 *
 * <p>See <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html">cgroup v2</a> and
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v1/cgroups.html">cgroup v1</a>.
 */
public enum CgroupVersion {
    /** One hierarchy per controller (or group of controllers), filesystem type {@code cgroup}. */
    V1,
    /** The unified hierarchy, filesystem type {@code cgroup2}. */
    V2
}
