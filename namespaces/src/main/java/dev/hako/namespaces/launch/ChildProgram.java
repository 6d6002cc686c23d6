package dev.hako.namespaces.launch;

import dev.hako.syscalls.calls.Call;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The child's side of a launch as data: a table of syscall rows in off-heap memory that
 * {@link ChildInterpreter} runs, plus every string, array and struct those rows point to,
 * all written before the fork.
 *
 * <p>Each step is a {@link Call} from the encoders of {@code dev.hako.syscalls.calls}, the
 * same encoding the typed wrappers run, with what only a child program has: a result
 * saved in a slot, an argument taken from one, failures ignored, jumps.
 *
 * <p>Layout of the segment (all fields 8 bytes):
 * <pre>
 * header:    row count, iteration limit, escape iteration, escape row
 * report:    step index (int) and errno (int), written on failure
 * capture:   the errno capture area of the downcall
 * slots:     slot 0 always zero, slot 1 scratch, then results saved by steps and
 *            buffers the kernel fills (a waitid siginfo) that later steps read
 * rows:      count x (nr, a1..a6, control, compare value, jump target):
 *              row 0          the fork point (clone3)
 *              rows 1..n      the steps
 *              rows n+1, n+2  the tail: write the report, exit_group(127)
 * data:      strings and structs the arguments point to
 * </pre>
 *
 * <p>The control word of a row: bit 0 ignore failure; bit 1 a zero result is a failure
 * (reported as EPIPE: a read that met end of file instead of the parent's go-ahead);
 * bit 2 the fork point; bit 3 a tail row (runs only once a step failed, result ignored);
 * bit 4 negate the jump condition; bits 8..15 the slot the result is saved in; bits 16..23
 * and 24..31 the slots added to the first and second argument; bits 32..39 the slot the
 * jump compares. After a step that did not fail, the interpreter continues at the jump
 * target if that slot equals the compare value (or differs, when negated), else at the
 * next row. An ordinary row saves to the scratch slot, adds slot 0, and "jumps" to the
 * next row.
 *
 * <p>Loops are allowed, but the interpreter runs at most {@link #ITERATION_LIMIT} rows in
 * all: its loop must stay a short counted loop (see {@link ChildInterpreter}). A program
 * with a loop names an escape label; when only enough iterations are left to run from
 * that label to the end, the interpreter continues there, whatever it was doing.
 */
public final class ChildProgram {

    static final long ROW_COUNT = 0;
    static final long LIMIT = 8;
    static final long ESCAPE_AT = 16;
    static final long ESCAPE_ROW = 24;
    static final long REPORT = 32;
    static final long CAPTURE = 40;
    static final long CAPTURE_SIZE = align8(Linker.Option.captureStateLayout().byteSize());
    static final int SLOT_COUNT = 64;
    static final long SLOTS = CAPTURE + CAPTURE_SIZE;
    static final long ROWS = SLOTS + SLOT_COUNT * 8L;
    static final long ROW_SIZE = 80;

    static final long IGNORE_FAILURE = 1;
    static final long ZERO_IS_FAILURE = 2;
    static final long FORK = 4;
    static final long TAIL = 8;
    static final long NEGATE = 16;
    static final int SCRATCH = 1;
    static final int MAX_STEPS = 900;
    /**
     * Rows the interpreter runs at most: fewer than the iterations after which C2's code
     * for its loop would reach a safepoint poll (see {@link LoopPolls}), 960 by default.
     */
    static final int ITERATION_LIMIT = LoopPolls.ITERATION_LIMIT;

    /**
     * One step as the plan shows it and as a failure names it.
     *
     * @param after what the plan prints after the call: where it jumps, a remark
     */
    public record Step(String syscall, String arguments, String after) {
        /** A step with nothing printed after the call. */
        public Step(String syscall, String arguments) {
            this(syscall, arguments, "");
        }

        String describe() {
            return syscall + "(" + arguments + ")" + after;
        }

        Step plus(String text) {
            return new Step(syscall, arguments, after + text);
        }
    }

    /** A row position, bound once; jumps may refer to it before that. */
    static final class Label {
        private int step = -1;

        boolean bound() {
            return step >= 0;
        }
    }

    private record Jump(int step, int slot, long value, boolean negate, Label target, String condition) {
    }

    private record SlotAddress(int step, int argument, int slot) {
    }

    private final Arena arena;
    private final List<long[]> steps = new ArrayList<>();
    private final List<Step> descriptions = new ArrayList<>();
    /** The encoded call of each step, so that an argument filled in from a slot can be renamed. */
    private final List<Call> calls = new ArrayList<>();
    private final List<Jump> jumps = new ArrayList<>();
    private final List<SlotAddress> slotAddresses = new ArrayList<>();
    private int nextSlot = SCRATCH + 1;
    private Label escape;
    /** The fork step of a hand-off and the label of the forking child's rows after it (-1, null: none). */
    private int handOffFork = -1;
    private Label handOverRows;
    private int iterationLimit = ITERATION_LIMIT;

    /** An empty program whose memory (rows, strings, structs) is allocated in {@code arena}. */
    public ChildProgram(Arena arena) {
        this.arena = arena;
    }

    /** Allocates a slot for a step's result. */
    int newRegister() {
        return newSlots(1);
    }

    /** Allocates {@code count} consecutive slots (a buffer of {@code 8 * count} bytes); returns the first. */
    int newSlots(int count) {
        if (nextSlot + count > SLOT_COUNT) {
            throw new IllegalStateException("the child program needs more than " + SLOT_COUNT + " slots");
        }
        int first = nextSlot;
        nextSlot += count;
        return first;
    }

    /** The memory the program's strings and structs live in: hand it to the encoders. */
    public SegmentAllocator memory() {
        return arena;
    }

    /**
     * Adds a step that makes an encoded call (built with {@link #memory()}). The modifiers
     * below ({@link #saveIn}, {@link #fromSlot}, {@link #ignoringFailure}...) change the
     * step added last.
     */
    public ChildProgram add(Call call) {
        if (steps.size() >= Math.min(MAX_STEPS, ITERATION_LIMIT - 3)) {
            throw new IllegalStateException("a child program has at most " + Math.min(MAX_STEPS, ITERATION_LIMIT - 3)
                    + " steps" + (ITERATION_LIMIT < LoopPolls.DEFAULT_LIMIT ? " with this JVM's -XX:LoopStripMiningIter"
                    + " (the child's loop must end before C2's first safepoint poll)" : ""));
        }
        long[] step = new long[10];
        step[0] = call.number();
        System.arraycopy(call.words(), 0, step, 1, 6);
        step[7] = (long) SCRATCH << 8;
        steps.add(step);
        calls.add(call);
        descriptions.add(new Step(call.name(), call.arguments()));
        return this;
    }

    /** The last step saves its result in {@code slot} (else in the scratch slot). */
    ChildProgram saveIn(int slot) {
        checkSlot(slot);
        long[] step = last();
        step[7] = (step[7] & ~(0xffL << 8)) | (long) slot << 8;
        return this;
    }

    /**
     * Argument {@code argument} (0 or 1) of the last step is the value in {@code slot}, read
     * when the step runs, which the plan shows as {@code shown} (null: as encoded).
     */
    ChildProgram fromSlot(int argument, int slot, String shown) {
        return fromSlot(argument, slot, 0, shown);
    }

    /** As {@link #fromSlot(int, int, String)}, plus {@code plus}. */
    ChildProgram fromSlot(int argument, int slot, long plus, String shown) {
        checkSlot(slot);
        if (argument < 0 || argument > 1) {
            throw new IllegalArgumentException("only the first two arguments can come from a slot");
        }
        long[] step = last();
        step[1 + argument] = plus;
        step[7] |= (long) slot << (16 + 8 * argument);
        return show(argument, shown);
    }

    /**
     * Argument {@code argument} of the last step is the address of {@code slot}, a buffer
     * the kernel fills (resolved at assembly), shown as {@code shown}.
     */
    ChildProgram slotAddress(int argument, int slot, String shown) {
        checkSlot(slot);
        slotAddresses.add(new SlotAddress(steps.size() - 1, argument, slot));
        return show(argument, shown);
    }

    /** A failure of the last step does not stop the child. */
    ChildProgram ignoringFailure() {
        last()[7] |= IGNORE_FAILURE;
        return this;
    }

    /** A zero result of the last step is a failure, reported as EPIPE (a read that met end of file). */
    ChildProgram zeroIsFailure() {
        last()[7] |= ZERO_IS_FAILURE;
        return this;
    }

    /** Adds a remark after the plan's line of the last step, such as {@code " = <root>"}. */
    ChildProgram then(String text) {
        return note(steps.size() - 1, text);
    }

    private ChildProgram show(int argument, String shown) {
        if (shown != null) {
            int index = steps.size() - 1;
            Call call = calls.get(index).showing(argument, shown);
            calls.set(index, call);
            Step step = descriptions.get(index);
            descriptions.set(index, new Step(call.name(), call.arguments(), step.after()));
        }
        return this;
    }

    private long[] last() {
        if (steps.isEmpty()) {
            throw new IllegalStateException("no step to change");
        }
        return steps.getLast();
    }

    /**
     * Makes the last step jump to {@code target} when {@code slot} holds {@code value}
     * (or, with {@code whenEqual} false, when it does not) after the step succeeded.
     *
     * @param condition the condition as the plan prints it, or null for an unconditional jump
     */
    ChildProgram jumpIf(int slot, long value, boolean whenEqual, Label target, String condition) {
        checkSlot(slot);
        if (steps.isEmpty()) {
            throw new IllegalStateException("a jump belongs to a step");
        }
        jumps.add(new Jump(steps.size() - 1, slot, value, !whenEqual, target, condition));
        return this;
    }

    /** Makes the last step jump to {@code target} always. */
    ChildProgram jump(Label target) {
        return jumpIf(0, 0, true, target, null);
    }

    /** Adds a remark to the plan's line of step {@code step}. */
    ChildProgram note(int step, String text) {
        descriptions.set(step, descriptions.get(step).plus(text));
        return this;
    }

    /** Binds {@code label} to the next step added. */
    ChildProgram bind(Label label) {
        if (label.bound()) {
            throw new IllegalStateException("label bound twice");
        }
        label.step = steps.size();
        return this;
    }

    /**
     * Where the interpreter goes when its iterations run low: the steps from {@code label}
     * to the end must finish the child. Needed by any program with a backward jump.
     */
    ChildProgram escapeTo(Label label) {
        this.escape = label;
        return this;
    }

    /**
     * Marks the last step as the fork of a hand-off whose forking child continues at
     * {@code handOver}: the steps between them run in the forked process.
     */
    ChildProgram handOffFork(Label handOver) {
        this.handOffFork = steps.size() - 1;
        this.handOverRows = handOver;
        return this;
    }

    /**
     * Whether step {@code step} runs in the process a hand-off forked (so its failure can
     * be reported before the forking child's report of that process's pid).
     */
    boolean runsAfterHandOff(int step) {
        return handOffFork >= 0 && step > handOffFork && step < stepOf(handOverRows);
    }

    /** The step index a bound label refers to, as the plan numbers steps. */
    static int stepOf(Label label) {
        if (!label.bound()) {
            throw new IllegalStateException("label not bound");
        }
        return label.step;
    }

    /**
     * How many times a loop can go round before the interpreter escapes, when the path into
     * it runs {@code stepsBefore} steps (forks' parents skip their children's steps) and a
     * round takes {@code stepsPerRound}.
     */
    int roundsBeforeEscape(int stepsBefore, int stepsPerRound) {
        return (int) ((escapeIteration(steps.size() + 3L) - (stepsBefore + 1)) / stepsPerRound);
    }

    /** Lowers the iteration limit (warm-up programs, which run to their end and stop). */
    ChildProgram limitIterations(int limit) {
        if (limit > ITERATION_LIMIT) {
            throw new IllegalArgumentException("limit " + limit);
        }
        this.iterationLimit = limit;
        return this;
    }

    /** The steps as the plan describes them, in order, with their jumps. */
    List<Step> descriptions() {
        List<Step> described = new ArrayList<>(descriptions);
        for (Jump jump : jumps) {
            String where = "  -> goto " + stepOf(jump.target()) + (jump.condition() == null ? "" : " if " + jump.condition());
            described.set(jump.step(), described.get(jump.step()).plus(where));
        }
        if (escape != null) {
            int step = stepOf(escape);
            described.set(step, described.get(step).plus("  (also reached when the loop has used its iterations)"));
        }
        return List.copyOf(described);
    }

    int size() {
        return steps.size();
    }

    /** Zeroed memory for a struct a step points to. */
    public MemorySegment allocate(long size) {
        return arena.allocate(Math.max(8, size), 8);
    }

    /**
     * Writes the row table: the fork point, the steps, and the tail that reports a failure
     * and ends the child.
     *
     * @param forkNumber  syscall number of the fork point (clone3, or a harmless call when warming)
     * @param forkArg1    its first argument (the clone_args address)
     * @param forkArg2    its second argument (the clone_args size)
     * @param reportFd    the write end of the report pipe
     * @param writeNumber syscall number that writes the report (write)
     * @param exitNumber  syscall number that ends the child (exit_group)
     */
    MemorySegment assemble(int forkNumber, long forkArg1, long forkArg2, int reportFd, int writeNumber,
                           int exitNumber) {
        long rows = steps.size() + 3L;
        MemorySegment program = arena.allocate(ROWS + ROW_SIZE * rows, 8);
        program.set(ValueLayout.JAVA_LONG, ROW_COUNT, rows);
        program.set(ValueLayout.JAVA_LONG, LIMIT, iterationLimit);
        program.set(ValueLayout.JAVA_LONG, ESCAPE_AT, escape == null ? -1 : escapeIteration(rows));
        program.set(ValueLayout.JAVA_LONG, ESCAPE_ROW, escape == null ? 0 : stepOf(escape) + 1L);
        long slots = program.address() + SLOTS;
        writeRow(program, 0, new long[] {forkNumber, forkArg1, forkArg2, 0, 0, 0, 0, FORK | SCRATCH << 8, 0, 1});
        for (int i = 0; i < steps.size(); i++) {
            long[] row = steps.get(i).clone();
            row[9] = i + 2L; // the next row
            writeRow(program, i + 1, row);
        }
        for (SlotAddress fix : slotAddresses) {
            program.set(ValueLayout.JAVA_LONG, ROWS + (fix.step() + 1) * ROW_SIZE + 8 * (1 + fix.argument()),
                    slots + 8L * fix.slot());
        }
        for (Jump jump : jumps) {
            long base = ROWS + (jump.step() + 1) * ROW_SIZE;
            long control = program.get(ValueLayout.JAVA_LONG, base + 56) | (long) jump.slot() << 32
                    | (jump.negate() ? NEGATE : 0);
            program.set(ValueLayout.JAVA_LONG, base + 56, control);
            program.set(ValueLayout.JAVA_LONG, base + 64, jump.value());
            program.set(ValueLayout.JAVA_LONG, base + 72, stepOf(jump.target()) + 1L);
        }
        writeRow(program, rows - 2, new long[] {writeNumber, reportFd, program.address() + REPORT, 8, 0, 0, 0,
                TAIL | SCRATCH << 8, 0, rows - 1});
        writeRow(program, rows - 1, new long[] {exitNumber, 127, 0, 0, 0, 0, 0, TAIL | SCRATCH << 8, 0, rows});
        return program;
    }

    /**
     * The iteration at which the interpreter leaves for the escape label: late enough that
     * every row from the label to the end still runs within the limit.
     */
    private long escapeIteration(long rows) {
        if (escape == null) {
            return iterationLimit;
        }
        return iterationLimit - (rows - (stepOf(escape) + 1L));
    }

    private static void writeRow(MemorySegment program, long row, long[] values) {
        MemorySegment.copy(values, 0, program, ValueLayout.JAVA_LONG, ROWS + row * ROW_SIZE, values.length);
    }

    private static void checkSlot(int slot) {
        if (slot < 0 || slot >= SLOT_COUNT) {
            throw new IllegalArgumentException("slot " + slot);
        }
    }

    private static long align8(long size) {
        return (size + 7) & ~7L;
    }
}
