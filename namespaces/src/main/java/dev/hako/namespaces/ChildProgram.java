package dev.hako.namespaces;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The child's side of a launch as data: a table of syscall steps in off-heap memory that
 * {@link ChildInterpreter} runs after clone3, plus every string, array and struct those
 * steps point to, all written before the fork.
 *
 * <p>Layout of the segment (all fields 8 bytes):
 * <pre>
 * header:    clone nr, clone_args address, clone_args size, step count, report fd,
 *            write nr, exit nr, exit status
 * report:    step index (int) and errno (int) written on failure
 * capture:   the errno capture area of the downcall
 * registers: results saved by steps for later steps' arguments
 * steps:     count x (nr, a1..a6, control)
 * data:      strings and structs the arguments point to
 * </pre>
 *
 * <p>The control word of a step: bit 0 ignore failure; bit 1 a zero result is a failure
 * (reported as EPIPE: a read that met end of file instead of the parent's go-ahead);
 * bits 4..7 register to store the result in, plus one (0 = none); bits 8..31, four bits
 * per argument: take that argument from register (value - 1) instead.
 */
final class ChildProgram {

    static final long CLONE_NR = 0;
    static final long CLONE_ARGS = 8;
    static final long CLONE_SIZE = 16;
    static final long STEP_COUNT = 24;
    static final long REPORT_FD = 32;
    static final long WRITE_NR = 40;
    static final long EXIT_NR = 48;
    static final long EXIT_STATUS = 56;
    static final long REPORT = 64;
    static final long CAPTURE = 72;
    static final long CAPTURE_SIZE = align8(Linker.Option.captureStateLayout().byteSize());
    static final int REGISTER_COUNT = 15;
    static final long REGISTERS = CAPTURE + CAPTURE_SIZE;
    static final long STEPS = REGISTERS + REGISTER_COUNT * 8L;
    static final long STEP_SIZE = 64;

    static final long IGNORE_FAILURE = 1;
    static final long ZERO_IS_FAILURE = 2;

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
        long[] step = new long[8];
        step[0] = number;
        long control = flags | (saveRegister >= 0 ? (long) (saveRegister + 1) << 4 : 0);
        for (int i = 0; i < args.length; i++) {
            if (args[i].register >= 0) {
                control |= (long) (args[i].register + 1) << (8 + 4 * i);
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
     * Writes the header and step table.
     *
     * @param cloneNumber syscall number of the fork point (clone3, or a harmless call when warming)
     * @param cloneArgs   the clone_args struct
     * @param reportFd    the write end of the report pipe
     * @param writeNumber syscall number used to report a failure
     * @param exitNumber  syscall number that ends the child (exit_group)
     */
    MemorySegment assemble(int cloneNumber, MemorySegment cloneArgs, int reportFd, int writeNumber, int exitNumber) {
        MemorySegment program = arena.allocate(STEPS + STEP_SIZE * steps.size(), 8);
        program.set(ValueLayout.JAVA_LONG, CLONE_NR, cloneNumber);
        program.set(ValueLayout.JAVA_LONG, CLONE_ARGS, cloneArgs.address());
        program.set(ValueLayout.JAVA_LONG, CLONE_SIZE, cloneArgs.byteSize());
        program.set(ValueLayout.JAVA_LONG, STEP_COUNT, steps.size());
        program.set(ValueLayout.JAVA_LONG, REPORT_FD, reportFd);
        program.set(ValueLayout.JAVA_LONG, WRITE_NR, writeNumber);
        program.set(ValueLayout.JAVA_LONG, EXIT_NR, exitNumber);
        program.set(ValueLayout.JAVA_LONG, EXIT_STATUS, 127);
        for (int i = 0; i < steps.size(); i++) {
            MemorySegment.copy(steps.get(i), 0, program, ValueLayout.JAVA_LONG, STEPS + i * STEP_SIZE, 8);
        }
        return program;
    }

    private static long align8(long size) {
        return (size + 7) & ~7L;
    }
}
