package dev.hako.namespaces.launch;

import dev.hako.bindings.Linux;
import dev.hako.bindings.cap_user_data;
import dev.hako.bindings.cap_user_header;
import dev.hako.bindings.rlimit;
import dev.hako.namespaces.Capabilities;
import dev.hako.namespaces.launch.ChildProgram.Arg;
import dev.hako.namespaces.launch.ChildProgram.Step;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.syscalls.Capability;
import dev.hako.syscalls.Flag;
import dev.hako.syscalls.NamespaceType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Turns a {@link LaunchSpec} into the child's step table. The order matters and is the
 * order of the code: wait for the parent, reset signals, arrange descriptors, join and
 * configure namespaces, drop privileges, exec.
 */
public final class ChildCompiler {

    /** Descriptor numbers of one start (or placeholders for a dry run), with their names. */
    record Descriptors(int syncRead, Map<Integer, Integer> moves, Map<Integer, String> moveNames,
                       Map<NamespaceType, Integer> joins, Map<NamespaceType, String> joinNames) {
    }

    private ChildCompiler() {
    }

    static void compile(LaunchSpec spec, Descriptors fds, ChildProgram program, KernelSupport kernel,
                        java.util.function.Consumer<ChildProgram> extraSteps) {
        boolean clearSighandInClone = kernel.clearSighand();
        if (fds.syncRead() >= 0) {
            MemorySegment buffer = program.allocate(8);
            program.stepWith(new Step("read", "<sync pipe>, buf, 1", " = 1  (the parent's go-ahead)"), Linux.SYS_read(),
                    ChildProgram.ZERO_IS_FAILURE, -1, Arg.of(fds.syncRead()), Arg.of(buffer.address()), Arg.of(1));
        }
        resetSignals(program, clearSighandInClone);
        moveDescriptors(fds, program);
        if (spec.newSession()) {
            program.step(new Step("setsid", ""), Linux.SYS_setsid());
        }
        joinNamespaces(fds, program);
        if (spec.hostname() != null) {
            int length = spec.hostname().getBytes(StandardCharsets.UTF_8).length;
            program.step(new Step("sethostname", quote(spec.hostname()) + ", " + length), Linux.SYS_sethostname(),
                    program.string(spec.hostname()), length);
        }
        if (spec.domainname() != null) {
            int length = spec.domainname().getBytes(StandardCharsets.UTF_8).length;
            program.step(new Step("setdomainname", quote(spec.domainname()) + ", " + length), Linux.SYS_setdomainname(),
                    program.string(spec.domainname()), length);
        }
        if (spec.timeOffsets() != null) {
            timeNamespace(spec, program);
        }
        if (spec.newNamespaces().contains(NamespaceType.NET)) {
            loopbackUp(program);
        }
        if (spec.supervised()) {
            SupervisorCompiler.compile(spec, program, command -> processSetup(spec, command, kernel), command -> {
                extraSteps.accept(command);
                if (!earlySeccomp(spec)) {
                    seccomp(spec, command);
                }
                execve(spec, command);
            });
        } else {
            processSetup(spec, program, kernel);
            parentDeathSignal(spec, program);
            extraSteps.accept(program);
            if (!earlySeccomp(spec)) {
                seccomp(spec, program);
            }
            execve(spec, program);
        }
    }

    /**
     * What belongs to the command's own process: its file system view (a new /proc must be
     * mounted from inside the pid namespace it shows), limits, privileges and directory.
     * Order matters: credentials change after what needs privilege, and a change of
     * credentials clears the parent-death signal, so that comes after.
     */
    private static void processSetup(LaunchSpec spec, ChildProgram program, KernelSupport kernel) {
        if (spec.mounts() != null) {
            MountCompiler.compile(spec, program, kernel.newMountApi(), kernel.openat2());
        }
        resourceLimits(spec, program);
        if (earlySeccomp(spec)) {
            seccomp(spec, program);
        }
        dropBoundingSet(spec, program);
        identity(spec, program);
        capabilities(spec, program);
        if (spec.umask() >= 0) {
            program.step(new Step("umask", "0" + Integer.toOctalString(spec.umask())), Linux.SYS_umask(), spec.umask());
        }
        if (spec.noNewPrivileges()) {
            program.step(new Step("prctl", "PR_SET_NO_NEW_PRIVS, 1"), Linux.SYS_prctl(), Linux.PR_SET_NO_NEW_PRIVS(), 1, 0, 0, 0);
        }
        if (spec.directory() != null) {
            program.step(new Step("chdir", quote(spec.directory().toString())), Linux.SYS_chdir(),
                    program.string(spec.directory().toString()));
        }
    }

    static void parentDeathSignal(LaunchSpec spec, ChildProgram program) {
        if (spec.parentDeathSignal() > 0) {
            program.step(new Step("prctl", "PR_SET_PDEATHSIG, " + dev.hako.syscalls.Signal.name(spec.parentDeathSignal())),
                    Linux.SYS_prctl(), Linux.PR_SET_PDEATHSIG(), spec.parentDeathSignal(), 0, 0, 0);
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
        MemorySegment instructions = program.allocate(dev.hako.bindings.sock_filter.sizeof() * filter.size());
        MemorySegment fprog = program.allocate(dev.hako.bindings.sock_fprog.sizeof());
        filter.marshal(instructions, fprog);
        program.step(new Step("seccomp", "SECCOMP_SET_MODE_FILTER, 0, {len=" + filter.size()
                + ", filter=<the seccomp filter below>}"), Linux.SYS_seccomp(), Linux.SECCOMP_SET_MODE_FILTER(), 0,
                fprog.address());
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
        long argv = program.stringArray(spec.command());
        long envp = program.stringArray(env);
        String shown = ", " + argv(spec.command()) + ", [" + env.size() + " vars]";
        if (program0.indexOf('/') >= 0) {
            program.step(new Step("execve", quote(program0) + shown), Linux.SYS_execve(), program.string(program0), argv,
                    envp);
            return;
        }
        List<String> candidates = new ArrayList<>();
        for (String dir : spec.environment().getOrDefault("PATH", LaunchSpec.STANDARD_PATH).split(":")) {
            candidates.add((dir.isEmpty() ? "." : dir) + "/" + program0);
        }
        for (int i = 0; i < candidates.size(); i++) {
            String path = candidates.get(i);
            if (i < candidates.size() - 1) {
                program.stepWith(new Step("execve", quote(path) + shown + "  (PATH search; a failure tries the next)"),
                        Linux.SYS_execve(), ChildProgram.IGNORE_FAILURE, -1, Arg.of(program.string(path)), Arg.of(argv),
                        Arg.of(envp));
            } else {
                program.step(new Step("execve", quote(path) + shown + "  (the last PATH entry)"), Linux.SYS_execve(),
                        program.string(path), argv, envp);
            }
        }
    }

    /**
     * Unblocks every signal and puts ignored ones back to default: both survive execve, and
     * a payload should not inherit the JVM's choices. Handlers the JVM installed are reset
     * by CLONE_CLEAR_SIGHAND at clone time (or here on kernels without it), before any
     * signal could run JVM code in the child.
     */
    private static void resetSignals(ChildProgram program, boolean clearSighandInClone) {
        MemorySegment emptySet = program.allocate(8);
        program.step(new Step("rt_sigprocmask", "SIG_SETMASK, [], NULL, 8"), Linux.SYS_rt_sigprocmask(),
                Linux.SIG_SETMASK(), emptySet.address(), 0, 8);
        long reset = CurrentIds.ignoredSignals();
        if (!clearSighandInClone) {
            reset = -1L;
        }
        MemorySegment defaultAction = program.allocate(32); // struct sigaction, all zero: SIG_DFL
        for (int signal = 1; signal <= 64; signal++) {
            if ((reset & (1L << (signal - 1))) == 0 || signal == Linux.SIGKILL() || signal == Linux.SIGSTOP()) {
                continue;
            }
            program.stepWith(new Step("rt_sigaction", dev.hako.syscalls.Signal.name(signal) + ", {SIG_DFL}, NULL, 8"),
                    Linux.SYS_rt_sigaction(), ChildProgram.IGNORE_FAILURE, -1, Arg.of(signal),
                    Arg.of(defaultAction.address()), Arg.of(0), Arg.of(8));
        }
    }

    /**
     * Marks every inherited descriptor close-on-exec, then places the chosen ones. The
     * parent moved every source above all targets, so no dup3 overwrites a later source.
     */
    private static void moveDescriptors(Descriptors fds, ChildProgram program) {
        program.step(new Step("close_range", "3, ~0U, CLOSE_RANGE_CLOEXEC"), Linux.SYS_close_range(), 3, 0xffffffffL,
                Linux.CLOSE_RANGE_CLOEXEC());
        for (Map.Entry<Integer, Integer> move : fds.moves().entrySet()) {
            program.step(new Step("dup3", "<" + fds.moveNames().get(move.getKey()) + ">, " + move.getKey() + ", 0"),
                    Linux.SYS_dup3(), move.getValue(), move.getKey(), 0);
        }
    }

    /** Joins the user namespace first: it grants the capabilities the other joins need. */
    private static void joinNamespaces(Descriptors fds, ChildProgram program) {
        List<NamespaceType> order = new ArrayList<>(fds.joins().keySet());
        order.sort((a, b) -> a == NamespaceType.USER ? -1 : b == NamespaceType.USER ? 1 : a.compareTo(b));
        for (NamespaceType type : order) {
            program.step(new Step("setns", "<" + fds.joinNames().get(type) + ">, " + type.cName()), Linux.SYS_setns(),
                    fds.joins().get(type), type.bits());
        }
    }

    /**
     * Creates the time namespace now rather than at clone3: a process that is already in
     * a time namespace can no longer set its offsets. The child itself stays outside; it
     * writes the offsets through /proc/self/timens_offsets (before any new /proc is
     * mounted), and the command it then forks is born in the namespace.
     */
    private static void timeNamespace(LaunchSpec spec, ChildProgram program) {
        program.step(new Step("unshare", "CLONE_NEWTIME"), Linux.SYS_unshare(), Linux.CLONE_NEWTIME());
        int fd = program.newRegister();
        program.stepWith(new Step("openat", "AT_FDCWD, \"/proc/self/timens_offsets\", O_WRONLY|O_CLOEXEC"),
                Linux.SYS_openat(), 0, fd, Arg.of(Linux.AT_FDCWD()), Arg.of(program.string("/proc/self/timens_offsets")),
                Arg.of(Linux.O_WRONLY() | Linux.O_CLOEXEC()));
        String text = spec.timeOffsets().text();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        program.stepWith(new Step("write", "<timens_offsets>, " + quote(text).replace("\n", "\\n") + ", " + bytes.length),
                Linux.SYS_write(), 0, -1, Arg.register(fd), Arg.of(program.string(text)), Arg.of(bytes.length));
        program.stepWith(new Step("close", "<timens_offsets>"), Linux.SYS_close(), 0, -1, Arg.register(fd));
    }

    /**
     * Brings up the loopback interface of a new network namespace (it starts down), as
     * {@code ip link set lo up} does: SIOCSIFFLAGS on any socket of the namespace.
     */
    private static void loopbackUp(ChildProgram program) {
        int socket = program.newRegister();
        program.stepWith(new Step("socket", "AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, 0"), Linux.SYS_socket(), 0, socket,
                Arg.of(Linux.AF_INET()), Arg.of(Linux.SOCK_DGRAM() | Linux.SOCK_CLOEXEC()), Arg.of(0));
        MemorySegment request = program.allocate(dev.hako.bindings.ifreq.sizeof());
        request.setString(0, "lo", StandardCharsets.US_ASCII);
        dev.hako.bindings.ifreq.ifr_flags(request, (short) (Linux.IFF_UP() | Linux.IFF_LOOPBACK() | Linux.IFF_RUNNING()));
        program.stepWith(new Step("ioctl", "<socket>, SIOCSIFFLAGS, {ifr_name=\"lo\", ifr_flags=IFF_UP|IFF_LOOPBACK|IFF_RUNNING}"),
                Linux.SYS_ioctl(), 0, -1, Arg.register(socket), Arg.of(Linux.SIOCSIFFLAGS()), Arg.of(request.address()));
        program.stepWith(new Step("close", "<socket>"), Linux.SYS_close(), 0, -1, Arg.register(socket));
    }

    private static void identity(LaunchSpec spec, ChildProgram program) {
        LaunchSpec.Identity identity = spec.identity();
        if (identity == null) {
            return;
        }
        if (spec.capabilities() != null) {
            program.step(new Step("prctl", "PR_SET_KEEPCAPS, 1"), Linux.SYS_prctl(), Linux.PR_SET_KEEPCAPS(), 1, 0, 0, 0);
        }
        List<Long> groups = identity.groups();
        MemorySegment list = program.allocate(4L * Math.max(1, groups.size()));
        for (int i = 0; i < groups.size(); i++) {
            list.setAtIndex(ValueLayout.JAVA_INT, i, (int) (long) groups.get(i));
        }
        StringJoiner names = new StringJoiner(", ", "[", "]");
        groups.forEach(g -> names.add(Long.toString(g)));
        // Groups first: after setresuid to a non-root user, setgroups would be refused. In a
        // new user namespace with setgroups denied, an empty list is left as it is (the
        // kernel would refuse even that).
        boolean denied = spec.newNamespaces().contains(dev.hako.syscalls.NamespaceType.USER) && !spec.setgroupsAllowed();
        if (!(denied && groups.isEmpty())) program.step(new Step("setgroups", groups.size() + ", " + names), Linux.SYS_setgroups(), groups.size(),
                list.address());
        program.step(new Step("setresgid", identity.gid() + ", " + identity.gid() + ", " + identity.gid()),
                Linux.SYS_setresgid(), identity.gid(), identity.gid(), identity.gid());
        program.step(new Step("setresuid", identity.uid() + ", " + identity.uid() + ", " + identity.uid()),
                Linux.SYS_setresuid(), identity.uid(), identity.uid(), identity.uid());
    }

    private static void resourceLimits(LaunchSpec spec, ChildProgram program) {
        spec.resourceLimits().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            MemorySegment limit = program.allocate(rlimit.sizeof());
            rlimit.rlim_cur(limit, entry.getValue().soft());
            rlimit.rlim_max(limit, entry.getValue().hard());
            program.step(new Step("prlimit64", "0, " + entry.getKey().cName() + ", " + entry.getValue() + ", NULL"),
                    Linux.SYS_prlimit64(), 0, entry.getKey().number(), limit.address(), 0);
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
            String name = number <= Linux.CAP_LAST_CAP() ? Capability.ofNumber(number).cName() : Integer.toString(number);
            program.step(new Step("prctl", "PR_CAPBSET_DROP, " + name), Linux.SYS_prctl(), Linux.PR_CAPBSET_DROP(),
                    number, 0, 0, 0);
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
        MemorySegment header = program.allocate(cap_user_header.sizeof());
        cap_user_header.version(header, Linux._LINUX_CAPABILITY_VERSION_3());
        cap_user_header.pid(header, 0);
        MemorySegment data = program.allocate(cap_user_data.sizeof() * 2);
        long effective = Flag.combine(caps.effective());
        long permitted = Flag.combine(caps.permitted());
        long inheritable = Flag.combine(caps.inheritable());
        for (int i = 0; i < 2; i++) {
            MemorySegment half = cap_user_data.asSlice(data, i);
            cap_user_data.effective(half, (int) (effective >>> (32 * i)));
            cap_user_data.permitted(half, (int) (permitted >>> (32 * i)));
            cap_user_data.inheritable(half, (int) (inheritable >>> (32 * i)));
        }
        program.step(new Step("capset", "{_LINUX_CAPABILITY_VERSION_3, 0}, {effective=" + caps.effective()
                + ", permitted=" + caps.permitted() + ", inheritable=" + caps.inheritable() + "}"),
                Linux.SYS_capset(), header.address(), data.address());
        program.step(new Step("prctl", "PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL"), Linux.SYS_prctl(),
                Linux.PR_CAP_AMBIENT(), Linux.PR_CAP_AMBIENT_CLEAR_ALL(), 0, 0, 0);
        for (Capability capability : caps.ambient()) {
            program.step(new Step("prctl", "PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, " + capability.cName()),
                    Linux.SYS_prctl(), Linux.PR_CAP_AMBIENT(), Linux.PR_CAP_AMBIENT_RAISE(), capability.number(), 0, 0);
        }
    }

    /** The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap). */
    private static int lastCapability() {
        try {
            return Integer.parseInt(dev.hako.syscalls.KernelFiles.read("/proc/sys/kernel/cap_last_cap").trim());
        } catch (dev.hako.syscalls.SyscallException | NumberFormatException e) {
            return Capability.values()[Capability.values().length - 1].number();
        }
    }

    static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static String argv(List<String> args) {
        StringJoiner joiner = new StringJoiner(", ", "[", "]");
        for (String arg : args) {
            joiner.add(quote(arg));
        }
        return joiner.toString();
    }
}
