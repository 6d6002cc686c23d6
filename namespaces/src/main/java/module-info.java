/** Namespace specs, the clone3 launch engine and pidfd-backed container processes. */
module dev.hako.namespaces {
    requires transitive dev.hako.syscalls;
    requires transitive dev.hako.cgroupfs;
    requires dev.hako.bindings;
    requires java.management;
    exports dev.hako.namespaces;
    // dev.hako.namespaces.launch (the launch engine) and dev.hako.namespaces.seccomp stay unexported.
    exports dev.hako.namespaces.internal to dev.hako.checkpoint;
}
