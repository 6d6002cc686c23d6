package dev.hako.syscalls;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The three capability sets of a thread that capget(2) and capset(2) read and write.
 * The sets are unmodifiable copies; the {@code with...} methods return changed copies.
 *
 * @param effective   what the kernel checks now
 * @param permitted   the limit for effective (and, with the bounding set, for inheritable)
 * @param inheritable what can be kept across execve, with file or ambient capabilities
 * @see <a href="https://man7.org/linux/man-pages/man7/capabilities.7.html">capabilities(7)</a>
 */
public record CapabilitySets(Set<Capability> effective, Set<Capability> permitted, Set<Capability> inheritable) {

    /** Copies the sets (so later changes by the caller do not show here). */
    public CapabilitySets {
        effective = copy(effective);
        permitted = copy(permitted);
        inheritable = copy(inheritable);
    }

    /** No capabilities at all. */
    public static CapabilitySets none() {
        return new CapabilitySets(Set.of(), Set.of(), Set.of());
    }

    /** These sets with {@code capabilities} removed from the effective set only. */
    public CapabilitySets withoutEffective(Set<Capability> capabilities) {
        return new CapabilitySets(minus(effective, capabilities), permitted, inheritable);
    }

    /** These sets with {@code capabilities} added to the effective set only. */
    public CapabilitySets withEffective(Set<Capability> capabilities) {
        return new CapabilitySets(plus(effective, capabilities), permitted, inheritable);
    }

    /** These sets with {@code capabilities} removed from all three sets. */
    public CapabilitySets without(Set<Capability> capabilities) {
        return new CapabilitySets(minus(effective, capabilities), minus(permitted, capabilities),
                minus(inheritable, capabilities));
    }

    /** These sets with {@code capabilities} added to the permitted set only. */
    public CapabilitySets withPermitted(Set<Capability> capabilities) {
        return new CapabilitySets(effective, plus(permitted, capabilities), inheritable);
    }

    /** These sets with {@code capabilities} added to the inheritable set only. */
    public CapabilitySets withInheritable(Set<Capability> capabilities) {
        return new CapabilitySets(effective, permitted, plus(inheritable, capabilities));
    }

    private static Set<Capability> copy(Set<Capability> set) {
        return Collections.unmodifiableSet(set.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(set));
    }

    private static Set<Capability> minus(Set<Capability> set, Set<Capability> removed) {
        EnumSet<Capability> result = set.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(set);
        result.removeAll(removed);
        return result;
    }

    private static Set<Capability> plus(Set<Capability> set, Set<Capability> added) {
        EnumSet<Capability> result = set.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(set);
        result.addAll(added);
        return result;
    }
}
