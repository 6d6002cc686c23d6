package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.calls.Call;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The one way this module enters the kernel: glibc's syscall(2) with errno captured.
 *
 * <p>Results follow the kernel's own convention: a negative value is {@code -errno}. That
 * keeps the success path free of allocation; callers turn a negative result into a
 * {@link SyscallException} with the argument text built only then.
 *
 * <p>Two handles: {@link #blocking} for calls that may sleep (read, waitid, epoll_wait,
 * mount...), and {@link #critical} for short calls that never block (getpid, close,
 * pipe2, dup3...): a critical downcall skips the thread-state transition, so it must not
 * block, or it would hold up every safepoint in the JVM.
 */
final class Kernel {

    private static final MethodHandle BLOCKING = Linux.syscall$handle(Linker.Option.captureCallState("errno"));
    private static final MethodHandle CRITICAL = Linux.syscall$handle(
            Linker.Option.captureCallState("errno"), Linker.Option.critical(false));
    private static final long ERRNO_OFFSET = Linker.Option.captureStateLayout()
            .byteOffset(PathElement.groupElement("errno"));

    /** Per-thread capture segment: reused by every call of the thread, freed with the thread. */
    private static final ThreadLocal<MemorySegment> STATE = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(Linker.Option.captureStateLayout()));

    private Kernel() {
    }

    /** Calls a syscall that may block; returns its result, or {@code -errno}. */
    static long blocking(int number, long a1, long a2, long a3, long a4, long a5, long a6) {
        MemorySegment state = STATE.get();
        long result;
        try {
            result = (long) BLOCKING.invokeExact(state, (long) number, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw new AssertionError("syscall downcall failed", t);
        }
        return result == -1 ? -state.get(ValueLayout.JAVA_INT, ERRNO_OFFSET) : result;
    }

    /** Calls a short syscall that never blocks; returns its result, or {@code -errno}. */
    static long critical(int number, long a1, long a2, long a3, long a4, long a5, long a6) {
        MemorySegment state = STATE.get();
        long result;
        try {
            result = (long) CRITICAL.invokeExact(state, (long) number, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw new AssertionError("syscall downcall failed", t);
        }
        return result == -1 ? -state.get(ValueLayout.JAVA_INT, ERRNO_OFFSET) : result;
    }

    static long blocking(int number, long a1, long a2, long a3) {
        return blocking(number, a1, a2, a3, 0, 0, 0);
    }

    static long critical(int number, long a1, long a2, long a3) {
        return critical(number, a1, a2, a3, 0, 0, 0);
    }

    /** Runs an encoded call that may block; returns its result or throws with its description. */
    static long run(Call call) throws SyscallException {
        return checked(call, invoke(call));
    }

    /** Runs a short encoded call that never blocks (the critical downcall); as {@link #run}. */
    static long runCritical(Call call) throws SyscallException {
        return checked(call, invokeCritical(call));
    }

    /** Runs an encoded call that may block; returns its result, or {@code -errno}. */
    static long invoke(Call call) {
        return blocking(call.number(), call.word(0), call.word(1), call.word(2), call.word(3), call.word(4),
                call.word(5));
    }

    /** Runs a short encoded call that never blocks; returns its result, or {@code -errno}. */
    static long invokeCritical(Call call) {
        return critical(call.number(), call.word(0), call.word(1), call.word(2), call.word(3), call.word(4),
                call.word(5));
    }

    private static long checked(Call call, long result) throws SyscallException {
        if (result < 0) {
            throw new SyscallException(call.name(), call.arguments(), (int) -result);
        }
        return result;
    }

    /**
     * The exception for a failed call ({@code result} is {@code -errno}). Callers write
     * {@code if (result < 0) throw Kernel.failure(...)} so the argument text is built only on
     * failure: the success path stays free of allocation, and never touches arguments
     * (such as an {@link Fd} another thread may close right after the call).
     *
     * @param argument what the call acted on, for the message
     */
    static SyscallException failure(long result, String syscall, String argument) {
        return new SyscallException(syscall, argument, (int) -result);
    }
}
