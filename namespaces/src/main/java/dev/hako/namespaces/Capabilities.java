package dev.hako.namespaces;

import dev.hako.syscalls.Capability;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * The capability sets a container process keeps: everything outside them is dropped
 * before exec. As in runc's process spec, each of the five sets is given explicitly.
 *
 * @param bounding    the bounding set: the most any later exec can ever gain
 * @param effective   capabilities in force
 * @param permitted   capabilities the process may make effective
 * @param inheritable capabilities kept across exec of files that grant them
 * @param ambient     capabilities kept across exec of ordinary programs (Linux 4.3)
 * @see <a href="https://man7.org/linux/man-pages/man7/capabilities.7.html">capabilities(7)</a>
 */
public record Capabilities(Set<Capability> bounding, Set<Capability> effective, Set<Capability> permitted,
                           Set<Capability> inheritable, Set<Capability> ambient) {

    /** Copies the sets and checks the kernel's rules between them. */
    public Capabilities {
        bounding = copy(bounding);
        effective = copy(effective);
        permitted = copy(permitted);
        inheritable = copy(inheritable);
        ambient = copy(ambient);
        require(permitted.containsAll(effective), "effective", effective, "permitted", permitted);
        require(permitted.containsAll(ambient), "ambient", ambient, "permitted", permitted);
        require(inheritable.containsAll(ambient), "ambient", ambient, "inheritable", inheritable);
    }

    /** Keeps exactly these capabilities in every set (a root payload's usual choice). */
    public static Capabilities keep(Capability... capabilities) {
        Set<Capability> set = copy(Arrays.asList(capabilities));
        return new Capabilities(set, set, set, set, set);
    }

    /**
     * Keeps capabilities given by name ("CAP_NET_ADMIN" or "NET_ADMIN").
     *
     * @throws IllegalArgumentException naming an unknown capability
     */
    public static Capabilities keep(String... names) {
        return keep(Arrays.stream(names).map(Capabilities::byName).toArray(Capability[]::new));
    }

    /** Drops every capability from every set. */
    public static Capabilities none() {
        return keep(new Capability[0]);
    }

    private static Capability byName(String name) {
        return Capability.of(name.startsWith("CAP_") ? name : "CAP_" + name);
    }

    private static Set<Capability> copy(java.util.Collection<Capability> set) {
        // An unmodifiable EnumSet keeps capability order, so plans print the same every time.
        return java.util.Collections.unmodifiableSet(set.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(set));
    }

    private static void require(boolean rule, String subsetName, Set<Capability> subset, String supersetName,
                                Set<Capability> superset) {
        if (!rule) {
            EnumSet<Capability> extra = subset.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(subset);
            extra.removeAll(superset);
            throw new IllegalArgumentException("capabilities: the " + subsetName + " set must be within the "
                    + supersetName + " set, but has " + extra + " that it lacks");
        }
    }
}
