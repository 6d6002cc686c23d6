package dev.hako.namespaces.launch;

import dev.hako.bindings.Linux;
import dev.hako.namespaces.Launchers;
import dev.hako.syscalls.ChildStatus;
import dev.hako.syscalls.EventSyscalls;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.MapFlag;
import dev.hako.syscalls.MemoryProtection;
import dev.hako.syscalls.MemorySyscalls;
import dev.hako.syscalls.PollEvent;
import dev.hako.syscalls.ProcessSyscalls;
import dev.hako.syscalls.StreamSyscalls;
import dev.hako.syscalls.Spawn;
import dev.hako.syscalls.SyscallException;
import dev.hako.syscalls.WaitOption;
import dev.hako.syscalls.calls.MemoryCalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The application's side of the launch server (issue 13): a second, small JVM that forks
 * containers on the application's behalf, so that a start copies the page tables of that
 * small JVM and not of the application's heap.
 *
 * <p>How a start travels. The compiled child program (rows, strings, structs, clone_args)
 * is written into a chunk of a memfd that both JVMs map at the same address, so every
 * pointer in it is valid in the server too and nothing is serialized. The descriptors the
 * program names are placed at numbers of {@link #FD_FLOOR} or more in the application and
 * sent by SCM_RIGHTS in the same message as the request (one sendmsg, so the server wakes
 * once); the server puts each at the same number in its own table (it keeps far fewer
 * descriptors than that), runs {@link ChildInterpreter#forkAndRun} on the chunk, and
 * answers clone3's result with the pidfd attached, again one message. clone3 carries
 * CLONE_PARENT, so the container is the
 * application's child: ContainerProcess, waitid(P_PIDFD) and the exit status work as for
 * an in-process start, and a server crash harms no running container. CLONE_PARENT_SETTID
 * writes the child's pid into the chunk, so that when the server dies between the fork and
 * its answer, the application still finds the child, kills it and reaps it.
 *
 * <p>Lifetime. The server is started at the first start through it, or ahead of it by
 * {@code Launchers.server().prepare()}, with posix_spawn (no Java code runs in its child,
 * so this JVM never forks itself in server mode), from one dedicated daemon thread that
 * lives as long as the JVM: the server sets PR_SET_PDEATHSIG (SIGKILL), which refers to the
 * thread that spawned it, then checks that its parent is still this JVM; with CLONE_PARENT
 * that thread also is the parent that containers' own death signals refer to. The server exits at end of file on its socket.
 * A server that died or does not answer within {@link #answerTimeout} is killed and
 * reaped; the start fails with an IOException naming what happened, and the next start
 * brings up a new server.
 *
 * <p>A chunk is reused as soon as its start returns. By then a plain child has exec'd (or
 * been killed and reaped), but a supervisor, its reaper and a child held at the start gate
 * or at its exec gate still run rows, and a child that forks again (a supervisor, a
 * hand-off) would share its result slots with its own child. Their first two steps make
 * their copy of the chunk private (mmap of the memfd range MAP_PRIVATE|MAP_FIXED over it,
 * then MADV_POPULATE_WRITE, which copies every page), so they keep running their own rows,
 * whatever the next start or their child writes ({@link Plan#privateChunkCopy}).
 */
public final class LaunchServer implements AutoCloseable {

    /** Where the server finds its socket to the application. */
    static final int SOCKET_FD = 3;
    /** The lowest descriptor number a launch program names in server mode. */
    static final int FD_FLOOR = 512;
    /** Where the server keeps the program memfd, for the child's private copy of its chunk. */
    static final int MEMFD_FD = FD_FLOOR - 1;
    /** Bytes of program one start may use. */
    static final long CHUNK_SIZE = 256 * 1024;
    static final int CHUNKS = 256;
    /** How long a start waits for the server's answer; tests that make it hang shorten it. */
    public static volatile Duration answerTimeout = Duration.ofSeconds(30);
    static final long OP_MAP = 1;
    static final long OP_FORK = 2;
    /** Bytes of an answer: a status or clone3's result, and the server's pid or 0. */
    static final long ANSWER_SIZE = 16;
    /** The most descriptors one start sends (SCM_RIGHTS carries at most 253). */
    static final int MAX_FDS = 253;

    /**
     * The server JVM's options, from {@code Driver server-flags} (benchmarks): a serial
     * collector on a tiny heap, huge pages where the kernel gives them, small code cache and
     * metaspace, no perf data file, and C2 alone on one compiler thread, which took the most
     * anonymous memory off (C1 alone did too, but C1 code polls for safepoints on loop
     * back-edges, which a forked child must never reach). C2 compiles a method after 100
     * calls, not 10,000: the server's request path runs once per start, so at the default it
     * would stay in the interpreter for thousands of starts, and after every fork each page
     * its profile counters and allocations write costs a copy-on-write fault (69 faults and
     * 0.37 ms between clone3 and the answer, against 22 and 0.08 ms compiled). The native heap
     * is trimmed every 2 s: what the compiler freed stays resident otherwise (about 10 MiB),
     * and every resident page is a page-table entry each fork copies and each execve frees.
     * For the same reason the JDK's class-data archive is mapped where it was built to be
     * ({@code ArchiveRelocationMode=0}, a diagnostic flag): mapped elsewhere, as JDK 21 and
     * later do by default for address-space randomisation, the JVM rewrites every pointer in
     * it at start, and 10.6 MiB of it became private memory, against 4.1 MiB unrelocated.
     * That randomisation protects a process that parses untrusted input; this one reads
     * only its parent's requests, and its copies that outlive a start (a supervisor and its
     * PID 1) are not dumpable, so nothing in a container can read their layout.
     */
    static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx16m",
            "-XX:+UseTransparentHugePages", "-XX:ReservedCodeCacheSize=16m", "-XX:MaxMetaspaceSize=64m",
            "-XX:-UsePerfData", "-XX:-TieredCompilation", "-XX:CICompilerCount=1", "-XX:CompileThreshold=100",
            "-XX:TrimNativeHeapInterval=2000", "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");

    /**
     * Fault injection for tests, at one point of the next requests: {@code "before-fork"},
     * {@code "after-fork"} (before the answer) and {@code "after-answer"} (once the answer
     * and the pidfd are sent) make the server kill itself with SIGKILL there; {@code "hang"}
     * makes it stop before the fork and never answer.
     */
    public static volatile String faultForTests;
    private static final List<String> FAULTS = List.of("before-fork", "after-fork", "after-answer", "hang");

    private static final Object LOCK = new Object();
    private static LaunchServer current;
    private static final LinkedBlockingQueue<Runnable> PARENT_TASKS = new LinkedBlockingQueue<>();

    static {
        // The server's parent thread: it must outlive every server and every container
        // started through one (PDEATHSIG follows it), so it never ends.
        Thread.ofPlatform().daemon().name("hako-launch-server-parent").start(() -> {
            while (true) {
                try {
                    PARENT_TASKS.take().run();
                } catch (InterruptedException e) {
                    // Nobody may end this thread: its end would kill the servers.
                } catch (RuntimeException | Error e) {
                    // A failed task reports through its future.
                }
            }
        });
    }

    private final ServerProcess process;
    private final List<String> command;
    private final Fd socket;
    private final Fd memfd;
    private final MemorySegment region;
    private final BitSet busy = new BitSet(CHUNKS);
    private volatile String brokenBecause;
    private final long startNanos;
    private long starts;
    private long ignoredSignals;

    private LaunchServer(ServerProcess process, List<String> command, Fd socket, Fd memfd, MemorySegment region,
                         long startNanos) {
        this.process = process;
        this.command = command;
        this.socket = socket;
        this.memfd = memfd;
        this.region = region;
        this.startNanos = startNanos;
    }

    /** {@return the running server, started now if there is none or the last one broke} */
    public static LaunchServer get() throws IOException {
        synchronized (LOCK) {
            if (current != null && current.brokenBecause == null && current.process.isAlive()) {
                return current;
            }
            if (current != null) {
                current.close();
                current = null;
            }
            current = startServer();
            return current;
        }
    }

    /** {@return the running server, or null if none has been started or the last one broke} */
    public static LaunchServer running() {
        synchronized (LOCK) {
            return current != null && current.brokenBecause == null ? current : null;
        }
    }

    /** {@return the server's pid} */
    public long pid() {
        return process.pid();
    }

    /** {@return the signals the server ignores (bit n-1 for signal n), which the children it forks inherit} */
    long ignoredSignals() {
        return ignoredSignals;
    }

    /** The server process, for tests that kill it. */
    public ServerProcess process() {
        return process;
    }

    /**
     * The server JVM as its parent sees it: our child, watched through its pidfd and reaped
     * here (not by the reaper of containers).
     */
    public static final class ServerProcess {
        private final int pid;
        private final Fd pidfd;
        private ChildStatus status;

        ServerProcess(int pid, Fd pidfd) {
            this.pid = pid;
            this.pidfd = pidfd;
        }

        /** {@return its process id} */
        public long pid() {
            return pid;
        }

        Fd pidfd() {
            return pidfd;
        }

        /** {@return whether it has not exited yet} */
        public synchronized boolean isAlive() {
            return status == null && !exited(Duration.ZERO);
        }

        /** Whether it exited within {@code timeout}; reaps it if so. */
        public synchronized boolean exited(Duration timeout) {
            if (status != null) {
                return true;
            }
            try {
                if (EventSyscalls.poll(pidfd, EnumSet.of(PollEvent.IN), timeout).isEmpty()) {
                    return false;
                }
                status = ProcessSyscalls.waitidPidfd(pidfd, EnumSet.of(WaitOption.EXITED)).orElseThrow();
                return true;
            } catch (SyscallException e) {
                throw new IllegalStateException("cannot wait for the launch server (pid " + pid + "): "
                        + e.getMessage(), e);
            }
        }

        /** {@return how it ended, as waitid reported it} */
        public synchronized ChildStatus status() {
            return status;
        }

        /** Sends it SIGKILL (nothing if it has exited). */
        public void kill() {
            try {
                ProcessSyscalls.pidfdSendSignal(pidfd, Linux.SIGKILL());
            } catch (SyscallException e) {
                // Exited already.
            }
        }

        /** Kills, reaps and lets go of it. */
        synchronized void end() {
            if (status == null) {
                kill();
                exited(Duration.ofSeconds(30));
            }
            pidfd.close();
        }
    }

    private static LaunchServer startServer() throws IOException {
        long t0 = System.nanoTime();
        FileSyscalls.Pipe sockets = StreamSyscalls.socketpair();
        Fd memfd = null;
        MemorySegment region = null;
        ServerProcess process = null;
        boolean ok = false;
        try {
            memfd = MemorySyscalls.memfdCreate("hako-launch-programs");
            MemorySyscalls.ftruncate(memfd, CHUNK_SIZE * CHUNKS);
            region = mapRegion(memfd);
            List<String> command = serverCommand();
            // posix_spawn, not this JVM's own fork: no Java code runs in the child, so a JVM
            // that runs C1 only (whose compiled loops poll for safepoints) starts its server
            // safely, and a big heap costs no page-table copy. On the long-lived parent
            // thread, whose exit is what PR_SET_PDEATHSIG (set by the server) watches.
            CompletableFuture<ServerProcess> started = new CompletableFuture<>();
            PARENT_TASKS.add(() -> {
                try {
                    int pid = Spawn.spawn(command, List.of("MALLOC_ARENA_MAX=1"), Map.of(SOCKET_FD, sockets.write()),
                            Set.of(0, 1));
                    // Not reaped until this JVM waits for it, so the pid cannot name another process.
                    started.complete(new ServerProcess(pid, ProcessSyscalls.pidfdOpen(pid, false)));
                } catch (Throwable t) {
                    started.completeExceptionally(t);
                }
            });
            try {
                process = started.get();
            } catch (ExecutionException e) {
                throw new IOException("cannot start the launch server: " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting the launch server", e);
            }
            sockets.write().close();
            LaunchServer server = new LaunchServer(process, command, sockets.read(), memfd, region, t0);
            try {
                server.map();
            } catch (IOException e) {
                throw new IOException("cannot start the launch server: " + e.getMessage(), e);
            }
            // Read once: the server JVM sets its dispositions at its start and never changes them.
            server.ignoredSignals = CurrentIds.ignoredSignals(process.pid());
            ok = true;
            return server;
        } finally {
            if (!ok) {
                sockets.read().close();
                sockets.write().close();
                if (process != null) {
                    process.end();
                }
                if (region != null) {
                    MemorySyscalls.munmap(region);
                }
                if (memfd != null) {
                    memfd.close();
                }
            }
        }
    }

    /** The lowest address {@link #mapRegion} places the program region at: 16 TiB. */
    private static final long REGION_FLOOR = 1L << 44;
    /** How many region-sized slots it chooses from (up to 48 TiB). */
    private static final long REGION_SLOTS = (2L << 44) / (CHUNK_SIZE * CHUNKS);

    /**
     * Maps the program region at an address the server will find free too, since it maps the
     * same region at the same address. Where the kernel chose (near the top of the address
     * space, where it also places the server JVM's own mappings, each process at a random
     * base) the server could not map it about once in a few hundred starts (EEXIST). Between
     * 16 and 48 TiB neither JVM maps anything (their heaps, class space and CDS archive sit
     * low, their other mappings near 128 TiB); a random slot there is taken without
     * replacing anything, another tried if it is in use, and on a smaller address space
     * the kernel chooses after all.
     */
    private static MemorySegment mapRegion(Fd memfd) throws SyscallException {
        EnumSet<MemoryProtection> readWrite = EnumSet.of(MemoryProtection.READ, MemoryProtection.WRITE);
        for (int attempt = 0; attempt < 8; attempt++) {
            long address = REGION_FLOOR + java.util.concurrent.ThreadLocalRandom.current().nextLong(REGION_SLOTS)
                    * CHUNK_SIZE * CHUNKS;
            try {
                return MemorySyscalls.mmap(address, CHUNK_SIZE * CHUNKS, readWrite,
                        EnumSet.of(MapFlag.SHARED, MapFlag.NORESERVE, MapFlag.FIXED_NOREPLACE), memfd, 0);
            } catch (SyscallException e) {
                if (e.errno() != Linux.EEXIST()) {
                    break;
                }
            }
        }
        return MemorySyscalls.mmap(0, CHUNK_SIZE * CHUNKS, readWrite, EnumSet.of(MapFlag.SHARED, MapFlag.NORESERVE),
                memfd, 0);
    }

    /** Asks the server to map the program region at our address, and waits until it is ready. */
    private void map() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocate(24);
            request.set(ValueLayout.JAVA_LONG, 0, OP_MAP);
            request.set(ValueLayout.JAVA_LONG, 8, region.address());
            request.set(ValueLayout.JAVA_LONG, 16, region.byteSize());
            send(request, List.of(memfd));
            // The first answer also waits for the server's JVM start and warm-up.
            MemorySegment answer = readAnswer(arena, Duration.ofSeconds(60), "mapping the program region").data();
            long status = answer.get(ValueLayout.JAVA_LONG, 0);
            if (status < 0) {
                throw new IOException("the launch server (pid " + pid() + ") cannot map the program region at 0x"
                        + Long.toHexString(region.address()) + ": " + new SyscallException("mmap",
                        "MAP_FIXED_NOREPLACE", (int) -status).getMessage());
            }
        }
    }

    /** The command line of the server JVM: this JVM's java, Hako's own code on the class path. */
    public static List<String> serverCommand() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String options = System.getProperty("hako.launchServer.jvmOptions");
        command.addAll(options == null ? JVM_OPTIONS : Arrays.asList(options.trim().split("\\s+")));
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(String.join(":", codeLocations()));
        command.add(LaunchServerMain.class.getName());
        // The server's parent, which it checks after setting its parent-death signal.
        command.add(Long.toString(ProcessHandle.current().pid()));
        return command;
    }

    /**
     * Where Hako's modules were loaded from: jars or class directories, on the class path
     * or the module path, or one shaded jar holding all of them.
     */
    static List<String> codeLocations() throws IOException {
        Set<String> locations = new LinkedHashSet<>();
        for (Class<?> c : List.of(LaunchServerMain.class, Fd.class, Linux.class, dev.hako.cgroupfs.CgroupLayout.class)) {
            var source = c.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                throw new IOException("cannot start the launch server: " + c.getName() + " has no code location"
                        + " (a runtime image made by jlink?); use the in-process launcher");
            }
            try {
                locations.add(Path.of(source.getLocation().toURI()).toString());
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new IOException("cannot start the launch server: " + c.getName() + " was loaded from "
                        + source.getLocation() + ", not a file", e);
            }
        }
        return List.copyOf(locations);
    }

    /** A chunk of the program region, as an arena whose allocations are zeroed slices of it. */
    final class Chunk implements Arena {
        private final int index;
        private final MemorySegment memory;
        private long used;
        private boolean released;

        private Chunk(int index) {
            this.index = index;
            this.memory = region.asSlice(index * CHUNK_SIZE, CHUNK_SIZE);
        }

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            long start = (memory.address() + used + byteAlignment - 1) / byteAlignment * byteAlignment - memory.address();
            if (start + byteSize > CHUNK_SIZE) {
                throw new IllegalStateException("the launch program needs more than the launch server's "
                        + CHUNK_SIZE / 1024 + " KiB per start");
            }
            used = start + byteSize;
            MemorySegment slice = memory.asSlice(start, byteSize);
            slice.fill((byte) 0);
            return slice;
        }

        @Override
        public MemorySegment.Scope scope() {
            return memory.scope();
        }

        /** Returns the chunk for reuse. */
        @Override
        public void close() {
            synchronized (LaunchServer.this) {
                if (!released) {
                    released = true;
                    busy.clear(index);
                }
            }
        }

        /** {@return the chunk's address, the same in the server} */
        long address() {
            return memory.address();
        }

        /** {@return the chunk's offset in the server's memfd ({@link #MEMFD_FD})} */
        long offset() {
            return index * CHUNK_SIZE;
        }
    }

    /** {@return a free chunk for one start} */
    Chunk chunk() throws IOException {
        synchronized (this) {
            int index = busy.nextClearBit(0);
            if (index >= CHUNKS) {
                throw new IOException("the launch server's " + CHUNKS + " program chunks are all in use by starts"
                        + " under way");
            }
            busy.set(index);
            return new Chunk(index);
        }
    }

    /** What the server answered: clone3's result (a pid, or -errno) and the pidfd. */
    record Forked(long result, Fd pidfd) {
    }

    /**
     * Has the server fork {@code code} (in {@code chunk}) with the descriptors {@code fds},
     * each of which the program names by its number here ({@link #FD_FLOOR} or more).
     *
     * @param parentTid where clone3 writes the child's pid (CLONE_PARENT_SETTID), in the chunk
     * @param pidfdSlot where clone3 writes the pidfd, in the chunk
     */
    Forked fork(MemorySegment code, MemorySegment pidfdSlot, MemorySegment parentTid, List<Fd> fds)
            throws IOException {
        if (fds.size() > MAX_FDS) {
            throw new IOException("a start through the launch server passes at most " + MAX_FDS + " descriptors, not "
                    + fds.size());
        }
        synchronized (this) {
            if (brokenBecause != null) {
                throw new IOException(brokenBecause);
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment request = arena.allocate(48 + 4L * fds.size());
                request.set(ValueLayout.JAVA_LONG, 0, OP_FORK);
                request.set(ValueLayout.JAVA_LONG, 8, code.address());
                request.set(ValueLayout.JAVA_LONG, 16, code.byteSize());
                request.set(ValueLayout.JAVA_LONG, 24, pidfdSlot.address());
                request.set(ValueLayout.JAVA_LONG, 32, fds.size());
                // 0: no fault; else 1 + the fault's index, which LaunchServerMain acts on.
                String fault = faultForTests;
                request.set(ValueLayout.JAVA_LONG, 40, fault == null ? 0 : FAULTS.indexOf(fault) + 1);
                for (int i = 0; i < fds.size(); i++) {
                    int number = fds.get(i).value();
                    if (number < FD_FLOOR) {
                        throw new IllegalStateException("fd " + number + " is below the launch server's floor " + FD_FLOOR);
                    }
                    request.set(ValueLayout.JAVA_INT, 48 + 4L * i, number);
                }
                try {
                    send(request, fds);
                    Answer answer = readAnswer(arena, answerTimeout, "a start");
                    long result = answer.data().get(ValueLayout.JAVA_LONG, 0);
                    if (result <= 0) {
                        answer.fds().forEach(Fd::close);
                        return new Forked(result, null);
                    }
                    if (answer.fds().size() != 1) {
                        answer.fds().forEach(Fd::close);
                        throw broken("answered pid " + result + " without its pidfd");
                    }
                    starts++;
                    return new Forked(result, answer.fds().getFirst());
                } catch (IOException e) {
                    // The child may exist (it is ours: CLONE_PARENT) though the answer never came.
                    int orphan = parentTid.get(ValueLayout.JAVA_INT, 0);
                    if (orphan > 0) {
                        try {
                            Launcher.killAndReap(ProcessSyscalls.pidfdOpen(orphan, false));
                        } catch (SyscallException gone) {
                            // Not ours or already reaped: nothing is left to clean.
                        }
                    }
                    throw e;
                }
            }
        }
    }

    /**
     * Sends {@code bytes} and {@code fds} as one message (one sendmsg), so that the server
     * wakes once and finds the descriptors with the request's first byte.
     */
    private void send(MemorySegment bytes, List<Fd> fds) throws IOException {
        try {
            if (fds.isEmpty()) {
                FileSyscalls.writeFully(socket, bytes.toArray(ValueLayout.JAVA_BYTE));
            } else {
                StreamSyscalls.sendRights(socket, bytes.toArray(ValueLayout.JAVA_BYTE), fds);
            }
        } catch (SyscallException e) {
            throw broken("cannot be written to (" + e.errnoName() + ")");
        }
    }

    /** The server's answer: {@link #ANSWER_SIZE} bytes, and the descriptor sent with them, if any. */
    private record Answer(MemorySegment data, List<Fd> fds) {
    }

    /**
     * Reads the server's answer within {@code timeout}: its bytes and the pidfd that comes
     * with them in the same message.
     */
    private Answer readAnswer(Arena arena, Duration timeout, String what) throws IOException {
        MemorySegment answer = arena.allocate(ANSWER_SIZE);
        List<Fd> fds = new ArrayList<>(1);
        long done = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (done < ANSWER_SIZE) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || EventSyscalls.poll(socket, EnumSet.of(PollEvent.IN),
                    Duration.ofNanos(left)).isEmpty()) {
                fds.forEach(Fd::close);
                throw broken("did not answer " + what + " within " + timeout.toMillis() + " ms; it was killed");
            }
            StreamSyscalls.Message message;
            try {
                message = StreamSyscalls.receive(socket, (int) (ANSWER_SIZE - done), 1);
            } catch (SyscallException e) {
                fds.forEach(Fd::close);
                throw broken("cannot be read from (" + e.errnoName() + ")");
            }
            if (message.data().length == 0) {
                fds.forEach(Fd::close);
                throw broken("closed its socket during " + what);
            }
            MemorySegment.copy(message.data(), 0, answer, ValueLayout.JAVA_BYTE, done, message.data().length);
            done += message.data().length;
            fds.addAll(message.fds());
        }
        return new Answer(answer, fds);
    }

    /** Marks this server unusable, kills and reaps it, and returns the exception to throw. */
    private IOException broken(String what) {
        process.kill();
        String status = process.exited(Duration.ofSeconds(5)) ? process.status().toString() : "still running";
        String message = "the launch server (pid " + process.pid() + ") " + what + "; its end: " + status
                + "; the next start brings up a new one";
        brokenBecause = message;
        return new IOException(message);
    }

    /** One line for describe(): which server, its flags, what it has done. */
    public String describe() {
        return "launch server pid " + process.pid() + " (" + String.join(" ", jvmOptions(command)) + "), " + starts
                + " starts, up " + Duration.ofNanos(System.nanoTime() - startNanos).toSeconds() + " s"
                + (brokenBecause == null ? "" : "; broken: " + brokenBecause);
    }

    /**
     * One line for describe() when a start would go through the server: the running one,
     * or the command that the first start will run.
     */
    static String describeCurrent() {
        LaunchServer server = running();
        if (server != null) {
            return server.describe();
        }
        try {
            List<String> command = serverCommand();
            return "launch server, not running: the first start through it runs " + command.getFirst() + " "
                    + String.join(" ", jvmOptions(command)) + " ... "
                    + String.join(" ", command.subList(command.size() - 2, command.size()));
        } catch (IOException e) {
            return "launch server, which cannot start: " + e.getMessage();
        }
    }

    /** The JVM options of a server command line: what comes between java and --enable-native-access. */
    private static List<String> jvmOptions(List<String> command) {
        int end = command.indexOf("--enable-native-access=ALL-UNNAMED");
        return command.subList(1, end < 0 ? 1 : end);
    }

    /**
     * Adds the two rows that start a child program forked by the server: a private copy of
     * its chunk (mmap of the server's memfd range MAP_PRIVATE|MAP_FIXED over it, then
     * MADV_POPULATE_WRITE, which copies every page), so the next start may reuse the shared
     * chunk while this child (a supervisor, a reaper, a child at a gate) still runs its rows.
     */
    static void addPrivateCopy(ChildProgram program, long chunkAddress, long chunkOffset) {
        program.add(MemoryCalls.mmap(chunkAddress, CHUNK_SIZE, EnumSet.of(MemoryProtection.READ, MemoryProtection.WRITE),
                EnumSet.of(MapFlag.PRIVATE, MapFlag.FIXED), MEMFD_FD, chunkOffset)
                .showing(0, "<program chunk>").showing(4, "<launch server's program memfd>"));
        program.add(MemoryCalls.populateWrite(chunkAddress, CHUNK_SIZE).showing(0, "<program chunk>"));
    }

    /** Ends the server (EOF on its socket), waits for it, and unmaps the region. */
    @Override
    public void close() {
        synchronized (this) {
            socket.close();
            // End of file ends it; a server that does not go is killed.
            process.exited(Duration.ofSeconds(5));
            process.end();
            // A start under way on another thread still writes its chunk: then the region
            // stays mapped (address space only, NORESERVE) until the JVM ends.
            if (busy.isEmpty()) {
                try {
                    MemorySyscalls.munmap(region);
                } catch (SyscallException e) {
                    throw new IllegalStateException(e);
                }
            }
            memfd.close();
        }
    }

    /** Ends the current server, if any (tests; the next start brings up a new one). */
    public static void shutdown() {
        synchronized (LOCK) {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }
}
