package dev.hako.cgroupfs;

import dev.hako.bindings.Linux;
import dev.hako.bindings.bpf_insn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One eBPF instruction ({@code struct bpf_insn}): 8-bit opcode, 4-bit destination and
 * source registers, signed 16-bit offset, signed 32-bit immediate.
 *
 * <p>Only the forms {@link EbpfAssembler} emits are known to {@link #toString()}: 32- and
 * 64-bit ALU with an immediate or a register, memory loads, conditional and unconditional
 * jumps, exit. See the kernel's
 * <a href="https://docs.kernel.org/bpf/standardization/instruction-set.html">eBPF instruction set</a>.
 *
 * @param opcode class | operation | source (or size | mode for loads)
 * @param dst the destination register, 0 to 10
 * @param src the source register, 0 to 10
 * @param offset the jump offset (in instructions, from the next one) or the memory offset
 * @param imm the immediate
 */
record EbpfInstruction(int opcode, int dst, int src, short offset, int imm) {
    /** Size of one encoded instruction, from the kernel's struct. */
    static final int SIZE = (int) bpf_insn.sizeof();

    private static final int CLASS_MASK = 0x07;
    private static final int OP_MASK = 0xf0;
    private static final int SIZE_MASK = 0x18;
    private static final int MODE_MASK = 0xe0;

    EbpfInstruction {
        if (opcode < 0 || opcode > 0xff) {
            throw new IllegalArgumentException("opcode " + opcode + " is not a byte");
        }
        checkRegister(dst);
        checkRegister(src);
    }

    private static void checkRegister(int r) {
        if (r < 0 || r > Linux.BPF_REG_10()) {
            throw new IllegalArgumentException("eBPF has registers r0 to r10, not r" + r);
        }
    }

    /**
     * Writes the 8 bytes of this instruction at the buffer's position. The register byte
     * holds dst in its low and src in its high nibble, as C lays out the bit-fields on
     * little-endian machines (x86_64 and aarch64, the architectures Hako supports).
     */
    void encode(ByteBuffer out) {
        if (out.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("eBPF instructions are encoded little-endian here");
        }
        int base = out.position();
        out.put(base + (int) bpf_insn.code$offset(), (byte) opcode);
        out.put(base + 1, (byte) ((src << 4) | dst));
        out.putShort(base + (int) bpf_insn.off$offset(), offset);
        out.putInt(base + (int) bpf_insn.imm$offset(), imm);
        out.position(base + SIZE);
    }

    /** {@return whether this is a jump with a target (conditional or {@code ja}), not call or exit} */
    boolean isJump() {
        int cls = opcode & CLASS_MASK;
        int op = opcode & OP_MASK;
        return (cls == Linux.BPF_JMP() || cls == Linux.BPF_JMP32()) && op != Linux.BPF_CALL() && op != Linux.BPF_EXIT();
    }

    /** This instruction in the kernel verifier's notation, e.g. {@code if r3 != 0x2 goto pc+4}. */
    @Override
    public String toString() {
        return text(-1);
    }

    /**
     * This instruction as the verifier prints it; jumps also name their absolute target.
     *
     * @param index this instruction's index, or -1 to leave the target out
     */
    String text(int index) {
        int cls = opcode & CLASS_MASK;
        if (cls == Linux.BPF_ALU() || cls == Linux.BPF_ALU64()) {
            String r = cls == Linux.BPF_ALU() ? "w" : "r";
            boolean fromRegister = (opcode & Linux.BPF_X()) != 0;
            String operand = fromRegister ? r + src : immediate();
            String op = aluOperator(opcode & OP_MASK);
            return op == null ? unknown() : r + dst + " " + op + " " + operand;
        }
        if (cls == Linux.BPF_LDX() && (opcode & MODE_MASK) == Linux.BPF_MEM()) {
            return "r" + dst + " = *(" + sizeName(opcode & SIZE_MASK) + " *)(r" + src + " " + signed(offset) + ")";
        }
        if (cls == Linux.BPF_JMP() || cls == Linux.BPF_JMP32()) {
            int op = opcode & OP_MASK;
            if (op == Linux.BPF_EXIT()) {
                return "exit";
            }
            String target = "pc" + signed(offset) + (index >= 0 ? " <" + (index + 1 + offset) + ">" : "");
            if (op == Linux.BPF_JA()) {
                return "goto " + target;
            }
            String r = cls == Linux.BPF_JMP32() ? "w" : "r";
            String cmp = jumpOperator(op);
            String operand = (opcode & Linux.BPF_X()) != 0 ? r + src : immediate();
            return cmp == null ? unknown() : "if " + r + dst + " " + cmp + " " + operand + " goto " + target;
        }
        return unknown();
    }

    private String immediate() {
        int cls = opcode & CLASS_MASK;
        int op = opcode & OP_MASK;
        // Masks read best in hex; the same operation bits mean OR in ALU and JSET in JMP classes.
        boolean bits = cls == Linux.BPF_ALU() || cls == Linux.BPF_ALU64()
                ? op == Linux.BPF_AND() || op == Linux.BPF_OR() || op == Linux.BPF_XOR()
                : op == Linux.BPF_JSET();
        return bits ? "0x" + Integer.toHexString(imm) : Integer.toString(imm);
    }

    private String unknown() {
        return String.format("(code 0x%02x dst r%d src r%d off %d imm %d)", opcode, dst, src, offset, imm);
    }

    private static String signed(int value) {
        return value < 0 ? Integer.toString(value) : "+" + value;
    }

    private static String sizeName(int size) {
        if (size == Linux.BPF_W()) {
            return "u32";
        }
        if (size == Linux.BPF_H()) {
            return "u16";
        }
        if (size == Linux.BPF_B()) {
            return "u8";
        }
        return "u64";
    }

    private static String aluOperator(int op) {
        if (op == Linux.BPF_MOV()) {
            return "=";
        } else if (op == Linux.BPF_ADD()) {
            return "+=";
        } else if (op == Linux.BPF_SUB()) {
            return "-=";
        } else if (op == Linux.BPF_AND()) {
            return "&=";
        } else if (op == Linux.BPF_OR()) {
            return "|=";
        } else if (op == Linux.BPF_XOR()) {
            return "^=";
        } else if (op == Linux.BPF_LSH()) {
            return "<<=";
        } else if (op == Linux.BPF_RSH()) {
            return ">>=";
        }
        return null;
    }

    private static String jumpOperator(int op) {
        if (op == Linux.BPF_JEQ()) {
            return "==";
        } else if (op == Linux.BPF_JNE()) {
            return "!=";
        } else if (op == Linux.BPF_JGT()) {
            return ">";
        } else if (op == Linux.BPF_JGE()) {
            return ">=";
        } else if (op == Linux.BPF_JLT()) {
            return "<";
        } else if (op == Linux.BPF_JLE()) {
            return "<=";
        } else if (op == Linux.BPF_JSET()) {
            return "&";
        }
        return null;
    }
}
