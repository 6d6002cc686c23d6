package dev.hako.syscalls;

import dev.hako.syscalls.calls.Call;
import dev.hako.syscalls.calls.PrctlCalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The prctl(2) options that container runtimes use, one method per option.
 *
 * <p>Most of these act on the calling thread (no_new_privs, the parent-death signal, the
 * name, keepcaps, the bounding and ambient capability sets); the child subreaper flag
 * and dumpability act on the whole process. Each method says which.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
 */
public final class ProcessControl {

    /** The longest thread name, in bytes: the kernel's comm field holds 16 with the NUL. */
    public static final int MAX_NAME_BYTES = PrctlCalls.MAX_NAME_BYTES;

    private ProcessControl() {
    }

    /**
     * Sets the calling thread's no_new_privs bit (PR_SET_NO_NEW_PRIVS, Linux 3.5): execve
     * can then never grant privileges (set-user-id bits and file capabilities are ignored).
     * It cannot be unset, and threads and children created afterwards inherit it; it is
     * required to install a seccomp filter without CAP_SYS_ADMIN.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static void setNoNewPrivs() throws SyscallException {
        prctl(PrctlCalls.setNoNewPrivs());
    }

    /**
     * Whether the calling thread's no_new_privs bit is set (PR_GET_NO_NEW_PRIVS, Linux 3.5).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static boolean getNoNewPrivs() throws SyscallException {
        return prctl(PrctlCalls.getNoNewPrivs()) == 1;
    }

    /**
     * Sets the signal the calling thread gets when the thread that created it exits
     * (PR_SET_PDEATHSIG, Linux 2.1.57); null clears it. Note that the parent is a thread:
     * in a multithreaded parent the signal comes when that thread ends, not the process.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static void setPdeathsig(Signal signal) throws SyscallException {
        prctl(PrctlCalls.setPdeathsig(signal == null ? 0 : signal.number()));
    }

    /**
     * Returns the calling thread's parent-death signal number, 0 for none
     * (PR_GET_PDEATHSIG, Linux 2.3.15); {@link Signal#name(int)} names it.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static int getPdeathsig() throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            prctl(PrctlCalls.getPdeathsig(value));
            return value.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /**
     * Sets the calling thread's name, as ps and /proc/PID/task/TID/comm show it
     * (PR_SET_NAME, Linux 2.6.9).
     *
     * @param name at most {@value #MAX_NAME_BYTES} bytes of UTF-8, no NUL
     * @throws IllegalArgumentException if the kernel would cut or refuse the name
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static void setName(String name) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            prctl(PrctlCalls.setName(arena, name));
        }
    }

    /**
     * Returns the calling thread's name (PR_GET_NAME, Linux 2.6.11).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static String getName() throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(MAX_NAME_BYTES + 1);
            prctl(PrctlCalls.getName(buffer));
            return buffer.getString(0);
        }
    }

    /**
     * Whether {@code capability} is in the calling thread's bounding set (PR_CAPBSET_READ,
     * Linux 2.6.25).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static boolean capbsetRead(Capability capability) throws SyscallException {
        return prctl(PrctlCalls.capbsetRead(capability)) == 1;
    }

    /**
     * Removes {@code capability} from the calling thread's bounding set for good
     * (PR_CAPBSET_DROP, Linux 2.6.25): no later execve can grant it. Needs CAP_SETPCAP.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static void capbsetDrop(Capability capability) throws SyscallException {
        prctl(PrctlCalls.capbsetDrop(capability.number()));
    }

    /**
     * Adds {@code capability} to the calling thread's ambient set (PR_CAP_AMBIENT_RAISE,
     * Linux 4.3): it then survives execve of an ordinary program. It must be both
     * permitted and inheritable.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static void capAmbientRaise(Capability capability) throws SyscallException {
        prctl(PrctlCalls.capAmbientRaise(capability));
    }

    /**
     * Removes {@code capability} from the calling thread's ambient set
     * (PR_CAP_AMBIENT_LOWER, Linux 4.3).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static void capAmbientLower(Capability capability) throws SyscallException {
        prctl(PrctlCalls.capAmbientLower(capability));
    }

    /**
     * Whether {@code capability} is in the calling thread's ambient set
     * (PR_CAP_AMBIENT_IS_SET, Linux 4.3).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static boolean capAmbientIsSet(Capability capability) throws SyscallException {
        return prctl(PrctlCalls.capAmbientIsSet(capability)) == 1;
    }

    /**
     * Empties the calling thread's ambient set (PR_CAP_AMBIENT_CLEAR_ALL, Linux 4.3).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static void capAmbientClearAll() throws SyscallException {
        prctl(PrctlCalls.capAmbientClearAll());
    }

    /**
     * Makes the calling process a child subreaper, or stops it being one
     * (PR_SET_CHILD_SUBREAPER, Linux 3.4): orphaned descendants are then re-parented to
     * it instead of to init, so it can wait for them. Process-wide.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static void setChildSubreaper(boolean subreaper) throws SyscallException {
        prctl(PrctlCalls.setChildSubreaper(subreaper));
    }

    /**
     * Whether the calling process is a child subreaper (PR_GET_CHILD_SUBREAPER, Linux 3.4).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static boolean getChildSubreaper() throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            prctl(PrctlCalls.getChildSubreaper(value));
            return value.get(ValueLayout.JAVA_INT, 0) != 0;
        }
    }

    /**
     * Sets whether the calling process is dumpable (PR_SET_DUMPABLE, Linux 2.3.20): a
     * non-dumpable process writes no core dump, cannot be ptrace-attached by its owner,
     * and its /proc/PID files belong to root. Process-wide (the flag lives in the memory map).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static void setDumpable(boolean dumpable) throws SyscallException {
        prctl(PrctlCalls.setDumpable(dumpable));
    }

    /**
     * Whether the calling process is dumpable (PR_GET_DUMPABLE, Linux 2.3.20). A process
     * that became "dumpable by root only" (suid_dumpable mode 2) counts as dumpable.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static boolean getDumpable() throws SyscallException {
        return prctl(PrctlCalls.getDumpable()) != 0;
    }

    /**
     * Sets the calling thread's keep-capabilities flag (PR_SET_KEEPCAPS, Linux 2.2.18):
     * when set, permitted capabilities survive a change of all uids away from 0. execve
     * clears it.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static void setKeepcaps(boolean keep) throws SyscallException {
        prctl(PrctlCalls.setKeepcaps(keep));
    }

    /**
     * Whether the calling thread's keep-capabilities flag is set (PR_GET_KEEPCAPS, Linux 2.2.18).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2)</a>
     */
    public static boolean getKeepcaps() throws SyscallException {
        return prctl(PrctlCalls.getKeepcaps()) == 1;
    }

    /** prctl is short and never blocks for these options: the critical downcall fits. */
    private static int prctl(Call call) throws SyscallException {
        return (int) Kernel.runCritical(call);
    }
}
