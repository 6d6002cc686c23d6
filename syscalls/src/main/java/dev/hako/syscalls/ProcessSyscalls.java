package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.siginfo_t;
import dev.hako.syscalls.calls.ProcessCalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.Set;

/**
 * Process identity, pidfds and waiting: getpid, gettid, pidfd_open, pidfd_send_signal,
 * pidfd_getfd and waitid.
 *
 * <p>A pidfd refers to one process for as long as it is open, so signalling through it
 * can never hit a recycled pid; that is why Hako manages children by pidfd.
 */
public final class ProcessSyscalls {

    private ProcessSyscalls() {
    }

    /**
     * Returns the caller's process id.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/getpid.2.html">getpid(2)</a>
     */
    public static int getpid() {
        return (int) Kernel.invokeCritical(ProcessCalls.getpid());
    }

    /**
     * Returns the calling thread's id (Linux 2.4.11).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/gettid.2.html">gettid(2)</a>
     */
    public static int gettid() {
        return (int) Kernel.critical(Linux.SYS_gettid(), 0, 0, 0);
    }

    /**
     * Opens a pidfd for a process (Linux 5.3; {@code nonblock} needs 5.10). The descriptor
     * is close-on-exec.
     *
     * @param pid      the process id
     * @param nonblock open with PIDFD_NONBLOCK: waitid on it then never blocks
     * @see <a href="https://man7.org/linux/man-pages/man2/pidfd_open.2.html">pidfd_open(2)</a>
     */
    public static Fd pidfdOpen(int pid, boolean nonblock) throws SyscallException {
        long result = Kernel.critical(Linux.SYS_pidfd_open(), pid, nonblock ? Linux.PIDFD_NONBLOCK() : 0, 0);
        if (result < 0) {
            throw Kernel.failure(result, "pidfd_open", pid + (nonblock ? ", PIDFD_NONBLOCK" : ", 0"));
        }
        return Fd.adopt((int) result);
    }

    /**
     * Sends a signal to the process a pidfd refers to (Linux 5.1).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/pidfd_send_signal.2.html">pidfd_send_signal(2)</a>
     */
    public static void pidfdSendSignal(Fd pidfd, int signal) throws SyscallException {
        long result = Kernel.critical(Linux.SYS_pidfd_send_signal(), pidfd.value(), signal, 0);
        if (result < 0) {
            throw Kernel.failure(result, "pidfd_send_signal", pidfd.value() + ", " + Signal.name(signal));
        }
    }

    /**
     * Duplicates a descriptor of another process into this one (Linux 5.6); the copy is
     * close-on-exec.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/pidfd_getfd.2.html">pidfd_getfd(2)</a>
     */
    public static Fd pidfdGetfd(Fd pidfd, int targetFd) throws SyscallException {
        long result = Kernel.critical(Linux.SYS_pidfd_getfd(), pidfd.value(), targetFd, 0);
        if (result < 0) {
            throw Kernel.failure(result, "pidfd_getfd", pidfd.value() + ", " + targetFd);
        }
        return Fd.adopt((int) result);
    }

    /**
     * Waits for a state change of the child with this pid ({@code P_PID}).
     *
     * @return the change, or empty when {@link WaitOption#NOHANG} was given and none is pending
     * @see <a href="https://man7.org/linux/man-pages/man2/waitid.2.html">waitid(2)</a>
     */
    public static Optional<ChildStatus> waitidPid(int pid, Set<WaitOption> options) throws SyscallException {
        return waitid(Linux.P_PID(), pid, options);
    }

    /**
     * Waits for a state change of the child a pidfd refers to ({@code P_PIDFD}, Linux 5.4).
     *
     * @return the change, or empty when {@link WaitOption#NOHANG} was given and none is pending
     * @see <a href="https://man7.org/linux/man-pages/man2/waitid.2.html">waitid(2)</a>
     */
    public static Optional<ChildStatus> waitidPidfd(Fd pidfd, Set<WaitOption> options) throws SyscallException {
        return waitid(Linux.P_PIDFD(), pidfd.value(), options);
    }

    private static Optional<ChildStatus> waitid(int idType, int id, Set<WaitOption> options)
            throws SyscallException {
        if (options.isEmpty()) {
            throw new IllegalArgumentException("waitid options must name at least one of EXITED, STOPPED, CONTINUED");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = siginfo_t.allocate(arena);
            Kernel.run(ProcessCalls.waitid(idType, id, info, options));
            int pid = siginfo_t.si_pid(info);
            if (pid == 0) {
                return Optional.empty();
            }
            return Optional.of(new ChildStatus(pid, siginfo_t.si_uid(info), ChildStatus.Kind.of(siginfo_t.si_code(info)),
                    siginfo_t.si_status(info)));
        }
    }
}
