package dev.hako.namespaces;

import dev.hako.bindings.Linux;
import dev.hako.namespaces.seccomp.BpfProgram;

/**
 * What a seccomp filter does with a syscall: one of the kernel's {@code SECCOMP_RET_*}
 * actions, with its data where it has one.
 *
 * <pre>{@code
 * SeccompAction.ALLOW                // run the call
 * SeccompAction.errno(Linux.EPERM()) // fail it with EPERM without running it
 * SeccompAction.KILL_PROCESS         // kill the whole process (as by SIGSYS, with a core dump)
 * }</pre>
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/seccomp.2.html">seccomp(2)</a>
 * @see <a href="https://docs.kernel.org/userspace-api/seccomp_filter.html">Seccomp BPF (kernel documentation)</a>
 */
public final class SeccompAction {

    /** The largest errno a filter can return (the kernel's {@code MAX_ERRNO}). */
    public static final int MAX_ERRNO = 4095;

    /** Runs the call ({@code SECCOMP_RET_ALLOW}). */
    public static final SeccompAction ALLOW = new SeccompAction(Linux.SECCOMP_RET_ALLOW());
    /** Kills the process, every thread of it ({@code SECCOMP_RET_KILL_PROCESS}, Linux 4.14). */
    public static final SeccompAction KILL_PROCESS = new SeccompAction(Linux.SECCOMP_RET_KILL_PROCESS());
    /** Kills the calling thread only ({@code SECCOMP_RET_KILL_THREAD}). */
    public static final SeccompAction KILL_THREAD = new SeccompAction(Linux.SECCOMP_RET_KILL_THREAD());
    /** Sends the thread SIGSYS without running the call ({@code SECCOMP_RET_TRAP}). */
    public static final SeccompAction TRAP = new SeccompAction(Linux.SECCOMP_RET_TRAP());
    /** Runs the call and logs it ({@code SECCOMP_RET_LOG}, Linux 4.14). */
    public static final SeccompAction LOG = new SeccompAction(Linux.SECCOMP_RET_LOG());

    private final int returnValue;

    private SeccompAction(int returnValue) {
        this.returnValue = returnValue;
    }

    /**
     * Fails the call with {@code errno} without running it ({@code SECCOMP_RET_ERRNO});
     * 0 makes the call return 0, as if it had succeeded.
     *
     * @throws IllegalArgumentException for a value outside 0..{@link #MAX_ERRNO}
     */
    public static SeccompAction errno(int errno) {
        if (errno < 0 || errno > MAX_ERRNO) {
            throw new IllegalArgumentException("seccomp action errno(" + errno + "): the errno must be in 0.."
                    + MAX_ERRNO + " (the kernel's MAX_ERRNO)");
        }
        return new SeccompAction(Linux.SECCOMP_RET_ERRNO() | errno);
    }

    /**
     * Hands the call to a ptrace(2) tracer with {@code data} as the event message
     * ({@code SECCOMP_RET_TRACE}); without a tracer the call fails with ENOSYS.
     *
     * @throws IllegalArgumentException for data outside 0..65535
     */
    public static SeccompAction trace(int data) {
        if (data < 0 || data > 0xffff) {
            throw new IllegalArgumentException("seccomp action trace(" + data + "): the data must be in 0..65535"
                    + " (16 bits of SECCOMP_RET_DATA)");
        }
        return new SeccompAction(Linux.SECCOMP_RET_TRACE() | data);
    }

    /** The filter's return value for this action. */
    int returnValue() {
        return returnValue;
    }

    /** The action as the disassembly names it: {@code ALLOW}, {@code ERRNO(EPERM)}, {@code TRACE(7)}... */
    @Override
    public String toString() {
        return BpfProgram.action(returnValue);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SeccompAction action && action.returnValue == returnValue;
    }

    @Override
    public int hashCode() {
        return returnValue;
    }
}
