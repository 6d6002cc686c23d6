package dev.hako.namespaces.launch;

import dev.hako.bindings.Linux;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.IdMapping;
import dev.hako.namespaces.NamespaceJoin;
import dev.hako.namespaces.Redirect;
import dev.hako.syscalls.EventSyscalls;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.Flag;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.OpenFlag;
import dev.hako.syscalls.PollEvent;
import dev.hako.syscalls.ProcessSyscalls;
import dev.hako.syscalls.SyscallException;
import dev.hako.syscalls.WaitOption;
import dev.hako.syscalls.calls.Call;
import dev.hako.syscalls.calls.ProcessCalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Carries out a {@link Plan}: opens what the child needs, forks through
 * {@link ChildInterpreter}, does the parent's part (user maps, cgroup attach), and waits,
 * bounded, for the child to reach execve. On any failure the child is killed through its
 * pidfd and reaped, every descriptor opened for the start is closed, and the caller gets an
 * exception naming the step that failed.
 */
public final class Launcher {

    private Launcher() {
    }

    /**
     * Makes the caller's process object once the child has reached execve. It owns
     * {@code pidfd}, {@code init}'s pidfd and the JVM's ends of stdio pipes ({@code parentEnds},
     * null where none); if it throws, the start fails and the launcher closes those ends.
     *
     * @param <P> the process type
     */
    @FunctionalInterface
    public interface ProcessFactory<P> {
        /**
         * The process object for a child that has reached execve. {@code init} is a
         * supervised start's PID 1, which is this JVM's child too and must be reaped with
         * it ({@link LaunchSpec#reaperAsPid1()}), or null.
         */
        P started(int pid, Fd pidfd, Pid1 init, LaunchSpec spec, Fd[] parentEnds);
    }

    /**
     * A supervised start's PID 1, forked by the supervisor with CLONE_PARENT.
     *
     * @param pid   its pid in this JVM's pid namespace
     * @param pidfd a pidfd of it, owned by whoever holds this
     */
    public record Pid1(int pid, Fd pidfd) {
    }

    /** Descriptors opened for one start; closed at the end unless handed to the process. */
    private static final class Opened implements AutoCloseable {
        private final List<Fd> fds = new ArrayList<>();

        Fd add(Fd fd) {
            fds.add(fd);
            return fd;
        }

        FileSyscalls.Pipe add(FileSyscalls.Pipe pipe) {
            fds.add(pipe.read());
            fds.add(pipe.write());
            return pipe;
        }

        /** Takes a descriptor out of the set closed at the end (it now belongs to the process). */
        Fd keep(Fd fd) {
            fds.remove(fd);
            return fd;
        }

        @Override
        public void close() {
            for (Fd fd : fds) {
                fd.close();
            }
        }
    }

    /**
     * Checks the mount view and sets device rules, then starts the plan: forked by this JVM,
     * or by the launch server ({@link LaunchServer}) if the plan says so.
     */
    public static <P> P start(Plan plan, ProcessFactory<P> factory) throws IOException {
        if (!plan.viaServer()) {
            LoopPolls.requireC2ForInProcessStarts(LoopPolls.C1_AT_MOST);
        }
        if (plan.spec().mounts() != null) {
            MountCompiler.checkDestinations(plan.spec().mounts());
            MountCompiler.checkHostDevices(plan.spec().mounts());
            MountCompiler.checkHostNodes(plan.spec());
        }
        if (plan.spec().deviceRules() != null) {
            // Before the fork: the payload must never run a moment without its device rules.
            ApiAccess.get().group(plan.spec().cgroup()).apply(List.of(plan.spec().deviceRules()));
        }
        return startUnchecked(plan, factory);
    }

    /**
     * Starts without the parent's destination check (tests use it to reach the child's own
     * check), in this JVM or through the launch server as the plan says.
     */
    public static <P> P startUnchecked(Plan plan, ProcessFactory<P> factory) throws IOException {
        if (plan.spec().handOff() && dev.hako.namespaces.internal.StartGate.current() != null) {
            // The gate is given the child's pid, and a hand-off's command is another process.
            throw new IllegalArgumentException("a start gate cannot be used with a joined pid namespace: the child"
                    + " it holds is not the command's process");
        }
        LaunchServer server = plan.viaServer() ? LaunchServer.get() : null;
        if (server == null) {
            ChildInterpreter.ensureWarm();
        }
        Fd[] parentEnds = new Fd[3];
        boolean started = false;
        try {
            P process = forkAndExec(plan, parentEnds, factory, server);
            started = true;
            return process;
        } finally {
            if (!started) {
                for (Fd end : parentEnds) {
                    if (end != null) {
                        end.close();
                    }
                }
            }
        }
    }

    /**
     * Does ahead of the first start what it would wait for: starts the launch server, or
     * checks that this JVM may fork and warms the child interpreter.
     */
    public static void prepare(boolean viaServer) throws IOException {
        if (viaServer) {
            LaunchServer.get();
        } else {
            LoopPolls.requireC2ForInProcessStarts(LoopPolls.C1_AT_MOST);
            ChildInterpreter.prepare();
        }
    }

    /** One line naming the process that forks: the launch server, or this JVM. */
    public static String forker(boolean viaServer) {
        return viaServer ? LaunchServer.describeCurrent()
                : "this JVM (pid " + ProcessHandle.current().pid() + "), in-process";
    }

    private static <P> P forkAndExec(Plan plan, Fd[] parentEnds, ProcessFactory<P> factory, LaunchServer server)
            throws IOException {
        LaunchSpec spec = plan.spec();
        boolean intoCgroup = plan.cloneIntoCgroup();
        // Through the server, the program lives in a chunk both JVMs map at one address, and
        // every descriptor it names sits at FD_FLOOR or above, where the server puts its copy.
        LaunchServer.Chunk chunk = server == null ? null : server.chunk();
        List<Fd> childFds = new ArrayList<>();
        try (Arena arena = chunk == null ? Arena.ofConfined() : chunk; Opened opened = new Opened()) {
            int floor = server == null ? 0 : LaunchServer.FD_FLOOR;
            FileSyscalls.Pipe report = opened.add(FileSyscalls.pipe2(false));
            Fd reportWrite = high(report.write(), floor, opened, childFds);
            dev.hako.namespaces.internal.StartGate.Gate gate = dev.hako.namespaces.internal.StartGate.current();
            FileSyscalls.Pipe sync = spec.childWaitsForParent(intoCgroup) || gate != null
                    ? opened.add(FileSyscalls.pipe2(false)) : null;
            Fd syncRead = sync == null ? null : high(sync.read(), floor, opened, childFds);

            // Sources of the child's descriptors, and the JVM's ends of stdio pipes.
            Map<Integer, Fd> sources = new TreeMap<>();
            Map<Integer, String> names = new LinkedHashMap<>();
            Redirect[] stdio = {spec.stdin(), spec.stdout(), spec.stderr()};
            for (int target = 0; target < 3; target++) {
                Fd source = stdioSource(target, stdio[target], opened, parentEnds, server != null);
                if (source != null) {
                    sources.put(target, source);
                    names.put(target, stdioName(target, stdio[target]));
                }
            }
            spec.passedFds().forEach((target, fd) -> {
                sources.put(target, fd);
                names.put(target, "fd for " + target);
            });
            // Move every source above every target so the child's dup3s never overwrite one.
            int above = Math.max(Math.max(3, floor),
                    sources.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1);
            Map<Integer, Integer> moves = new TreeMap<>();
            for (Map.Entry<Integer, Fd> source : sources.entrySet()) {
                Fd moved = opened.add(FileSyscalls.dupCloexec(source.getValue(), above));
                moves.put(source.getKey(), moved.value());
                if (server != null) {
                    childFds.add(moved);
                }
            }

            int consoleSocket = -1;
            if (spec.terminal() != null) {
                // Above the targets too: the child sends the master over it after its dup3s.
                Fd moved = opened.add(FileSyscalls.dupCloexec(spec.terminal().consoleSocket(), above));
                if (server != null) {
                    childFds.add(moved);
                }
                consoleSocket = moved.value();
            }

            Map<NamespaceType, Integer> joins = new EnumMap<>(NamespaceType.class);
            Map<NamespaceType, String> joinNames = new EnumMap<>(NamespaceType.class);
            for (var join : spec.joinedNamespaces().entrySet()) {
                joins.put(join.getKey(), high(opened.add(openJoin(join.getKey(), join.getValue())), floor, opened,
                        childFds).value());
                joinNames.put(join.getKey(), Plan.joinName(join.getKey(), join.getValue()));
            }
            Fd cgroupDir = intoCgroup ? high(opened.add(FileSyscalls.openat2(null, spec.cgroup().v2Directory().toString(),
                    EnumSet.of(OpenFlag.DIRECTORY, OpenFlag.READ_ONLY), 0, Set.of())), floor, opened, childFds) : null;

            ChildProgram program = new ChildProgram(arena);
            if (chunk != null && plan.privateChunkCopy(gate != null)) {
                LaunchServer.addPrivateCopy(program, chunk.address(), chunk.offset());
            }
            plan.compileChild(new ChildCompiler.Descriptors(syncRead == null ? -1 : syncRead.value(), moves, names,
                    joins, joinNames, reportWrite.value(), consoleSocket), program);

            MemorySegment pidfdSlot = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment parentTid = arena.allocate(ValueLayout.JAVA_INT);
            long flags = Linux.CLONE_PIDFD() | Flag.combine(spec.cloneNamespaces());
            if (KernelSupport.get().clearSighand()) {
                flags |= Linux.CLONE_CLEAR_SIGHAND();
            }
            if (cgroupDir != null) {
                flags |= Linux.CLONE_INTO_CGROUP();
            }
            if (server != null) {
                // The container is our child, not the server's; it takes the server's exit
                // signal (SIGCHLD), and clone3 refuses one of its own with CLONE_PARENT.
                flags |= Linux.CLONE_PARENT() | Linux.CLONE_PARENT_SETTID();
            }
            ProcessCalls.CloneArgs cloneArgs = ProcessCalls.CloneArgs.exitSignal(server == null ? Linux.SIGCHLD() : 0)
                    .flags(flags, String.join("|", plan.cloneFlagNames())).pidfd(pidfdSlot.address());
            if (cgroupDir != null) {
                cloneArgs = cloneArgs.cgroup(cgroupDir.value());
            }
            if (server != null) {
                cloneArgs = cloneArgs.parentTid(parentTid.address());
            }
            Call fork = ProcessCalls.clone3(arena, cloneArgs);
            MemorySegment code = program.assemble(fork.number(), fork.word(0), fork.word(1),
                    reportWrite.value(), Linux.SYS_write(), Linux.SYS_exit_group());
            MemorySegment capture = ChildInterpreter.capture(code);

            long pid;
            Fd pidfd;
            int forkErrno = 0;
            if (server == null) {
                pid = ChildInterpreter.forkAndRun(code, capture);
                pidfd = pid < 0 ? null : Fd.adopt(pidfdSlot.get(ValueLayout.JAVA_INT, 0));
                forkErrno = pid < 0 ? ChildInterpreter.errno(capture) : 0;
            } else {
                LaunchServer.Forked forked = server.fork(code, pidfdSlot, parentTid, childFds);
                pid = forked.result() < 0 ? -1 : forked.result();
                forkErrno = pid < 0 ? (int) -forked.result() : 0;
                pidfd = forked.pidfd();
            }
            if (pid < 0) {
                throw new SyscallException("clone3", "{flags=" + String.join("|", plan.cloneFlagNames()) + "}",
                        forkErrno);
            }
            boolean started = false;
            boolean handedOver = false;
            Pid1[] init = new Pid1[1];
            Fd reportRead = opened.keep(report.read());
            Fd syncWrite = sync == null ? null : opened.keep(sync.write());
            try {
                // Close the parent's copies of what the child uses: EOF on the report pipe
                // needs the write end closed everywhere but in the child.
                opened.close();
                if (spec.newNamespaces().contains(NamespaceType.USER)) {
                    writeUserMaps((int) pid, spec);
                }
                if (spec.cgroup() != null) {
                    for (Path dir : attachDirectories(spec.cgroup(), intoCgroup)) {
                        writeFile(dir.resolve("cgroup.procs"), Long.toString(pid));
                    }
                }
                if (gate != null) {
                    gate.beforeRelease((int) pid);
                }
                if (syncWrite != null) {
                    FileSyscalls.writeFully(syncWrite, new byte[] {'x'});
                    syncWrite.close();
                }
                long deadline = System.nanoTime() + spec.execTimeout().toNanos();
                if (spec.handOff()) {
                    HandOff handOff = awaitHandOff(reportRead, arena, program, spec, (int) pid, deadline);
                    Fd commandPidfd = childPidfd(handOff.pid());
                    // The child's work is done: its last row, exit_group, is all that is left
                    // of it. SIGKILL bounds the wait for that; then no zombie of it remains.
                    killAndReap(pidfd);
                    handedOver = true;
                    pid = handOff.pid();
                    pidfd = commandPidfd;
                    if (handOff.failure() != null) {
                        throw handOff.failure();
                    }
                }
                awaitExec(reportRead, arena, program, spec, (int) pid, deadline, init);
                started = true;
            } finally {
                if (!started) {
                    if (spec.reaperAsPid1()) {
                        // PID 1 first: the supervisor, alive, then reaps the command it kills.
                        // Killed first, it would orphan the command, whose zombie keeps PID 1
                        // from ending until its adopter reaps it.
                        Fd pid1 = init[0] != null ? init[0].pidfd() : latePidfd(reportRead, arena);
                        if (pid1 != null) {
                            killAndReap(pid1);
                        }
                    }
                    killAndReap(pidfd);
                    if (spec.handOff() && !handedOver) {
                        Fd command = latePidfd(reportRead, arena);
                        if (command != null) {
                            killAndReap(command);
                        }
                    }
                }
                reportRead.close();
                if (syncWrite != null) {
                    syncWrite.close();
                }
            }
            return factory.started((int) pid, pidfd, init[0], spec, parentEnds);
        }
    }

    /**
     * Through the server: a copy of {@code fd} at {@code floor} or above, which the child
     * program names and the server receives; in this JVM ({@code floor} 0): {@code fd}.
     */
    private static Fd high(Fd fd, int floor, Opened opened, List<Fd> childFds) throws SyscallException {
        if (floor == 0) {
            return fd;
        }
        Fd copy = opened.add(FileSyscalls.dupCloexec(fd, floor));
        childFds.add(copy);
        return copy;
    }

    private static Fd stdioSource(int target, Redirect redirect, Opened opened, Fd[] parentEnds, boolean viaServer)
            throws SyscallException {
        return switch (redirect) {
            // A child of the server would inherit the server's own (/dev/null), not ours.
            case Redirect.Inherit inherit -> viaServer ? ownStdio(target, opened) : null;
            case Redirect.Pipe pipe -> {
                FileSyscalls.Pipe p = FileSyscalls.pipe2(false);
                // The JVM's end is not added to `opened`: the process object owns it.
                parentEnds[target] = target == 0 ? p.write() : p.read();
                yield opened.add(target == 0 ? p.read() : p.write());
            }
            case Redirect.FromFile file -> opened.add(FileSyscalls.openat2(null, file.file().toString(),
                    EnumSet.of(OpenFlag.READ_ONLY), 0, Set.of()));
            case Redirect.ToFile file -> opened.add(FileSyscalls.openat2(null, file.file().toString(),
                    EnumSet.of(OpenFlag.WRITE_ONLY, OpenFlag.CREATE, file.append() ? OpenFlag.APPEND : OpenFlag.TRUNCATE),
                    0644, Set.of()));
            case Redirect.ToFd fd -> fd.fd();
        };
    }

    /**
     * A copy of this JVM's descriptor {@code target} (0, 1 or 2) for a child that the
     * server forks, or null if this JVM has it closed (the child then has the server's).
     */
    private static Fd ownStdio(int target, Opened opened) throws SyscallException {
        Fd own = Fd.adopt(target);
        try {
            return opened.add(FileSyscalls.dupCloexec(own, 3));
        } catch (SyscallException e) {
            if (e.errno() == Linux.EBADF()) {
                return null;
            }
            throw e;
        } finally {
            own.release(); // borrowed, not ours to close
        }
    }

    static String stdioName(int target, Redirect redirect) {
        String stream = target == 0 ? "stdin" : target == 1 ? "stdout" : "stderr";
        return switch (redirect) {
            case Redirect.Pipe pipe -> stream + " pipe";
            case Redirect.FromFile file -> stream + " from " + file.file();
            case Redirect.ToFile file -> stream + " to " + file.file();
            case Redirect.ToFd fd -> stream + " fd";
            case Redirect.Inherit inherit -> stream;
        };
    }

    private static Fd openJoin(NamespaceType type, NamespaceJoin join) throws IOException {
        return switch (join) {
            case NamespaceJoin.OfPid pid -> {
                try {
                    yield FileSyscalls.openat2(null, "/proc/" + pid.pid() + "/ns/" + type.procName(),
                            EnumSet.of(OpenFlag.READ_ONLY), 0, Set.of());
                } catch (SyscallException e) {
                    if (e.errno() == Linux.ENOENT() || e.errno() == Linux.ESRCH()) {
                        throw new IOException("cannot join the " + type.procName() + " namespace of pid " + pid.pid()
                                + ": no such process (it exited?)", e);
                    }
                    throw e;
                }
            }
            case NamespaceJoin.OfPath path -> FileSyscalls.openat2(null, path.path().toString(),
                    EnumSet.of(OpenFlag.READ_ONLY), 0, Set.of());
            case NamespaceJoin.OfPidfd pidfd -> FileSyscalls.dupCloexec(pidfd.pidfd(), 3);
        };
    }

    /** setgroups before gid_map: an unprivileged writer must deny setgroups first. */
    private static void writeUserMaps(int pid, LaunchSpec spec) throws IOException {
        Path proc = Path.of("/proc", Integer.toString(pid));
        if (spec.subordinateMaps()) {
            // The setuid helpers write the maps with their privilege; setgroups is denied
            // first only when asked, since a denied setgroups cannot be allowed again.
            if (!spec.setgroupsAllowed()) {
                writeFile(proc.resolve("setgroups"), "deny");
            }
            runHelper(SubordinateIds.NEWUIDMAP, pid, spec.uidMap());
            runHelper(SubordinateIds.NEWGIDMAP, pid, spec.gidMap());
            return;
        }
        writeFile(proc.resolve("setgroups"), spec.setgroupsAllowed() ? "allow" : "deny");
        if (!spec.uidMap().isEmpty()) {
            writeFile(proc.resolve("uid_map"), mapLines(spec.uidMap()));
        }
        if (!spec.gidMap().isEmpty()) {
            writeFile(proc.resolve("gid_map"), mapLines(spec.gidMap()));
        }
    }

    /** The command line of newuidmap/newgidmap: PID, then inside outside count for each range. */
    static List<String> helperCommand(Path helper, long pid, List<IdMapping> map) {
        List<String> command = new ArrayList<>();
        command.add(helper.toString());
        command.add(Long.toString(pid));
        for (IdMapping mapping : map) {
            command.add(Long.toString(mapping.inside()));
            command.add(Long.toString(mapping.outside()));
            command.add(Long.toString(mapping.count()));
        }
        return command;
    }

    /** Runs a helper, bounded, and reports what it printed on failure. */
    private static void runHelper(Path helper, int pid, List<IdMapping> map) throws IOException {
        List<String> command = helperCommand(helper, pid, map);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            // Wait first: reading to EOF would block past the bound. Its few lines fit the pipe.
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IOException(String.join(" ", command) + " did not finish within 10 s");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed with status " + process.exitValue()
                        + (output.isEmpty() ? "" : ": " + output));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + helper, e);
        } finally {
            process.destroyForcibly();
        }
    }

    private static String mapLines(List<IdMapping> map) {
        StringBuilder text = new StringBuilder();
        for (IdMapping mapping : map) {
            text.append(mapping.line()).append('\n');
        }
        return text.toString();
    }

    /** One write(2) of the whole value, as /proc maps and cgroup files require. */
    public static void writeFile(Path file, String value) throws SyscallException {
        try (Fd fd = FileSyscalls.openat2(null, file.toString(), EnumSet.of(OpenFlag.WRITE_ONLY), 0, Set.of())) {
            FileSyscalls.writeFully(fd, value.getBytes(StandardCharsets.UTF_8));
        } catch (SyscallException e) {
            String name = file.getFileName().toString();
            String hint = e.errno() == Linux.EPERM() && (name.equals("uid_map") || name.equals("gid_map"))
                    ? "a map is written once, by a process with CAP_SETUID (uid_map) or CAP_SETGID (gid_map) over the"
                            + " namespace; an unprivileged user can map only its own id"
                    : null;
            throw new SyscallException("write", "\"" + file + "\", " + dev.hako.syscalls.calls.CStrings.quote(value.strip()), e.errno(), hint);
        }
    }

    /** The directories to write the child's pid to: all but the one it was cloned into. */
    static List<Path> attachDirectories(CgroupPlacement placement, boolean clonedIntoV2) {
        List<Path> directories = new ArrayList<>();
        if (placement.v2Directory() != null && !clonedIntoV2) {
            directories.add(placement.v2Directory());
        }
        directories.addAll(placement.attach());
        return directories;
    }

    /**
     * Waits for EOF (exec succeeded: the O_CLOEXEC write end closed) or a failure report
     * (step index, errno), until {@code deadline} (System.nanoTime), the end of the exec
     * timeout. A supervised start's report of its PID 1 (errno 0) comes first; its pidfd
     * goes to {@code init[0]}, where it is the caller's to close even if this throws.
     */
    private static void awaitExec(Fd report, Arena arena, ChildProgram program, LaunchSpec spec, int pid,
                                  long deadline, Pid1[] init) throws IOException {
        MemorySegment record = readReport(report, arena, spec, pid, deadline);
        if (record != null && spec.reaperAsPid1() && record.get(ValueLayout.JAVA_INT, 4) == 0) {
            int pid1 = record.get(ValueLayout.JAVA_INT, 0);
            init[0] = new Pid1(pid1, childPidfd(pid1));
            record = readReport(report, arena, spec, pid, deadline);
        }
        if (record != null) {
            throw failure(record, program, spec);
        }
    }

    /**
     * What the first part of a hand-off learnt: the command's pid, and its failure if that
     * was reported before the pid (or null).
     */
    private record HandOff(int pid, IOException failure) {
    }

    /**
     * The first part of a hand-off ({@link LaunchSpec#handOff()}): waits, until
     * {@code deadline}, for the child's report of the command's pid (a report with errno 0),
     * or throws what a failure of the child's own steps reported. The command runs as soon
     * as it is forked, so its own failure may come first: that is kept for after the
     * take-over, and the wait goes on for the pid.
     */
    private static HandOff awaitHandOff(Fd report, Arena arena, ChildProgram program, LaunchSpec spec, int child,
                                        long deadline) throws IOException {
        IOException commandFailure = null;
        while (true) {
            MemorySegment record = readReport(report, arena, spec, child, deadline);
            if (record == null) {
                throw new IOException("the child (pid " + child + ") ended before it handed the command over; it was"
                        + " killed by a signal?");
            }
            if (record.get(ValueLayout.JAVA_INT, 4) == 0) {
                return new HandOff(record.get(ValueLayout.JAVA_INT, 0), commandFailure);
            }
            IOException failure = failure(record, program, spec);
            if (commandFailure != null || !program.runsAfterHandOff(record.get(ValueLayout.JAVA_INT, 0))) {
                throw failure;
            }
            commandFailure = failure;
        }
    }

    /**
     * A pidfd for a process the child forked with CLONE_PARENT and reported: a hand-off's
     * command, or a supervised start's PID 1. pidfd_open by pid is race-free here: it is
     * this JVM's child, and a child's pid cannot be reused before its parent reaps it, which
     * this JVM does only through pidfds it holds. For the same reason, when no pidfd can be
     * had (EMFILE), the pid is safe to kill and reap by.
     */
    private static Fd childPidfd(int pid) throws SyscallException {
        try {
            return ProcessSyscalls.pidfdOpen(pid, false);
        } catch (SyscallException e) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            try {
                ProcessSyscalls.waitidPid(pid, EnumSet.of(WaitOption.EXITED));
            } catch (SyscallException reaped) {
                // ECHILD: nothing left to reap.
            }
            throw e;
        }
    }

    /**
     * After a start failed before a process the child forked with CLONE_PARENT was taken
     * over (the wait timed out): a pidfd of a hand-off's command or a supervisor's PID 1
     * forked just before, if its pid is in the pipe, for the caller to kill and reap; else
     * null. (A child killed between its fork and its report would leave that process
     * unknown to this JVM: a window of a few rows that only a SIGKILL from outside, or the
     * exec timeout ending exactly there, can hit. A PID 1 left so dies with its supervisor,
     * and stays a zombie of this JVM.)
     */
    private static Fd latePidfd(Fd report, Arena arena) {
        MemorySegment record = arena.allocate(8);
        try {
            // At most two reports are left: a failure and the report of a pid.
            for (int i = 0; i < 2 && !EventSyscalls.poll(report, EnumSet.of(PollEvent.IN), Duration.ZERO).isEmpty();
                 i++) {
                if (FileSyscalls.read(report, record) != 8) {
                    return null;
                }
                if (record.get(ValueLayout.JAVA_INT, 4) == 0) {
                    return childPidfd(record.get(ValueLayout.JAVA_INT, 0));
                }
            }
        } catch (SyscallException e) {
            // Nothing readable: nothing was forked.
        }
        return null;
    }

    /**
     * Waits until {@code deadline} for one report from the child: null at end of file (every
     * write end closed: the child reached execve, or exited), else its 8 bytes.
     */
    private static MemorySegment readReport(Fd report, Arena arena, LaunchSpec spec, int pid, long deadline)
            throws IOException {
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        if (EventSyscalls.poll(report, EnumSet.of(PollEvent.IN), left).isEmpty()) {
            String where = describeBlocked(pid);
            throw new IOException("the child (pid " + pid + ") did not reach execve within "
                    + spec.execTimeout().toMillis() + " ms" + where + "; it was killed. Run plan().describe() to see"
                    + " its steps");
        }
        MemorySegment buffer = arena.allocate(8);
        long n = FileSyscalls.read(report, buffer);
        if (n == 0) {
            return null;
        }
        if (n != 8) {
            throw new IOException("the child's failure report was cut short (" + n + " bytes)");
        }
        return buffer;
    }

    /** The exception a failure report (step index, errno) of the child stands for. */
    private static IOException failure(MemorySegment record, ChildProgram program, LaunchSpec spec) {
        int index = record.get(ValueLayout.JAVA_INT, 0);
        int errno = record.get(ValueLayout.JAVA_INT, 4);
        List<ChildProgram.Step> steps = program.descriptions();
        ChildProgram.Step step = steps.get(index);
        SyscallException cause = new SyscallException(step.syscall(), step.arguments(), errno);
        if (step.syscall().equals("execve")) {
            return new IOException("Cannot run program \"" + spec.command().getFirst() + "\""
                    + (spec.directory() == null ? "" : " (in directory \"" + spec.directory() + "\")")
                    + ": error=" + errno + ", " + cause.errnoName() + " (" + cause.description() + ")"
                    + (spec.command().getFirst().indexOf('/') >= 0 ? "" : "; it was searched for on the container's"
                            + " PATH (" + spec.environment().getOrDefault("PATH", LaunchSpec.STANDARD_PATH)
                            + ") inside its root"), cause);
        }
        return cause;
    }

    /** For a timeout message: which syscall the child is blocked in, from /proc. */
    private static String describeBlocked(int pid) {
        try {
            String syscall = Files.readString(Path.of("/proc/" + pid + "/syscall")).trim().split(" ")[0];
            String wchan = Files.readString(Path.of("/proc/" + pid + "/wchan")).trim();
            return " (blocked in syscall " + syscall + (wchan.isEmpty() || wchan.equals("0") ? "" : ", " + wchan) + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Kills a child that must not live on and reaps it, so no zombie stays behind. */
    public static void killAndReap(Fd pidfd) {
        try {
            ProcessSyscalls.pidfdSendSignal(pidfd, Linux.SIGKILL());
        } catch (SyscallException e) {
            // Already exited (ESRCH): reaping below is all that is left to do.
        }
        reap(pidfd);
    }

    /** Waits for a child that is ending to exit, reaps it and closes its pidfd. */
    public static void reap(Fd pidfd) {
        try {
            ProcessSyscalls.waitidPidfd(pidfd, EnumSet.of(WaitOption.EXITED));
        } catch (SyscallException e) {
            // ECHILD: reaped already.
        } finally {
            pidfd.close();
        }
    }
}
