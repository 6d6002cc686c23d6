/**
 * One typed Java method per Linux syscall that containers use; failures are
 * {@link dev.hako.syscalls.SyscallException}s.
 */
module dev.hako.syscalls {
    requires dev.hako.bindings;
    exports dev.hako.syscalls;
}
