package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.iovec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Tracing another process from outside: the ptrace requests a checkpointer needs, each as
 * its own method, the wait for a traced task's stops, cross-process memory access
 * (process_vm_readv/writev), kcmp and get_robust_list.
 *
 * <p>ptrace is called as the raw syscall, not through glibc's variadic wrapper (whose
 * PEEK requests return data instead of a status). A tracee belongs to the <em>thread</em>
 * that attached it: every request for one tracee, and the waits for its stops, must come
 * from that same platform thread (a virtual thread may change carrier between calls).
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/ptrace.2.html">ptrace(2)</a>
 */
public final class TraceSyscalls {

    /** An iovec per calling thread for the regset requests: no allocation per call. */
    private static final ThreadLocal<MemorySegment> IOVEC = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(iovec.layout()));
    private static final ThreadLocal<MemorySegment> WORD = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(ValueLayout.JAVA_LONG));

    private TraceSyscalls() {
    }

    private static long ptrace(long request, int tid, long address, long data) {
        return Kernel.critical(Linux.SYS_ptrace(), request, tid, address, data, 0, 0);
    }

    private static void check(long result, String request, int tid, String rest) throws SyscallException {
        if (result < 0) {
            throw Kernel.failure(result, "ptrace", request + ", " + tid + (rest.isEmpty() ? "" : ", " + rest));
        }
    }

    /**
     * Attaches to a task without stopping it ({@code PTRACE_SEIZE}, Linux 3.4).
     *
     * @param options {@code PTRACE_O_*} bits
     */
    public static void seize(int tid, long options) throws SyscallException {
        check(ptrace(Linux.PTRACE_SEIZE(), tid, 0, options), "PTRACE_SEIZE", tid, "0, 0x" + Long.toHexString(options));
    }

    /** Stops a seized task ({@code PTRACE_INTERRUPT}); wait for the stop with {@link #wait4}. */
    public static void interrupt(int tid) throws SyscallException {
        check(ptrace(Linux.PTRACE_INTERRUPT(), tid, 0, 0), "PTRACE_INTERRUPT", tid, "");
    }

    /** Resumes a stopped tracee, delivering {@code signal} unless 0 ({@code PTRACE_CONT}). */
    public static void cont(int tid, int signal) throws SyscallException {
        check(ptrace(Linux.PTRACE_CONT(), tid, 0, signal), "PTRACE_CONT", tid, "0, " + signal);
    }

    /** Resumes a tracee until the next syscall entry or exit ({@code PTRACE_SYSCALL}). */
    public static void syscall(int tid, int signal) throws SyscallException {
        check(ptrace(Linux.PTRACE_SYSCALL(), tid, 0, signal), "PTRACE_SYSCALL", tid, "0, " + signal);
    }

    /** Detaches from a stopped tracee, which resumes ({@code PTRACE_DETACH}). */
    public static void detach(int tid, int signal) throws SyscallException {
        check(ptrace(Linux.PTRACE_DETACH(), tid, 0, signal), "PTRACE_DETACH", tid, "0, " + signal);
    }

    /** Sets the {@code PTRACE_O_*} options of a tracee ({@code PTRACE_SETOPTIONS}). */
    public static void setOptions(int tid, long options) throws SyscallException {
        check(ptrace(Linux.PTRACE_SETOPTIONS(), tid, 0, options), "PTRACE_SETOPTIONS", tid,
                "0, 0x" + Long.toHexString(options));
    }

    /** The message of the last ptrace event, e.g. a new child's pid ({@code PTRACE_GETEVENTMSG}). */
    public static long getEventMsg(int tid) throws SyscallException {
        MemorySegment word = WORD.get();
        check(ptrace(Linux.PTRACE_GETEVENTMSG(), tid, 0, word.address()), "PTRACE_GETEVENTMSG", tid, "");
        return word.get(ValueLayout.JAVA_LONG, 0);
    }

    /**
     * Reads a register set into {@code buffer} ({@code PTRACE_GETREGSET}, Linux 2.6.34).
     *
     * @param note the set, an {@code NT_*} value ({@code NT_PRSTATUS}, {@code NT_X86_XSTATE})
     * @return the number of bytes the kernel filled in
     */
    public static long getRegset(int tid, int note, MemorySegment buffer) throws SyscallException {
        MemorySegment iov = IOVEC.get();
        iovec.iov_base(iov, buffer);
        iovec.iov_len(iov, buffer.byteSize());
        check(ptrace(Linux.PTRACE_GETREGSET(), tid, note, iov.address()), "PTRACE_GETREGSET", tid, noteName(note));
        return iovec.iov_len(iov);
    }

    /** Writes a register set from all of {@code data} ({@code PTRACE_SETREGSET}). */
    public static void setRegset(int tid, int note, MemorySegment data) throws SyscallException {
        MemorySegment iov = IOVEC.get();
        iovec.iov_base(iov, data);
        iovec.iov_len(iov, data.byteSize());
        check(ptrace(Linux.PTRACE_SETREGSET(), tid, note, iov.address()), "PTRACE_SETREGSET", tid,
                noteName(note) + ", {len=" + data.byteSize() + "}");
    }

    private static String noteName(int note) {
        return note == Linux.NT_PRSTATUS() ? "NT_PRSTATUS" : note == Linux.NT_X86_XSTATE() ? "NT_X86_XSTATE"
                : "0x" + Integer.toHexString(note);
    }

    /** The tracee's blocked-signal mask, bit {@code n-1} for signal n ({@code PTRACE_GETSIGMASK}, 3.11). */
    public static long getSigmask(int tid) throws SyscallException {
        MemorySegment word = WORD.get();
        check(ptrace(Linux.PTRACE_GETSIGMASK(), tid, 8, word.address()), "PTRACE_GETSIGMASK", tid, "8");
        return word.get(ValueLayout.JAVA_LONG, 0);
    }

    /** Sets the tracee's blocked-signal mask ({@code PTRACE_SETSIGMASK}, 3.11). */
    public static void setSigmask(int tid, long mask) throws SyscallException {
        MemorySegment word = WORD.get();
        word.set(ValueLayout.JAVA_LONG, 0, mask);
        check(ptrace(Linux.PTRACE_SETSIGMASK(), tid, 8, word.address()), "PTRACE_SETSIGMASK", tid,
                "8, 0x" + Long.toHexString(mask));
    }

    /**
     * Describes the syscall stop the tracee is in ({@code PTRACE_GET_SYSCALL_INFO}, 5.3).
     *
     * @param info a {@code struct ptrace_syscall_info} to fill
     * @return the operation, a {@code PTRACE_SYSCALL_INFO_*} value
     */
    public static int getSyscallInfo(int tid, MemorySegment info) throws SyscallException {
        long result = ptrace(Linux.PTRACE_GET_SYSCALL_INFO(), tid, info.byteSize(), info.address());
        check(result, "PTRACE_GET_SYSCALL_INFO", tid, Long.toString(info.byteSize()));
        return dev.hako.bindings.ptrace_syscall_info.op(info) & 0xff;
    }

    /**
     * Copies pending signals' siginfo without dequeuing them ({@code PTRACE_PEEKSIGINFO}, 3.10).
     *
     * @param offset the first queued signal to copy
     * @param shared the process-wide queue instead of the thread's own
     * @param buffer room for whole 128-byte siginfo records
     * @return how many records were copied; 0 past the end of the queue
     */
    public static int peekSiginfo(int tid, long offset, boolean shared, MemorySegment buffer) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = dev.hako.bindings.ptrace_peeksiginfo_args.allocate(arena);
            dev.hako.bindings.ptrace_peeksiginfo_args.off(args, offset);
            dev.hako.bindings.ptrace_peeksiginfo_args.flags(args, shared ? Linux.PTRACE_PEEKSIGINFO_SHARED() : 0);
            dev.hako.bindings.ptrace_peeksiginfo_args.nr(args, (int) (buffer.byteSize() / 128));
            long result = ptrace(Linux.PTRACE_PEEKSIGINFO(), tid, args.address(), buffer.address());
            check(result, "PTRACE_PEEKSIGINFO", tid, "{off=" + offset + (shared ? ", SHARED" : "") + "}");
            return (int) result;
        }
    }

    /**
     * The tracee's rseq registration ({@code PTRACE_GET_RSEQ_CONFIGURATION}, 5.13).
     *
     * @param configuration a {@code struct ptrace_rseq_configuration} to fill; a task without
     *                      a registration gets a zero pointer
     */
    public static void getRseqConfiguration(int tid, MemorySegment configuration) throws SyscallException {
        long result = ptrace(Linux.PTRACE_GET_RSEQ_CONFIGURATION(), tid, configuration.byteSize(),
                configuration.address());
        check(result, "PTRACE_GET_RSEQ_CONFIGURATION", tid, Long.toString(configuration.byteSize()));
    }

    /**
     * Waits for a state change of one task, a traced one included ({@code wait4} with
     * {@code __WALL}, so clone children and ptrace stops count).
     *
     * @param noHang return {@code null} at once if nothing is pending
     * @return the task's status, or null with {@code noHang} and nothing pending
     * @see <a href="https://man7.org/linux/man-pages/man2/wait4.2.html">wait4(2)</a>
     */
    public static TraceStatus wait4(int tid, boolean noHang) throws SyscallException {
        MemorySegment word = WORD.get();
        word.set(ValueLayout.JAVA_INT, 0, 0);
        long options = Linux.__WALL() | (noHang ? Linux.WNOHANG() : 0);
        long result;
        do {
            result = Kernel.blocking(Linux.SYS_wait4(), tid, word.address(), options, 0, 0, 0);
        } while (result == -Linux.EINTR());
        if (result < 0) {
            throw Kernel.failure(result, "wait4", tid + ", __WALL" + (noHang ? "|WNOHANG" : ""));
        }
        return result == 0 ? null : new TraceStatus((int) result, word.get(ValueLayout.JAVA_INT, 0));
    }

    /**
     * Copies memory of another process into this one ({@code process_vm_readv}, 3.2).
     *
     * @param local  the iovec array to fill, {@code localCount} entries
     * @param remote the iovec array of the remote ranges, {@code remoteCount} entries
     * @return the number of bytes copied (a partial copy stops at the first unmapped page)
     * @see <a href="https://man7.org/linux/man-pages/man2/process_vm_readv.2.html">process_vm_readv(2)</a>
     */
    public static long processVmReadv(int pid, MemorySegment local, long localCount, MemorySegment remote,
                                      long remoteCount) throws SyscallException {
        long result = Kernel.blocking(Linux.SYS_process_vm_readv(), pid, local.address(), localCount, remote.address(),
                remoteCount, 0);
        if (result < 0) {
            throw Kernel.failure(result, "process_vm_readv", pid + ", " + localCount + " local, " + remoteCount + " remote");
        }
        return result;
    }

    /**
     * Copies memory of this process into another ({@code process_vm_writev}, 3.2).
     *
     * @see #processVmReadv
     * @see <a href="https://man7.org/linux/man-pages/man2/process_vm_writev.2.html">process_vm_writev(2)</a>
     */
    public static long processVmWritev(int pid, MemorySegment local, long localCount, MemorySegment remote,
                                       long remoteCount) throws SyscallException {
        long result = Kernel.blocking(Linux.SYS_process_vm_writev(), pid, local.address(), localCount,
                remote.address(), remoteCount, 0);
        if (result < 0) {
            throw Kernel.failure(result, "process_vm_writev", pid + ", " + localCount + " local, " + remoteCount
                    + " remote");
        }
        return result;
    }

    /**
     * Compares a kernel resource of two processes ({@code kcmp}, 3.5): 0 equal, 1 or 2
     * ordered, 3 different but unordered.
     *
     * @param type a {@code KCMP_*} value; {@code KCMP_FILE} compares {@code idx1} of pid1
     *             with {@code idx2} of pid2
     * @see <a href="https://man7.org/linux/man-pages/man2/kcmp.2.html">kcmp(2)</a>
     */
    public static int kcmp(int pid1, int pid2, int type, long idx1, long idx2) throws SyscallException {
        long result = Kernel.critical(Linux.SYS_kcmp(), pid1, pid2, type, idx1, idx2, 0);
        if (result < 0) {
            throw Kernel.failure(result, "kcmp", pid1 + ", " + pid2 + ", " + type + ", " + idx1 + ", " + idx2);
        }
        return (int) result;
    }

    /** A task's robust futex list head and its length. */
    public record RobustList(long head, long length) {
    }

    /**
     * Reads another task's robust futex list ({@code get_robust_list}, 2.6.17).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/get_robust_list.2.html">get_robust_list(2)</a>
     */
    public static RobustList getRobustList(int tid) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment head = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_LONG);
            long result = Kernel.critical(Linux.SYS_get_robust_list(), tid, head.address(), length.address());
            if (result < 0) {
                throw Kernel.failure(result, "get_robust_list", Integer.toString(tid));
            }
            return new RobustList(head.get(ValueLayout.JAVA_LONG, 0), length.get(ValueLayout.JAVA_LONG, 0));
        }
    }
}
