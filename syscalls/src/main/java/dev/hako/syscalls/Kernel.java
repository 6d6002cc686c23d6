package dev.hako.syscalls;

import dev.hako.bindings.Linux;
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

    /**
     * Returns {@code result} as an int when it is not an error, else throws.
     *
     * @param argument what the call acted on, for the message
     */
    static int check(long result, String syscall, String argument) throws SyscallException {
        if (result < 0) {
            throw new SyscallException(syscall, argument, (int) -result);
        }
        return (int) result;
    }

    /** Like {@link #check(long, String, String)} for calls whose result is a long (read, write). */
    static long checkLong(long result, String syscall, String argument) throws SyscallException {
        if (result < 0) {
            throw new SyscallException(syscall, argument, (int) -result);
        }
        return result;
    }
}
