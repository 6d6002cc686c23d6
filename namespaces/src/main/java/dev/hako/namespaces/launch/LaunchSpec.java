package dev.hako.namespaces.launch;

import dev.hako.namespaces.Capabilities;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.IdMapping;
import dev.hako.namespaces.LaunchPlan;
import dev.hako.namespaces.MountSpec;
import dev.hako.namespaces.NamespaceJoin;
import dev.hako.namespaces.Redirect;
import dev.hako.namespaces.SeccompProfile;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.Resource;
import dev.hako.syscalls.ResourceLimit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything about how to start one container process, validated and immutable. Made by
 * {@link ContainerBuilder}; compiled into a {@link Plan}. Not part of the API (its package
 * is not exported): it grows with every option, and callers read what they need through
 * {@link ContainerBuilder}, {@link LaunchPlan#describe()} and {@link ContainerProcess}.
 *
 * @param command           program and arguments; the program is an absolute path (resolved on PATH at build
 *                          time), or a bare name searched for on PATH inside a rootfs
 * @param environment       the complete environment of the new process
 * @param directory         working directory, or null to keep the JVM's
 * @param stdin             standard input
 * @param stdout            standard output
 * @param stderr            standard error
 * @param passedFds         extra descriptors: target number in the child to source descriptor
 * @param newNamespaces     namespaces to create
 * @param joinedNamespaces  existing namespaces to join
 * @param uidMap            uid_map lines for a new user namespace
 * @param gidMap            gid_map lines for a new user namespace
 * @param setgroupsAllowed  whether setgroups(2) stays allowed in a new user namespace
 * @param hostname          hostname in a new UTS namespace, or null
 * @param domainname        NIS domain name in a new UTS namespace, or null
 * @param identity          user and groups to switch to, or null to keep them
 * @param capabilities      capability sets to keep, or null to keep the JVM's
 * @param resourceLimits    resource limits to set (prlimit) before exec
 * @param noNewPrivileges   set PR_SET_NO_NEW_PRIVS before exec
 * @param parentDeathSignal signal sent to the child when the thread that started it ends, or 0
 * @param newSession        call setsid(2) so the child leads a new session
 * @param umask             file mode creation mask, or -1 to keep the JVM's
 * @param cgroup            control group to start in, or null
 * @param execTimeout       how long start() waits for the child to reach execve
 * @param mounts            the file system view of a new mount namespace, or null to keep a copy of the JVM's
 * @param timeOffsets       clock offsets of a new time namespace, or null
 * @param subordinateMaps   write the uid/gid maps with newuidmap(1)/newgidmap(1) (ranges from /etc/subuid, /etc/subgid)
 * @param init              keep a reaper as PID 1 of the new pid namespace, and the command as PID 2
 * @param deviceRules       device rules the start sets on the container's own cgroup, or null
 * @param seccomp           the seccomp filter installed just before execve, or null (or
 *                          {@link SeccompProfile#unconfined()}) for none
 * @param execGate          descriptor number (a passed fd) the child reads one byte from before execve, after
 *                          closing its report pipe so that start() returns; -1 for none
 * @param reap              whether this JVM reaps the process when it ends (else it only observes the exit)
 * @param terminal          a pty for the command, its master sent over a console socket; or null
 */
public record LaunchSpec(
        List<String> command,
        Map<String, String> environment,
        Path directory,
        Redirect stdin,
        Redirect stdout,
        Redirect stderr,
        Map<Integer, Fd> passedFds,
        Set<NamespaceType> newNamespaces,
        Map<NamespaceType, NamespaceJoin> joinedNamespaces,
        List<IdMapping> uidMap,
        List<IdMapping> gidMap,
        boolean setgroupsAllowed,
        String hostname,
        String domainname,
        Identity identity,
        Capabilities capabilities,
        Map<Resource, ResourceLimit> resourceLimits,
        boolean noNewPrivileges,
        int parentDeathSignal,
        boolean newSession,
        int umask,
        CgroupPlacement cgroup,
        Duration execTimeout,
        MountSpec mounts,
        TimeOffsets timeOffsets,
        boolean subordinateMaps,
        boolean init,
        dev.hako.cgroupfs.DevicesSpec deviceRules,
        SeccompProfile seccomp,
        int execGate,
        boolean reap,
        Terminal terminal) {

    /** PATH when the JVM has none: the usual one of a Linux distribution's root. */
    public static final String STANDARD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /**
     * Offsets of a new time namespace's clocks from the host's, written to
     * /proc/PID/timens_offsets.
     *
     * @param monotonic offset of CLOCK_MONOTONIC (and its raw and coarse variants)
     * @param boottime  offset of CLOCK_BOOTTIME
     * @see <a href="https://man7.org/linux/man-pages/man7/time_namespaces.7.html">time_namespaces(7)</a>
     */
    public record TimeOffsets(Duration monotonic, Duration boottime) {
        /**
         * The kernel's bound on an offset: KTIME_SEC_MAX / 2 seconds, where KTIME_SEC_MAX is
         * the largest second count a signed 64-bit nanosecond time holds.
         */
        public static final long MAX_OFFSET_SECONDS = Long.MAX_VALUE / 1_000_000_000L / 2;

        /** Validates both offsets against the kernel's limits. */
        public TimeOffsets {
            check("monotonic", monotonic);
            check("boottime", boottime);
        }

        private static void check(String clock, Duration offset) {
            java.util.Objects.requireNonNull(offset, clock + " offset");
            if (Math.abs(offset.getSeconds()) > MAX_OFFSET_SECONDS) {
                throw new IllegalArgumentException("time offset " + clock + " " + offset + " is beyond the kernel's"
                        + " limit of +/-" + MAX_OFFSET_SECONDS + " s (KTIME_SEC_MAX / 2)");
            }
        }

        /**
         * The kernel refuses (ERANGE) an offset that puts a clock, as it reads now, below
         * zero or above KTIME_SEC_MAX / 2 seconds; checked here so the message names the clock.
         */
        public void checkAgainstClocks() {
            checkResult("monotonic", monotonic, System.nanoTime() / 1_000_000_000L); // CLOCK_MONOTONIC on Linux
            long boot;
            try {
                boot = (long) Double.parseDouble(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/uptime"))
                        .trim().split("\\s+")[0]);
            } catch (java.io.IOException | RuntimeException e) {
                return; // no /proc: the kernel's own check still applies
            }
            checkResult("boottime", boottime, boot);
        }

        private static void checkResult(String clock, Duration offset, long nowSeconds) {
            long result = nowSeconds + offset.getSeconds();
            if (result < 0 || result > MAX_OFFSET_SECONDS) {
                throw new IllegalArgumentException("time offset " + clock + " " + offset + " would make the clock read "
                        + result + " s (it reads " + nowSeconds + " s now); the kernel allows 0.." + MAX_OFFSET_SECONDS);
            }
        }

        /** The text for timens_offsets: one "clock seconds nanoseconds" line per clock. */
        String text() {
            return "monotonic " + monotonic.getSeconds() + " " + monotonic.getNano() + "\n"
                    + "boottime " + boottime.getSeconds() + " " + boottime.getNano() + "\n";
        }
    }

    /**
     * A pseudo-terminal for the command: made in the child from the /dev/ptmx it sees, its
     * peer the command's stdio and controlling terminal, its master sent over
     * {@code consoleSocket} (a connected unix socket) by SCM_RIGHTS.
     *
     * @param consoleSocket the socket the master is sent over
     * @param size          the window size to set, or null to keep the kernel's (0x0)
     */
    public record Terminal(Fd consoleSocket, dev.hako.syscalls.TerminalSyscalls.WindowSize size) {
        /** Checks the socket is there. */
        public Terminal {
            java.util.Objects.requireNonNull(consoleSocket, "consoleSocket");
        }
    }

    /**
     * The user and groups a process runs as: setresuid/setresgid/setgroups before exec.
     *
     * @param uid    user id (real, effective, saved)
     * @param gid    group id (real, effective, saved)
     * @param groups supplementary groups
     */
    public record Identity(long uid, long gid, List<Long> groups) {
        /** Validates the ids. */
        public Identity {
            checkId("uid", uid);
            checkId("gid", gid);
            groups = List.copyOf(groups);
            for (long group : groups) {
                checkId("supplementary group", group);
            }
        }

        private static void checkId(String what, long id) {
            if (id < 0 || id > IdMapping.MAX_ID) {
                throw new IllegalArgumentException(what + " " + id + " is outside 0.." + IdMapping.MAX_ID);
            }
        }
    }

    /**
     * The namespaces clone3 creates: all new ones, except a time namespace with offsets,
     * which the child makes with unshare(2) so that it can still write the offsets before
     * a child enters it, and the pid namespace of a supervised start ({@link #reaperAsPid1()}),
     * which the child unshares so that its own children are PID 1 (the reaper) and PID 2
     * (the command).
     * Without offsets clone3 creates the time namespace too, which also works on kernels
     * where execve does not switch to the new time namespace (seen on 6.1 in the v2 guest).
     */
    Set<NamespaceType> cloneNamespaces() {
        java.util.EnumSet<NamespaceType> types = java.util.EnumSet.noneOf(NamespaceType.class);
        types.addAll(newNamespaces);
        if (timeOffsets != null) {
            types.remove(NamespaceType.TIME);
        }
        if (reaperAsPid1()) {
            types.remove(NamespaceType.PID);
        }
        return types;
    }

    /**
     * Whether the child forks once more after its setup, and the command runs in the
     * grandchild while the child supervises it (forwards signals, ends as the command
     * ended): for {@link #init()}; and with time offsets, since a process that made a time
     * namespace with unshare(2) is not in it itself, and only newer kernels move it there at
     * execve (6.18 does; the 6.1 of the v2 guest does not), while a child is always born in
     * it. A joined pid namespace with time offsets is supervised too (the command is born
     * in both); without them it is a {@link #handOff()}.
     */
    boolean supervised() {
        return init || timeOffsets != null;
    }

    /**
     * Whether the child hands the command over instead of becoming it: with a joined pid
     * namespace (and no supervision), since setns(CLONE_NEWPID) moves only the caller's
     * later children into it (nsenter(1) forks for the same reason). After its setns calls
     * the child forks the command with clone3(CLONE_PARENT), which makes it a child of the
     * process that started the launch, reports its pid and exits; the command's process is
     * then the one {@code start()} returns. See {@link ChildCompiler} and {@link Launcher}.
     */
    boolean handOff() {
        return joinedNamespaces.containsKey(NamespaceType.PID) && !supervised();
    }

    /**
     * Whether a supervised child makes the new pid namespace itself, so that a reaper it
     * forks is PID 1 and the command PID 2; otherwise the supervisor would be PID 1 and
     * leave orphans unreaped.
     */
    boolean reaperAsPid1() {
        return supervised() && newNamespaces.contains(NamespaceType.PID);
    }

    /**
     * Whether the child must wait for the parent before it acts: user maps, cgroup attach,
     * and a hand-off, so that the command's process cannot exist before the parent holds the
     * child's pidfd (a start that fails before the go-ahead kills a child that forked nothing).
     */
    boolean childWaitsForParent(boolean cloneIntoCgroup) {
        return newNamespaces.contains(NamespaceType.USER) || handOff()
                || (cgroup != null && (!cgroup.attach().isEmpty() || !cloneIntoCgroup));
    }
}
