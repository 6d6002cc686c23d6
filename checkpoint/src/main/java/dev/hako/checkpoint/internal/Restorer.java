package dev.hako.checkpoint.internal;

import dev.hako.bindings.Linux;
import dev.hako.bindings.cmsghdr;
import dev.hako.bindings.iovec;
import dev.hako.bindings.msghdr;
import dev.hako.bindings.prctl_mm_map;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.OpenFlag;
import dev.hako.syscalls.Resource;
import dev.hako.syscalls.ResourceLimit;
import dev.hako.syscalls.ResourceSyscalls;
import dev.hako.syscalls.StreamSyscalls;
import dev.hako.syscalls.SyscallException;
import dev.hako.syscalls.TraceStatus;
import dev.hako.syscalls.TraceSyscalls;
import dev.hako.syscalls.calls.FileCalls;
import dev.hako.syscalls.calls.MemoryCalls;
import dev.hako.syscalls.calls.PrctlCalls;
import dev.hako.syscalls.calls.ProcessCalls;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rebuilds one saved task inside a freshly exec'd copy of its program, which the tracer
 * holds at its execve exit stop: address space, mm fields, descriptors, signal state,
 * timers, limits, then registers. Runs on the tracer thread; the caller kills the task
 * if anything fails.
 */
public final class Restorer {

    private static final int PAGE = 4096;
    /** linux/securebits.h: uid changes leave the capability sets alone. */
    private static final long SECBIT_NO_SETUID_FIXUP = 1 << 2;

    private final int pid;
    private final TaskImage task;
    private final Path imageDir;
    private final Fd control;
    private final int controlTarget;
    private final Map<Long, FileSyscalls.Pipe> pipes;
    private final Map<Long, byte[]> pipeData;
    private final Map<Integer, Fd> files;
    private final Steps steps;

    /**
     * @param pid           the new task, in the JVM's pid namespace
     * @param control       the JVM's end of the control socket
     * @param controlTarget the descriptor number of the task's end
     * @param pipes         the JVM's pipes by saved pipe id, shared by every task of the
     *                      tree (so shared ends stay shared); the caller closes them
     * @param pipeData      unread contents by saved pipe id
     * @param files         the JVM's open files by saved file id, shared by every task of
     *                      the tree (so a shared open file, offset included, stays shared);
     *                      the caller closes them
     */
    public Restorer(int pid, TaskImage task, Path imageDir, Fd control, int controlTarget,
                    Map<Long, FileSyscalls.Pipe> pipes, Map<Long, byte[]> pipeData, Map<Integer, Fd> files,
                    Steps steps) {
        this.pid = pid;
        this.task = task;
        this.imageDir = imageDir;
        this.control = control;
        this.controlTarget = controlTarget;
        this.pipes = pipes;
        this.pipeData = pipeData;
        this.files = files;
        this.steps = steps;
    }

    /** Seizes the new child before it executes; for the start gate. */
    public static void seize(int pid) throws IOException {
        TraceSyscalls.seize(pid, Linux.PTRACE_O_TRACESYSGOOD() | Linux.PTRACE_O_TRACEEXEC()
                | Linux.PTRACE_O_TRACEFORK() | Linux.PTRACE_O_EXITKILL());
    }

    /** Waits for the exec stop and steps to execve's exit stop: a clean, fresh address space. */
    public void awaitExec() throws IOException {
        while (true) {
            TraceStatus status = TraceSyscalls.wait4(pid, false);
            if (!status.stopped()) {
                throw new IOException("the restored task " + pid + " ended before its execve: " + status);
            }
            if (status.event() == Linux.PTRACE_EVENT_EXEC()) {
                break;
            }
            // A signal-delivery stop before exec: pass the signal on.
            TraceSyscalls.cont(pid, status.event() == 0 ? status.stopSignal() : 0);
        }
        TraceSyscalls.syscall(pid, 0);
        TraceStatus exit = TraceSyscalls.wait4(pid, false);
        if (!exit.stopped() || exit.stopSignal() != (Linux.SIGTRAP() | 0x80)) {
            throw new IOException("the restored task " + pid + " did not stop at execve's exit: " + exit);
        }
    }

    /** Rebuilds the task; on return it is stopped with its saved registers, ready to detach. */
    public void rebuild() throws IOException {
        steps.reach("memory of task " + task.pid);
        TraceSyscalls.setSigmask(pid, -1L);
        List<ProcFiles.Mapping> current = ProcFiles.smaps(pid);
        ProcFiles.Mapping vdso = find(current, "[vdso]");
        byte[] vdsoBytes = new byte[(int) (vdso.end() - vdso.start())];
        try (RandomAccessFile mem = new RandomAccessFile("/proc/" + pid + "/mem", "r")) {
            mem.seek(vdso.start());
            mem.readFully(vdsoBytes);
        }
        if (task.vdso == null || !Arrays.equals(vdsoBytes, task.vdso)) {
            throw new IOException("cannot restore task " + task.pid + ": this kernel's vdso differs from the one it"
                    + " was dumped with (restore needs the same kernel)");
        }
        try (Injector inject = new Injector(pid, Injector.findGadget(pid, vdso.start(), vdso.end()));
             Arena arena = Arena.ofConfined()) {
            long scratch = inject.scratch(freeAddress(current, Injector.SCRATCH_SIZE, 0x100000000L));
            long parking = freeAddress(current, 64L << 20, 0x300000000L);
            // 1. Everything of the fresh exec goes but the kernel's own mappings and the scratch.
            for (ProcFiles.Mapping m : current) {
                if (!isKernelMapping(m.path())) {
                    inject.check(MemoryCalls.munmap(m.start(), m.end() - m.start()));
                }
            }
            // 2. vvar, vvar_vclock and vdso to their saved places, through a parking area so
            //    no move lands on a mapping that has not moved yet.
            List<ProcFiles.Mapping> specials = ProcFiles.smaps(pid).stream()
                    .filter(m -> isKernelMapping(m.path()) && !m.path().equals("[vsyscall]")).toList();
            long park = parking;
            List<long[]> parked = new ArrayList<>();
            for (ProcFiles.Mapping m : specials) {
                long length = m.end() - m.start();
                move(inject, m.start(), length, park);
                parked.add(new long[] {park, length});
                park += length;
            }
            for (int i = 0; i < specials.size(); i++) {
                String name = specials.get(i).path();
                TaskImage.Vma saved = task.vmas.stream().filter(v -> v.path.equals(name)).findFirst()
                        .orElseThrow(() -> new IOException("the image of task " + task.pid + " has no " + name));
                move(inject, parked.get(i)[0], parked.get(i)[1], saved.start);
            }
            // 3. The saved mappings, writable while they are filled.
            for (TaskImage.Vma vma : task.vmas) {
                if (vma.special() || vma.path.equals("[vdso]")) {
                    continue;
                }
                long fd = -1;
                int flags = vma.mapFlags | Linux.MAP_FIXED_NOREPLACE();
                if (vma.file) {
                    fd = inject.check("openat", Linux.SYS_openat(), Linux.AT_FDCWD(), string(inject, scratch, vma.path),
                            Linux.O_RDONLY() | Linux.O_CLOEXEC());
                } else {
                    flags |= Linux.MAP_ANONYMOUS();
                }
                long at = inject.check("mmap", Linux.SYS_mmap(), vma.start, vma.length(), vma.prot | Linux.PROT_WRITE()
                        | Linux.PROT_READ(), flags, fd, vma.file ? vma.pgoff : 0);
                if (fd >= 0) {
                    inject.check(FileCalls.close((int) fd));
                }
                if (at != vma.start) {
                    throw new IOException("task " + task.pid + ": mapping " + vma.path + " landed at 0x"
                            + Long.toHexString(at) + ", not 0x" + Long.toHexString(vma.start));
                }
            }
            fillPages(arena);
            for (TaskImage.Vma vma : task.vmas) {
                if (vma.special() || vma.path.equals("[vdso]")) {
                    continue;
                }
                inject.check("mprotect", Linux.SYS_mprotect(), vma.start, vma.length(), vma.prot);
                for (int advice : vma.advice) {
                    inject.check("madvise", Linux.SYS_madvise(), vma.start, vma.length(), advice);
                }
            }
            // 4. The mm fields and auxv.
            MemorySegment map = prctl_mm_map.allocate(arena);
            prctl_mm_map.start_code(map, task.mm[0]);
            prctl_mm_map.end_code(map, task.mm[1]);
            prctl_mm_map.start_data(map, task.mm[2]);
            prctl_mm_map.end_data(map, task.mm[3]);
            prctl_mm_map.start_stack(map, task.mm[4]);
            prctl_mm_map.start_brk(map, task.mm[5]);
            prctl_mm_map.brk(map, task.mm[6]);
            prctl_mm_map.arg_start(map, task.mm[7]);
            prctl_mm_map.arg_end(map, task.mm[8]);
            prctl_mm_map.env_start(map, task.mm[9]);
            prctl_mm_map.env_end(map, task.mm[10]);
            long auxvAt = scratch + 1024;
            prctl_mm_map.auxv(map, MemorySegment.ofAddress(auxvAt));
            prctl_mm_map.auxv_size(map, task.auxv.size() * 8);
            prctl_mm_map.exe_fd(map, -1);
            inject.write(scratch, map);
            inject.write(auxvAt, words(arena, task.auxv.stream().mapToLong(Long::longValue).toArray()));
            inject.check("prctl", Linux.SYS_prctl(), Linux.PR_SET_MM(), Linux.PR_SET_MM_MAP(), scratch,
                    prctl_mm_map.sizeof());
            // 5. Descriptors, then the per-task state.
            steps.reach("descriptors of task " + task.pid);
            descriptors(inject, scratch, arena);
            steps.reach("signals, timers and limits of task " + task.pid);
            inject.check("chdir", Linux.SYS_chdir(), string(inject, scratch, task.cwd));
            inject.check(FileCalls.umask(task.umask));
            inject.check("personality", Linux.SYS_personality(), task.personality);
            // The name exec gave (the basename of the path run, "cat" for /bin/cat -> busybox).
            inject.check("prctl", Linux.SYS_prctl(), Linux.PR_SET_NAME(), string(inject, scratch, task.comm), 0, 0, 0);
            for (int signal = 1; signal <= 64; signal++) {
                long[] action = task.sigactions[signal - 1];
                if (signal == Linux.SIGKILL() || signal == Linux.SIGSTOP() || (action[0] == 0 && action[1] == 0)) {
                    continue;
                }
                inject.write(scratch, words(arena, action));
                inject.check("rt_sigaction", Linux.SYS_rt_sigaction(), signal, scratch, 0, 8);
            }
            if ((task.altstack[1] & Linux.SS_DISABLE()) == 0) {
                MemorySegment stack = arena.allocate(24, 8);
                stack.set(ValueLayout.JAVA_LONG, 0, task.altstack[0]);
                stack.set(ValueLayout.JAVA_INT, 8, (int) task.altstack[1]);
                stack.set(ValueLayout.JAVA_LONG, 16, task.altstack[2]);
                inject.write(scratch, stack);
                inject.check("sigaltstack", Linux.SYS_sigaltstack(), scratch, 0);
            }
            inject.check("set_tid_address", Linux.SYS_set_tid_address(), task.tidAddress);
            if (task.robustHead != 0) {
                inject.check("set_robust_list", Linux.SYS_set_robust_list(), task.robustHead, task.robustLength);
            }
            if (task.rseqPointer != 0) {
                inject.check("rseq", Linux.SYS_rseq(), task.rseqPointer, task.rseqSize, 0, task.rseqSignature);
            }
            int[] which = {Linux.ITIMER_REAL(), Linux.ITIMER_VIRTUAL(), Linux.ITIMER_PROF()};
            for (int t = 0; t < 3; t++) {
                long[] timer = task.itimers[t].clone();
                if (timer[2] == 0 && timer[3] == 0) {
                    // An interval ITIMER_REAL that expired while its SIGALRM was still pending
                    // reads 0: the kernel re-arms it when that signal is taken. Here it starts
                    // again with one full interval (0 if it was not an interval timer).
                    timer[2] = timer[0];
                    timer[3] = timer[1];
                }
                if (timer[2] != 0 || timer[3] != 0) {
                    inject.write(scratch, words(arena, timer));
                    inject.check("setitimer", Linux.SYS_setitimer(), which[t], scratch, 0);
                }
            }
            if (task.pdeathSignal != 0) {
                inject.check(PrctlCalls.setPdeathsig((int) task.pdeathSignal));
            }
            signals(inject, scratch, arena);
            for (Resource resource : Resource.values()) {
                long[] limit = task.rlimits[resource.number()];
                ResourceSyscalls.prlimit(pid, resource, new ResourceLimit(limit[0], limit[1]));
            }
            steps.reach("credentials of task " + task.pid);
            credentials(inject, scratch, arena);
            if (task.noNewPrivs) {
                inject.check(PrctlCalls.setNoNewPrivs());
            }
            inject.releaseScratch();
        }
        steps.reach("registers of task " + task.pid);
        // 6. Registers last: xstate, then the general registers (fs_base included), then the mask.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xstate = arena.allocate(task.xstate.length, 64);
            MemorySegment.copy(task.xstate, 0, xstate, ValueLayout.JAVA_BYTE, 0, task.xstate.length);
            TraceSyscalls.setRegset(pid, Linux.NT_X86_XSTATE(), xstate);
            TraceSyscalls.setRegset(pid, Linux.NT_PRSTATUS(), Registers.of(task.registers).toSegment(arena));
        }
        TraceSyscalls.setSigmask(pid, task.sigmask);
    }

    private static boolean isKernelMapping(String path) {
        return path.startsWith("[vvar") || path.equals("[vdso]") || path.equals("[vsyscall]");
    }

    private void move(Injector inject, long from, long length, long to) throws IOException {
        if (from == to) {
            return;
        }
        long at = inject.check("mremap", Linux.SYS_mremap(), from, length, length,
                Linux.MREMAP_MAYMOVE() | Linux.MREMAP_FIXED(), to);
        if (at != to) {
            throw new IOException("task " + task.pid + ": mremap to 0x" + Long.toHexString(to) + " gave 0x"
                    + Long.toHexString(at));
        }
        inject.moveGadget(from, from + length, to);
    }

    /** An address range free in both the fresh task and the saved layout. */
    private long freeAddress(List<ProcFiles.Mapping> current, long length, long from) throws IOException {
        for (long candidate = from; candidate < 0x7f0000000000L; candidate += 0x100000000L) {
            long start = candidate;
            boolean clash = current.stream().anyMatch(m -> m.start() < start + length && start < m.end())
                    || task.vmas.stream().anyMatch(v -> v.start < start + length && start < v.end);
            if (!clash) {
                return candidate;
            }
        }
        throw new IOException("task " + task.pid + ": no free address range for the restore's scratch memory");
    }

    private static ProcFiles.Mapping find(List<ProcFiles.Mapping> mappings, String name) throws IOException {
        return mappings.stream().filter(m -> m.path().equals(name)).findFirst()
                .orElseThrow(() -> new IOException("the new task has no " + name));
    }

    private static long string(Injector inject, long scratch, String text) throws IOException {
        byte[] bytes = (text + "\0").getBytes(StandardCharsets.UTF_8);
        long at = scratch + 8192;
        inject.write(at, bytes);
        return at;
    }

    private static MemorySegment words(Arena arena, long[] values) {
        MemorySegment segment = arena.allocate(8L * Math.max(1, values.length), 8);
        for (int i = 0; i < values.length; i++) {
            segment.setAtIndex(ValueLayout.JAVA_LONG, i, values[i]);
        }
        return segment.asSlice(0, 8L * values.length);
    }

    private void fillPages(Arena arena) throws IOException {
        MemorySegment buffer = arena.allocate(1 << 20, PAGE);
        MemorySegment local = iovec.allocate(arena);
        MemorySegment remote = iovec.allocate(arena);
        byte[] chunk = new byte[1 << 20];
        try (InputStream pages = ImageStore.pages(imageDir, task)) {
            for (long[] run : task.pagemap) {
                long address = run[0];
                long remaining = run[1] * PAGE;
                while (remaining > 0) {
                    int n = (int) Math.min(remaining, chunk.length);
                    int read = pages.readNBytes(chunk, 0, n);
                    if (read != n) {
                        throw new IOException("pages of task " + task.pid + " end early");
                    }
                    MemorySegment.copy(chunk, 0, buffer, ValueLayout.JAVA_BYTE, 0, n);
                    iovec.iov_base(local, buffer);
                    iovec.iov_len(local, n);
                    iovec.iov_base(remote, MemorySegment.ofAddress(address));
                    iovec.iov_len(remote, n);
                    long written = TraceSyscalls.processVmWritev(pid, local, 1, remote, 1);
                    if (written != n) {
                        throw new IOException("task " + task.pid + ": wrote " + written + " of " + n + " bytes at 0x"
                                + Long.toHexString(address));
                    }
                    address += n;
                    remaining -= n;
                }
            }
        }
    }

    /**
     * Each saved descriptor is opened (or made, for pipes) here, set up, and sent to the task
     * over the control socket; the task receives it (injected recvmsg) and moves it in place.
     */
    private void descriptors(Injector inject, long scratch, Arena arena) throws IOException {
        try (var list = Files.list(ProcFiles.dir(pid).resolve("fd"))) {
            for (Path link : list.toList()) {
                int number = Integer.parseInt(link.getFileName().toString());
                if (number != controlTarget) {
                    inject.check(FileCalls.close(number));
                }
            }
        }
        {
            for (TaskImage.FdImage saved : task.fds) {
                Fd fd = open(saved);
                StreamSyscalls.sendRights(control, List.of(fd));
                long message = scratch + 4096;
                long data = message + 128;
                long controlBuffer = message + 256;
                MemorySegment iov = iovec.allocate(arena);
                iovec.iov_base(iov, MemorySegment.ofAddress(data));
                iovec.iov_len(iov, 1);
                inject.write(message + 64, iov);
                MemorySegment header = msghdr.allocate(arena);
                msghdr.msg_iov(header, MemorySegment.ofAddress(message + 64));
                msghdr.msg_iovlen(header, 1);
                msghdr.msg_control(header, MemorySegment.ofAddress(controlBuffer));
                msghdr.msg_controllen(header, 64);
                inject.write(message, header);
                inject.check("recvmsg", Linux.SYS_recvmsg(), controlTarget, message, 0);
                int received = (int) (inject.readLong(controlBuffer + cmsghdr.sizeof()) & 0xffffffffL);
                if (received != saved.fd) {
                    inject.check(FileCalls.dup3(received, saved.fd, saved.cloexec));
                    inject.check(FileCalls.close(received));
                } else if (saved.cloexec) {
                    inject.check(FileCalls.setDescriptorFlags(saved.fd, true));
                }
            }
        }
        if (task.fds.stream().noneMatch(fd -> fd.fd == controlTarget)) {
            inject.check(FileCalls.close(controlTarget));
        }
    }

    private Fd open(TaskImage.FdImage saved) throws IOException {
        int access = saved.openFlags & Linux.O_ACCMODE();
        switch (saved.kind) {
            case PIPE -> {
                FileSyscalls.Pipe pipe = pipes.get(saved.pipeId);
                if (pipe == null) {
                    pipe = FileSyscalls.pipe2(false);
                    pipes.put(saved.pipeId, pipe);
                    byte[] data = pipeData.getOrDefault(saved.pipeId, new byte[0]);
                    if (data.length > 0) {
                        FileSyscalls.writeFully(pipe.write(), data);
                    }
                }
                Fd end = access == Linux.O_WRONLY() ? pipe.write() : pipe.read();
                StreamSyscalls.setStatusFlags(end, saved.openFlags & ~Linux.O_ACCMODE());
                return end;
            }
            case DEV_NULL, REGULAR -> {
                Fd shared = files.get(saved.fileId);
                if (shared != null) {
                    return shared; // opened for a descriptor of this task or another that shares it
                }
                String path = "/proc/" + pid + "/root" + saved.path;
                Set<OpenFlag> flags = EnumSet.noneOf(OpenFlag.class);
                flags.add(access == Linux.O_WRONLY() ? OpenFlag.WRITE_ONLY
                        : access == Linux.O_RDWR() ? OpenFlag.READ_WRITE : OpenFlag.READ_ONLY);
                Fd fd = FileSyscalls.openat2(null, path, flags, 0, Set.of());
                files.put(saved.fileId, fd);
                StreamSyscalls.setStatusFlags(fd, saved.openFlags & ~Linux.O_ACCMODE());
                if (saved.kind == TaskImage.FdKind.REGULAR && saved.position != 0) {
                    StreamSyscalls.lseek(fd, saved.position, Linux.SEEK_SET());
                }
                return fd;
            }
            default -> throw new IOException("fd kind " + saved.kind);
        }
    }

    /**
     * Signals the restore queued itself are dropped (a traced task queues even ignored
     * ones), then the saved ones are queued again by the task itself.
     */
    private void signals(Injector inject, long scratch, Arena arena) throws IOException {
        MemorySegment all = words(arena, new long[] {-1L});
        MemorySegment zero = words(arena, new long[] {0, 0});
        inject.write(scratch, all);
        inject.write(scratch + 16, zero);
        for (int i = 0; i < 128; i++) {
            long result = inject.call(Linux.SYS_rt_sigtimedwait(), scratch, 0, scratch + 16, 8);
            if (result < 0) {
                break;
            }
        }
        long self = inject.check(ProcessCalls.getpid());
        for (byte[] info : task.pendingPrivate) {
            int signal = MemorySegment.ofArray(info).get(ValueLayout.JAVA_INT_UNALIGNED, 0);
            inject.write(scratch + 64, info);
            inject.check("rt_tgsigqueueinfo", Linux.SYS_rt_tgsigqueueinfo(), self, self, signal, scratch + 64);
        }
        for (byte[] info : task.pendingShared) {
            int signal = MemorySegment.ofArray(info).get(ValueLayout.JAVA_INT_UNALIGNED, 0);
            inject.write(scratch + 64, info);
            inject.check("rt_sigqueueinfo", Linux.SYS_rt_sigqueueinfo(), self, signal, scratch + 64);
        }
    }

    /**
     * In an order the kernel accepts: the bounding set first (dropping needs CAP_SETPCAP);
     * the supplementary groups (needs CAP_SETGID); then, for a task that was not root,
     * SECBIT_NO_SETUID_FIXUP so the id changes keep every capability, and gids, uids;
     * then the inheritable set and the ambient set (raising needs each cap in permitted
     * and inheritable, and SECBIT_NO_CAP_AMBIENT_RAISE unset); then the saved securebits
     * (needs CAP_SETPCAP in the effective set, and may lock bits); last capset of the
     * saved permitted, effective and inheritable sets, which may drop CAP_SETPCAP.
     */
    private void credentials(Injector inject, long scratch, Arena arena) throws IOException {
        long[] caps = task.capabilities; // inheritable, permitted, effective, bounding, ambient

        // readAllLines, not readString: a sysctl file reports size 0 and a sized read of it
        // returned "4" of "40" here.
        int last = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/cap_last_cap")).getFirst().trim());
        for (int cap = 0; cap <= last; cap++) {
            if ((caps[3] & (1L << cap)) == 0) {
                inject.check(PrctlCalls.capbsetDrop(cap));
            }
        }
        long bits = inject.check("prctl", Linux.SYS_prctl(), Linux.PR_GET_SECUREBITS(), 0, 0, 0, 0);
        boolean root = Arrays.stream(task.uids).allMatch(id -> id == 0) && Arrays.stream(task.gids).allMatch(id -> id == 0);
        long[] groups = task.groups.stream().mapToLong(Long::longValue).toArray();
        // Root's groups too; only when they differ, so a container where setgroups is
        // denied (a user namespace's default) can still restore a task with the same ones.
        if (!Arrays.equals(groups, ProcFiles.numbers(ProcFiles.status(pid), "Groups"))) {
            inject.write(scratch, ProcessCalls.groupList(arena, task.groups));
            inject.check("setgroups", Linux.SYS_setgroups(), task.groups.size(), scratch);
        }
        if (!root) {
            inject.check("prctl", Linux.SYS_prctl(), Linux.PR_SET_SECUREBITS(), bits | SECBIT_NO_SETUID_FIXUP, 0, 0, 0);
            inject.check(ProcessCalls.setresgid(task.gids[0], task.gids[1], task.gids[2]));
            inject.check(ProcessCalls.setresuid(task.uids[0], task.uids[1], task.uids[2]));
        }
        MemorySegment header = ProcessCalls.capabilityHeader(arena, 0);
        inject.write(scratch, header);
        // Still all of the restore's own permitted and effective sets, the saved inheritable one.
        inject.check("capget", Linux.SYS_capget(), scratch, scratch + 64);
        MemorySegment held = ProcessCalls.capabilityData(arena, 0, 0, 0);
        MemorySegment.copy(MemorySegment.ofArray(inject.read(scratch + 64, (int) held.byteSize())), 0, held, 0,
                held.byteSize());
        long[] masks = ProcessCalls.capabilityMasks(held); // effective, permitted, inheritable
        capset(inject, scratch, arena, caps[0], masks[1], masks[0]);
        inject.check(PrctlCalls.capAmbientClearAll());
        for (int cap = 0; cap <= last; cap++) {
            if ((caps[4] & (1L << cap)) != 0) {
                inject.check(PrctlCalls.capAmbientRaise(cap));
            }
        }
        if (task.securebits != (root ? bits : bits | SECBIT_NO_SETUID_FIXUP)) {
            long result = inject.call(Linux.SYS_prctl(), Linux.PR_SET_SECUREBITS(), task.securebits, 0, 0, 0);
            if (result < 0) {
                throw new SyscallException("prctl", "PR_SET_SECUREBITS 0x" + Long.toHexString(task.securebits)
                        + ", injected into task " + task.pid, (int) -result,
                        "the new container's task has locked securebits 0x" + Long.toHexString(bits));
            }
        }
        capset(inject, scratch, arena, caps[0], caps[1], caps[2]);
    }

    private void capset(Injector inject, long scratch, Arena arena, long inheritable, long permitted, long effective)
            throws IOException {
        // The structs capset's encoder writes, placed in the task's scratch instead of here.
        MemorySegment header = ProcessCalls.capabilityHeader(arena, 0);
        MemorySegment data = ProcessCalls.capabilityData(arena, effective, permitted, inheritable);
        inject.write(scratch, header);
        inject.write(scratch + 64, data);
        long result = inject.call(Linux.SYS_capset(), scratch, scratch + 64);
        if (result < 0) {
            throw new SyscallException("capset", "injected into task " + task.pid, (int) -result,
                    "the restored task held capabilities the new container does not grant");
        }
    }
}
