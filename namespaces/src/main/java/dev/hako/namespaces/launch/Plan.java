package dev.hako.namespaces.launch;

import dev.hako.namespaces.IdMapping;
import dev.hako.namespaces.NamespaceJoin;
import dev.hako.namespaces.Redirect;
import dev.hako.syscalls.Flag;
import dev.hako.syscalls.NamespaceType;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * A {@link LaunchSpec} compiled for this kernel into the ordered steps of a start: what the
 * parent does around clone3, and the child's syscalls up to execve. The engine side of
 * {@link dev.hako.namespaces.LaunchPlan}, which shows {@link #describe()} to callers;
 * {@link Launcher} carries it out.
 */
public final class Plan {

    /** Placeholder descriptor numbers for the dry run; real starts use real ones. */
    private static final int PLACEHOLDER = 1000;

    private final LaunchSpec spec;
    private final KernelSupport kernel;
    private final java.util.function.Consumer<ChildProgram> extraChildSteps;
    private final boolean viaServer;

    /**
     * A plan for {@code spec}; {@code extraChildSteps} are appended to the child program (tests
     * make a child fail or hang with them), {@code classicMounts} uses mount(2) even where the
     * new mount API exists, {@code viaServer} forks through the launch server instead of
     * this JVM.
     */
    public Plan(LaunchSpec spec, java.util.function.Consumer<ChildProgram> extraChildSteps, boolean classicMounts,
                boolean viaServer) {
        this.spec = spec;
        KernelSupport current = KernelSupport.get();
        this.kernel = classicMounts ? current.withoutNewMountApi() : current;
        this.extraChildSteps = extraChildSteps;
        this.viaServer = viaServer;
    }

    /** Whether the launch server forks the child ({@link LaunchServer}), not this JVM. */
    public boolean viaServer() {
        return viaServer;
    }

    /** Compiles the child's steps into {@code program} with the given descriptors. */
    public void compileChild(ChildCompiler.Descriptors fds, ChildProgram program) {
        ChildCompiler.compile(spec, fds, program, kernel, forkerIgnoredSignals(), extraChildSteps);
    }

    /**
     * The signals the forking process ignores, which its child inherits: the running launch
     * server's (read once when it came up: it starts with every signal at its default, by
     * posix_spawn's SETSIGDEF, and changes none), else this JVM's own.
     */
    private long forkerIgnoredSignals() {
        LaunchServer server = viaServer ? LaunchServer.running() : null;
        return server != null ? server.ignoredSignals() : CurrentIds.ignoredSignals();
    }

    /**
     * Whether a child forked by the launch server first makes its chunk of the program
     * region private. A child that forks again needs to (a supervisor, a hand-off): the
     * chunk is MAP_SHARED, so parent and child would write the same result slots, and a
     * child's 0 from clone3 could land where its parent keeps the new pid. So does a child
     * that runs rows after its start has returned (a supervisor and its reaper, a child held
     * at the start gate or waiting at its exec gate), since the chunk is reused then. Any
     * other child has exec'd or been reaped by then and runs from the shared chunk.
     */
    public boolean privateChunkCopy(boolean startGate) {
        return viaServer && (spec.supervised() || spec.handOff() || startGate || spec.execGate() >= 0);
    }

    /** The spec this plan was compiled from. */
    public LaunchSpec spec() {
        return spec;
    }

    /** Whether the child is created directly in its cgroup (CLONE_INTO_CGROUP). */
    public boolean cloneIntoCgroup() {
        return spec.cgroup() != null && spec.cgroup().v2Directory() != null && kernel.cloneIntoCgroup();
    }

    /** The clone3 flags, namespaces included. */
    public List<String> cloneFlagNames() {
        List<String> names = new ArrayList<>();
        names.add("CLONE_PIDFD");
        if (kernel.clearSighand()) {
            names.add("CLONE_CLEAR_SIGHAND");
        }
        if (cloneIntoCgroup()) {
            names.add("CLONE_INTO_CGROUP");
        }
        if (viaServer) {
            names.add("CLONE_PARENT");
            names.add("CLONE_PARENT_SETTID");
        }
        if (!spec.cloneNamespaces().isEmpty()) {
            names.add(Flag.describe(spec.cloneNamespaces()));
        }
        return names;
    }

    /** The parent's steps, in order, each one line. */
    public List<String> parentSteps() {
        List<String> steps = new ArrayList<>();
        steps.add("pipe2(O_CLOEXEC) = <report pipe>  (EOF after execve means success)");
        if (spec.childWaitsForParent(cloneIntoCgroup())) {
            steps.add("pipe2(O_CLOEXEC) = <sync pipe>  (the child waits on it)");
        }
        stdio(steps, 0, spec.stdin(), viaServer);
        stdio(steps, 1, spec.stdout(), viaServer);
        stdio(steps, 2, spec.stderr(), viaServer);
        spec.passedFds().forEach((target, fd) ->
                steps.add("fcntl(" + fd.value() + ", F_DUPFD_CLOEXEC, <above targets>) = <fd for " + target + ">"));
        if (spec.terminal() != null) {
            steps.add("fcntl(" + spec.terminal().consoleSocket().value() + ", F_DUPFD_CLOEXEC, <above targets>)"
                    + " = <console socket>");
        }
        spec.joinedNamespaces().forEach((type, join) ->
                steps.add(joinOpen(type, join) + " = <" + joinName(type, join) + ">"));
        if (spec.deviceRules() != null) {
            dev.hako.cgroupfs.Cgroup group = ApiAccess.get().group(spec.cgroup());
            steps.add("device rules for cgroup " + group.path() + ":");
            for (String line : spec.deviceRules().describe(group.layout()).split("\n")) {
                steps.add("    " + line);
            }
        }
        if (cloneIntoCgroup()) {
            steps.add("open(\"" + spec.cgroup().v2Directory() + "\", O_RDONLY|O_DIRECTORY|O_CLOEXEC) = <cgroup dir>");
        }
        String cgroupArg = cloneIntoCgroup() ? ", cgroup=<cgroup dir>" : "";
        if (viaServer) {
            // The same clone3, made by the server from the program in a chunk both JVMs map.
            steps.add("sendmsg(<launch server socket>, {fork <program chunk>}, SCM_RIGHTS <the child's fds, at "
                    + LaunchServer.FD_FLOOR + " and above>)");
            steps.add("    launch server: clone3({flags=" + String.join("|", cloneFlagNames())
                    + ", pidfd=&pidfd, parent_tid=&pid, exit_signal=0" + cgroupArg + "}, 88) = <pid>"
                    + "  (our child: CLONE_PARENT)");
            steps.add("recvmsg(<launch server socket>, {<pid>}, SCM_RIGHTS) = <pidfd>");
        } else {
            steps.add("clone3({flags=" + String.join("|", cloneFlagNames()) + ", pidfd=&pidfd, exit_signal=SIGCHLD"
                    + cgroupArg + "}, 88) = <pid>");
        }
        steps.add("close(<child ends>)");
        if (spec.subordinateMaps()) {
            if (!spec.setgroupsAllowed()) {
                steps.add("write(\"/proc/<pid>/setgroups\", \"deny\")");
            }
            steps.add(String.join(" ", Launcher.helperCommand(SubordinateIds.NEWUIDMAP, 0, spec.uidMap()))
                    .replaceFirst(" 0", " <pid>") + "  (setuid helper)");
            steps.add(String.join(" ", Launcher.helperCommand(SubordinateIds.NEWGIDMAP, 0, spec.gidMap()))
                    .replaceFirst(" 0", " <pid>") + "  (setuid helper)");
        } else if (spec.newNamespaces().contains(NamespaceType.USER)) {
            steps.add("write(\"/proc/<pid>/setgroups\", \"" + (spec.setgroupsAllowed() ? "allow" : "deny") + "\")");
            steps.add("write(\"/proc/<pid>/uid_map\", " + mapText(spec.uidMap()) + ")");
            steps.add("write(\"/proc/<pid>/gid_map\", " + mapText(spec.gidMap()) + ")");
        }
        if (spec.cgroup() != null) {
            for (var dir : Launcher.attachDirectories(spec.cgroup(), cloneIntoCgroup())) {
                steps.add("write(\"" + dir.resolve("cgroup.procs") + "\", \"<pid>\")");
            }
        }
        if (spec.childWaitsForParent(cloneIntoCgroup())) {
            steps.add("write(<sync pipe>, \"x\", 1); close(<sync pipe>)");
        }
        String timeout = spec.execTimeout().toMillis() + " ms";
        if (spec.handOff()) {
            steps.add("poll(<report pipe>, POLLIN, " + timeout + "); read(<report pipe>) = {<command pid>, errno 0}"
                    + "  (the child forked the command; a failed step of the child's ends the start, one of the"
                    + " command's, which may come first, is thrown once the command is ours; on timeout:"
                    + " pidfd_send_signal(SIGKILL))");
            steps.add("pidfd_open(<command pid>, 0) = <command pidfd>  (our child by CLONE_PARENT: nobody else reaps"
                    + " it, so its pid names it)");
            steps.add("pidfd_send_signal(<pidfd>, SIGKILL); waitid(P_PIDFD, <pidfd>, WEXITED)  (the child, done after"
                    + " its report, reaped at once)");
            timeout = "the rest of " + timeout;
        }
        if (spec.reaperAsPid1()) {
            steps.add("poll(<report pipe>, POLLIN, " + timeout + "); read(<report pipe>) = {<pid 1>, errno 0}"
                    + "  (the supervisor forked PID 1 as our child; else: (step, errno) of the failed child step)");
            steps.add("pidfd_open(<pid 1>, 0) = <pid 1 pidfd>  (our child by CLONE_PARENT: nobody else reaps it, so"
                    + " its pid names it)");
        }
        steps.add("poll(<report pipe>, POLLIN, " + timeout + "); read(<report pipe>) = 0"
                + "  (else: (step, errno) of the failed child step; on timeout: pidfd_send_signal(SIGKILL))");
        if (spec.reaperAsPid1()) {
            steps.add("epoll_ctl(<reaper>, EPOLL_CTL_ADD, <pid 1 pidfd>, EPOLLIN)  (waitid(P_PIDFD) when it exits;"
                    + " the process has ended once both have)");
        }
        steps.add("epoll_ctl(<reaper>, EPOLL_CTL_ADD, " + (spec.handOff() ? "<command pidfd>" : "<pidfd>")
                + ", EPOLLIN)  (waitid(P_PIDFD) when it exits)");
        return steps;
    }

    /** The child's steps, in order, each one line. */
    public List<String> childSteps() {
        try (Arena arena = Arena.ofConfined()) {
            ChildProgram program = new ChildProgram(arena);
            if (privateChunkCopy(dev.hako.namespaces.internal.StartGate.current() != null)) {
                LaunchServer.addPrivateCopy(program, 0, 0);
            }
            compileChild(placeholderDescriptors(), program);
            List<String> lines = new ArrayList<>();
            for (ChildProgram.Step step : program.descriptions()) {
                lines.add(step.describe());
            }
            lines.add("exit_group(127)  (only if a step failed: after reporting it)");
            return lines;
        }
    }

    /** Every step, parent and child, numbered like strace output. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append("# forked by ").append(Launcher.forker(viaServer)).append('\n');
        out.append("# parent\n");
        int n = 1;
        for (String step : parentSteps()) {
            out.append(String.format("%3d  %s%n", n++, step));
        }
        out.append("# child (after clone3, before execve)\n");
        n = 0;
        for (String step : childSteps()) {
            out.append(String.format("%3d  %s%n", n++, step));
        }
        if (spec.seccomp() != null && !spec.seccomp().isUnconfined()) {
            out.append("# ").append(spec.seccomp().describe());
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return describe();
    }

    private ChildCompiler.Descriptors placeholderDescriptors() {
        Map<Integer, Integer> moves = new TreeMap<>();
        Map<Integer, String> names = new LinkedHashMap<>();
        int next = PLACEHOLDER;
        Redirect[] stdio = {spec.stdin(), spec.stdout(), spec.stderr()};
        for (int target = 0; target < 3; target++) {
            if (viaServer || !(stdio[target] instanceof Redirect.Inherit)) {
                moves.put(target, next++);
                names.put(target, Launcher.stdioName(target, stdio[target]));
            }
        }
        for (int target : spec.passedFds().keySet()) {
            moves.put(target, next++);
            names.put(target, "fd for " + target);
        }
        Map<NamespaceType, Integer> joins = new EnumMap<>(NamespaceType.class);
        Map<NamespaceType, String> joinNames = new EnumMap<>(NamespaceType.class);
        for (var join : spec.joinedNamespaces().entrySet()) {
            joins.put(join.getKey(), next++);
            joinNames.put(join.getKey(), joinName(join.getKey(), join.getValue()));
        }
        int console = spec.terminal() != null ? next++ : -1;
        int sync = spec.childWaitsForParent(cloneIntoCgroup()) ? next : -1;
        return new ChildCompiler.Descriptors(sync, moves, names, joins, joinNames, sync >= 0 ? next + 1 : next,
                console);
    }

    private static void stdio(List<String> steps, int target, Redirect redirect, boolean viaServer) {
        String name = Launcher.stdioName(target, redirect);
        switch (redirect) {
            case Redirect.Inherit inherit -> {
                if (viaServer) {
                    // The server's own would be inherited otherwise.
                    steps.add("fcntl(" + target + ", F_DUPFD_CLOEXEC, 3) = <" + name + ">  (this JVM's own)");
                }
            }
            case Redirect.Pipe pipe -> steps.add("pipe2(O_CLOEXEC) = <" + name + ">");
            case Redirect.FromFile file -> steps.add("openat(\"" + file.file() + "\", O_RDONLY|O_CLOEXEC) = <" + name + ">");
            case Redirect.ToFile file -> steps.add("openat(\"" + file.file() + "\", O_WRONLY|O_CREAT|"
                    + (file.append() ? "O_APPEND" : "O_TRUNC") + "|O_CLOEXEC, 0644) = <" + name + ">");
            case Redirect.ToFd fd -> steps.add("fcntl(" + fd.fd().value() + ", F_DUPFD_CLOEXEC, <above targets>) = <"
                    + name + ">");
        }
    }

    /** How the plan names a namespace to join: {@code "net of pid 42"}, {@code "uts at /run/netns/x"}. */
    public static String joinName(NamespaceType type, NamespaceJoin join) {
        return switch (join) {
            case NamespaceJoin.OfPid pid -> type.procName() + " of pid " + pid.pid();
            case NamespaceJoin.OfPath path -> type.procName() + " at " + path.path();
            case NamespaceJoin.OfPidfd pidfd -> type.procName() + " of pidfd " + pidfd.pidfd().value();
        };
    }

    private static String joinOpen(NamespaceType type, NamespaceJoin join) {
        return switch (join) {
            case NamespaceJoin.OfPid pid -> "open(\"/proc/" + pid.pid() + "/ns/" + type.procName() + "\", O_RDONLY|O_CLOEXEC)";
            case NamespaceJoin.OfPath path -> "open(\"" + path.path() + "\", O_RDONLY|O_CLOEXEC)";
            case NamespaceJoin.OfPidfd pidfd -> "fcntl(" + pidfd.pidfd().value() + ", F_DUPFD_CLOEXEC)";
        };
    }

    static String mapText(List<IdMapping> map) {
        StringJoiner joiner = new StringJoiner("\\n", "\"", "\\n\"");
        for (IdMapping mapping : map) {
            joiner.add(mapping.line());
        }
        return joiner.toString();
    }

    static EnumSet<NamespaceType> none() {
        return EnumSet.noneOf(NamespaceType.class);
    }
}
