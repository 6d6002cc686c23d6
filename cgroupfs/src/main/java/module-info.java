/** Typed cgroup v2 and v1 controllers: discovery, lifecycle, limits, stats and events. */
module dev.hako.cgroupfs {
    requires transitive dev.hako.syscalls;
    requires dev.hako.bindings;

    exports dev.hako.cgroupfs;
}
