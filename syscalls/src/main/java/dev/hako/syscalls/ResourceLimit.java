package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * A soft and a hard resource limit, as prlimit(2) reads and writes them. The values are
 * unsigned 64-bit numbers; {@link #INFINITY} (all bits set, -1 as a Java long) means no limit.
 *
 * @param soft the limit the kernel enforces; a process may raise it up to {@code hard}
 * @param hard the ceiling for {@code soft}; raising it needs CAP_SYS_RESOURCE
 * @see <a href="https://man7.org/linux/man-pages/man2/prlimit.2.html">getrlimit(2)</a>
 */
public record ResourceLimit(long soft, long hard) {

    /** {@code RLIM_INFINITY}: no limit. */
    public static final long INFINITY = Linux.RLIM_INFINITY();

    /**
     * Checks soft &lt;= hard (as unsigned numbers), which the kernel requires.
     *
     * @throws IllegalArgumentException if the soft limit is above the hard one
     */
    public ResourceLimit {
        if (Long.compareUnsigned(soft, hard) > 0) {
            throw new IllegalArgumentException("soft limit " + format(soft) + " is above hard limit " + format(hard)
                    + "; the soft limit must not exceed the hard limit");
        }
    }

    /** No limit, soft or hard. */
    public static ResourceLimit unlimited() {
        return new ResourceLimit(INFINITY, INFINITY);
    }

    /** The same value as soft and hard limit. */
    public static ResourceLimit of(long both) {
        return new ResourceLimit(both, both);
    }

    /** Whether the soft limit is {@link #INFINITY}. */
    public boolean softUnlimited() {
        return soft == INFINITY;
    }

    /** Whether the hard limit is {@link #INFINITY}. */
    public boolean hardUnlimited() {
        return hard == INFINITY;
    }

    /** Writes e.g. {@code "{soft=1024, hard=unlimited}"}, the form Hako's messages use. */
    @Override
    public String toString() {
        return "{soft=" + format(soft) + ", hard=" + format(hard) + "}";
    }

    private static String format(long value) {
        return value == INFINITY ? "unlimited" : Long.toUnsignedString(value);
    }
}
