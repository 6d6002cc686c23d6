package dev.hako.namespaces.seccomp;

import java.util.List;

/**
 * A classic BPF interpreter for seccomp filters, written for the tests from the rules in the
 * kernel's filter documentation: 32-bit accumulator, loads from {@code struct seccomp_data}
 * (64 bytes, little-endian), forward jumps only, a program ends in {@code ret}. It checks
 * what the kernel's verifier would refuse (a jump out of the program, running off its end,
 * an opcode a seccomp filter may not use) and counts the instructions it runs.
 *
 * <p>{@link #constantAllow} mirrors the kernel's seccomp action cache (Linux 5.11): it runs
 * the filter knowing only {@code nr} and {@code arch}, and says whether the result is ALLOW
 * without the arguments or the instruction pointer ever being read.
 */
public final class CbpfInterpreter {

    /** The outcome of one run: the filter's return value and how many instructions ran. */
    public record Run(int action, int executed) {
    }

    private CbpfInterpreter() {
    }

    /** Runs {@code program} for a syscall. */
    public static Run run(List<Bpf> program, int nr, int arch, long... args) {
        if (args.length > 6) {
            throw new IllegalArgumentException("six arguments at most");
        }
        long[] all = new long[6];
        System.arraycopy(args, 0, all, 0, args.length);
        int a = 0;
        int executed = 0;
        int pc = 0;
        while (true) {
            if (pc >= program.size()) {
                throw new AssertionError("ran off the end of the program at " + pc);
            }
            Bpf insn = program.get(pc);
            executed++;
            int next = pc + 1;
            if (insn.code() == Bpf.LD_ABS) {
                a = word(insn.k(), nr, arch, all);
            } else if (insn.code() == Bpf.AND) {
                a &= insn.k();
            } else if (insn.code() == Bpf.JA) {
                next = pc + 1 + insn.k();
            } else if (insn.conditional()) {
                checkOffset(insn.jt());
                checkOffset(insn.jf());
                boolean holds = switch (insn.code()) {
                    case 0x15 -> a == insn.k();                                   // jeq
                    case 0x25 -> Integer.compareUnsigned(a, insn.k()) > 0;        // jgt
                    case 0x35 -> Integer.compareUnsigned(a, insn.k()) >= 0;       // jge
                    case 0x45 -> (a & insn.k()) != 0;                             // jset
                    default -> throw new AssertionError("opcode " + insn.code());
                };
                next = pc + 1 + (holds ? insn.jt() : insn.jf());
            } else if (insn.code() == Bpf.RET) {
                return new Run(insn.k(), executed);
            } else {
                throw new AssertionError("opcode 0x" + Integer.toHexString(insn.code()) + " at " + pc
                        + " is not one this interpreter (or the compiler) uses");
            }
            if (next >= program.size()) {
                throw new AssertionError("jump out of the program at " + pc);
            }
            pc = next;
        }
    }

    /**
     * Whether the kernel's action cache would find syscall {@code nr} always allowed: the run
     * reaches {@code ret ALLOW} through loads of nr and arch, constant jumps and ANDs only.
     */
    public static boolean constantAllow(List<Bpf> program, int nr, int arch, int allow) {
        int a = 0;
        for (int pc = 0; pc < program.size(); pc++) {
            Bpf insn = program.get(pc);
            if (insn.code() == Bpf.LD_ABS) {
                if (insn.k() == Bpf.NR) {
                    a = nr;
                } else if (insn.k() == Bpf.ARCH) {
                    a = arch;
                } else {
                    return false; // reads an argument or the instruction pointer
                }
            } else if (insn.code() == Bpf.RET) {
                return insn.k() == allow;
            } else if (insn.code() == Bpf.JA) {
                pc += insn.k();
            } else if (insn.conditional()) {
                boolean holds = switch (insn.code()) {
                    case 0x15 -> a == insn.k();
                    case 0x25 -> Integer.compareUnsigned(a, insn.k()) > 0;
                    case 0x35 -> Integer.compareUnsigned(a, insn.k()) >= 0;
                    default -> (a & insn.k()) != 0;
                };
                pc += holds ? insn.jt() : insn.jf();
            } else if (insn.code() == Bpf.AND) {
                a &= insn.k();
            } else {
                return false;
            }
        }
        return false;
    }

    private static void checkOffset(int offset) {
        if (offset < 0 || offset > 255) {
            throw new AssertionError("conditional jump offset " + offset + " does not fit in 8 bits");
        }
    }

    /** The 32-bit word at {@code offset} of seccomp_data. */
    private static int word(int offset, int nr, int arch, long[] args) {
        if (offset == Bpf.NR) {
            return nr;
        }
        if (offset == Bpf.ARCH) {
            return arch;
        }
        if (offset >= Bpf.ARGS && offset < Bpf.ARGS + 48 && offset % 4 == 0) {
            long arg = args[(offset - Bpf.ARGS) / 8];
            return (offset - Bpf.ARGS) % 8 == 0 ? (int) arg : (int) (arg >>> 32);
        }
        throw new AssertionError("load from seccomp_data offset " + offset);
    }
}
