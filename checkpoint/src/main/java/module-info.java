/**
 * Checkpoint and restore of the processes of a Hako container, done from outside the
 * target with ptrace, /proc, process_vm_readv/writev, pidfd_getfd and syscalls injected
 * through an instruction already present in the target: no CRIU, no code written into
 * any process.
 */
module dev.hako.checkpoint {
    requires transitive dev.hako.namespaces;
    requires dev.hako.bindings;
    exports dev.hako.checkpoint;
}
