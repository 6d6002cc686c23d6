package dev.hako.namespaces.seccomp;

import dev.hako.bindings.Linux;
import dev.hako.bindings.SyscallTable;
import dev.hako.bindings.sock_filter;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * A compiled seccomp filter for one architecture: the instructions, their disassembly, and
 * the {@code struct sock_fprog} that seccomp(2) takes.
 *
 * @param table        the architecture's syscall table (for names in the disassembly)
 * @param instructions the program
 */
public record BpfProgram(SyscallTable table, List<Bpf> instructions) {

    /** Copies the instructions. */
    public BpfProgram {
        instructions = List.copyOf(instructions);
    }

    /** The number of instructions. */
    public int size() {
        return instructions.size();
    }

    /**
     * Writes the program into {@code instructions}, a {@code struct sock_filter} array of
     * {@link #size()} elements (the {@code struct sock_fprog} that points to it is the
     * seccomp call's encoding, {@code ProcessCalls.seccompSetModeFilter}).
     */
    public void marshal(MemorySegment instructions) {
        for (int i = 0; i < this.instructions.size(); i++) {
            Bpf insn = this.instructions.get(i);
            MemorySegment slot = sock_filter.asSlice(instructions, i);
            sock_filter.code(slot, (short) insn.code());
            sock_filter.jt(slot, (byte) insn.jt());
            sock_filter.jf(slot, (byte) insn.jf());
            sock_filter.k(slot, insn.k());
        }
    }

    /**
     * The program as text, one instruction a line: number, mnemonic, operand, jump targets
     * (absolute line numbers), and what the operand means (a field of seccomp_data, a
     * syscall name, an action).
     */
    public String disassemble() {
        String[] holds = accumulatorContents();
        StringBuilder out = new StringBuilder();
        for (int pc = 0; pc < instructions.size(); pc++) {
            Bpf insn = instructions.get(pc);
            String line;
            String note = "";
            if (insn.code() == Bpf.LD_ABS) {
                line = "ld   [" + insn.k() + "]";
                note = "A = " + field(insn.k());
            } else if (insn.code() == Bpf.AND) {
                line = "and  #0x" + Integer.toHexString(insn.k());
            } else if (insn.code() == Bpf.JA) {
                line = "ja   " + (pc + 1 + insn.k());
            } else if (insn.conditional()) {
                String op = insn.code() == Bpf.JEQ ? "jeq " : insn.code() == Bpf.JGT ? "jgt " : insn.code() == Bpf.JGE
                        ? "jge " : "jset";
                line = String.format("%s #0x%-9s jt %-4d jf %d", op, Integer.toHexString(insn.k()), pc + 1 + insn.jt(),
                        pc + 1 + insn.jf());
                String meaning = constantMeaning(holds[pc], insn.k());
                String symbol = insn.code() == Bpf.JEQ ? "==" : insn.code() == Bpf.JGT ? ">" : insn.code() == Bpf.JGE
                        ? ">=" : "&";
                note = meaning.isEmpty() ? "" : "A " + symbol + " " + meaning;
            } else if (insn.code() == Bpf.RET) {
                line = "ret  " + action(insn.k());
            } else {
                line = String.format("code 0x%02x jt %d jf %d k 0x%x", insn.code(), insn.jt(), insn.jf(), insn.k());
            }
            out.append(String.format("%4d  %-40s%s", pc, line, note.isEmpty() ? "" : "; " + note).stripTrailing())
                    .append('\n');
        }
        return out.toString();
    }

    /** The name of a seccomp return value: ALLOW, ERRNO(EPERM), KILL_PROCESS, TRACE(7)... */
    public static String action(int value) {
        int data = value & Linux.SECCOMP_RET_DATA();
        int action = value & Linux.SECCOMP_RET_ACTION_FULL();
        if (action == Linux.SECCOMP_RET_KILL_PROCESS()) {
            return "KILL_PROCESS";
        } else if (action == Linux.SECCOMP_RET_KILL_THREAD()) {
            return "KILL_THREAD";
        } else if (action == Linux.SECCOMP_RET_TRAP()) {
            return "TRAP";
        } else if (action == Linux.SECCOMP_RET_ERRNO()) {
            String name = Linux.errnoName(data);
            return "ERRNO(" + (name == null ? Integer.toString(data) : name) + ")";
        } else if (action == Linux.SECCOMP_RET_USER_NOTIF()) {
            return "USER_NOTIF";
        } else if (action == Linux.SECCOMP_RET_TRACE()) {
            return "TRACE(" + data + ")";
        } else if (action == Linux.SECCOMP_RET_LOG()) {
            return "LOG";
        } else if (action == Linux.SECCOMP_RET_ALLOW()) {
            return "ALLOW";
        }
        return "0x" + Integer.toHexString(value);
    }

    private String constantMeaning(String holds, int k) {
        if (holds == null) {
            return "";
        }
        if (holds.equals("arch")) {
            return k == Linux.AUDIT_ARCH_X86_64() ? "AUDIT_ARCH_X86_64"
                    : k == Linux.AUDIT_ARCH_AARCH64() ? "AUDIT_ARCH_AARCH64" : "";
        }
        if (holds.equals("nr")) {
            if (k == FilterCompiler.X32_SYSCALL_BIT) {
                return "x32 ABI bit";
            }
            return table.name(k).map(name -> name + "(" + k + ")").orElse(Integer.toUnsignedString(k));
        }
        return "";
    }

    private static String field(int offset) {
        if (offset == Bpf.NR) {
            return "nr";
        }
        if (offset == Bpf.ARCH) {
            return "arch";
        }
        if (offset >= Bpf.ARGS && offset < Bpf.ARGS + 48) {
            int arg = (offset - Bpf.ARGS) / 8;
            return "args[" + arg + "]" + ((offset - Bpf.ARGS) % 8 == 0 ? " low" : " high");
        }
        return offset == 8 ? "instruction_pointer low" : offset == 12 ? "instruction_pointer high" : "[" + offset + "]";
    }

    /**
     * What the accumulator holds before each instruction ("nr", "arch", or null when it
     * holds something else or depends on the path). Jumps only go forward, so one pass in
     * order sees every predecessor first.
     */
    private String[] accumulatorContents() {
        int n = instructions.size();
        String[] holds = new String[n];
        boolean[] reached = new boolean[n];
        boolean[] conflicting = new boolean[n];
        if (n > 0) {
            reached[0] = true;
        }
        for (int pc = 0; pc < n; pc++) {
            Bpf insn = instructions.get(pc);
            String in = conflicting[pc] ? null : holds[pc];
            String out = in;
            if (insn.code() == Bpf.LD_ABS) {
                out = insn.k() == Bpf.NR ? "nr" : insn.k() == Bpf.ARCH ? "arch" : null;
            } else if (insn.code() == Bpf.AND) {
                out = null;
            }
            int[] next;
            if (insn.code() == Bpf.RET) {
                next = new int[0];
            } else if (insn.code() == Bpf.JA) {
                next = new int[] {pc + 1 + insn.k()};
            } else if (insn.conditional()) {
                next = new int[] {pc + 1 + insn.jt(), pc + 1 + insn.jf()};
            } else {
                next = new int[] {pc + 1};
            }
            for (int target : next) {
                if (target >= n) {
                    continue;
                }
                if (!reached[target]) {
                    reached[target] = true;
                    holds[target] = out;
                } else if (!java.util.Objects.equals(holds[target], out)) {
                    conflicting[target] = true;
                }
            }
            holds[pc] = in;
        }
        return Arrays.copyOf(holds, n);
    }
}
