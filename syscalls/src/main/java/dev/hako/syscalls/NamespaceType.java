package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * The eight kinds of Linux namespace, with their clone flag and /proc/PID/ns name.
 *
 * @see <a href="https://man7.org/linux/man-pages/man7/namespaces.7.html">namespaces(7)</a>
 */
public enum NamespaceType implements Flag {
    /** Mount points (CLONE_NEWNS), Linux 2.4.19. */
    MOUNT(Linux.CLONE_NEWNS(), "CLONE_NEWNS", "mnt"),
    /** Hostname and NIS domain name (CLONE_NEWUTS), Linux 2.6.19. */
    UTS(Linux.CLONE_NEWUTS(), "CLONE_NEWUTS", "uts"),
    /** System V IPC and POSIX message queues (CLONE_NEWIPC), Linux 2.6.19. */
    IPC(Linux.CLONE_NEWIPC(), "CLONE_NEWIPC", "ipc"),
    /** User and group ids and capabilities (CLONE_NEWUSER), Linux 3.8. */
    USER(Linux.CLONE_NEWUSER(), "CLONE_NEWUSER", "user"),
    /** Process ids (CLONE_NEWPID), Linux 2.6.24. */
    PID(Linux.CLONE_NEWPID(), "CLONE_NEWPID", "pid"),
    /** Network devices, stacks, ports (CLONE_NEWNET), Linux 2.6.29. */
    NET(Linux.CLONE_NEWNET(), "CLONE_NEWNET", "net"),
    /** The cgroup root directory (CLONE_NEWCGROUP), Linux 4.6. */
    CGROUP(Linux.CLONE_NEWCGROUP(), "CLONE_NEWCGROUP", "cgroup"),
    /** Boot-time and monotonic clocks (CLONE_NEWTIME), Linux 5.6. */
    TIME(Linux.CLONE_NEWTIME(), "CLONE_NEWTIME", "time");

    private final long bits;
    private final String cName;
    private final String procName;

    NamespaceType(long bits, String cName, String procName) {
        this.bits = bits;
        this.cName = cName;
        this.procName = procName;
    }

    @Override
    public long bits() {
        return bits;
    }

    @Override
    public String cName() {
        return cName;
    }

    /** The entry name under {@code /proc/PID/ns/}, e.g. {@code "mnt"}. */
    public String procName() {
        return procName;
    }

    /**
     * The kind whose clone flag is {@code bits} (as NS_GET_NSTYPE returns).
     *
     * @throws IllegalArgumentException if no kind has that flag
     */
    public static NamespaceType ofBits(long bits) {
        for (NamespaceType type : values()) {
            if (type.bits == bits) {
                return type;
            }
        }
        throw new IllegalArgumentException("no namespace type has clone flag 0x" + Long.toHexString(bits));
    }
}
