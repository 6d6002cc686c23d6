package dev.hako.namespaces;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The child's side of a launch as data: a table of syscall rows in off-heap memory that
 * {@link ChildInterpreter} runs, plus every string, array and struct those rows point to,
 * all written before the fork.
 *
 * <p>Layout of the segment (all fields 8 bytes):
 * <pre>
 * header:    row count
 * report:    step index (int) and errno (int), written on failure
 * capture:   the errno capture area of the downcall
 * registers: results saved by steps for later steps
 * rows:      count x (nr, a1..a6, control):
 *              row 0          the fork point (clone3)
 *              rows 1..n      the steps, ending with execve
 *              rows n+1, n+2  the tail: write the report, exit_group(127)
 * data:      strings and structs the arguments point to
 * </pre>
 *
 * <p>The control word of a row: bit 0 ignore failure; bit 1 a zero result is a failure
 * (reported as EPIPE: a read that met end of file instead of the parent's go-ahead);
 * bit 2 the fork point; bit 3 a tail row (runs only once a step failed, result ignored);
 * bits 4..7 register to store the result in, plus one (0 = none); bits 8..11 register to
 * take the first argument from, plus one (0 = none).
 */
final class ChildProgram {

    static final long ROW_COUNT = 0;
    static final long REPORT = 8;
    static final long CAPTURE = 16;
    static final long CAPTURE_SIZE = align8(Linker.Option.captureStateLayout().byteSize());
    static final int REGISTER_COUNT = 15;
    static final long REGISTERS = CAPTURE + CAPTURE_SIZE;
    static final long ROWS = REGISTERS + REGISTER_COUNT * 8L;
    static final long ROW_SIZE = 64;

    static final long IGNORE_FAILURE = 1;
    static final long ZERO_IS_FAILURE = 2;
    static final long FORK = 4;
    static final long TAIL = 8;
    static final int MAX_STEPS = 900;

    /** One step as the plan shows it and as a failure names it. */
    record Step(String syscall, String arguments) {
        String describe() {
            return syscall + "(" + arguments + ")";
        }
    }

    /** Arguments of a step: a value, or a register written by an earlier step. */
    static final class Arg {
        final long value;
        final int register;

        private Arg(long value, int register) {
            this.value = value;
            this.register = register;
        }

        static Arg of(long value) {
            return new Arg(value, -1);
        }

        static Arg register(int register) {
            if (register < 0 || register >= REGISTER_COUNT) {
                throw new IllegalArgumentException("register " + register);
            }
            return new Arg(0, register);
        }
    }

    private final Arena arena;
    private final List<long[]> steps = new ArrayList<>();
    private final List<Step> descriptions = new ArrayList<>();
    private final List<MemorySegment> data = new ArrayList<>();
    private int nextRegister;

    ChildProgram(Arena arena) {
        this.arena = arena;
    }

    /** Allocates a register for a step's result. */
    int newRegister() {
        if (nextRegister == REGISTER_COUNT) {
            throw new IllegalStateException("the child program needs more than " + REGISTER_COUNT + " registers");
        }
        return nextRegister++;
    }

    /** Adds a syscall step with plain arguments. */
    ChildProgram step(Step description, int number, long... args) {
        Arg[] wrapped = new Arg[args.length];
        for (int i = 0; i < args.length; i++) {
            wrapped[i] = Arg.of(args[i]);
        }
        return stepWith(description, number, 0, -1, wrapped);
    }

    /**
     * Adds a step.
     *
     * @param flags        {@link #IGNORE_FAILURE} and/or {@link #ZERO_IS_FAILURE}
     * @param saveRegister register to save the result in, or -1
     */
    ChildProgram stepWith(Step description, int number, long flags, int saveRegister, Arg... args) {
        if (args.length > 6) {
            throw new IllegalArgumentException("a syscall takes at most six arguments");
        }
        if (steps.size() >= MAX_STEPS) {
            // C2 strip-mines counted loops with a safepoint poll every 1000 iterations; the
            // child must never reach one, so its loop stays well below that.
            throw new IllegalStateException("a child program has at most " + MAX_STEPS + " steps");
        }
        long[] step = new long[8];
        step[0] = number;
        long control = flags | (saveRegister >= 0 ? (long) (saveRegister + 1) << 4 : 0);
        for (int i = 0; i < args.length; i++) {
            if (args[i].register >= 0) {
                if (i != 0) {
                    throw new IllegalArgumentException("only the first argument can come from a register");
                }
                control |= (long) (args[i].register + 1) << 8;
            } else {
                step[1 + i] = args[i].value;
            }
        }
        step[7] = control;
        steps.add(step);
        descriptions.add(description);
        return this;
    }

    /** The steps as the plan describes them, in order. */
    List<Step> descriptions() {
        return List.copyOf(descriptions);
    }

    int size() {
        return steps.size();
    }

    /** Copies a C string into memory that lives as long as the program; returns its address. */
    long string(String value) {
        MemorySegment segment = arena.allocateFrom(value, StandardCharsets.UTF_8);
        data.add(segment);
        return segment.address();
    }

    /** A NULL-terminated array of C strings (argv, envp); returns its address. */
    long stringArray(List<String> values) {
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ValueLayout.JAVA_LONG, i, string(values.get(i)));
        }
        data.add(array);
        return array.address();
    }

    /** Zeroed memory for a struct a step points to. */
    MemorySegment allocate(long size) {
        MemorySegment segment = arena.allocate(Math.max(8, size), 8);
        data.add(segment);
        return segment;
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
        writeRow(program, 0, new long[] {forkNumber, forkArg1, forkArg2, 0, 0, 0, 0, FORK});
        for (int i = 0; i < steps.size(); i++) {
            writeRow(program, i + 1, steps.get(i));
        }
        writeRow(program, rows - 2, new long[] {writeNumber, reportFd, program.address() + REPORT, 8, 0, 0, 0, TAIL});
        writeRow(program, rows - 1, new long[] {exitNumber, 127, 0, 0, 0, 0, 0, TAIL});
        return program;
    }

    private static void writeRow(MemorySegment program, long row, long[] values) {
        MemorySegment.copy(values, 0, program, ValueLayout.JAVA_LONG, ROWS + row * ROW_SIZE, 8);
    }

    private static long align8(long size) {
        return (size + 7) & ~7L;
    }
}
