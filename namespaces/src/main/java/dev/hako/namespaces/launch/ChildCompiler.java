package dev.hako.namespaces.launch;

import dev.hako.bindings.Linux;
import dev.hako.bindings.sock_filter;
import dev.hako.namespaces.Capabilities;
import dev.hako.syscalls.AddressFamily;
import dev.hako.syscalls.Capability;
import dev.hako.syscalls.CapabilitySets;
import dev.hako.syscalls.CloseRangeFlag;
import dev.hako.syscalls.Flag;
import dev.hako.syscalls.InterfaceFlag;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.OpenFlag;
import dev.hako.syscalls.SocketFlag;
import dev.hako.syscalls.SocketType;
import dev.hako.syscalls.calls.FileCalls;
import dev.hako.syscalls.calls.NamespaceCalls;
import dev.hako.syscalls.calls.NetworkCalls;
import dev.hako.syscalls.calls.PrctlCalls;
import dev.hako.syscalls.calls.ProcessCalls;
import dev.hako.syscalls.calls.SignalCalls;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a {@link LaunchSpec} into the child's step table. The order matters and is the
 * order of the code: wait for the parent, reset signals, arrange descriptors, join and
 * configure namespaces, drop privileges, exec.
 */
public final class ChildCompiler {

    /**
     * Descriptor numbers of one start (or placeholders for a dry run), with their names;
     * {@code consoleSocket} is -1 without a terminal.
     */
    record Descriptors(int syncRead, Map<Integer, Integer> moves, Map<Integer, String> moveNames,
                       Map<NamespaceType, Integer> joins, Map<NamespaceType, String> joinNames, int reportWrite,
                       int consoleSocket) {
    }

    private ChildCompiler() {
    }

    /**
     * Compiles the child's steps.
     *
     * @param ignoredSignals the signals the forking process ignores (bit n-1 for signal n),
     *                       which its child inherits across execve unless reset here
     */
    static void compile(LaunchSpec spec, Descriptors fds, ChildProgram program, KernelSupport kernel,
                        long ignoredSignals, java.util.function.Consumer<ChildProgram> extraSteps) {
        boolean clearSighandInClone = kernel.clearSighand();
        if (fds.syncRead() >= 0) {
            program.add(FileCalls.read(fds.syncRead(), program.memory().allocate(1)).showing(0, "<sync pipe>"))
                    .zeroIsFailure().then(" = 1  (the parent's go-ahead)");
        }
        resetSignals(program, clearSighandInClone, ignoredSignals);
        moveDescriptors(fds, program);
        if (spec.newSession() && !spec.handOff()) {
            program.add(ProcessCalls.setsid());
        }
        joinNamespaces(fds, program);
        becomeMappedRoot(spec, program);
        if (spec.hostname() != null) {
            program.add(NamespaceCalls.sethostname(program.memory(), spec.hostname()));
        }
        if (spec.domainname() != null) {
            program.add(NamespaceCalls.setdomainname(program.memory(), spec.domainname()));
        }
        if (spec.timeOffsets() != null) {
            timeNamespace(spec, program);
        }
        if (spec.newNamespaces().contains(NamespaceType.NET)) {
            loopbackUp(program);
        }
        if (spec.supervised()) {
            SupervisorCompiler.compile(spec, fds.reportWrite(), program, command -> processSetup(spec, fds, command, kernel), command -> {
                extraSteps.accept(command);
                if (!earlySeccomp(spec)) {
                    seccomp(spec, command);
                }
                execve(spec, command);
            });
        } else if (spec.handOff()) {
            handOff(fds, program, command -> {
                if (spec.newSession()) {
                    command.add(ProcessCalls.setsid());
                }
                commandSteps(spec, fds, command, kernel, extraSteps);
            });
        } else {
            commandSteps(spec, fds, program, kernel, extraSteps);
        }
    }

    /** The steps of the process that becomes the command, from its setup to execve. */
    private static void commandSteps(LaunchSpec spec, Descriptors fds, ChildProgram program, KernelSupport kernel,
                                     java.util.function.Consumer<ChildProgram> extraSteps) {
        processSetup(spec, fds, program, kernel);
        parentDeathSignal(spec, program);
        extraSteps.accept(program);
        execGate(spec, fds, program);
        if (!earlySeccomp(spec)) {
            seccomp(spec, program);
        }
        execve(spec, program);
    }

    /**
     * The hand-off of a joined pid namespace ({@link LaunchSpec#handOff()}). setns put only
     * this child's future children in the namespace, so it forks the command's process with
     * clone3(CLONE_PARENT): a child of this child's own parent, the JVM that started the
     * launch (also through the launch server, whose children are the JVM's by CLONE_PARENT
     * already). With CLONE_PARENT the new process takes this one's exit signal (SIGCHLD,
     * so the JVM waits for it as for any child) and clone3 requires exit_signal 0. This
     * child then reports the command's pid ({@link #reportPid}) and exits; the command's
     * process runs the steps that
     * follow, its failures reported on the same pipe, so they read as any other start's.
     * The two run at once: a failure of the command's may come before the report of its
     * pid, and the parent tells them apart by the step ({@link ChildProgram#runsAfterHandOff}).
     */
    private static void handOff(Descriptors fds, ChildProgram program, java.util.function.Consumer<ChildProgram> command) {
        int pid = program.newRegister();
        ChildProgram.Label handsOver = new ChildProgram.Label();
        program.add(ProcessCalls.clone3(program.memory(), ProcessCalls.CloneArgs.exitSignal(0)
                        .flags(Linux.CLONE_PARENT(), "CLONE_PARENT")))
                .saveIn(pid).then(" = <command pid>  (the parent's child, in the joined pid namespace)")
                .jumpIf(pid, 0, false, handsOver, "in the child that hands over").handOffFork(handsOver);
        command.accept(program);
        program.bind(handsOver);
        reportPid(fds.reportWrite(), program, pid, "<command pid>", "the parent takes the command over");
        program.add(ProcessCalls.exitGroup(0)).then("  (the parent reaps this child at once)");
    }

    /**
     * Writes the pid in {@code slot} to the report pipe as a report whose errno is 0 (a
     * failure's never is): the pid fills the step field, the slot's low half on these
     * little-endian architectures. It names a process the parent must take over, one it
     * will have to reap: a child of its own made with CLONE_PARENT.
     */
    static void reportPid(int reportWrite, ChildProgram program, int slot, String shown, String why) {
        program.add(FileCalls.write(reportWrite, program.allocate(8)).showing(0, "<report pipe>"))
                .slotAddress(1, slot, "&" + shown).then("  (its pid, errno 0: " + why + ")");
    }

    /**
     * What belongs to the command's own process: its file system view (a new /proc must be
     * mounted from inside the pid namespace it shows), limits, privileges and directory.
     * Order matters: credentials change after what needs privilege, and a change of
     * credentials clears the parent-death signal, so that comes after.
     */
    private static void processSetup(LaunchSpec spec, Descriptors fds, ChildProgram program, KernelSupport kernel) {
        if (spec.mounts() != null) {
            MountCompiler.compile(spec, program, kernel.newMountApi(), kernel.openat2());
        }
        if (spec.terminal() != null) {
            TerminalCompiler.compile(spec, fds.consoleSocket(), program);
        }
        resourceLimits(spec, program);
        if (earlySeccomp(spec)) {
            seccomp(spec, program);
        }
        dropBoundingSet(spec, program);
        identity(spec, program);
        capabilities(spec, program);
        if (spec.umask() >= 0) {
            program.add(FileCalls.umask(spec.umask()));
        }
        if (spec.noNewPrivileges()) {
            program.add(PrctlCalls.setNoNewPrivs());
        }
        if (spec.directory() != null) {
            program.add(FileCalls.chdir(program.memory(), spec.directory().toString()));
        }
    }

    /**
     * The wait of {@link dev.hako.namespaces.ContainerBuilder#execGate(int)}: closing the report pipe ends the
     * parent's wait for execve (start() returns), then a blocking read of one byte from the
     * gate; end of file there fails the step, which exits with status 127 (the report
     * can no longer be written).
     */
    private static void execGate(LaunchSpec spec, Descriptors fds, ChildProgram program) {
        if (spec.execGate() < 0) {
            return;
        }
        program.add(FileCalls.close(fds.reportWrite()).showing(0, "<report pipe>"))
                .then("  (start() returns; the child waits at the gate)");
        program.add(FileCalls.read(spec.execGate(), program.allocate(8).asSlice(0, 1))).zeroIsFailure()
                .then(" = 1  (released by a write to the gate)");
        program.add(FileCalls.close(spec.execGate()));
    }

    static void parentDeathSignal(LaunchSpec spec, ChildProgram program) {
        if (spec.parentDeathSignal() > 0) {
            program.add(PrctlCalls.setPdeathsig(spec.parentDeathSignal()));
        }
    }

    /**
     * Whether the filter goes in before the privileges drop: without no_new_privs the kernel
     * takes a filter only from a holder of CAP_SYS_ADMIN, which the child is until then.
     */
    private static boolean earlySeccomp(LaunchSpec spec) {
        return spec.seccomp() != null && !spec.noNewPrivileges();
    }

    /**
     * Installs the seccomp filter, the last step before execve: every step before it
     * (mounts, capset, prctl...) runs unfiltered, and the filter binds the command and all
     * it forks. The filter was compiled and is written here, before the fork, as a
     * sock_filter array and the sock_fprog pointing to it. No SECCOMP_FILTER_FLAG_TSYNC: it
     * would apply the filter to the caller's other threads, and the child has none (clone3
     * copies only the calling thread of the JVM), so there is nothing to synchronise.
     * Needs no_new_privs or CAP_SYS_ADMIN: without no_new_privs it comes before the
     * privileges drop instead ({@link #earlySeccomp}).
     */
    private static void seccomp(LaunchSpec spec, ChildProgram program) {
        if (spec.seccomp() == null || spec.seccomp().isUnconfined()) {
            return;
        }
        dev.hako.namespaces.seccomp.BpfProgram filter = ApiAccess.get().filter(spec.seccomp(), dev.hako.bindings.Arch.CURRENT);
        MemorySegment instructions = program.allocate(sock_filter.sizeof() * filter.size());
        filter.marshal(instructions);
        program.add(ProcessCalls.seccompSetModeFilter(program.memory(), instructions))
                .then("  (the filter is printed below)");
    }

    /**
     * Ends the program in execve. A bare program name (kept bare only with a rootfs) is
     * searched on the container's PATH inside the container, as execvp(3) does: each
     * directory is tried in turn and a failure moves on to the next; the last try's failure
     * is the one reported.
     */
    private static void execve(LaunchSpec spec, ChildProgram program) {
        List<String> env = new ArrayList<>();
        spec.environment().forEach((k, v) -> env.add(k + "=" + v));
        String program0 = spec.command().getFirst();
        if (program0.indexOf('/') >= 0) {
            program.add(ProcessCalls.execve(program.memory(), program0, spec.command(), env));
            return;
        }
        List<String> candidates = new ArrayList<>();
        for (String dir : spec.environment().getOrDefault("PATH", LaunchSpec.STANDARD_PATH).split(":")) {
            candidates.add((dir.isEmpty() ? "." : dir) + "/" + program0);
        }
        for (int i = 0; i < candidates.size(); i++) {
            program.add(ProcessCalls.execve(program.memory(), candidates.get(i), spec.command(), env));
            if (i < candidates.size() - 1) {
                program.ignoringFailure().then("  (PATH search; a failure tries the next)");
            } else {
                program.then("  (the last PATH entry)");
            }
        }
    }

    /**
     * Unblocks every signal and puts ignored ones back to default: both survive execve, and
     * a payload should not inherit the forking JVM's choices. Handlers the JVM installed are reset
     * by CLONE_CLEAR_SIGHAND at clone time (or here on kernels without it), before any
     * signal could run JVM code in the child.
     */
    private static void resetSignals(ChildProgram program, boolean clearSighandInClone, long ignoredSignals) {
        program.add(SignalCalls.rtSigprocmask(program.memory(), Linux.SIG_SETMASK(), 0));
        long reset = ignoredSignals;
        if (!clearSighandInClone) {
            reset = -1L;
        }
        for (int signal = 1; signal <= 64; signal++) {
            if ((reset & (1L << (signal - 1))) == 0 || signal == Linux.SIGKILL() || signal == Linux.SIGSTOP()) {
                continue;
            }
            program.add(SignalCalls.rtSigaction(program.memory(), signal, SignalCalls.SIG_DFL, 0)).ignoringFailure();
        }
    }

    /**
     * Marks every inherited descriptor close-on-exec, then places the chosen ones. The
     * parent moved every source above all targets, so no dup3 overwrites a later source.
     */
    private static void moveDescriptors(Descriptors fds, ChildProgram program) {
        program.add(FileCalls.closeRange(3, -1, EnumSet.of(CloseRangeFlag.CLOEXEC)));
        for (Map.Entry<Integer, Integer> move : fds.moves().entrySet()) {
            program.add(FileCalls.dup3(move.getValue(), move.getKey(), false)
                    .showing(0, "<" + fds.moveNames().get(move.getKey()) + ">"));
        }
    }

    /** Joins the user namespace first: it grants the capabilities the other joins need. */
    private static void joinNamespaces(Descriptors fds, ChildProgram program) {
        List<NamespaceType> order = new ArrayList<>(fds.joins().keySet());
        order.sort((a, b) -> a == NamespaceType.USER ? -1 : b == NamespaceType.USER ? 1 : a.compareTo(b));
        for (NamespaceType type : order) {
            program.add(NamespaceCalls.setns(fds.joins().get(type), type)
                    .showing(0, "<" + fds.joinNames().get(type) + ">"));
        }
    }

    /**
     * In a new user namespace whose maps give it a root (uid 0 and gid 0 mapped), becomes
     * that root before anything else, as runc does. Until then the child keeps the JVM's
     * ids, which the maps may not cover: files it makes (a private /dev's nodes, created
     * mount points) would then have no owner the namespace can name, and the kernel refuses
     * to make them (EOVERFLOW). The capabilities of the namespace stay (the effective set
     * becomes the permitted one on the way to its root); the command's own user comes later.
     */
    private static void becomeMappedRoot(LaunchSpec spec, ChildProgram program) {
        if (spec.newNamespaces().contains(NamespaceType.USER) && mapsZero(spec.uidMap()) && mapsZero(spec.gidMap())) {
            program.add(ProcessCalls.setresgid(0)).then("  (root of the new user namespace)");
            program.add(ProcessCalls.setresuid(0));
        }
    }

    private static boolean mapsZero(List<dev.hako.namespaces.IdMapping> map) {
        return map.stream().anyMatch(m -> m.inside() == 0);
    }

    /**
     * Creates the time namespace now rather than at clone3: a process that is already in
     * a time namespace can no longer set its offsets. The child itself stays outside; it
     * writes the offsets through /proc/self/timens_offsets (before any new /proc is
     * mounted), and the command it then forks is born in the namespace.
     */
    private static void timeNamespace(LaunchSpec spec, ChildProgram program) {
        program.add(NamespaceCalls.unshare(EnumSet.of(NamespaceType.TIME), Set.of()));
        int fd = program.newRegister();
        program.add(FileCalls.openat(program.memory(), FileCalls.AT_FDCWD, "/proc/self/timens_offsets",
                EnumSet.of(OpenFlag.WRITE_ONLY, OpenFlag.CLOEXEC), 0)).saveIn(fd);
        program.add(FileCalls.write(program.memory(), 0, spec.timeOffsets().text())).fromSlot(0, fd, "<timens_offsets>");
        program.add(FileCalls.close(0)).fromSlot(0, fd, "<timens_offsets>");
    }

    /**
     * Brings up the loopback interface of a new network namespace (it starts down), as
     * {@code ip link set lo up} does: SIOCSIFFLAGS on any socket of the namespace.
     */
    private static void loopbackUp(ChildProgram program) {
        int socket = program.newRegister();
        program.add(NetworkCalls.socket(AddressFamily.INET, SocketType.DGRAM, EnumSet.of(SocketFlag.CLOEXEC), 0))
                .saveIn(socket);
        program.add(NetworkCalls.siocsifflags(program.memory(), 0, "lo",
                EnumSet.of(InterfaceFlag.UP, InterfaceFlag.LOOPBACK, InterfaceFlag.RUNNING))).fromSlot(0, socket, "<socket>");
        program.add(FileCalls.close(0)).fromSlot(0, socket, "<socket>");
    }

    private static void identity(LaunchSpec spec, ChildProgram program) {
        LaunchSpec.Identity identity = spec.identity();
        if (identity == null) {
            return;
        }
        if (spec.capabilities() != null) {
            program.add(PrctlCalls.setKeepcaps(true));
        }
        List<Long> groups = identity.groups();
        // Groups first: after setresuid to a non-root user, setgroups would be refused. In a
        // new user namespace with setgroups denied, an empty list is left as it is (the
        // kernel would refuse even that).
        boolean denied = spec.newNamespaces().contains(dev.hako.syscalls.NamespaceType.USER) && !spec.setgroupsAllowed();
        if (!(denied && groups.isEmpty())) {
            program.add(ProcessCalls.setgroups(program.memory(), groups));
        }
        program.add(ProcessCalls.setresgid(identity.gid()));
        program.add(ProcessCalls.setresuid(identity.uid()));
    }

    private static void resourceLimits(LaunchSpec spec, ChildProgram program) {
        spec.resourceLimits().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            program.add(ProcessCalls.prlimit64(program.memory(), 0, entry.getKey(), entry.getValue(), null));
        });
    }

    /** Drops from the bounding set what is not kept; needs CAP_SETPCAP, so before setresuid. */
    private static void dropBoundingSet(LaunchSpec spec, ChildProgram program) {
        Capabilities caps = spec.capabilities();
        if (caps == null) {
            return;
        }
        // Every number up to the kernel's cap_last_cap, not only those the enum knows: a
        // newer kernel's capability must not stay in the bounding set because it has no name here.
        int last = lastCapability();
        long bounding = Flag.combine(caps.bounding());
        for (int number = 0; number <= last; number++) {
            if (number < 64 && (bounding & (1L << number)) != 0) {
                continue;
            }
            program.add(PrctlCalls.capbsetDrop(number));
        }
    }

    /**
     * Sets effective, permitted and inheritable with capset, then raises the ambient ones.
     * With a user switch, PR_SET_KEEPCAPS (set before setresuid) kept the permitted set alive.
     */
    private static void capabilities(LaunchSpec spec, ChildProgram program) {
        Capabilities caps = spec.capabilities();
        if (caps == null) {
            return;
        }
        program.add(ProcessCalls.capset(program.memory(),
                new CapabilitySets(caps.effective(), caps.permitted(), caps.inheritable())));
        program.add(PrctlCalls.capAmbientClearAll());
        for (Capability capability : caps.ambient()) {
            program.add(PrctlCalls.capAmbientRaise(capability));
        }
    }

    /** The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap), read once: it cannot change. */
    private static int lastCapability() {
        return LastCapability.NUMBER;
    }

    private static final class LastCapability {
        static final int NUMBER = read();

        private static int read() {
            try {
                return Integer.parseInt(dev.hako.syscalls.KernelFiles.read("/proc/sys/kernel/cap_last_cap").trim());
            } catch (dev.hako.syscalls.SyscallException | NumberFormatException e) {
                return Capability.values()[Capability.values().length - 1].number();
            }
        }
    }
}
