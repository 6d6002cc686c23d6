package dev.hako.syscalls;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.StringJoiner;

/**
 * A typed flag of a syscall: an enum constant standing for one C flag such as
 * {@code CLONE_NEWPID}. Wrappers take {@code Set}s of these instead of raw ints, so a
 * mount flag cannot be passed where a clone flag belongs.
 */
public interface Flag {

    /** The flag's bits, as the C headers define them for the running architecture. */
    long bits();

    /** The flag's C name, e.g. {@code "CLONE_NEWPID"}; used in messages and plans. */
    String cName();

    /** ORs the bits of all flags. */
    static long combine(Collection<? extends Flag> flags) {
        long bits = 0;
        for (Flag flag : flags) {
            bits |= flag.bits();
        }
        return bits;
    }

    /**
     * Writes flags as C would: {@code "CLONE_NEWNS|CLONE_NEWPID"}, or {@code "0"} for none.
     * A set of one enum's flags is written in declaration order, whatever the set's own
     * iteration order ({@code Set.of} has none), so the same flags always read the same.
     */
    static String describe(Collection<? extends Flag> flags) {
        if (flags.isEmpty()) {
            return "0";
        }
        List<Flag> ordered = new ArrayList<>(flags);
        if (!(flags instanceof List<?>) && sameEnum(ordered)) {
            ordered.sort(Comparator.comparingInt(flag -> ((Enum<?>) flag).ordinal()));
        }
        StringJoiner joiner = new StringJoiner("|");
        for (Flag flag : ordered) {
            joiner.add(flag.cName());
        }
        return joiner.toString();
    }

    private static boolean sameEnum(List<Flag> flags) {
        if (!(flags.getFirst() instanceof Enum<?> first)) {
            return false;
        }
        Class<?> type = first.getDeclaringClass();
        for (Flag flag : flags) {
            if (!(flag instanceof Enum<?> constant) || constant.getDeclaringClass() != type) {
                return false;
            }
        }
        return true;
    }

    /** The flags of {@code type} whose bits are all set in {@code bits} (flags of value 0 never match). */
    static <E extends Enum<E> & Flag> EnumSet<E> decode(Class<E> type, long bits) {
        EnumSet<E> set = EnumSet.noneOf(type);
        for (E flag : type.getEnumConstants()) {
            if (flag.bits() != 0 && (bits & flag.bits()) == flag.bits()) {
                set.add(flag);
            }
        }
        return set;
    }
}
