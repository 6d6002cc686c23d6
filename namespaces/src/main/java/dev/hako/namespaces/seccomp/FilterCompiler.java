package dev.hako.namespaces.seccomp;

import dev.hako.bindings.Arch;
import dev.hako.bindings.Linux;
import dev.hako.namespaces.seccomp.FilterSpec.Check;
import dev.hako.namespaces.seccomp.FilterSpec.Rule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Compiles a {@link FilterSpec} to classic BPF. The program, in order:
 * <ol>
 *   <li>load {@code seccomp_data.arch}; any architecture but the spec's is killed
 *       (KILL_PROCESS): numbers mean other calls there (i386 on x86_64);</li>
 *   <li>load {@code nr}; on x86_64 a number with the x32 bit ({@code 0x40000000}) is killed
 *       too: x32 calls reach the same kernel code under other numbers;</li>
 *   <li>a binary search over the numbers: consecutive numbers with the same constant outcome
 *       form one range (every number of the 32-bit space is in one), and a tree of
 *       {@code jge} decides among the ranges in about log2(ranges) jumps;</li>
 *   <li>after the tree, one block per syscall whose rules compare arguments: each rule's
 *       checks, its action, and the default action when no rule holds.</li>
 * </ol>
 *
 * <p>A syscall whose outcome does not depend on its arguments is decided by loads of
 * {@code arch} and {@code nr}, {@code jeq}/{@code jge} and {@code ret} alone. That is what the
 * kernel's seccomp action cache (Linux 5.11) can evaluate once, when the filter is attached:
 * such syscalls that are allowed then skip the filter at every call.
 *
 * <p>Arguments are 64-bit but classic BPF loads 32 bits at a time, so a comparison is made
 * on the high word first, then the low word where the high words are equal; all
 * comparisons are unsigned. Conditional jumps reach at most 255 instructions ahead; a jump
 * that would go farther goes through an unconditional {@code ja}, whose distance is 32-bit,
 * inserted right after it.
 *
 * @see <a href="https://docs.kernel.org/userspace-api/seccomp_filter.html">Seccomp BPF</a>
 */
public final class FilterCompiler {

    /** The bit that marks an x32 syscall number on x86_64 ({@code __X32_SYSCALL_BIT}). */
    public static final int X32_SYSCALL_BIT = 0x40000000;

    private FilterCompiler() {
    }

    /** Compiles the filter; throws if it exceeds the kernel's {@link Bpf#MAX_INSTRUCTIONS}. */
    public static BpfProgram compile(FilterSpec spec) {
        Assembler asm = new Assembler();
        Label kill = new Label();
        Label number = new Label();
        Label dispatch = new Label();
        asm.emit(Bpf.LD_ABS, Bpf.ARCH);
        asm.jump(Bpf.JEQ, spec.table().auditArch(), number, kill);
        if (spec.table().arch() == Arch.X86_64) {
            asm.bind(number);
            asm.emit(Bpf.LD_ABS, Bpf.NR);
            asm.jump(Bpf.JGE, X32_SYSCALL_BIT, kill, dispatch);
            asm.bind(kill);
            asm.emit(Bpf.RET, Linux.SECCOMP_RET_KILL_PROCESS());
        } else {
            asm.bind(kill);
            asm.emit(Bpf.RET, Linux.SECCOMP_RET_KILL_PROCESS());
            asm.bind(number);
            asm.emit(Bpf.LD_ABS, Bpf.NR);
        }
        asm.bind(dispatch);

        List<Range> ranges = ranges(spec);
        Map<Integer, Label> blocks = new LinkedHashMap<>();
        for (Range range : ranges) {
            if (range.block() >= 0) {
                blocks.put(range.block(), new Label());
            }
        }
        tree(asm, ranges, 0, ranges.size() - 1, blocks);
        for (Map.Entry<Integer, Label> block : blocks.entrySet()) {
            asm.bind(block.getValue());
            argumentBlock(asm, spec.rules().get(block.getKey()), spec.defaultAction());
        }
        List<Bpf> program = asm.assemble();
        if (program.size() > Bpf.MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("the seccomp filter for " + spec.table().arch() + " has " + program.size()
                    + " instructions; the kernel accepts at most " + Bpf.MAX_INSTRUCTIONS + " (fewer argument rules)");
        }
        return new BpfProgram(spec.table(), program);
    }

    /**
     * A run of consecutive numbers from {@code start} with one outcome: a constant return
     * value, or (for {@code block >= 0}, always a single number) the argument rules of
     * syscall {@code block}.
     */
    record Range(long start, int action, int block) {
    }

    /** Every number of the 32-bit space in ranges of equal outcome, in order. */
    static List<Range> ranges(FilterSpec spec) {
        TreeMap<Long, int[]> outcomes = new TreeMap<>(); // number -> {action, block}
        for (int nr : spec.table().byNumber().keySet()) {
            List<Rule> rules = spec.rules().get(nr);
            if (rules == null || rules.isEmpty()) {
                outcomes.put((long) nr, new int[] {spec.defaultAction(), -1});
            } else if (rules.getFirst().checks().isEmpty()) {
                outcomes.put((long) nr, new int[] {rules.getFirst().action(), -1});
            } else {
                outcomes.put((long) nr, new int[] {0, nr});
            }
        }
        for (int nr : spec.rules().keySet()) {
            if (!outcomes.containsKey((long) nr)) {
                throw new IllegalArgumentException("syscall number " + nr + " is not in the " + spec.table().arch()
                        + " table");
            }
        }
        List<Range> ranges = new ArrayList<>();
        long next = 0;
        for (Map.Entry<Long, int[]> entry : outcomes.entrySet()) {
            if (entry.getKey() > next) {
                add(ranges, new Range(next, spec.unknownAction(), -1));
            }
            add(ranges, new Range(entry.getKey(), entry.getValue()[0], entry.getValue()[1]));
            next = entry.getKey() + 1;
        }
        add(ranges, new Range(next, spec.unknownAction(), -1));
        return ranges;
    }

    private static void add(List<Range> ranges, Range range) {
        if (!ranges.isEmpty()) {
            Range last = ranges.getLast();
            if (last.block() < 0 && range.block() < 0 && last.action() == range.action()) {
                return; // extends the previous range
            }
        }
        ranges.add(range);
    }

    /**
     * Emits the search over {@code ranges[from..to]} and returns the label where it starts.
     * A node is {@code jge start(mid)}: the lower half follows it, the upper half after that.
     * A leaf is a {@code ret}, or no code at all when it is a block of argument rules: the
     * jump goes straight to the block.
     */
    private static Label tree(Assembler asm, List<Range> ranges, int from, int to, Map<Integer, Label> blocks) {
        if (from == to) {
            Range leaf = ranges.get(from);
            if (leaf.block() >= 0) {
                return blocks.get(leaf.block());
            }
            Label here = new Label();
            asm.bind(here);
            asm.emit(Bpf.RET, leaf.action());
            return here;
        }
        int mid = (from + to + 1) / 2;
        Label here = new Label();
        asm.bind(here);
        Label upper = new Label();
        Label lower = new Label();
        asm.jump(Bpf.JGE, (int) ranges.get(mid).start(), upper, lower);
        Label lowerStart = tree(asm, ranges, from, mid - 1, blocks);
        Label upperStart = tree(asm, ranges, mid, to, blocks);
        lower.alias(lowerStart);
        upper.alias(upperStart);
        return here;
    }

    /** The rules of one syscall in order, then the default action. */
    private static void argumentBlock(Assembler asm, List<Rule> rules, int defaultAction) {
        for (Rule rule : rules) {
            Label nextRule = new Label();
            for (Check check : rule.checks()) {
                Label pass = new Label();
                check(asm, check, pass, nextRule);
                asm.bind(pass);
            }
            asm.emit(Bpf.RET, rule.action());
            asm.bind(nextRule);
        }
        asm.emit(Bpf.RET, defaultAction);
    }

    /**
     * An unsigned 64-bit order comparison over the two 32-bit words: a high word above
     * {@code hi} goes to {@code above}, below it to {@code below}; an equal one lets
     * {@code lowOp} on the low word against {@code lo} choose {@code lowTrue} or {@code lowFalse}.
     */
    private static void byWords(Assembler asm, int high, int hi, Label above, Label below, int low, int lowOp, int lo,
                                Label lowTrue, Label lowFalse) {
        Label equalHigh = new Label();
        Label lowWord = new Label();
        asm.emit(Bpf.LD_ABS, high);
        asm.jump(Bpf.JGT, hi, above, equalHigh);
        asm.bind(equalHigh);
        asm.jump(Bpf.JEQ, hi, lowWord, below);
        asm.bind(lowWord);
        asm.emit(Bpf.LD_ABS, low);
        asm.jump(lowOp, lo, lowTrue, lowFalse);
    }

    /** Code that goes on to {@code pass} when the check holds and jumps to {@code fail} when not. */
    static void check(Assembler asm, Check check, Label pass, Label fail) {
        int hi = (int) (check.value() >>> 32);
        int lo = (int) check.value();
        int high = Bpf.argHigh(check.arg());
        int low = Bpf.argLow(check.arg());
        switch (check.op()) {
            case EQ -> {
                Label lowWord = new Label();
                asm.emit(Bpf.LD_ABS, high);
                asm.jump(Bpf.JEQ, hi, lowWord, fail);
                asm.bind(lowWord);
                asm.emit(Bpf.LD_ABS, low);
                asm.jump(Bpf.JEQ, lo, pass, fail);
            }
            case NE -> {
                Label lowWord = new Label();
                asm.emit(Bpf.LD_ABS, high);
                asm.jump(Bpf.JEQ, hi, lowWord, pass);
                asm.bind(lowWord);
                asm.emit(Bpf.LD_ABS, low);
                asm.jump(Bpf.JEQ, lo, fail, pass);
            }
            case MASKED_EQ -> {
                int maskHi = (int) (check.mask() >>> 32);
                int maskLo = (int) check.mask();
                if (maskHi != 0) {
                    Label lowWord = new Label();
                    asm.emit(Bpf.LD_ABS, high);
                    asm.emit(Bpf.AND, maskHi);
                    asm.jump(Bpf.JEQ, hi, maskLo != 0 ? lowWord : pass, fail);
                    asm.bind(lowWord);
                }
                if (maskLo != 0) {
                    asm.emit(Bpf.LD_ABS, low);
                    asm.emit(Bpf.AND, maskLo);
                    asm.jump(Bpf.JEQ, lo, pass, fail);
                }
            }
            // A high word above or below decides; equal high words leave it to the low word.
            case GT, GE -> byWords(asm, high, hi, pass, fail, low, check.op() == FilterSpec.Op.GT ? Bpf.JGT : Bpf.JGE,
                    lo, pass, fail);
            case LT, LE -> byWords(asm, high, hi, fail, pass, low, check.op() == FilterSpec.Op.LT ? Bpf.JGE : Bpf.JGT,
                    lo, fail, pass);
        }
    }

    /** A position in the program, bound once (or an alias of another label). */
    static final class Label {
        private Insn insn;
        private Label alias;

        boolean bound() {
            return resolve().insn != null;
        }

        void alias(Label target) {
            if (target != this) {
                this.alias = target;
            }
        }

        Label resolve() {
            Label label = this;
            while (label.alias != null) {
                label = label.alias;
            }
            return label;
        }
    }

    /** An instruction whose jump targets are labels until the program is laid out. */
    private static final class Insn {
        final int code;
        final int k;
        Label jt;
        Label jf;

        Insn(int code, int k, Label jt, Label jf) {
            this.code = code;
            this.k = k;
            this.jt = jt;
            this.jf = jf;
        }
    }

    /** Collects instructions with symbolic jumps and lays them out with {@code ja} where jumps are long. */
    static final class Assembler {
        private final List<Insn> code = new ArrayList<>();
        private final List<Label> pending = new ArrayList<>();

        void emit(int opcode, int k) {
            add(new Insn(opcode, k, null, null));
        }

        /** A conditional jump to {@code jt}/{@code jf}, or (for {@link Bpf#JA}) to {@code jt}. */
        void jump(int opcode, int k, Label jt, Label jf) {
            add(new Insn(opcode, k, Objects.requireNonNull(jt), opcode == Bpf.JA ? null : Objects.requireNonNull(jf)));
        }

        void bind(Label label) {
            if (label.bound()) {
                throw new IllegalStateException("label bound twice");
            }
            pending.add(label);
        }

        private void add(Insn insn) {
            for (Label label : pending) {
                label.insn = insn;
            }
            pending.clear();
            code.add(insn);
        }

        /**
         * Resolves the labels to distances. A conditional jump longer than 255 gets a
         * {@code ja} right after it that makes the rest of the way; that moves later code,
         * so it repeats until every jump fits (each round only adds instructions, so it ends).
         */
        List<Bpf> assemble() {
            if (!pending.isEmpty()) {
                throw new IllegalStateException("a label is bound past the last instruction");
            }
            while (true) {
                Map<Insn, Integer> position = positions();
                boolean changed = false;
                for (int pc = 0; pc < code.size() && !changed; pc++) {
                    Insn insn = code.get(pc);
                    if (insn.jf == null) {
                        continue;
                    }
                    int t = distance(position, pc, insn.jt);
                    int f = distance(position, pc, insn.jf);
                    if (t > Bpf.MAX_CONDITIONAL_JUMP) {
                        insn.jt = trampoline(pc, insn.jt);
                        changed = true;
                    }
                    if (f > Bpf.MAX_CONDITIONAL_JUMP) {
                        insn.jf = trampoline(pc + (changed ? 1 : 0), insn.jf);
                        changed = true;
                    }
                }
                if (!changed) {
                    List<Bpf> out = new ArrayList<>(code.size());
                    for (int pc = 0; pc < code.size(); pc++) {
                        Insn insn = code.get(pc);
                        if (insn.code == Bpf.JA) {
                            out.add(new Bpf(insn.code, 0, 0, distance(position, pc, insn.jt)));
                        } else if (insn.jf != null) {
                            out.add(new Bpf(insn.code, distance(position, pc, insn.jt), distance(position, pc, insn.jf),
                                    insn.k));
                        } else {
                            out.add(new Bpf(insn.code, 0, 0, insn.k));
                        }
                    }
                    return out;
                }
            }
        }

        /** Inserts {@code ja target} after instruction {@code pc}; returns its label. */
        private Label trampoline(int pc, Label target) {
            Insn ja = new Insn(Bpf.JA, 0, target, null);
            Label label = new Label();
            label.insn = ja;
            code.add(pc + 1, ja);
            return label;
        }

        private Map<Insn, Integer> positions() {
            Map<Insn, Integer> position = new java.util.IdentityHashMap<>();
            for (int pc = 0; pc < code.size(); pc++) {
                position.put(code.get(pc), pc);
            }
            return position;
        }

        private static int distance(Map<Insn, Integer> position, int pc, Label label) {
            Label target = label.resolve();
            if (target.insn == null) {
                throw new IllegalStateException("jump to an unbound label");
            }
            int distance = position.get(target.insn) - pc - 1;
            if (distance < 0) {
                throw new IllegalStateException("backward jump at " + pc + ": classic BPF jumps only forward");
            }
            return distance;
        }
    }
}
