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

    /**
     * Docker's default set of 14, which Hako gives a container unless told otherwise:
     * CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP,
     * NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE. Not among them: SYS_ADMIN, SYS_PTRACE,
     * SYS_MODULE, SYS_RAWIO, NET_ADMIN and every other capability that reaches past the
     * container.
     */
    public static final Set<Capability> DEFAULT_SET = java.util.Collections.unmodifiableSet(EnumSet.of(
            Capability.CHOWN, Capability.DAC_OVERRIDE, Capability.FSETID, Capability.FOWNER, Capability.MKNOD,
            Capability.NET_RAW, Capability.SETGID, Capability.SETUID, Capability.SETFCAP, Capability.SETPCAP,
            Capability.NET_BIND_SERVICE, Capability.SYS_CHROOT, Capability.KILL, Capability.AUDIT_WRITE));

    /**
     * The container default: {@link #DEFAULT_SET} in the bounding, permitted and effective
     * sets; inheritable and ambient empty (runc stopped filling inheritable after
     * CVE-2022-29162, since a program with inheritable file capabilities would gain them).
     */
    public static Capabilities containerDefaults() {
        return new Capabilities(DEFAULT_SET, DEFAULT_SET, DEFAULT_SET, Set.of(), Set.of());
    }

    /**
     * These sets with capabilities added to the bounding, permitted and effective sets (as
     * {@code docker run --cap-add} does).
     */
    public Capabilities plus(Set<Capability> added) {
        return new Capabilities(union(bounding, added), union(effective, added), union(permitted, added),
                inheritable, ambient);
    }

    /** These sets with capabilities removed from every set (as {@code docker run --cap-drop} does). */
    public Capabilities minus(Set<Capability> removed) {
        return new Capabilities(difference(bounding, removed), difference(effective, removed),
                difference(permitted, removed), difference(inheritable, removed), difference(ambient, removed));
    }

    /** These sets with permitted and effective emptied, as a switch to a non-root user does. */
    Capabilities withoutPermitted() {
        return new Capabilities(bounding, Set.of(), Set.of(), inheritable, Set.of());
    }

    /** These sets limited to what a process holding {@code held} can keep; the bounding set stays. */
    Capabilities within(Set<Capability> held) {
        Set<Capability> keep = held;
        return new Capabilities(bounding, intersection(effective, keep), intersection(permitted, keep),
                intersection(inheritable, keep), intersection(ambient, keep));
    }

    private static Set<Capability> union(Set<Capability> a, Set<Capability> b) {
        EnumSet<Capability> out = EnumSet.noneOf(Capability.class);
        out.addAll(a);
        out.addAll(b);
        return out;
    }

    private static Set<Capability> difference(Set<Capability> a, Set<Capability> b) {
        EnumSet<Capability> out = EnumSet.noneOf(Capability.class);
        out.addAll(a);
        out.removeAll(b);
        return out;
    }

    private static Set<Capability> intersection(Set<Capability> a, Set<Capability> b) {
        EnumSet<Capability> out = EnumSet.noneOf(Capability.class);
        out.addAll(a);
        out.retainAll(b);
        return out;
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
