package dev.hako.namespaces.seccomp;

import dev.hako.bindings.SyscallTable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one architecture's filter decides, in numbers: the input of {@link FilterCompiler}.
 * The public profile resolves names to numbers and actions to return values before this.
 *
 * @param table         the architecture's syscalls (numbers it lists are "known")
 * @param defaultAction return value for a known syscall without a rule, or whose rules all fail
 * @param unknownAction return value for a number the table does not list
 * @param rules         per syscall number, its rules in order; the first that holds decides
 */
public record FilterSpec(SyscallTable table, int defaultAction, int unknownAction, Map<Integer, List<Rule>> rules) {

    /** Copies the rules. */
    public FilterSpec {
        Objects.requireNonNull(table, "table");
        rules = Map.copyOf(rules);
    }

    /** The comparison of a {@link Check}; all are on unsigned 64-bit values. */
    public enum Op {
        /** {@code arg == value}. */
        EQ("=="),
        /** {@code arg != value}. */
        NE("!="),
        /** {@code arg < value}. */
        LT("<"),
        /** {@code arg <= value}. */
        LE("<="),
        /** {@code arg > value}. */
        GT(">"),
        /** {@code arg >= value}. */
        GE(">="),
        /** {@code (arg & mask) == value}. */
        MASKED_EQ("&");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        /** The operator as C writes it. */
        public String symbol() {
            return symbol;
        }
    }

    /**
     * One comparison of a syscall argument with a constant.
     *
     * @param arg   argument index, 0..5
     * @param op    the comparison
     * @param mask  for {@link Op#MASKED_EQ}, the bits compared; otherwise -1 (all)
     * @param value the constant
     */
    public record Check(int arg, Op op, long mask, long value) {
        /** Checks the index. */
        public Check {
            if (arg < 0 || arg > 5) {
                throw new IllegalArgumentException("argument index " + arg + " is outside 0..5");
            }
            Objects.requireNonNull(op, "op");
        }

        @Override
        public String toString() {
            return op == Op.MASKED_EQ
                    ? "(args[" + arg + "] & 0x" + Long.toHexString(mask) + ") == 0x" + Long.toHexString(value)
                    : "args[" + arg + "] " + op.symbol() + " 0x" + Long.toHexString(value);
        }
    }

    /**
     * A rule: when every check holds (all of them; none means always), return {@code action}.
     *
     * @param action the return value
     * @param checks the checks, all of which must hold
     */
    public record Rule(int action, List<Check> checks) {
        /** Copies the checks. */
        public Rule {
            checks = List.copyOf(checks);
        }
    }
}
