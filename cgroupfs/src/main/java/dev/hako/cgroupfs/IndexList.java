package dev.hako.cgroupfs;

import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A set of CPU or memory-node numbers in the kernel's list format, e.g. {@code 0-3,8}.
 *
 * <p>That format is what {@code cpuset.cpus}, {@code cpuset.mems} and
 * {@code /sys/devices/system/cpu/online} use: comma-separated decimal numbers and inclusive
 * ranges {@code a-b}; an empty string is the empty set. See
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#cpuset-interface-files">cpuset interface files</a>.
 * {@link #toString()} prints the shortest form (ranges merged, sorted).
 */
public final class IndexList {
    /** The largest number accepted; far above any real CPU count, it stops absurd ranges. */
    static final int LIMIT = 1 << 16;

    private final BitSet bits;

    private IndexList(BitSet bits) {
        this.bits = bits;
    }

    /**
     * Parses the kernel's list format.
     *
     * @param text such as {@code 0-3,8}; whitespace around it ignored; empty means none
     * @return the set
     * @throws CgroupFormatException for a malformed list, a reversed range or a number above 65535
     */
    public static IndexList parse(String text) {
        BitSet bits = new BitSet();
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return new IndexList(bits);
        }
        for (String part : trimmed.split(",", -1)) {
            if (part.isEmpty()) {
                throw new CgroupFormatException("empty element in list '" + text + "'");
            }
            int dash = part.indexOf('-');
            if (dash < 0) {
                int n = number(part, text);
                bits.set(n);
            } else {
                int from = number(part.substring(0, dash), text);
                int to = number(part.substring(dash + 1), text);
                if (to < from) {
                    throw new CgroupFormatException("reversed range '" + part + "' in list '" + text + "'");
                }
                bits.set(from, to + 1);
            }
        }
        return new IndexList(bits);
    }

    private static int number(String token, String text) {
        if (token.isEmpty() || !token.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new CgroupFormatException("'" + token + "' in list '" + text + "' is not a number");
        }
        if (token.length() > 6 || Integer.parseInt(token) > LIMIT) {
            throw new CgroupFormatException("number " + token + " in list '" + text + "' is above " + LIMIT);
        }
        return Integer.parseInt(token);
    }

    /**
     * A set of the given numbers.
     *
     * @param numbers each 0..65536
     * @return the set
     * @throws IllegalArgumentException for a number out of range
     */
    public static IndexList of(int... numbers) {
        BitSet bits = new BitSet();
        for (int n : numbers) {
            if (n < 0 || n > LIMIT) {
                throw new IllegalArgumentException("number " + n + " is outside 0.." + LIMIT);
            }
            bits.set(n);
        }
        return new IndexList(bits);
    }

    /**
     * The inclusive range {@code from-to}.
     *
     * @param from first number, 0 or more
     * @param to last number, at least {@code from}
     * @return the set
     * @throws IllegalArgumentException for a reversed or out-of-range range
     */
    public static IndexList range(int from, int to) {
        if (from < 0 || to > LIMIT || to < from) {
            throw new IllegalArgumentException("range " + from + "-" + to + " is not within 0.." + LIMIT);
        }
        BitSet bits = new BitSet();
        bits.set(from, to + 1);
        return new IndexList(bits);
    }

    /** {@return the numbers in ascending order} */
    public List<Integer> numbers() {
        return bits.stream().boxed().toList();
    }

    /** {@return the numbers in ascending order} */
    public IntStream stream() {
        return bits.stream();
    }

    /** {@return whether the set is empty} */
    public boolean isEmpty() {
        return bits.isEmpty();
    }

    /** {@return how many numbers the set holds} */
    public int size() {
        return bits.cardinality();
    }

    /**
     * Whether every number here is also in {@code other}.
     *
     * @param other the candidate superset
     * @return true if this is a subset of {@code other}
     */
    public boolean isSubsetOf(IndexList other) {
        BitSet rest = (BitSet) bits.clone();
        rest.andNot(other.bits);
        return rest.isEmpty();
    }

    /**
     * The numbers here that are not in {@code other}.
     *
     * @param other the numbers to remove
     * @return a new set
     */
    public IndexList minus(IndexList other) {
        BitSet rest = (BitSet) bits.clone();
        rest.andNot(other.bits);
        return new IndexList(rest);
    }

    /** {@return the kernel list format, ranges merged, e.g. {@code 0-3,8}; empty for none} */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        int from = bits.nextSetBit(0);
        while (from >= 0) {
            int to = bits.nextClearBit(from) - 1;
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(from);
            if (to > from) {
                out.append('-').append(to);
            }
            from = bits.nextSetBit(to + 1);
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IndexList list && list.bits.equals(bits);
    }

    @Override
    public int hashCode() {
        return bits.hashCode();
    }
}
