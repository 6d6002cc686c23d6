package dev.hako.cgroupfs;

import dev.hako.bindings.Linux;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small eBPF assembler: appends instructions, lets jumps name a {@link Label} bound later,
 * and resolves every label to a 16-bit offset relative to the instruction after the jump.
 *
 * <p>It knows the instructions a cgroup device program needs (32- and 64-bit ALU with an
 * immediate or a register, 32-bit loads from the context, conditional jumps against an
 * immediate, {@code ja}, {@code exit}); the opcode bits come from {@code <linux/bpf.h>}
 * through the generated bindings. A comment can be attached to the next instruction for
 * the listing.
 */
final class EbpfAssembler {
    /** The eleven registers: r0 result, r1 to r5 arguments (r1 the context), r6 to r9 callee-saved, r10 frame pointer. */
    enum Reg {
        R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10;

        int number() {
            return ordinal();
        }
    }

    /** A jump target; bound to the position of the next instruction by {@link #bind}. */
    static final class Label {
        private final String name;

        Label(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final List<EbpfInstruction> instructions = new ArrayList<>();
    private final Map<Integer, Label> jumps = new HashMap<>();
    private final Map<Label, Integer> bound = new HashMap<>();
    private final Map<Integer, String> comments = new HashMap<>();
    private String pendingComment;

    /** Attaches a comment to the next instruction emitted (joined with "; " if there is one already). */
    EbpfAssembler comment(String text) {
        pendingComment = pendingComment == null ? text : pendingComment + "; " + text;
        return this;
    }

    /** Binds a label to the next instruction's index. */
    EbpfAssembler bind(Label label) {
        if (bound.putIfAbsent(label, instructions.size()) != null) {
            throw new IllegalStateException("label " + label + " is bound twice");
        }
        return this;
    }

    /** {@code dst = *(u32 *)(src + offset)}. */
    EbpfAssembler loadWord(Reg dst, Reg src, int offset) {
        return emit(new EbpfInstruction(Linux.BPF_LDX() | Linux.BPF_W() | Linux.BPF_MEM(), dst.number(), src.number(),
                offset16(offset), 0));
    }

    /** 32-bit ALU with an immediate, e.g. {@code w3 &= 0xffff}; the upper half of dst becomes 0. */
    EbpfAssembler alu32(int operation, Reg dst, int imm) {
        return emit(new EbpfInstruction(Linux.BPF_ALU() | operation | Linux.BPF_K(), dst.number(), 0, (short) 0, imm));
    }

    /** 32-bit ALU with a register, e.g. {@code w3 = w2}. */
    EbpfAssembler alu32(int operation, Reg dst, Reg src) {
        return emit(new EbpfInstruction(Linux.BPF_ALU() | operation | Linux.BPF_X(), dst.number(), src.number(),
                (short) 0, 0));
    }

    /** 64-bit ALU with an immediate (sign-extended to 64 bits), e.g. {@code r0 = 1}. */
    EbpfAssembler alu64(int operation, Reg dst, int imm) {
        return emit(new EbpfInstruction(Linux.BPF_ALU64() | operation | Linux.BPF_K(), dst.number(), 0, (short) 0, imm));
    }

    /** {@code if dst OP imm goto label}, comparing all 64 bits with the sign-extended immediate. */
    EbpfAssembler jump(int operation, Reg dst, int imm, Label target) {
        jumps.put(instructions.size(), target);
        return emit(new EbpfInstruction(Linux.BPF_JMP() | operation | Linux.BPF_K(), dst.number(), 0, (short) 0, imm));
    }

    /** {@code goto label}. */
    EbpfAssembler jumpAlways(Label target) {
        jumps.put(instructions.size(), target);
        return emit(new EbpfInstruction(Linux.BPF_JMP() | Linux.BPF_JA(), 0, 0, (short) 0, 0));
    }

    /** {@code exit}: returns r0. */
    EbpfAssembler exit() {
        return emit(new EbpfInstruction(Linux.BPF_JMP() | Linux.BPF_EXIT(), 0, 0, (short) 0, 0));
    }

    private EbpfAssembler emit(EbpfInstruction instruction) {
        if (pendingComment != null) {
            comments.put(instructions.size(), pendingComment);
            pendingComment = null;
        }
        instructions.add(instruction);
        return this;
    }

    private static short offset16(int offset) {
        if (offset < Short.MIN_VALUE || offset > Short.MAX_VALUE) {
            throw new IllegalArgumentException("eBPF memory offset " + offset + " does not fit 16 bits");
        }
        return (short) offset;
    }

    /**
     * Resolves every jump to its label and returns the program.
     *
     * @throws IllegalStateException if a label is not bound, a jump is out of 16-bit range,
     *     or the program is empty or does not end in exit or an unconditional jump
     */
    EbpfProgram assemble() {
        if (instructions.isEmpty()) {
            throw new IllegalStateException("an eBPF program needs at least one instruction");
        }
        List<EbpfInstruction> out = new ArrayList<>(instructions);
        for (Map.Entry<Integer, Label> jump : jumps.entrySet()) {
            int at = jump.getKey();
            Integer target = bound.get(jump.getValue());
            if (target == null) {
                throw new IllegalStateException("jump at " + at + " to label " + jump.getValue() + ", which is never bound");
            }
            if (target >= out.size()) {
                throw new IllegalStateException("label " + jump.getValue() + " is bound past the last instruction");
            }
            int offset = target - (at + 1);
            if (offset < Short.MIN_VALUE || offset > Short.MAX_VALUE) {
                throw new IllegalStateException("jump at " + at + " to " + target + " is out of 16-bit range");
            }
            EbpfInstruction j = out.get(at);
            out.set(at, new EbpfInstruction(j.opcode(), j.dst(), j.src(), (short) offset, j.imm()));
        }
        EbpfInstruction last = out.getLast();
        if (last.opcode() != (Linux.BPF_JMP() | Linux.BPF_EXIT()) && last.opcode() != (Linux.BPF_JMP() | Linux.BPF_JA())) {
            throw new IllegalStateException("an eBPF program must end in exit or goto, not " + last);
        }
        return new EbpfProgram(out, comments);
    }
}
