package dev.hako.syscalls;

import java.util.Collection;
import java.util.EnumSet;
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

    /** Writes flags as C would: {@code "CLONE_NEWNS|CLONE_NEWPID"}, or {@code "0"} for none. */
    static String describe(Collection<? extends Flag> flags) {
        if (flags.isEmpty()) {
            return "0";
        }
        StringJoiner joiner = new StringJoiner("|");
        for (Flag flag : flags) {
            joiner.add(flag.cName());
        }
        return joiner.toString();
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
