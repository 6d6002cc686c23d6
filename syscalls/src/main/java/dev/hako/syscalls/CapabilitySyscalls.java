package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.cap_user_data;
import dev.hako.syscalls.calls.ProcessCalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Reading and setting a thread's capability sets: capget and capset, with the version 3
 * ABI (64-bit sets as two 32-bit halves).
 *
 * <p>Capabilities belong to a thread: capset changes only the calling thread, so code that
 * drops capabilities for the JVM's other threads to keep must run on a dedicated thread.
 * The bounding and ambient sets are changed through prctl, see {@link ProcessControl}.
 *
 * @see <a href="https://man7.org/linux/man-pages/man7/capabilities.7.html">capabilities(7)</a>
 */
public final class CapabilitySyscalls {

    private CapabilitySyscalls() {
    }

    /**
     * Returns the capability sets of thread {@code tid}, or of the calling thread for 0
     * (Linux 2.2; version 3 since 2.6.26). Bits for capabilities newer than these bindings
     * are left out.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/capget.2.html">capget(2)</a>
     */
    public static CapabilitySets capget(int tid) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = ProcessCalls.capabilityHeader(arena, tid);
            MemorySegment data = cap_user_data.allocateArray(Linux._LINUX_CAPABILITY_U32S_3(), arena);
            long result = Kernel.critical(Linux.SYS_capget(), header.address(), data.address(), 0);
            if (result < 0) {
                throw Kernel.failure(result, "capget", Integer.toString(tid));
            }
            long[] masks = ProcessCalls.capabilityMasks(data);
            return new CapabilitySets(Flag.decode(Capability.class, masks[0]), Flag.decode(Capability.class, masks[1]),
                    Flag.decode(Capability.class, masks[2]));
        }
    }

    /**
     * Sets the calling thread's capability sets (Linux 2.2; version 3 since 2.6.26). A
     * thread can always lower its sets; it can raise effective up to permitted, and
     * inheritable up to permitted and the bounding set (more with CAP_SETPCAP).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/capset.2.html">capset(2)</a>
     */
    public static void capset(CapabilitySets sets) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            Kernel.runCritical(ProcessCalls.capset(arena, sets));
        }
    }
}
