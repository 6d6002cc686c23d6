package dev.hako.namespaces;

import static dev.hako.namespaces.ChildProgram.CAPTURE;
import static dev.hako.namespaces.ChildProgram.CLONE_ARGS;
import static dev.hako.namespaces.ChildProgram.CLONE_NR;
import static dev.hako.namespaces.ChildProgram.CLONE_SIZE;
import static dev.hako.namespaces.ChildProgram.EXIT_NR;
import static dev.hako.namespaces.ChildProgram.EXIT_STATUS;
import static dev.hako.namespaces.ChildProgram.REGISTERS;
import static dev.hako.namespaces.ChildProgram.REPORT;
import static dev.hako.namespaces.ChildProgram.REPORT_FD;
import static dev.hako.namespaces.ChildProgram.STEPS;
import static dev.hako.namespaces.ChildProgram.STEP_COUNT;
import static dev.hako.namespaces.ChildProgram.STEP_SIZE;
import static dev.hako.namespaces.ChildProgram.WRITE_NR;

import dev.hako.bindings.Linux;
import dev.hako.bindings.clone_args;
import dev.hako.namespaces.ChildProgram.Arg;
import dev.hako.namespaces.ChildProgram.Step;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.SyscallException;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Runs a {@link ChildProgram}: the fork point and everything the child does until execve.
 *
 * <p>After clone3 without CLONE_VM the child is a single-threaded copy of a multithreaded
 * JVM: no compiler thread, no VM thread, no GC. Ordinary Java there can block forever on
 * a lock another thread held at the fork (measured: 8 hangs in 200 children, in JIT
 * compile requests and method-handle linking). So the whole child side is this one
 * method, which the class initialiser warms until it is compiled, with data that drives
 * every branch and links every call site. In the child it then only reads memory and makes
 * critical downcalls: no allocation, no safepoint poll (critical calls make no thread-state
 * transition; the step loop is counted), no class loading, no compilation.
 */
final class ChildInterpreter {

    private static final MethodHandle SYSCALL = Linux.syscall$handle(
            Linker.Option.captureCallState("errno"), Linker.Option.critical(false));
    private static final long ERRNO_IN_CAPTURE = Linker.Option.captureStateLayout()
            .byteOffset(PathElement.groupElement("errno"));
    /** Reported for a step whose zero result means failure: a read that met end of file. */
    private static final int EPIPE = Linux.EPIPE();
    private static final int WARM_UP_ROUNDS = 30_000;

    static {
        warmUp();
    }

    private ChildInterpreter() {
    }

    /** Makes sure the interpreter is warm; the first call pays for it (well under a second). */
    static void ensureWarm() {
        // Class initialisation did the work.
    }

    /**
     * Forks and, in the child, runs the step table. Returns the clone result in the parent:
     * the child's pid, or -1 with errno in the program's capture area. Returns 0 only while
     * warming up, where the "fork" is a harmless call that returns 0 and the exit is too.
     *
     * @param capture the program's errno capture area, sliced once before the fork so that
     *                the child allocates nothing
     */
    static long forkAndRun(MemorySegment p, MemorySegment capture) {
        long result;
        try {
            result = (long) SYSCALL.invokeExact(capture, p.get(ValueLayout.JAVA_LONG, CLONE_NR),
                    p.get(ValueLayout.JAVA_LONG, CLONE_ARGS), p.get(ValueLayout.JAVA_LONG, CLONE_SIZE), 0L, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (result != 0) {
            return result;
        }
        // From here on this is the child (or the warm-up).
        int count = (int) p.get(ValueLayout.JAVA_LONG, STEP_COUNT);
        for (int i = 0; i < count; i++) {
            long base = STEPS + i * STEP_SIZE;
            long control = p.get(ValueLayout.JAVA_LONG, base + 56);
            long a1 = p.get(ValueLayout.JAVA_LONG, base + 8);
            long a2 = p.get(ValueLayout.JAVA_LONG, base + 16);
            long a3 = p.get(ValueLayout.JAVA_LONG, base + 24);
            long a4 = p.get(ValueLayout.JAVA_LONG, base + 32);
            long a5 = p.get(ValueLayout.JAVA_LONG, base + 40);
            long a6 = p.get(ValueLayout.JAVA_LONG, base + 48);
            if ((control & 0xffffff00L) != 0) {
                long r;
                if ((r = (control >>> 8) & 15) != 0) {
                    a1 = p.get(ValueLayout.JAVA_LONG, REGISTERS + (r - 1) * 8);
                }
                if ((r = (control >>> 12) & 15) != 0) {
                    a2 = p.get(ValueLayout.JAVA_LONG, REGISTERS + (r - 1) * 8);
                }
                if ((r = (control >>> 16) & 15) != 0) {
                    a3 = p.get(ValueLayout.JAVA_LONG, REGISTERS + (r - 1) * 8);
                }
                if ((r = (control >>> 20) & 15) != 0) {
                    a4 = p.get(ValueLayout.JAVA_LONG, REGISTERS + (r - 1) * 8);
                }
                if ((r = (control >>> 24) & 15) != 0) {
                    a5 = p.get(ValueLayout.JAVA_LONG, REGISTERS + (r - 1) * 8);
                }
                if ((r = (control >>> 28) & 15) != 0) {
                    a6 = p.get(ValueLayout.JAVA_LONG, REGISTERS + (r - 1) * 8);
                }
            }
            long value;
            try {
                value = (long) SYSCALL.invokeExact(capture, p.get(ValueLayout.JAVA_LONG, base),
                        a1, a2, a3, a4, a5, a6);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            boolean failed = value == -1 || (value == 0 && (control & ChildProgram.ZERO_IS_FAILURE) != 0);
            if (failed && (control & ChildProgram.IGNORE_FAILURE) == 0) {
                int errno = value == -1 ? capture.get(ValueLayout.JAVA_INT, ERRNO_IN_CAPTURE) : EPIPE;
                p.set(ValueLayout.JAVA_INT, REPORT, i);
                p.set(ValueLayout.JAVA_INT, REPORT + 4, errno);
                try {
                    long ignored = (long) SYSCALL.invokeExact(capture, p.get(ValueLayout.JAVA_LONG, WRITE_NR),
                            p.get(ValueLayout.JAVA_LONG, REPORT_FD), p.address() + REPORT, 8L, 0L, 0L, 0L);
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
                break;
            }
            long save = (control >>> 4) & 15;
            if (save != 0) {
                p.set(ValueLayout.JAVA_LONG, REGISTERS + (save - 1) * 8, value);
            }
        }
        // Reached when execve (the last step) failed, or a step failed: end the child.
        try {
            long ignored = (long) SYSCALL.invokeExact(capture, p.get(ValueLayout.JAVA_LONG, EXIT_NR),
                    p.get(ValueLayout.JAVA_LONG, EXIT_STATUS), 0L, 0L, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return 0;
    }

    /**
     * Runs the interpreter on harmless programs until it is compiled: the fork point
     * returning non-zero (getpid) and zero (an empty close_range), steps that succeed,
     * fail, are ignored, save results and read registers, and the failure report, which
     * goes to a non-blocking pipe nobody reads (once full, the write fails with EAGAIN,
     * which the interpreter ignores as it does in a real child). Nothing here forks.
     */
    private static void warmUp() {
        try (Arena arena = Arena.ofConfined(); FileSyscalls.Pipe report = FileSyscalls.pipe2(true)) {
            MemorySegment args = clone_args.allocate(arena);
            MemorySegment parentSide = program(arena, report, args, Linux.SYS_getpid(), Failure.NONE);
            MemorySegment childSide = program(arena, report, args, Linux.SYS_close_range(), Failure.NONE);
            MemorySegment failing = program(arena, report, args, Linux.SYS_close_range(), Failure.ERRNO);
            MemorySegment endOfFile = program(arena, report, args, Linux.SYS_close_range(), Failure.ZERO);
            for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                forkAndRun(parentSide, capture(parentSide));
                forkAndRun(childSide, capture(childSide));
                forkAndRun(failing, capture(failing));
                forkAndRun(endOfFile, capture(endOfFile));
            }
        } catch (SyscallException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The errno a failed fork left in a program's capture area. */
    static int errno(MemorySegment capture) {
        return capture.get(ValueLayout.JAVA_INT, ERRNO_IN_CAPTURE);
    }

    /** How a warm-up program's child side ends. */
    private enum Failure { NONE, ERRNO, ZERO }

    /** The capture area of a program, sliced once per program before any fork. */
    static MemorySegment capture(MemorySegment program) {
        return program.asSlice(CAPTURE, ChildProgram.CAPTURE_SIZE);
    }

    private static MemorySegment program(Arena arena, FileSyscalls.Pipe report, MemorySegment cloneArgs, int cloneNumber,
                                         Failure failure) {
        ChildProgram program = new ChildProgram(arena);
        int register = program.newRegister();
        Step warm = new Step("warm-up", "");
        // close_range(~1, ~0, 0) touches no descriptor and returns 0: the child branch.
        long high = 0xfffffffeL;
        program.stepWith(warm, Linux.SYS_getpid(), 0, register, Arg.of(0));
        program.stepWith(warm, Linux.SYS_getpid(), 0, -1, Arg.register(register), Arg.register(register),
                Arg.register(register), Arg.register(register), Arg.register(register), Arg.register(register));
        program.stepWith(warm, Linux.SYS_close(), ChildProgram.IGNORE_FAILURE, -1, Arg.of(-1));
        program.stepWith(warm, Linux.SYS_close_range(), ChildProgram.IGNORE_FAILURE | ChildProgram.ZERO_IS_FAILURE, -1,
                Arg.of(high), Arg.of(high + 1), Arg.of(0));
        switch (failure) {
            case ERRNO -> program.stepWith(warm, Linux.SYS_close(), 0, -1, Arg.of(-1));
            case ZERO -> program.stepWith(warm, Linux.SYS_close_range(), ChildProgram.ZERO_IS_FAILURE, -1,
                    Arg.of(high), Arg.of(high + 1), Arg.of(0));
            case NONE -> { }
        }
        program.step(warm, Linux.SYS_getppid());
        MemorySegment segment = program.assemble(cloneNumber, cloneArgs, report.write().value(),
                Linux.SYS_write(), Linux.SYS_getpid());
        if (cloneNumber == Linux.SYS_close_range()) {
            // The fork point's arguments: an empty range, so the "clone" returns 0.
            segment.set(ValueLayout.JAVA_LONG, CLONE_ARGS, high);
            segment.set(ValueLayout.JAVA_LONG, CLONE_SIZE, high + 1);
        }
        return segment;
    }
}
