package dev.hako.checkpoint.internal;

import dev.hako.bindings.Linux;
import dev.hako.bindings.iovec;
import dev.hako.bindings.ptrace_rseq_configuration;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.OpenFlag;
import dev.hako.syscalls.StreamSyscalls;
import dev.hako.syscalls.SyscallException;
import dev.hako.syscalls.TraceStatus;
import dev.hako.syscalls.TraceSyscalls;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dumps a tree of single-threaded tasks from outside. Every check that can refuse runs
 * before anything is stopped; then the group is frozen, every task seized and interrupted,
 * the group thawed (the tasks stay in their ptrace stops), and each task is read through
 * /proc, ptrace, process_vm_readv and a few injected syscalls. Runs on the tracer thread.
 */
public final class Dumper {

    private static final Duration FREEZE_TIMEOUT = Duration.ofSeconds(10);
    private static final int PAGE = 4096;
    private static final long PM_PRESENT = 1L << 63;
    private static final long PM_SWAPPED = 1L << 62;
    private static final long PM_FILE = 1L << 61;

    private final int root;
    private final Cgroup cgroup;
    private final Path dir;
    private final List<Integer> seized = new ArrayList<>();
    private final Set<Long> pipesSaved = new HashSet<>();
    /** Every regular file or /dev/null descriptor dumped so far, to find shared open files. */
    private final List<OpenFile> openFiles = new ArrayList<>();
    private int nextFileId = 1;

    /** A dumped descriptor of a regular file or /dev/null and the id of its open file description. */
    private record OpenFile(int hostPid, int fd, Object fileKey, long position, int openFlags, int id) {
    }

    /**
     * A dump of the tree under host pid {@code root}, whose tasks are all in {@code cgroup}
     * (frozen during the dump), into the image directory {@code dir}.
     */
    public Dumper(int root, Cgroup cgroup, Path dir) {
        this.root = root;
        this.cgroup = cgroup;
        this.dir = dir;
    }

    /** The tree in parent-before-child order, host pids. */
    public static List<Integer> tree(int root) throws IOException {
        List<Integer> order = new ArrayList<>();
        order.add(root);
        for (int i = 0; i < order.size(); i++) {
            try {
                order.addAll(ProcFiles.children(order.get(i)));
            } catch (java.nio.file.NoSuchFileException e) {
                // ended meanwhile (only before the freeze)
            }
        }
        return order;
    }

    /** Refuses what phase 1 cannot dump, naming the task and the thing; changes nothing. */
    public static void check(List<Integer> tasks) throws IOException {
        if (!System.getProperty("os.arch").equals("amd64")) {
            throw new IOException("checkpoint supports x86_64 only for now (this is " + System.getProperty("os.arch")
                    + ")");
        }
        for (int pid : tasks) {
            try {
                checkOne(pid, tasks.getFirst());
            } catch (CheckpointRefusal refusal) {
                throw refusal;
            } catch (IOException e) {
                // A task that ended since the tree was listed (only possible before the
                // freeze; the frozen tree is checked again) is no reason to refuse.
                if (!endedSince(pid)) {
                    throw e;
                }
            }
        }
    }

    private static void checkOne(int pid, int root) throws IOException {
        Map<String, String> status = ProcFiles.status(pid);
        if (isZombie(status)) {
            return;
        }
        String name = "task " + pid + " (" + status.get("Name") + ")";
        int threads = Integer.parseInt(status.get("Threads"));
        if (threads > 1) {
            List<String> tids = new ArrayList<>();
            try (var list = Files.list(ProcFiles.dir(pid).resolve("task"))) {
                list.map(p -> p.getFileName().toString()).filter(t -> !t.equals(Integer.toString(pid)))
                        .sorted().forEach(tids::add);
            }
            throw new CheckpointRefusal(name + " has " + threads + " threads (thread " + String.join(", thread ", tids)
                    + "); only single-threaded tasks can be checkpointed");
        }
        if (!"0".equals(status.getOrDefault("Seccomp", "0"))) {
            throw new CheckpointRefusal(name + " runs under seccomp (mode " + status.get("Seccomp")
                    + "); seccomp filters cannot be checkpointed yet");
        }
        // readAllLines, not lines(): a task that ends meanwhile (ESRCH) must surface as the
        // IOException check() forgives, not as an UncheckedIOException from a stream.
        long timers = Files.readAllLines(ProcFiles.dir(pid).resolve("timers")).stream()
                .filter(line -> line.startsWith("ID:")).count();
        if (timers > 0) {
            throw new CheckpointRefusal(name + " has " + timers + " POSIX timer(s) made by timer_create; POSIX timers"
                    + " cannot be checkpointed yet");
        }
        String features = status.getOrDefault("x86_Thread_features", "");
        if (features.contains("shstk")) {
            throw new CheckpointRefusal(name + " uses a shadow stack (x86_Thread_features: " + features
                    + "); shadow stacks cannot be checkpointed yet");
        }
        for (ProcFiles.Mapping mapping : ProcFiles.smaps(pid)) {
            if (mapping.perms().charAt(3) == 's') {
                boolean anonymous = mapping.inode() == 0 || mapping.path().startsWith("/dev/zero")
                        || mapping.path().startsWith("/SYSV") || mapping.path().startsWith("/memfd:");
                throw new CheckpointRefusal(name + " has a shared " + (anonymous ? "anonymous " : "file ")
                        + "mapping at 0x" + Long.toHexString(mapping.start()) + "-0x" + Long.toHexString(mapping.end())
                        + (mapping.path().isEmpty() ? "" : " (" + mapping.path() + ")")
                        + "; only private mappings can be checkpointed");
            }
        }
        Path proc = ProcFiles.dir(pid);
        if (pid != root && !sameFile(proc.resolve("root"), ProcFiles.dir(root).resolve("root"))) {
            // The restore gives every task the new container's root; a chroot inside it
            // would be lost, and paths seen from it would be looked up in the wrong place.
            throw new CheckpointRefusal(name + " has changed its root to " + Files.readSymbolicLink(proc.resolve("root"))
                    + "; only tasks in their container's root can be checkpointed");
        }
        String exe = Files.readSymbolicLink(proc.resolve("exe")).toString();
        String exeWhy = unreachable(pid, proc.resolve("exe"), exe, "execute");
        if (exeWhy != null) {
            throw new CheckpointRefusal(name + " runs " + exe + ": " + exeWhy);
        }
        for (ProcFiles.Mapping mapping : ProcFiles.smaps(pid)) {
            if (mapping.inode() == 0) {
                continue;
            }
            String why = unreachable(pid, mapFile(pid, mapping), mapping.path(), "map");
            if (why != null) {
                throw new CheckpointRefusal(name + " maps " + mapping.path() + " at 0x"
                        + Long.toHexString(mapping.start()) + "-0x" + Long.toHexString(mapping.end()) + ": " + why);
            }
        }
        try (var list = Files.list(proc.resolve("fd"))) {
            for (Path link : list.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(link).toString();
                } catch (IOException e) {
                    continue;
                }
                String why = unsupportedFd(pid, link, target);
                if (why != null) {
                    throw new CheckpointRefusal(name + " fd " + link.getFileName() + " is " + target + ": " + why);
                }
            }
        }
    }

    private static boolean sameFile(Path one, Path other) throws IOException {
        var attributes = java.nio.file.attribute.BasicFileAttributes.class;
        return java.util.Objects.equals(Files.readAttributes(one, attributes).fileKey(),
                Files.readAttributes(other, attributes).fileKey());
    }

    /** The /proc/PID/map_files link of a mapping: the mapped file itself. */
    private static Path mapFile(int pid, ProcFiles.Mapping mapping) {
        return ProcFiles.dir(pid).resolve("map_files")
                .resolve(Long.toHexString(mapping.start()) + "-" + Long.toHexString(mapping.end()));
    }

    /**
     * Why a restore could not find the file behind {@code link} (the task's program or a
     * mapped file) again in the task's root, or null if it can: the restore executes and
     * maps files by the path the task sees, inside the new container.
     */
    private static String unreachable(int pid, Path link, String target, String verb) {
        if (target.endsWith(" (deleted)")) {
            return "the file was deleted, so a restore could not " + verb + " it";
        }
        try {
            if (pathInTask(pid, link, target) == null) {
                return "it cannot be reached from the task's root, so a restore could not " + verb + " it";
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // The mapping went away since smaps was read (an exec before the freeze); the
            // check after the seize sees the task stopped.
            return null;
        } catch (IOException e) {
            return "it cannot be reached from the task's root (" + e.getMessage() + ")";
        }
        return null;
    }

    /** Like {@link #pathInTask}, but a file that is not there (any more) is refused, naming task and path. */
    private static String reachablePath(int pid, Path link, String target, String what) throws IOException {
        String inTask = target.endsWith(" (deleted)") ? null : pathInTask(pid, link, target);
        if (inTask == null) {
            throw new CheckpointRefusal("task " + pid + " " + what + " " + target
                    + ": it cannot be reached from the task's root");
        }
        return inTask;
    }

    private static boolean endedSince(int pid) {
        try {
            return isZombie(ProcFiles.status(pid));
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * The path of an open file as the task itself names it: the JVM reads /proc/PID/fd
     * links relative to its own root, which for a task in a rootfs container may be a
     * host path. The candidate is accepted only if it leads, inside the task's root
     * (through /proc/PID/root, so in the task's mounts), to the very same file; the host
     * path with the task's root prefix taken off is the second candidate. Null if neither.
     */
    static String pathInTask(int pid, Path link, String target) throws IOException {
        Object file = Files.readAttributes(link, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        Path taskRoot = ProcFiles.dir(pid).resolve("root");
        List<String> candidates = new ArrayList<>(List.of(target));
        String rootSeen = Files.readSymbolicLink(taskRoot).toString();
        if (!rootSeen.equals("/") && target.startsWith(rootSeen + "/")) {
            candidates.add(target.substring(rootSeen.length()));
        }
        for (String candidate : candidates) {
            Path inside = Path.of(taskRoot + candidate);
            try {
                Object found = Files.readAttributes(inside, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
                if (file != null && file.equals(found)) {
                    return candidate;
                }
            } catch (IOException e) {
                // not there
            }
        }
        return null;
    }

    /** A task that has exited and waits for its parent to reap it: no memory, no files, no ptrace. */
    static boolean isZombie(Map<String, String> status) {
        return status.getOrDefault("State", "").startsWith("Z");
    }

    private static String unsupportedFd(int pid, Path link, String target) {
        if (target.startsWith("socket:")) {
            return "sockets cannot be checkpointed yet";
        }
        if (target.startsWith("anon_inode:")) {
            return target.substring(11) + " descriptors (eventfd, timerfd, signalfd, inotify, epoll...) cannot be"
                    + " checkpointed yet";
        }
        if (target.startsWith("pipe:") || target.equals("/dev/null")) {
            return null;
        }
        if (target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console")
                || target.equals("/dev/ptmx")) {
            return "a terminal; ttys other than /dev/null cannot be checkpointed yet";
        }
        if (target.endsWith(" (deleted)")) {
            return "a deleted file; deleted files cannot be checkpointed yet";
        }
        if (Files.isRegularFile(link) || Files.isDirectory(link)) {
            try {
                if (pathInTask(pid, link, target) == null) {
                    return "it cannot be reached from the task's root, so a restore could not reopen it";
                }
            } catch (IOException e) {
                return "it cannot be reached from the task's root (" + e.getMessage() + ")";
            }
            return null;
        }
        return "not a regular file, directory, pipe or /dev/null";
    }

    /**
     * Dumps the tree. On return every task is still seized and stopped; call
     * {@link #resume} or {@link #kill} next.
     */
    public List<TaskImage> dump() throws IOException {
        List<Integer> tasks = tree(root);
        check(tasks);
        List<Integer> fresh;
        if (cgroup != null) {
            cgroup.freeze(FREEZE_TIMEOUT);
        }
        try {
            // Frozen, the tree cannot change while it is seized.
            fresh = seizeNew(tree(root));
        } finally {
            if (cgroup != null) {
                cgroup.thaw(FREEZE_TIMEOUT);
            }
        }
        // Without a freezer a task may fork, exit or reap a zombie until it stops: the tree
        // is listed again, and what is new seized, until every live task of it is stopped.
        while (true) {
            awaitStops(fresh);
            List<Integer> listed = tree(root);
            fresh = seizeNew(listed);
            if (fresh.isEmpty()) {
                tasks = listed;
                break;
            }
        }
        check(tasks);
        Map<Integer, Integer> nsPid = new LinkedHashMap<>();
        for (int pid : tasks) {
            nsPid.put(pid, (int) ProcFiles.innermost(ProcFiles.status(pid), "NSpid"));
        }
        List<TaskImage> images = new ArrayList<>();
        for (int pid : tasks) {
            TaskImage image = dumpTask(pid, nsPid);
            ImageStore.writeTask(dir, image);
            images.add(image);
        }
        ImageStore.writeTree(dir, images);
        return images;
    }

    /** Seizes and interrupts the live tasks of {@code listed} not seized yet; returns them. */
    private List<Integer> seizeNew(List<Integer> listed) throws IOException {
        List<Integer> fresh = new ArrayList<>();
        for (int pid : listed) {
            if (seized.contains(pid)) {
                continue;
            }
            try {
                if (isZombie(ProcFiles.status(pid))) {
                    continue; // a zombie cannot be traced; it cannot change either
                }
                TraceSyscalls.seize(pid, Linux.PTRACE_O_TRACESYSGOOD());
            } catch (java.nio.file.NoSuchFileException e) {
                continue; // ended and reaped since it was listed (only without a freezer)
            } catch (SyscallException e) {
                if (e.errno() == Linux.ESRCH()) {
                    continue;
                }
                throw e;
            }
            seized.add(pid);
            fresh.add(pid);
            TraceSyscalls.interrupt(pid);
        }
        return fresh;
    }

    /**
     * Waits until each task is in its interrupt stop; one that ended instead (only without a
     * freezer) is dropped. A signal that arrived first shows as a signal-delivery stop, which
     * would swallow the signal if the task were dumped and detached there: it is passed on,
     * and the interrupt stop comes once the kernel has delivered it.
     */
    private void awaitStops(List<Integer> pids) throws IOException {
        for (int pid : pids) {
            TraceStatus status = TraceSyscalls.wait4(pid, false);
            while (status.stopped() && status.event() == 0) {
                TraceSyscalls.cont(pid, status.stopSignal());
                status = TraceSyscalls.wait4(pid, false);
            }
            if (!status.stopped()) {
                if (cgroup != null) {
                    throw new IOException("task " + pid + " ended while being seized: " + status);
                }
                seized.remove((Integer) pid);
            }
        }
    }

    /** Detaches every task: they go on as if nothing happened. */
    public void resume() throws IOException {
        IOException failure = null;
        for (int pid : seized) {
            try {
                TraceSyscalls.detach(pid, 0);
            } catch (SyscallException e) {
                failure = failure == null ? e : failure;
            }
        }
        seized.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Kills every task so none runs again: frozen, detached, SIGKILLed, thawed; without a
     * freezer, SIGKILLed while still seized.
     */
    public void kill() throws IOException {
        if (cgroup == null) {
            // No freezer: a detached task would run (and write) before its SIGKILL lands, so
            // it is killed while still stopped under ptrace, which SIGKILL ends at once.
            for (int pid : seized) {
                try {
                    killPid(pid);
                } catch (SyscallException e) {
                    // gone already
                }
            }
            seized.clear();
            return;
        }
        cgroup.freeze(FREEZE_TIMEOUT);
        try {
            for (int pid : seized) {
                try {
                    TraceSyscalls.detach(pid, 0);
                } catch (SyscallException e) {
                    // gone already
                }
            }
            for (int pid : seized) {
                try {
                    killPid(pid);
                } catch (SyscallException e) {
                    // gone already
                }
            }
        } finally {
            seized.clear();
            if (cgroup != null) {
                cgroup.thaw(FREEZE_TIMEOUT);
            }
        }
    }

    private static void killPid(int pid) throws SyscallException {
        try (Fd pidfd = dev.hako.syscalls.ProcessSyscalls.pidfdOpen(pid, false)) {
            dev.hako.syscalls.ProcessSyscalls.pidfdSendSignal(pidfd, Linux.SIGKILL());
        }
    }

    // ---- one task ------------------------------------------------------------------------

    private TaskImage dumpTask(int pid, Map<Integer, Integer> nsPid) throws IOException {
        TaskImage task = new TaskImage();
        task.hostPid = pid;
        Map<String, String> status = ProcFiles.status(pid);
        task.pid = nsPid.get(pid);
        int hostParent = Integer.parseInt(status.get("PPid"));
        task.ppid = pid == root ? 0 : nsPid.getOrDefault(hostParent, 0);
        task.pgid = (int) ProcFiles.innermost(status, "NSpgid");
        task.sid = (int) ProcFiles.innermost(status, "NSsid");
        task.comm = status.getOrDefault("Name", "");
        String[] stat = ProcFiles.stat(pid);
        task.exitSignal = Integer.parseInt(stat[38]);
        if (isZombie(status)) {
            task.zombie = true;
            task.exitStatus = Integer.parseInt(stat[52]);
            return task;
        }
        task.noNewPrivs = "1".equals(status.get("NoNewPrivs"));
        task.umask = Integer.parseInt(status.getOrDefault("Umask", "0022"), 8);
        long[] uid = ProcFiles.numbers(status, "Uid");
        long[] gid = ProcFiles.numbers(status, "Gid");
        System.arraycopy(uid, 0, task.uids, 0, 4);
        System.arraycopy(gid, 0, task.gids, 0, 4);
        for (long group : ProcFiles.numbers(status, "Groups")) {
            task.groups.add(group);
        }
        String[] caps = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};
        for (int i = 0; i < caps.length; i++) {
            task.capabilities[i] = Long.parseUnsignedLong(status.getOrDefault(caps[i], "0"), 16);
        }
        task.flags = Long.parseLong(stat[9]);
        // start_code end_code start_data end_data start_stack start_brk (brk below) arg/env bounds
        task.mm[0] = Long.parseUnsignedLong(stat[26]);
        task.mm[1] = Long.parseUnsignedLong(stat[27]);
        task.mm[2] = Long.parseUnsignedLong(stat[45]);
        task.mm[3] = Long.parseUnsignedLong(stat[46]);
        task.mm[4] = Long.parseUnsignedLong(stat[28]);
        task.mm[5] = Long.parseUnsignedLong(stat[47]);
        task.mm[7] = Long.parseUnsignedLong(stat[48]);
        task.mm[8] = Long.parseUnsignedLong(stat[49]);
        task.mm[9] = Long.parseUnsignedLong(stat[50]);
        task.mm[10] = Long.parseUnsignedLong(stat[51]);
        Path proc = ProcFiles.dir(pid);
        task.exe = reachablePath(pid, proc.resolve("exe"), Files.readSymbolicLink(proc.resolve("exe")).toString(),
                "runs");
        task.cwd = Files.readSymbolicLink(proc.resolve("cwd")).toString();
        task.root = Files.readSymbolicLink(proc.resolve("root")).toString();
        String personality = Files.readString(proc.resolve("personality")).trim();
        task.personality = Long.parseLong(personality, 16);
        byte[] auxv = Files.readAllBytes(proc.resolve("auxv"));
        MemorySegment auxvWords = MemorySegment.ofArray(auxv);
        for (int i = 0; i + 8 <= auxv.length; i += 8) {
            task.auxv.add(auxvWords.get(ValueLayout.JAVA_LONG_UNALIGNED, i));
        }
        // /proc/PID/limits, not prlimit(pid): reading another user's limits with prlimit
        // needs CAP_SYS_RESOURCE, which a dumping root may lack.
        long[][] limits = ProcFiles.limits(pid);
        for (int resource = 0; resource < limits.length && resource < task.rlimits.length; resource++) {
            task.rlimits[resource] = limits[resource];
        }
        List<ProcFiles.Mapping> mappings = ProcFiles.smaps(pid);
        Registers registers;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment regs = arena.allocate(Registers.SIZE, 8);
            TraceSyscalls.getRegset(pid, Linux.NT_PRSTATUS(), regs);
            registers = Registers.read(regs);
            MemorySegment xstate = arena.allocate(64 * 1024, 64);
            long xsize = TraceSyscalls.getRegset(pid, Linux.NT_X86_XSTATE(), xstate);
            task.xstate = xstate.asSlice(0, xsize).toArray(ValueLayout.JAVA_BYTE);
            task.sigmask = TraceSyscalls.getSigmask(pid);
            MemorySegment rseq = ptrace_rseq_configuration.allocate(arena);
            TraceSyscalls.getRseqConfiguration(pid, rseq);
            task.rseqPointer = ptrace_rseq_configuration.rseq_abi_pointer(rseq);
            task.rseqSize = ptrace_rseq_configuration.rseq_abi_size(rseq) & 0xffffffffL;
            task.rseqSignature = ptrace_rseq_configuration.signature(rseq) & 0xffffffffL;
            registers = rseqFixup(pid, task, registers, arena);
            TraceSyscalls.RobustList robust = TraceSyscalls.getRobustList(pid);
            task.robustHead = robust.head();
            task.robustLength = robust.length();
            task.pendingPrivate = pending(pid, false, arena);
            task.pendingShared = pending(pid, true, arena);
        }
        task.vmas = vmas(mappings);
        for (int i = 0; i < mappings.size(); i++) {
            if (task.vmas.get(i).file) {
                // The path as the task sees it, which the restore maps inside the new container.
                task.vmas.get(i).path = reachablePath(pid, mapFile(pid, mappings.get(i)), mappings.get(i).path(), "maps");
            }
        }
        ProcFiles.Mapping vdso = mappings.stream().filter(m -> m.path().equals("[vdso]")).findFirst()
                .orElseThrow(() -> new IOException("task " + pid + " has no vdso"));
        try (RandomAccessFile mem = new RandomAccessFile("/proc/" + pid + "/mem", "r")) {
            task.vdso = new byte[(int) (vdso.end() - vdso.start())];
            mem.seek(vdso.start());
            mem.readFully(task.vdso);
        }
        injectedState(pid, task, Injector.findGadget(pid, vdso.start(), vdso.end()));
        int handled = signalForHandler(task);
        task.registers = registers.restartFixup(handled != 0,
                handled != 0 && (task.sigactions[handled - 1][1] & SA_RESTART) != 0).toBytes();
        fds(pid, task);
        pages(pid, task);
        return task;
    }

    /**
     * A task stopped inside an rseq critical section goes to the section's abort handler,
     * as the kernel sends it on preemption, and its rseq_cs is cleared as the kernel does.
     * Done on the live task too, before the first injected syscall: that syscall's return
     * to an address outside the section would make the kernel clear rseq_cs, and the task
     * would then finish the section unprotected. A descriptor the kernel refuses (it kills
     * the task with SIGSEGV when it next looks) fails the dump, naming the task.
     */
    private static Registers rseqFixup(int pid, TaskImage task, Registers registers, Arena arena) throws IOException {
        if (task.rseqPointer == 0) {
            return registers;
        }
        try (RandomAccessFile mem = new RandomAccessFile("/proc/" + pid + "/mem", "rw")) {
            long csPointer = task.rseqPointer + RseqSection.RSEQ_CS_POINTER;
            mem.seek(csPointer);
            long cs = Long.reverseBytes(mem.readLong());
            if (cs == 0) {
                return registers;
            }
            byte[] raw = new byte[RseqSection.SIZE];
            mem.seek(cs);
            mem.readFully(raw);
            RseqSection section = RseqSection.of(raw);
            if (!section.contains(registers.get(Registers.RIP))) {
                return registers;
            }
            String problem;
            try {
                mem.seek(section.abortIp() - 4);
                problem = section.problem(Integer.reverseBytes(mem.readInt()), task.rseqSignature);
            } catch (IOException e) {
                problem = "an abort handler that cannot be read (" + e.getMessage() + ")";
            }
            if (problem != null) {
                throw new IOException("cannot checkpoint task " + task.pid + ": it is inside the rseq critical section "
                        + section.describe() + ", whose descriptor at 0x" + Long.toHexString(cs) + " the kernel"
                        + " refuses: " + problem);
            }
            // A task asleep in a call inside the section (the ABI forbids it, the kernel
            // copes): the kernel would first step back over the syscall to restart it, then
            // move to the abort handler. Ending the call here (orig_rax -1) keeps it from
            // stepping back from the handler instead; the handler ignores rax.
            Registers fixed = registers.restartFixup().with(Registers.RIP, section.abortIp());
            TraceSyscalls.setRegset(pid, Linux.NT_PRSTATUS(), fixed.toSegment(arena));
            mem.seek(csPointer);
            mem.writeLong(0);
            return fixed;
        }
    }

    private static final long SA_RESTART = 0x10000000L;

    /**
     * The signal the task will take into a handler as soon as it runs, or 0: the first
     * pending signal of its own queue, then of the process's, that is not blocked and has a
     * handler (neither SIG_DFL nor SIG_IGN), in the kernel's lowest-number-first order.
     */
    private static int signalForHandler(TaskImage task) {
        for (List<byte[]> queue : List.of(task.pendingPrivate, task.pendingShared)) {
            int best = 0;
            for (byte[] info : queue) {
                int signal = MemorySegment.ofArray(info).get(ValueLayout.JAVA_INT_UNALIGNED, 0);
                boolean blocked = signal >= 1 && signal <= 64 && (task.sigmask & (1L << (signal - 1))) != 0;
                long handler = signal >= 1 && signal <= 64 ? task.sigactions[signal - 1][0] : 0;
                if (!blocked && handler != 0 && handler != 1 && (best == 0 || signal < best)) {
                    best = signal;
                }
            }
            if (best != 0) {
                return best;
            }
        }
        return 0;
    }

    private static List<byte[]> pending(int pid, boolean shared, Arena arena) throws IOException {
        List<byte[]> infos = new ArrayList<>();
        MemorySegment buffer = arena.allocate(128 * 8, 8);
        for (long offset = 0; ; ) {
            int n = TraceSyscalls.peekSiginfo(pid, offset, shared, buffer);
            if (n <= 0) {
                return infos;
            }
            for (int i = 0; i < n; i++) {
                infos.add(buffer.asSlice(128L * i, 128).toArray(ValueLayout.JAVA_BYTE));
            }
            offset += n;
        }
    }

    /** State only the task itself can read, one injected syscall each, with every signal blocked. */
    private void injectedState(int pid, TaskImage task, long gadget) throws IOException {
        TraceSyscalls.setSigmask(pid, -1L);
        try (Injector inject = new Injector(pid, gadget)) {
            long scratch = inject.scratch();
            task.mm[6] = inject.check("brk", Linux.SYS_brk(), 0);
            for (int signal = 1; signal <= 64; signal++) {
                inject.check("rt_sigaction", Linux.SYS_rt_sigaction(), signal, 0, scratch, 8);
                byte[] action = inject.read(scratch, 32);
                MemorySegment words = MemorySegment.ofArray(action);
                for (int i = 0; i < 4; i++) {
                    task.sigactions[signal - 1][i] = words.get(ValueLayout.JAVA_LONG_UNALIGNED, 8L * i);
                }
            }
            inject.check("sigaltstack", Linux.SYS_sigaltstack(), 0, scratch);
            MemorySegment stack = MemorySegment.ofArray(inject.read(scratch, 24));
            task.altstack = new long[] {stack.get(ValueLayout.JAVA_LONG_UNALIGNED, 0),
                    stack.get(ValueLayout.JAVA_INT_UNALIGNED, 8), stack.get(ValueLayout.JAVA_LONG_UNALIGNED, 16)};
            int[] which = {Linux.ITIMER_REAL(), Linux.ITIMER_VIRTUAL(), Linux.ITIMER_PROF()};
            for (int t = 0; t < 3; t++) {
                inject.check("getitimer", Linux.SYS_getitimer(), which[t], scratch);
                MemorySegment value = MemorySegment.ofArray(inject.read(scratch, 32));
                for (int i = 0; i < 4; i++) {
                    task.itimers[t][i] = value.get(ValueLayout.JAVA_LONG_UNALIGNED, 8L * i);
                }
            }
            inject.check("prctl", Linux.SYS_prctl(), Linux.PR_GET_TID_ADDRESS(), scratch);
            task.tidAddress = inject.readLong(scratch);
            inject.check("prctl", Linux.SYS_prctl(), Linux.PR_GET_PDEATHSIG(), scratch);
            task.pdeathSignal = inject.readLong(scratch) & 0xffffffffL;
            task.securebits = inject.check("prctl", Linux.SYS_prctl(), Linux.PR_GET_SECUREBITS());
            inject.releaseScratch();
        } finally {
            TraceSyscalls.setSigmask(pid, task.sigmask);
        }
    }

    private static List<TaskImage.Vma> vmas(List<ProcFiles.Mapping> mappings) {
        List<TaskImage.Vma> vmas = new ArrayList<>();
        for (ProcFiles.Mapping m : mappings) {
            TaskImage.Vma vma = new TaskImage.Vma();
            vma.start = m.start();
            vma.end = m.end();
            vma.pgoff = m.offset();
            vma.path = m.path();
            vma.file = m.inode() != 0;
            String p = m.perms();
            vma.prot = (p.charAt(0) == 'r' ? Linux.PROT_READ() : 0) | (p.charAt(1) == 'w' ? Linux.PROT_WRITE() : 0)
                    | (p.charAt(2) == 'x' ? Linux.PROT_EXEC() : 0);
            int flags = Linux.MAP_PRIVATE();
            for (String flag : m.vmFlags()) {
                switch (flag) {
                    case "gd" -> flags |= Linux.MAP_GROWSDOWN();
                    case "nr" -> flags |= Linux.MAP_NORESERVE();
                    case "lo" -> flags |= Linux.MAP_LOCKED();
                    case "dc" -> vma.advice.add(Linux.MADV_DONTFORK());
                    case "dd" -> vma.advice.add(Linux.MADV_DONTDUMP());
                    case "wf" -> vma.advice.add(Linux.MADV_WIPEONFORK());
                    case "hg" -> vma.advice.add(Linux.MADV_HUGEPAGE());
                    case "nh" -> vma.advice.add(Linux.MADV_NOHUGEPAGE());
                    case "mg" -> vma.advice.add(Linux.MADV_MERGEABLE());
                    default -> { }
                }
            }
            vma.mapFlags = flags;
            vmas.add(vma);
        }
        return vmas;
    }

    // ---- descriptors ---------------------------------------------------------------------

    private void fds(int pid, TaskImage task) throws IOException {
        Path fdDir = ProcFiles.dir(pid).resolve("fd");
        List<Integer> numbers = new ArrayList<>();
        try (var list = Files.list(fdDir)) {
            list.forEach(p -> numbers.add(Integer.parseInt(p.getFileName().toString())));
        }
        numbers.sort(null);
        for (int number : numbers) {
            Path link = fdDir.resolve(Integer.toString(number));
            String target = Files.readSymbolicLink(link).toString();
            Map<String, String> info = ProcFiles.fdinfo(pid, number);
            TaskImage.FdImage fd = new TaskImage.FdImage();
            fd.fd = number;
            int flags = Integer.parseInt(info.get("flags"), 8);
            fd.cloexec = (flags & Linux.O_CLOEXEC()) != 0;
            fd.openFlags = flags & ~Linux.O_CLOEXEC();
            fd.position = Long.parseLong(info.getOrDefault("pos", "0"));
            if (target.startsWith("pipe:[")) {
                fd.kind = TaskImage.FdKind.PIPE;
                fd.pipeId = Long.parseLong(target.substring(6, target.length() - 1));
                if (pipesSaved.add(fd.pipeId)) {
                    fd.pipeData = pipeContents(link);
                }
            } else if (target.equals("/dev/null")) {
                fd.kind = TaskImage.FdKind.DEV_NULL;
                fd.path = target;
                fd.fileId = fileId(pid, number, link, fd);
            } else {
                fd.kind = TaskImage.FdKind.REGULAR;
                fd.path = pathInTask(pid, link, target);
                if (fd.path == null) {
                    throw new CheckpointRefusal("task " + pid + " fd " + number + " is " + target
                            + ": it cannot be reached from the task's root");
                }
                fd.fileId = fileId(pid, number, link, fd);
            }
            task.fds.add(fd);
        }
    }

    /**
     * The id of the open file description behind a descriptor: the id of an earlier one
     * (of this task or another) if kcmp(KCMP_FILE) finds it is the same description, else
     * a new one. Only candidates with the same file, offset and flags are compared.
     */
    private int fileId(int pid, int number, Path link, TaskImage.FdImage fd) throws IOException {
        Object key = Files.readAttributes(link, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        for (OpenFile other : openFiles) {
            if (java.util.Objects.equals(other.fileKey(), key) && other.position() == fd.position
                    && other.openFlags() == fd.openFlags
                    && TraceSyscalls.kcmp(pid, other.hostPid(), Linux.KCMP_FILE(), number, other.fd()) == 0) {
                openFiles.add(new OpenFile(pid, number, key, fd.position, fd.openFlags, other.id()));
                return other.id();
            }
        }
        int id = nextFileId++;
        openFiles.add(new OpenFile(pid, number, key, fd.position, fd.openFlags, id));
        return id;
    }

    /** A pipe's unread bytes, copied with tee into a pipe of ours so the task still reads them. */
    private static byte[] pipeContents(Path link) throws IOException {
        try (Fd reader = FileSyscalls.openat2(null, link.toString(), EnumSet.of(OpenFlag.READ_ONLY, OpenFlag.NONBLOCK),
                0, Set.of()); FileSyscalls.Pipe steal = FileSyscalls.pipe2(true)) {
            ByteArrayOutputStream contents = new ByteArrayOutputStream();
            long copied;
            try {
                copied = StreamSyscalls.tee(reader, steal.write(), Integer.MAX_VALUE, true);
            } catch (SyscallException e) {
                if (e.errno() == Linux.EAGAIN()) {
                    return new byte[0];
                }
                throw e;
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buffer = arena.allocate(64 * 1024);
                while (copied > 0) {
                    long n = FileSyscalls.read(steal.read(), buffer);
                    contents.write(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                    copied -= n;
                }
            }
            return contents.toByteArray();
        }
    }

    // ---- memory --------------------------------------------------------------------------

    /**
     * Present or swapped pages of private memory: anonymous pages unless all zero, and of
     * file mappings only the pages the task has written (no longer the file's page cache).
     */
    private void pages(int pid, TaskImage task) throws IOException {
        Path pagesFile = ImageStore.pagesFile(dir, task);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(pagesFile), 1 << 20);
             RandomAccessFile pagemap = new RandomAccessFile("/proc/" + pid + "/pagemap", "r");
             RandomAccessFile mem = new RandomAccessFile("/proc/" + pid + "/mem", "r");
             Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(PAGE, PAGE);
            MemorySegment local = iovec.allocate(arena);
            MemorySegment remote = iovec.allocate(arena);
            byte[] page = new byte[PAGE];
            for (TaskImage.Vma vma : task.vmas) {
                if (vma.special() || vma.path.equals("[vdso]")) {
                    continue;
                }
                int count = (int) (vma.length() / PAGE);
                byte[] entries = new byte[count * 8];
                pagemap.seek(vma.start / PAGE * 8);
                pagemap.readFully(entries);
                MemorySegment words = MemorySegment.ofArray(entries);
                long runStart = -1;
                long runPages = 0;
                for (int i = 0; i < count; i++) {
                    long entry = words.get(ValueLayout.JAVA_LONG_UNALIGNED, 8L * i);
                    boolean resident = (entry & (PM_PRESENT | PM_SWAPPED)) != 0;
                    boolean dump = resident && (!vma.file || (entry & PM_FILE) == 0);
                    long address = vma.start + (long) i * PAGE;
                    if (dump) {
                        if ((vma.prot & Linux.PROT_READ()) != 0) {
                            iovec.iov_base(local, buffer);
                            iovec.iov_len(local, PAGE);
                            iovec.iov_base(remote, MemorySegment.ofAddress(address));
                            iovec.iov_len(remote, PAGE);
                            if (TraceSyscalls.processVmReadv(pid, local, 1, remote, 1) != PAGE) {
                                throw new IOException("task " + pid + ": short read at 0x" + Long.toHexString(address));
                            }
                            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, page, 0, PAGE);
                        } else {
                            mem.seek(address);
                            mem.readFully(page);
                        }
                        dump = vma.file || !allZero(page);
                    }
                    if (dump) {
                        out.write(page);
                        if (runStart >= 0 && runStart + runPages * PAGE == address) {
                            runPages++;
                        } else {
                            if (runStart >= 0) {
                                task.pagemap.add(new long[] {runStart, runPages});
                            }
                            runStart = address;
                            runPages = 1;
                        }
                        task.pagesBytes += PAGE;
                    }
                }
                if (runStart >= 0) {
                    task.pagemap.add(new long[] {runStart, runPages});
                }
            }
        }
    }

    private static boolean allZero(byte[] page) {
        for (byte b : page) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
