package dev.hako.syscalls;

import dev.hako.bindings.rlimit;
import dev.hako.syscalls.calls.ProcessCalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Resource limits of any process: prlimit (the prlimit64 syscall).
 *
 * <p>Limits belong to a process, not a thread: setting one for pid 0 changes the whole
 * JVM. Container runtimes set them on the child they start, by pid.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/prlimit.2.html">prlimit(2)</a>
 */
public final class ResourceSyscalls {

    private ResourceSyscalls() {
    }

    /**
     * Returns a limit of process {@code pid}, 0 for the calling process (Linux 2.6.36).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prlimit.2.html">prlimit(2)</a>
     */
    public static ResourceLimit prlimit(int pid, Resource resource) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = rlimit.allocate(arena);
            Kernel.runCritical(ProcessCalls.prlimit64(arena, pid, resource, null, old));
            return new ResourceLimit(rlimit.rlim_cur(old), rlimit.rlim_max(old));
        }
    }

    /**
     * Sets a limit of process {@code pid}, 0 for the calling process, and returns the one
     * it replaced (Linux 2.6.36). Changing another process's limits needs the same user ids
     * or CAP_SYS_RESOURCE; raising a hard limit needs CAP_SYS_RESOURCE.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prlimit.2.html">prlimit(2)</a>
     */
    public static ResourceLimit prlimit(int pid, Resource resource, ResourceLimit limit) throws SyscallException {
        Objects.requireNonNull(limit, "limit");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = rlimit.allocate(arena);
            Kernel.runCritical(ProcessCalls.prlimit64(arena, pid, resource, limit, old));
            return new ResourceLimit(rlimit.rlim_cur(old), rlimit.rlim_max(old));
        }
    }
}
