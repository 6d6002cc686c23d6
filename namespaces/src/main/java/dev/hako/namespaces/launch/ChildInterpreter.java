package dev.hako.namespaces.launch;

import static dev.hako.namespaces.launch.ChildProgram.CAPTURE;
import static dev.hako.namespaces.launch.ChildProgram.ESCAPE_AT;
import static dev.hako.namespaces.launch.ChildProgram.ESCAPE_ROW;
import static dev.hako.namespaces.launch.ChildProgram.LIMIT;
import static dev.hako.namespaces.launch.ChildProgram.REPORT;
import static dev.hako.namespaces.launch.ChildProgram.ROWS;
import static dev.hako.namespaces.launch.ChildProgram.ROW_COUNT;
import static dev.hako.namespaces.launch.ChildProgram.ROW_SIZE;
import static dev.hako.namespaces.launch.ChildProgram.SLOTS;

import dev.hako.bindings.Linux;
import dev.hako.bindings.clone_args;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.calls.FileCalls;
import dev.hako.syscalls.calls.ProcessCalls;
import dev.hako.syscalls.SyscallException;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Set;

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
public final class ChildInterpreter {

    private static final MethodHandle SYSCALL = Linux.syscall$handle(
            Linker.Option.captureCallState("errno"), Linker.Option.critical(false));
    private static final long ERRNO_IN_CAPTURE = Linker.Option.captureStateLayout()
            .byteOffset(PathElement.groupElement("errno"));
    /** Reported for a step whose zero result means failure: a read that met end of file. */
    private static final int EPIPE = Linux.EPIPE();
    private static final int WARM_UP_ROUNDS = 2_000;
    private static final long RECHECK_NANOS = 1_000_000_000L;
    private static final long WARM_UP_LIMIT_NANOS = 30_000_000_000L;
    private static final System.Logger LOG = System.getLogger(ChildInterpreter.class.getName());
    private static final Object LOCK = new Object();
    private static volatile long verifiedAt = System.nanoTime() - 2 * RECHECK_NANOS;
    private static volatile boolean verifiable = true;
    /** The ids of forkAndRun's code in use at the last check. */
    private static String lastInUse;
    private static boolean segmentKindsLoaded;
    /** Warm-ups that found the interpreter not settled, and the time they took (guarded by LOCK). */
    private static long warmUps;
    private static long warmUpNanos;
    private static long longestWarmUpNanos;

    static {
        addInliningDirective();
    }

    private ChildInterpreter() {
    }

    /**
     * Makes sure {@link #forkAndRun} is compiled to final code before a fork: at C2's
     * level 4 (or C1's level 1 when C2 is off), where it no longer counts invocations or
     * asks for compilation. Interpreted or profiled code would, and in a child that can
     * block forever on the compile queue's lock. The state is read from HotSpot's code
     * list and compile queues (the DiagnosticCommand MBean, as {@code jcmd Compiler.codelist}
     * and {@code Compiler.queue} do; see {@link CodeState}), at most
     * once a second, so that a deoptimisation is caught and the method warmed again.
     * The first call pays for the warm-up (typically under a second).
     */
    public static void ensureWarm() {
        if (System.nanoTime() - verifiedAt < RECHECK_NANOS) {
            return;
        }
        synchronized (LOCK) {
            if (System.nanoTime() - verifiedAt < RECHECK_NANOS) {
                return;
            }
            warmUntilCompiled();
            verifiedAt = System.nanoTime();
        }
    }

    /**
     * Warms {@link #forkAndRun} as {@link #ensureWarm} does, for a caller that does it ahead
     * of its first start (on a thread of its own, while it prepares the container), but
     * leaves the next {@link #ensureWarm} to read the code list again: classes loaded
     * between now and the fork could make the compiled code go. Does nothing where starts
     * are refused anyway (a C1-only JVM).
     */
    public static void prepare() {
        if (LoopPolls.C1_AT_MOST) {
            return;
        }
        synchronized (LOCK) {
            warmUntilCompiled();
            verifiedAt = System.nanoTime() - 2 * RECHECK_NANOS;
        }
    }

    private static void warmUntilCompiled() {
        long start = System.nanoTime();
        boolean warmed = false;
        while (!compiled()) {
            warmed = true;
            warmUp();
            if (System.nanoTime() - start > WARM_UP_LIMIT_NANOS) {
                LOG.log(System.Logger.Level.WARNING, "the clone3 child interpreter is not compiled after "
                        + "30 s of warm-up (is the JIT disabled?); children may hang and be killed at the exec timeout");
                break;
            }
        }
        if (warmed) {
            long took = System.nanoTime() - start;
            warmUps++;
            warmUpNanos += took;
            longestWarmUpNanos = Math.max(longestWarmUpNanos, took);
        }
    }

    /**
     * How often this JVM had to warm the interpreter again and how long that took, for a
     * report on slow starts (a deoptimised interpreter costs every start until it settles).
     */
    public static String warmUpSummary() {
        synchronized (LOCK) {
            return warmUps + " warm-ups in this JVM, " + warmUpNanos / 1_000_000 + " ms in all, the longest "
                    + longestWarmUpNanos / 1_000_000 + " ms";
        }
    }

    /** Whether forkAndRun has final compiled code; true when the JVM cannot tell us. */
    private static boolean compiled() {
        if (!verifiable) {
            return true;
        }
        String list;
        String queue;
        try {
            list = diagnosticCommand("compilerCodelist");
            queue = diagnosticCommand("compilerQueue");
        } catch (Exception | LinkageError e) {
            // No jdk.management in this runtime: warm for a fixed while, then trust it.
            verifiable = false;
            for (int i = 0; i < 15; i++) {
                warmUp();
            }
            return true;
        }
        CodeState state = CodeState.of(list, ChildInterpreter.class.getName() + ".forkAndRun(");
        boolean settled = state.finalCode() && state.inUse().equals(lastInUse)
                && !entryCompilePending(queue, ChildInterpreter.class.getName() + "::forkAndRun (");
        lastInUse = state.inUse();
        return settled;
    }

    /** The output of a HotSpot diagnostic command ({@code jcmd} names it with a dot: Compiler.codelist). */
    private static String diagnosticCommand(String operation, String... arguments) throws Exception {
        var server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        return (String) server.invoke(new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                operation, new Object[] {arguments}, new String[] {String[].class.getName()});
    }

    /**
     * Tells the JIT to inline every Unsafe, scoped memory and segment access into forkAndRun,
     * whatever its heuristics say ({@code jcmd Compiler.directives_add}; the directive
     * matches only this method). The segment accessors are annotated to be inlined down to
     * Unsafe's unaligned reads and writes, which are not, and C2 leaves those as calls where
     * the profile says a path is rare ("low call site frequency"): the failure report's errno
     * read and step-index write. A call in the child returns through a safepoint poll, and a
     * poll armed at the fork blocks the child forever (measured before this: 162 of 400
     * failing starts hung under GC pressure in a forked JVM). Added before the first
     * compilation, so every version of the method is compiled with it.
     */
    private static void addInliningDirective() {
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("hako-child-interpreter", ".json");
            try {
                java.nio.file.Files.writeString(file, "[{ match: \"" + ChildInterpreter.class.getName().replace('.', '/')
                        + ".forkAndRun\", inline: [\"+jdk/internal/misc/Unsafe.*\","
                        + " \"+jdk/internal/misc/ScopedMemoryAccess.*\", \"+jdk/internal/foreign/*.*\"] }]\n");
                String answer = diagnosticCommand("compilerDirectivesAdd", file.toString());
                if (answer != null && !answer.isBlank() && !answer.contains("1 compiler directives added")) {
                    LOG.log(System.Logger.Level.WARNING, "the JIT did not take the child interpreter's inlining"
                            + " directive: " + answer.strip());
                }
            } finally {
                java.nio.file.Files.deleteIfExists(file);
            }
        } catch (Exception | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "cannot add the child interpreter's inlining directive ("
                    + e + "); a child whose start fails may hang until its exec timeout");
        }
    }

    /**
     * What HotSpot's code list ({@code jcmd Compiler.codelist}: "id level state method ...",
     * state 0 in use) says of one method: whether an entry at a final level (C2's 4, or C1's
     * 1 when C2 is off) is in use, and the ids of the entries in use.
     *
     * <p>The list does not say which entry is the loop's on-stack-replacement (OSR) version
     * and does not show interpreted code at all. A level-4 OSR version is often installed
     * before the method's own level-4 entry (seen in four of five fresh JVMs on a loaded
     * machine), and then that entry is still profiled or interpreted code, which counts calls
     * and asks for compilation; in a child that can block forever on the compile queue's
     * lock (five supervised starts in a row hung so). A profiled OSR version may also stay in
     * use for good beside the final entry. So {@link #compiled()} takes final code as settled
     * only when the same entries are in use after a round of warm-up and no compilation of
     * the method's own entry is pending: non-final code of the entry would have asked for one.
     */
    record CodeState(boolean finalCode, String inUse) {

        static CodeState of(String codeList, String method) {
            boolean finalCode = false;
            StringBuilder ids = new StringBuilder();
            for (String line : codeList.split("\\n")) {
                String[] fields = line.trim().split(" ");
                if (!line.contains(method) || fields.length < 3 || !fields[2].equals("0")) {
                    continue;
                }
                finalCode |= fields[1].equals("4") || fields[1].equals("1");
                ids.append(fields[0]).append(' ');
            }
            return new CodeState(finalCode, ids.toString());
        }
    }

    /**
     * Whether HotSpot's compile queues ({@code jcmd Compiler.queue}: current compiles, then
     * the queues, each task as -XX:+PrintCompilation prints it) hold a compilation of the
     * method's own entry: {@code task} is "Class::method (", which an OSR task ("... @ bci (")
     * does not match.
     */
    static boolean entryCompilePending(String queue, String task) {
        return queue.contains(task);
    }

    /**
     * Forks and, in the child, runs the rows. Returns the fork result in the parent: the
     * child's pid, or -1 with errno in the capture area. Returns 0 only while warming up,
     * where the "fork" is a harmless call that returns 0 and so is the exit.
     *
     * <p>One counted loop and one downcall site: few branches for the warm-up to cover,
     * little code for the JIT (C1 gives up on larger versions of this method, and a method
     * left at a profiling tier would ask for compilation in the child). The loop counts
     * iterations, not rows, so that jumps keep it a counted loop, which C2 compiles without
     * a safepoint poll for the first 1000 iterations; a poll armed when the JVM forked would
     * block the child forever. A failed step does not leave the loop; later steps are
     * skipped and the tail rows report and exit. Arguments always add a slot (slot 0 is
     * zero) and results always go to one (the scratch slot by default), so those paths have
     * no branches; a row past the end runs the last one again.
     *
     * @param capture the program's errno capture area, sliced once before the fork so that
     *                the child allocates nothing
     */
    static long forkAndRun(MemorySegment p, MemorySegment capture) {
        int limit = (int) p.get(ValueLayout.JAVA_LONG, LIMIT);
        long escapeAt = p.get(ValueLayout.JAVA_LONG, ESCAPE_AT);
        long last = p.get(ValueLayout.JAVA_LONG, ROW_COUNT) - 1;
        long next = 0;
        boolean skipping = false;
        for (int n = 0; n < limit; n++) {
            long row = Math.min(n == escapeAt ? p.get(ValueLayout.JAVA_LONG, ESCAPE_ROW) : next, last);
            next = row + 1;
            long base = ROWS + row * ROW_SIZE;
            long control = p.get(ValueLayout.JAVA_LONG, base + 56);
            if (skipping == ((control & ChildProgram.TAIL) == 0)) {
                continue; // steps after a failure, or the tail when nothing failed
            }
            long value;
            try {
                value = (long) SYSCALL.invokeExact(capture, p.get(ValueLayout.JAVA_LONG, base),
                        p.get(ValueLayout.JAVA_LONG, base + 8) + p.get(ValueLayout.JAVA_LONG, SLOTS + ((control >>> 13) & 0x7f8)),
                        p.get(ValueLayout.JAVA_LONG, base + 16) + p.get(ValueLayout.JAVA_LONG, SLOTS + ((control >>> 21) & 0x7f8)),
                        p.get(ValueLayout.JAVA_LONG, base + 24), p.get(ValueLayout.JAVA_LONG, base + 32),
                        p.get(ValueLayout.JAVA_LONG, base + 40), p.get(ValueLayout.JAVA_LONG, base + 48));
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            if ((control & ChildProgram.FORK) != 0 && value != 0) {
                return value; // the parent (or a failed fork)
            }
            if ((control & (ChildProgram.TAIL | ChildProgram.IGNORE_FAILURE)) == 0
                    && (value == -1 || (value == 0 && (control & ChildProgram.ZERO_IS_FAILURE) != 0))) {
                p.set(ValueLayout.JAVA_INT, REPORT, (int) row - 1);
                p.set(ValueLayout.JAVA_INT, REPORT + 4,
                        value == -1 ? capture.get(ValueLayout.JAVA_INT, ERRNO_IN_CAPTURE) : EPIPE);
                skipping = true;
            } else {
                p.set(ValueLayout.JAVA_LONG, SLOTS + ((control >>> 5) & 0x7f8), value);
                boolean equal = p.get(ValueLayout.JAVA_LONG, SLOTS + ((control >>> 29) & 0x7f8))
                        == p.get(ValueLayout.JAVA_LONG, base + 64);
                if (equal != ((control & ChildProgram.NEGATE) != 0)) {
                    next = p.get(ValueLayout.JAVA_LONG, base + 72);
                }
            }
        }
        return 0;
    }

    /**
     * Runs the interpreter on harmless programs until it is compiled: the fork point
     * returning non-zero (getpid) and zero (an empty close_range), steps that succeed with
     * zero and non-zero results, fail, are ignored, save a result and read slots in both
     * arguments, jumps taken and not taken (plain and negated), a loop left through the
     * escape, a failure followed by skipped steps, rows past the end, and the tail, whose
     * report goes to a non-blocking pipe nobody reads (once full, the write fails with
     * EAGAIN, which the tail ignores as it would in a real child) and whose "exit" is
     * getpid. Nothing here forks.
     */
    static void warmUp() {
        loadEverySegmentKind();
        try (Arena arena = Arena.ofConfined(); FileSyscalls.Pipe report = FileSyscalls.pipe2(true)) {
            MemorySegment parentSide = program(arena, report, Linux.SYS_getpid(), Failure.NONE, false);
            MemorySegment childSide = program(arena, report, Linux.SYS_close_range(), Failure.NONE, true);
            MemorySegment failing = program(arena, report, Linux.SYS_close_range(), Failure.ERRNO, true);
            MemorySegment endOfFile = program(arena, report, Linux.SYS_close_range(), Failure.ZERO, false);
            for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                forkAndRun(parentSide, capture(parentSide));
                forkAndRun(childSide, capture(childSide));
                forkAndRun(failing, capture(failing));
                forkAndRun(endOfFile, capture(endOfFile));
            }
        } catch (SyscallException e) {
            throw new IllegalStateException("cannot warm up the child interpreter: " + e.getMessage(), e);
        }
    }

    /**
     * Loads every implementation of MemorySegment and of arena sessions before the
     * interpreter is compiled. C2 compiles it assuming the classes it has seen are the only
     * ones (a class-hierarchy dependency); loading another one later, say the first heap
     * segment of some program, throws the compiled code away, and the next child would run
     * the interpreted version. Measured: the first MemorySegment.ofArray after warm-up did
     * exactly that.
     */
    private static void loadEverySegmentKind() {
        if (segmentKindsLoaded) {
            return;
        }
        MemorySegment.ofArray(new byte[1]);
        MemorySegment.ofArray(new char[1]);
        MemorySegment.ofArray(new short[1]);
        MemorySegment.ofArray(new int[1]);
        MemorySegment.ofArray(new long[1]);
        MemorySegment.ofArray(new float[1]);
        MemorySegment.ofArray(new double[1]);
        MemorySegment.ofBuffer(java.nio.ByteBuffer.allocate(1));
        Arena.ofAuto().allocate(1);
        Arena.global();
        try (Arena shared = Arena.ofShared()) {
            shared.allocate(1);
            java.nio.file.Path file = java.nio.file.Files.createTempFile("hako-warm-up", ".bin");
            try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(new byte[] {0}));
                channel.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, 1, shared);
            } finally {
                java.nio.file.Files.delete(file);
            }
        } catch (java.io.IOException e) {
            // Without a temporary file the mapped kind stays unloaded; the periodic check in
            // ensureWarm() still catches a deoptimisation it would cause.
        }
        segmentKindsLoaded = true;
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

    private static MemorySegment program(Arena arena, FileSyscalls.Pipe report, int forkNumber, Failure failure,
                                         boolean loop) {
        ChildProgram program = new ChildProgram(arena);
        int slot = program.newRegister();
        ChildProgram.Label top = new ChildProgram.Label();
        ChildProgram.Label end = new ChildProgram.Label();
        // close_range(~1, ~0, 0) touches no descriptor and returns 0.
        int high = 0xfffffffe;
        program.add(ProcessCalls.getpid()).saveIn(slot);
        program.add(ProcessCalls.getpid()).fromSlot(0, slot, null).fromSlot(1, slot, 1, null);
        program.add(FileCalls.close(-1)).ignoringFailure()
                .jumpIf(0, 0, false, end, null); // negated, not taken
        program.add(FileCalls.closeRange(high, high + 1, Set.of()));
        program.add(FileCalls.closeRange(high, high + 1, Set.of())).ignoringFailure().zeroIsFailure();
        program.bind(top);
        program.add(ProcessCalls.getppid()).jumpIf(slot, 0, true, end, null); // plain, not taken
        if (loop) {
            // Round and round (negated, taken) until the escape leaves for the end.
            program.add(ProcessCalls.getpid()).jumpIf(0, 1, false, top, null);
        }
        program.bind(end);
        switch (failure) {
            case ERRNO -> program.add(FileCalls.close(-1));
            case ZERO -> program.add(FileCalls.closeRange(high, high + 1, Set.of())).zeroIsFailure();
            case NONE -> { }
        }
        program.add(ProcessCalls.getppid());
        if (loop) {
            program.escapeTo(end);
        }
        // With a loop: a few rounds before the escape. Without: two rows past the end.
        program.limitIterations(program.size() + 3 + (loop ? 8 : 2));
        long forkArg = forkNumber == Linux.SYS_close_range() ? Integer.toUnsignedLong(high) : 0;
        return program.assemble(forkNumber, forkArg, forkArg + (forkArg == 0 ? 0 : 1), report.write().value(),
                Linux.SYS_write(), Linux.SYS_getpid());
    }
}
