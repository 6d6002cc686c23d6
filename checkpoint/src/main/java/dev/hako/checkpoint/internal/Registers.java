package dev.hako.checkpoint.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The x86_64 general registers as {@code PTRACE_GETREGSET NT_PRSTATUS} returns them
 * ({@code struct user_regs_struct} of {@code <sys/user.h>}: 27 unsigned longs). Kept here
 * rather than in the generated bindings because the struct differs per architecture and
 * the bindings' struct classes are architecture-neutral; {@code RegistersLayoutTest}
 * compares every offset with gcc.
 */
public final class Registers {

    /** Field names in the kernel's order; the offset of field i is 8 * i. */
    public static final List<String> FIELDS = List.of("r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9",
            "r8", "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base",
            "gs_base", "ds", "es", "fs", "gs");
    /** Size in bytes. */
    public static final int SIZE = 8 * 27;

    static final int R10 = 7;
    static final int R9 = 8;
    static final int R8 = 9;
    static final int RAX = 10;
    static final int RDX = 12;
    static final int RSI = 13;
    static final int RDI = 14;
    static final int ORIG_RAX = 15;
    static final int RIP = 16;
    static final int RSP = 19;

    private final long[] values;

    private Registers(long[] values) {
        this.values = values;
    }

    /** Registers from the raw regset bytes. */
    public static Registers of(byte[] raw) {
        if (raw.length != SIZE) {
            throw new IllegalArgumentException("NT_PRSTATUS is " + SIZE + " bytes on x86_64, not " + raw.length);
        }
        MemorySegment segment = MemorySegment.ofArray(raw);
        long[] values = new long[27];
        for (int i = 0; i < 27; i++) {
            values[i] = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, 8L * i);
        }
        return new Registers(values);
    }

    static Registers read(MemorySegment segment) {
        long[] values = new long[27];
        for (int i = 0; i < 27; i++) {
            values[i] = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, 8L * i);
        }
        return new Registers(values);
    }

    /** The raw regset bytes. */
    public byte[] toBytes() {
        byte[] raw = new byte[SIZE];
        MemorySegment segment = MemorySegment.ofArray(raw);
        for (int i = 0; i < 27; i++) {
            segment.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L * i, values[i]);
        }
        return raw;
    }

    MemorySegment toSegment(Arena arena) {
        MemorySegment segment = arena.allocate(SIZE, 8);
        for (int i = 0; i < 27; i++) {
            segment.set(ValueLayout.JAVA_LONG, 8L * i, values[i]);
        }
        return segment;
    }

    /** Register {@code index} (see {@link #FIELDS}). */
    public long get(int index) {
        return values[index];
    }

    /** Register by name. */
    public long get(String name) {
        return values[index(name)];
    }

    static int index(String name) {
        int i = FIELDS.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no register " + name);
        }
        return i;
    }

    Registers with(int index, long value) {
        long[] copy = values.clone();
        copy[index] = value;
        return new Registers(copy);
    }

    /**
     * The registers a task stopped inside an interrupted syscall must resume with, as the
     * kernel's signal delivery would leave them: a restartable call is re-executed (the
     * instruction pointer goes back over the 2-byte {@code syscall}, rax gets the number
     * back), a restart-block call (nanosleep, clock_nanosleep...) returns -EINTR, which
     * its C library wrapper handles; orig_rax = -1 so nothing restarts twice.
     */
    Registers restartFixup() {
        return restartFixup(false, false);
    }

    /**
     * As {@link #restartFixup()}, for a task that will take a signal into a handler as soon
     * as it runs (one was pending, unblocked and handled when it was dumped): the kernel
     * would end the call as its signal delivery does, -EINTR unless it is
     * ERESTARTNOINTR, or ERESTARTSYS and the handler has SA_RESTART. Restarting it instead
     * would run the handler first and then block in the call again (a pause() would then
     * never return).
     */
    Registers restartFixup(boolean intoHandler, boolean saRestart) {
        long[] copy = values.clone();
        long rax = copy[RAX];
        if (copy[ORIG_RAX] >= 0) {
            boolean restart = rax == -513 // ERESTARTNOINTR
                    || (!intoHandler && (rax == -512 || rax == -514)) // ERESTARTSYS, ERESTARTNOHAND
                    || (intoHandler && rax == -512 && saRestart);
            if (restart) {
                copy[RAX] = copy[ORIG_RAX];
                copy[RIP] -= 2;
            } else if (rax == -512 || rax == -514 || rax == -516) { // ..., ERESTART_RESTARTBLOCK
                copy[RAX] = -4; // -EINTR
            }
        }
        copy[ORIG_RAX] = -1;
        return new Registers(copy);
    }

    /** The registers of an injected call of syscall {@code number} at {@code gadget}. */
    Registers forCall(long gadget, long stack, long number, long... args) {
        long[] copy = values.clone();
        copy[RIP] = gadget;
        copy[RAX] = number;
        copy[ORIG_RAX] = -1;
        if (stack != 0) {
            copy[RSP] = stack;
        }
        int[] order = {RDI, RSI, RDX, R10, R8, R9};
        for (int i = 0; i < args.length; i++) {
            copy[order[i]] = args[i];
        }
        return new Registers(copy);
    }
}
