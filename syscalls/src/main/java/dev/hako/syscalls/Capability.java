package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The Linux capabilities ({@code CAP_*}), with their numbers from the kernel headers.
 * As a {@link Flag} a capability's bits are {@code 1L << number}, the form the
 * capability masks of capget(2) and /proc/PID/status use.
 *
 * @see <a href="https://man7.org/linux/man-pages/man7/capabilities.7.html">capabilities(7)</a>
 */
public enum Capability implements Flag {
    /** Change file owners and groups ({@code CAP_CHOWN}). */
    CHOWN(Linux.CAP_CHOWN()),
    /** Bypass file read, write and execute permission checks ({@code CAP_DAC_OVERRIDE}). */
    DAC_OVERRIDE(Linux.CAP_DAC_OVERRIDE()),
    /** Bypass file read and directory search permission checks ({@code CAP_DAC_READ_SEARCH}). */
    DAC_READ_SEARCH(Linux.CAP_DAC_READ_SEARCH()),
    /** Bypass checks that require owning the file ({@code CAP_FOWNER}). */
    FOWNER(Linux.CAP_FOWNER()),
    /** Keep set-user-id and set-group-id bits when a file is modified ({@code CAP_FSETID}). */
    FSETID(Linux.CAP_FSETID()),
    /** Send signals to any process ({@code CAP_KILL}). */
    KILL(Linux.CAP_KILL()),
    /** Change group ids ({@code CAP_SETGID}). */
    SETGID(Linux.CAP_SETGID()),
    /** Change user ids ({@code CAP_SETUID}). */
    SETUID(Linux.CAP_SETUID()),
    /** Change the bounding set and other threads' capabilities ({@code CAP_SETPCAP}). */
    SETPCAP(Linux.CAP_SETPCAP()),
    /** Set immutable and append-only file attributes ({@code CAP_LINUX_IMMUTABLE}). */
    LINUX_IMMUTABLE(Linux.CAP_LINUX_IMMUTABLE()),
    /** Bind to ports below 1024 ({@code CAP_NET_BIND_SERVICE}). */
    NET_BIND_SERVICE(Linux.CAP_NET_BIND_SERVICE()),
    /** Broadcast and listen to multicast ({@code CAP_NET_BROADCAST}). */
    NET_BROADCAST(Linux.CAP_NET_BROADCAST()),
    /** Configure network interfaces, routes, firewalls ({@code CAP_NET_ADMIN}). */
    NET_ADMIN(Linux.CAP_NET_ADMIN()),
    /** Use raw and packet sockets ({@code CAP_NET_RAW}). */
    NET_RAW(Linux.CAP_NET_RAW()),
    /** Lock memory ({@code CAP_IPC_LOCK}). */
    IPC_LOCK(Linux.CAP_IPC_LOCK()),
    /** Bypass System V IPC permission checks ({@code CAP_IPC_OWNER}). */
    IPC_OWNER(Linux.CAP_IPC_OWNER()),
    /** Load and unload kernel modules ({@code CAP_SYS_MODULE}). */
    SYS_MODULE(Linux.CAP_SYS_MODULE()),
    /** Raw I/O port and device access ({@code CAP_SYS_RAWIO}). */
    SYS_RAWIO(Linux.CAP_SYS_RAWIO()),
    /** Call chroot ({@code CAP_SYS_CHROOT}). */
    SYS_CHROOT(Linux.CAP_SYS_CHROOT()),
    /** Trace any process ({@code CAP_SYS_PTRACE}). */
    SYS_PTRACE(Linux.CAP_SYS_PTRACE()),
    /** Configure process accounting ({@code CAP_SYS_PACCT}). */
    SYS_PACCT(Linux.CAP_SYS_PACCT()),
    /** Mounts, namespaces, sethostname and many other administrative operations ({@code CAP_SYS_ADMIN}). */
    SYS_ADMIN(Linux.CAP_SYS_ADMIN()),
    /** Reboot and load a new kernel ({@code CAP_SYS_BOOT}). */
    SYS_BOOT(Linux.CAP_SYS_BOOT()),
    /** Raise priority and set scheduling policies ({@code CAP_SYS_NICE}). */
    SYS_NICE(Linux.CAP_SYS_NICE()),
    /** Override resource limits ({@code CAP_SYS_RESOURCE}). */
    SYS_RESOURCE(Linux.CAP_SYS_RESOURCE()),
    /** Set the system clock ({@code CAP_SYS_TIME}). */
    SYS_TIME(Linux.CAP_SYS_TIME()),
    /** Configure terminals (vhangup) ({@code CAP_SYS_TTY_CONFIG}). */
    SYS_TTY_CONFIG(Linux.CAP_SYS_TTY_CONFIG()),
    /** Create device files ({@code CAP_MKNOD}). */
    MKNOD(Linux.CAP_MKNOD()),
    /** Take file leases ({@code CAP_LEASE}). */
    LEASE(Linux.CAP_LEASE()),
    /** Write to the audit log ({@code CAP_AUDIT_WRITE}). */
    AUDIT_WRITE(Linux.CAP_AUDIT_WRITE()),
    /** Configure auditing ({@code CAP_AUDIT_CONTROL}). */
    AUDIT_CONTROL(Linux.CAP_AUDIT_CONTROL()),
    /** Set file capabilities; map uid 0 in a user namespace ({@code CAP_SETFCAP}). */
    SETFCAP(Linux.CAP_SETFCAP()),
    /** Override mandatory access control ({@code CAP_MAC_OVERRIDE}). */
    MAC_OVERRIDE(Linux.CAP_MAC_OVERRIDE()),
    /** Configure mandatory access control ({@code CAP_MAC_ADMIN}). */
    MAC_ADMIN(Linux.CAP_MAC_ADMIN()),
    /** Privileged syslog operations ({@code CAP_SYSLOG}). */
    SYSLOG(Linux.CAP_SYSLOG()),
    /** Set alarms that wake the system ({@code CAP_WAKE_ALARM}). */
    WAKE_ALARM(Linux.CAP_WAKE_ALARM()),
    /** Block system suspend ({@code CAP_BLOCK_SUSPEND}). */
    BLOCK_SUSPEND(Linux.CAP_BLOCK_SUSPEND()),
    /** Read the audit log through multicast netlink, Linux 3.16 ({@code CAP_AUDIT_READ}). */
    AUDIT_READ(Linux.CAP_AUDIT_READ()),
    /** Performance monitoring, Linux 5.8 ({@code CAP_PERFMON}). */
    PERFMON(Linux.CAP_PERFMON()),
    /** Privileged BPF operations, Linux 5.8 ({@code CAP_BPF}). */
    BPF(Linux.CAP_BPF()),
    /** Checkpoint and restore operations, Linux 5.9 ({@code CAP_CHECKPOINT_RESTORE}). */
    CHECKPOINT_RESTORE(Linux.CAP_CHECKPOINT_RESTORE());

    private final int number;

    Capability(int number) {
        this.number = number;
    }

    /** The capability's number, e.g. 21 for {@code CAP_SYS_ADMIN}. */
    public int number() {
        return number;
    }

    @Override
    public long bits() {
        return 1L << number;
    }

    @Override
    public String cName() {
        return "CAP_" + name();
    }

    /**
     * The capability with this name, with or without the {@code CAP_} prefix and in any
     * case ({@code "CAP_NET_ADMIN"}, {@code "net_admin"}).
     *
     * @throws IllegalArgumentException for a name that is no capability, listing the known ones
     */
    public static Capability of(String name) {
        String upper = name.strip().toUpperCase(Locale.ROOT);
        String bare = upper.startsWith("CAP_") ? upper.substring(4) : upper;
        for (Capability capability : values()) {
            if (capability.name().equals(bare)) {
                return capability;
            }
        }
        throw new IllegalArgumentException("unknown capability \"" + name + "\"; known capabilities are "
                + Arrays.stream(values()).map(Capability::cName).collect(Collectors.joining(", ")));
    }

    /**
     * The capability with this number.
     *
     * @throws IllegalArgumentException if no capability known to these bindings has it
     */
    public static Capability ofNumber(int number) {
        for (Capability capability : values()) {
            if (capability.number == number) {
                return capability;
            }
        }
        throw new IllegalArgumentException("no capability has number " + number + " (the highest known is "
                + Linux.CAP_LAST_CAP() + ")");
    }
}
