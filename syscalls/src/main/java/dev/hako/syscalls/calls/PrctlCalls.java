package dev.hako.syscalls.calls;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.Capability;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Encoders of the prctl(2) options container runtimes use, one per option. The text shows
 * the option and the arguments that mean something for it.
 */
public final class PrctlCalls {

    /** The longest thread name, in bytes: the kernel's comm field holds 16 with the NUL. */
    public static final int MAX_NAME_BYTES = 15;

    private PrctlCalls() {
    }

    /** PR_SET_NO_NEW_PRIVS, 1. */
    public static Call setNoNewPrivs() {
        return prctl(Linux.PR_SET_NO_NEW_PRIVS(), 1, 0, "PR_SET_NO_NEW_PRIVS", "1");
    }

    /** PR_GET_NO_NEW_PRIVS; the result is the bit. */
    public static Call getNoNewPrivs() {
        return prctl(Linux.PR_GET_NO_NEW_PRIVS(), 0, 0, "PR_GET_NO_NEW_PRIVS");
    }

    /** PR_SET_PDEATHSIG; signal 0 clears it. */
    public static Call setPdeathsig(int signal) {
        return prctl(Linux.PR_SET_PDEATHSIG(), signal, 0, "PR_SET_PDEATHSIG", signal == 0 ? "0" : Show.signal(signal));
    }

    /** PR_GET_PDEATHSIG: the kernel writes the signal number to {@code signal} (an int). */
    public static Call getPdeathsig(MemorySegment signal) {
        return prctl(Linux.PR_GET_PDEATHSIG(), signal.address(), 0, "PR_GET_PDEATHSIG");
    }

    /**
     * PR_SET_NAME: the calling thread's name.
     *
     * @throws IllegalArgumentException if the name is longer than {@link #MAX_NAME_BYTES} or contains a NUL
     */
    public static Call setName(SegmentAllocator memory, String name) {
        CStrings.requireNoNul(name, "thread name");
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("thread name must be at most " + MAX_NAME_BYTES + " bytes, got "
                    + bytes.length + ": \"" + name + '"');
        }
        return prctl(Linux.PR_SET_NAME(), Show.cString(memory, name, "thread name"), 0, "PR_SET_NAME",
                Show.quote(name));
    }

    /** PR_GET_NAME: the kernel writes the name, NUL-terminated, to {@code buffer} (16 bytes). */
    public static Call getName(MemorySegment buffer) {
        return prctl(Linux.PR_GET_NAME(), buffer.address(), 0, "PR_GET_NAME");
    }

    /** PR_CAPBSET_READ; the result is 1 when the capability is in the bounding set. */
    public static Call capbsetRead(Capability capability) {
        return prctl(Linux.PR_CAPBSET_READ(), capability.number(), 0, "PR_CAPBSET_READ", capability.cName());
    }

    /** PR_CAPBSET_DROP of a capability number, which may be newer than the {@link Capability} names. */
    public static Call capbsetDrop(int capability) {
        return prctl(Linux.PR_CAPBSET_DROP(), capability, 0, "PR_CAPBSET_DROP", capabilityName(capability));
    }

    private static String capabilityName(int capability) {
        return capability >= 0 && capability <= Linux.CAP_LAST_CAP() ? Capability.ofNumber(capability).cName()
                : Integer.toString(capability);
    }

    /** PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE. */
    public static Call capAmbientRaise(Capability capability) {
        return capAmbientRaise(capability.number());
    }

    /** PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE of a capability number, which may be newer than the names. */
    public static Call capAmbientRaise(int capability) {
        return prctl(Linux.PR_CAP_AMBIENT(), Linux.PR_CAP_AMBIENT_RAISE(), capability, "PR_CAP_AMBIENT",
                "PR_CAP_AMBIENT_RAISE", capabilityName(capability));
    }

    /** PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER. */
    public static Call capAmbientLower(Capability capability) {
        return ambient(Linux.PR_CAP_AMBIENT_LOWER(), "PR_CAP_AMBIENT_LOWER", capability);
    }

    /** PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET; the result is 1 when set. */
    public static Call capAmbientIsSet(Capability capability) {
        return ambient(Linux.PR_CAP_AMBIENT_IS_SET(), "PR_CAP_AMBIENT_IS_SET", capability);
    }

    /** PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL. */
    public static Call capAmbientClearAll() {
        return prctl(Linux.PR_CAP_AMBIENT(), Linux.PR_CAP_AMBIENT_CLEAR_ALL(), 0, "PR_CAP_AMBIENT",
                "PR_CAP_AMBIENT_CLEAR_ALL");
    }

    /** PR_SET_CHILD_SUBREAPER. */
    public static Call setChildSubreaper(boolean subreaper) {
        return prctl(Linux.PR_SET_CHILD_SUBREAPER(), subreaper ? 1 : 0, 0, "PR_SET_CHILD_SUBREAPER",
                subreaper ? "1" : "0");
    }

    /** PR_GET_CHILD_SUBREAPER: the kernel writes the flag to {@code value} (an int). */
    public static Call getChildSubreaper(MemorySegment value) {
        return prctl(Linux.PR_GET_CHILD_SUBREAPER(), value.address(), 0, "PR_GET_CHILD_SUBREAPER");
    }

    /** PR_SET_DUMPABLE. */
    public static Call setDumpable(boolean dumpable) {
        return prctl(Linux.PR_SET_DUMPABLE(), dumpable ? 1 : 0, 0, "PR_SET_DUMPABLE", dumpable ? "1" : "0");
    }

    /** PR_GET_DUMPABLE; the result is the mode. */
    public static Call getDumpable() {
        return prctl(Linux.PR_GET_DUMPABLE(), 0, 0, "PR_GET_DUMPABLE");
    }

    /** PR_SET_KEEPCAPS. */
    public static Call setKeepcaps(boolean keep) {
        return prctl(Linux.PR_SET_KEEPCAPS(), keep ? 1 : 0, 0, "PR_SET_KEEPCAPS", keep ? "1" : "0");
    }

    /** PR_GET_KEEPCAPS; the result is the flag. */
    public static Call getKeepcaps() {
        return prctl(Linux.PR_GET_KEEPCAPS(), 0, 0, "PR_GET_KEEPCAPS");
    }

    private static Call ambient(int operation, String operationName, Capability capability) {
        return prctl(Linux.PR_CAP_AMBIENT(), operation, capability.number(), "PR_CAP_AMBIENT", operationName,
                capability.cName());
    }

    private static Call prctl(int option, long a2, long a3, String... shown) {
        return Call.of("prctl", Linux.SYS_prctl(), new long[] {option, a2, a3, 0, 0}, () -> shown);
    }
}
