package dev.hako.namespaces.seccomp;

import dev.hako.bindings.Linux;

/**
 * The classic BPF that seccomp filters are written in: one instruction, the few opcodes a
 * filter uses, and where {@code struct seccomp_data} keeps its fields. Opcode values come
 * from the generated bindings ({@code <linux/bpf_common.h>}).
 *
 * @param code the opcode
 * @param jt   for a conditional jump, how many instructions to skip when it holds (0..255)
 * @param jf   ... and when it does not
 * @param k    the constant operand (a jump's distance for {@code ja})
 * @see <a href="https://docs.kernel.org/userspace-api/seccomp_filter.html">Seccomp BPF</a>
 * @see <a href="https://docs.kernel.org/networking/filter.html">Linux Socket Filtering (classic BPF)</a>
 */
public record Bpf(int code, int jt, int jf, int k) {

    /** A = 32-bit word at offset k of seccomp_data. */
    public static final int LD_ABS = Linux.BPF_LD() | Linux.BPF_W() | Linux.BPF_ABS();
    /** {@code A &= k}. */
    public static final int AND = Linux.BPF_ALU() | Linux.BPF_AND() | Linux.BPF_K();
    /** pc += k (32 bits: the only way to jump more than 255 instructions). */
    public static final int JA = Linux.BPF_JMP() | Linux.BPF_JA();
    /** pc += (A == k) ? jt : jf. */
    public static final int JEQ = Linux.BPF_JMP() | Linux.BPF_JEQ() | Linux.BPF_K();
    /** pc += (A > k, unsigned) ? jt : jf. */
    public static final int JGT = Linux.BPF_JMP() | Linux.BPF_JGT() | Linux.BPF_K();
    /** pc += (A >= k, unsigned) ? jt : jf. */
    public static final int JGE = Linux.BPF_JMP() | Linux.BPF_JGE() | Linux.BPF_K();
    /** {@code pc += (A & k) != 0 ? jt : jf}. */
    public static final int JSET = Linux.BPF_JMP() | Linux.BPF_JSET() | Linux.BPF_K();
    /** Return k: the seccomp action. */
    public static final int RET = Linux.BPF_RET() | Linux.BPF_K();
    /** The kernel's bound on a program's length. */
    public static final int MAX_INSTRUCTIONS = Linux.BPF_MAXINSNS();
    /** The farthest a conditional jump reaches: jt and jf are 8-bit. */
    public static final int MAX_CONDITIONAL_JUMP = 255;

    /** Offset of {@code seccomp_data.nr}, the syscall number. */
    public static final int NR = 0;
    /** Offset of {@code seccomp_data.arch}, the AUDIT_ARCH_* value. */
    public static final int ARCH = 4;
    /** Offset of {@code seccomp_data.args[0]}; each argument is 8 bytes, little-endian on both architectures. */
    public static final int ARGS = 16;

    /** Offset of the low 32 bits of argument {@code index}. */
    public static int argLow(int index) {
        return ARGS + 8 * index;
    }

    /** Offset of the high 32 bits of argument {@code index}. */
    public static int argHigh(int index) {
        return ARGS + 8 * index + 4;
    }

    /** Whether this is a conditional jump (jt/jf matter). */
    public boolean conditional() {
        return code == JEQ || code == JGT || code == JGE || code == JSET;
    }
}
