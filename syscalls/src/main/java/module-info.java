/**
 * One typed Java method per Linux syscall that containers use; failures are
 * {@link dev.hako.syscalls.SyscallException}s.
 */
module dev.hako.syscalls {
    requires dev.hako.bindings;
    exports dev.hako.syscalls;
    // Syscall encoders shared by the typed wrappers and the launch engine's child program:
    // for Hako's own modules, not part of the public API.
    exports dev.hako.syscalls.calls to dev.hako.namespaces, dev.hako.checkpoint;
}
