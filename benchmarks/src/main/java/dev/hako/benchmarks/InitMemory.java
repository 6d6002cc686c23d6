package dev.hako.benchmarks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Launchers;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * B6, what {@code init(true)} costs in memory. Its supervisor and reaper are copies of the
 * JVM that forks them, made by fork without exec: they run no Java code, but they keep,
 * copy on write, every page that JVM had when they were forked and has rewritten since,
 * and each has its own copy of its page tables. In-process, that JVM is the application's;
 * through the launch server ({@link Launchers#server()}), it is the server's small one.
 *
 * <p>One JVM pre-touches a heap working set (run it with a fixed, pre-touched heap to
 * stand for a large application), starts {@code /bin/sleep} through Hako with pid, mount,
 * ipc and uts namespaces and {@code init(true)} once in-process and once through the launch
 * server, and, as the baseline in the same run, {@code unshare -fpmiu --mount-proc
 * /bin/sleep} through {@link ProcessBuilder}: util-linux's unshare waits for its forked
 * child as Hako's supervisor does. That child ({@code sleep}, PID 1 of its namespace) is
 * the command itself, as Hako's PID 2 is, so unshare has no counterpart of the reaper: the
 * baseline of the supervisor and the reaper together is unshare's parent alone. Memory of
 * every process is read before and after the JVM churns its heap (replaces every kept
 * array, allocates garbage, runs full collections), which is what makes the JVM rewrite
 * the pages the in-process supervisor and reaper still share with it.
 *
 * <p>Three measures per process, from /proc: USS (Private_Clean + Private_Dirty of
 * smaps_rollup), PSS, and page tables (VmPTE). Then the anonymous pages, counted by page
 * frame from /proc/&lt;pid&gt;/pagemap (root only), that a process, and each group as a
 * whole, maps and neither the JVM nor the launch server does: for Hako's pair, what ending
 * the container frees.
 * USS alone misses those the
 * supervisor and the reaper share with each other (the reaper is the supervisor's fork),
 * since a page two processes map is private to neither.
 */
public final class InitMemory {

    /** Size of each array of the working set: small enough that G1 never makes it humongous. */
    static final int CHUNK = 256 * 1024;
    /** Name the reaper gives itself (ChildCompiler's rows). */
    static final String REAPER_NAME = "hako-init";
    /** smaps_rollup fields kept in the results, in KiB. */
    static final List<String> FIELDS = List.of("Rss", "Pss", "Pss_Anon", "Shared_Clean", "Shared_Dirty",
            "Private_Clean", "Private_Dirty", "Anonymous");
    /** Full collections during the churn, spread over it. */
    static final int CHURN_GCS = 3;

    /** Keeps garbage reachable for a moment so that the JIT cannot drop the allocation. */
    private static volatile byte[] sink;

    /**
     * Settings of one B6 run.
     *
     * @param heapMiB      heap working set kept live, MiB
     * @param churnSeconds how long the JVM rewrites its heap between the two readings
     */
    public record Config(int heapMiB, double churnSeconds) {
        /** Checks the settings. */
        public Config {
            if (heapMiB < 1 || churnSeconds < 0) {
                throw new IllegalArgumentException("need heapMiB ≥ 1 and churnSeconds ≥ 0, got " + heapMiB + ", "
                        + churnSeconds);
            }
        }
    }

    private InitMemory() {
    }

    /** Runs B6 and returns its results; kills every process it started, also on failure. */
    public static ObjectNode run(Config config) throws IOException, InterruptedException {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.putObject("config").put("heapMiB", config.heapMiB()).put("churnSeconds", config.churnSeconds());
        out.put("transparentHugePages", transparentHugePages());
        out.put("pageBytes", pageSize());
        List<byte[]> kept = preTouch(config.heapMiB());
        ObjectNode jvm = out.putObject("jvm");
        jvm.put("rssKiBAtStart", status(ProcessHandle.current().pid(), "VmRSS"));
        jvm.put("pteKiBAtStart", status(ProcessHandle.current().pid(), "VmPTE"));
        jvm.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
        jvm.put("options", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        // Long enough to outlive the measurement; the processes are killed at the end anyway.
        String seconds = Long.toString(Math.max(120, (long) Math.ceil(config.churnSeconds()) + 60));
        ContainerProcess hako = null;
        ContainerProcess served = null;
        Process unshare = null;
        try {
            hako = StartVariant.PLUS_INIT.builder(Launchers.inProcess(), "/bin/sleep", seconds).start();
            served = StartVariant.PLUS_INIT.builder(Launchers.server(), "/bin/sleep", seconds).start();
            List<String> unshareCommand = List.of("unshare", "-fpmiu", "--mount-proc", "/bin/sleep", seconds);
            unshare = new ProcessBuilder(unshareCommand).redirectInput(new File("/dev/null"))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            Map<String, Long> hakoPids = initPair(hako);
            Map<String, Long> servedPids = initPair(served);
            long server = ServerStartProbe.serverPid();
            long unshareChild = awaitChild(unshare.pid(), "sleep");
            Map<String, Long> unsharePids = new LinkedHashMap<>();
            unsharePids.put("parent", unshare.pid());
            unsharePids.put("child", unshareChild);
            String command = "new ContainerBuilder(\"/bin/sleep\", \"" + seconds
                    + "\").namespaces(PID, MOUNT, IPC, UTS).init(true)";
            ObjectNode h = out.putObject("hako").put("command", command + ".launcher(Launchers.inProcess())");
            ObjectNode s = out.putObject("hakoServer").put("command", command + ".launcher(Launchers.server())")
                    .put("serverPid", server);
            ObjectNode u = out.putObject("unshare").put("command", String.join(" ", unshareCommand));

            // What ending a container frees: pages that neither of the processes that outlive
            // it (this JVM and the launch server) maps.
            long[] outliving = outlivingFrames(server);
            measure(h.putObject("before"), hakoPids, outliving);
            measure(s.putObject("before"), servedPids, outliving);
            measure(u.putObject("before"), unsharePids, outliving);
            putServer(s.putObject("serverBefore"), server);

            ObjectNode churn = out.putObject("churn");
            churn(kept, config.churnSeconds(), churn);
            jvm.put("rssKiBAfterChurn", status(ProcessHandle.current().pid(), "VmRSS"));

            outliving = outlivingFrames(server);
            measure(h.putObject("after"), hakoPids, outliving);
            measure(s.putObject("after"), servedPids, outliving);
            measure(u.putObject("after"), unsharePids, outliving);
            putServer(s.putObject("serverAfter"), server);
            if (!hako.isAlive() || !served.isAlive() || !unshare.isAlive()) {
                throw new IllegalStateException("a measured process ended early (Hako in-process alive: "
                        + hako.isAlive() + ", Hako through the server alive: " + served.isAlive()
                        + ", unshare alive: " + unshare.isAlive() + ")");
            }
        } finally {
            try {
                stopTree(hako);
            } finally {
                try {
                    stopTree(served);
                } finally {
                    stopTree(unshare);
                }
            }
        }
        sink = kept.getFirst(); // the working set stays live up to here
        return out;
    }

    /** An init container's supervisor and reaper (PID 1, the JVM's child), once both have named themselves. */
    private static Map<String, Long> initPair(ContainerProcess container) throws InterruptedException {
        long supervisor = container.pid();
        long reaper = container.initPid().orElseThrow(() -> new IllegalStateException("no PID 1 reaper"));
        awaitName(reaper, REAPER_NAME);
        awaitName(supervisor, "hako-supervisor");
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("supervisor", supervisor);
        pids.put("reaper", reaper);
        return pids;
    }

    /** {@return the anonymous frames this JVM or the launch server maps, sorted} */
    private static long[] outlivingFrames(long server) throws IOException {
        return unionSorted(List.of(anonymousFrames(ProcessHandle.current().pid()), anonymousFrames(server)));
    }

    /** Records the launch server's own smaps_rollup and page tables. */
    private static void putServer(ObjectNode out, long server) throws IOException {
        Map<String, Long> rollup = smapsRollup(server);
        out.put("pid", server).put("comm", comm(server));
        for (String field : FIELDS) {
            out.put(field + "KiB", rollup.getOrDefault(field, 0L));
        }
        out.put("pteKiB", status(server, "VmPTE"));
    }

    // ---------------------------------------------------------------- the JVM's side

    /** Allocates and writes the working set, then lets a full collection settle it in the old generation. */
    private static List<byte[]> preTouch(int heapMiB) {
        int chunks = (int) ((long) heapMiB * 1024 * 1024 / CHUNK);
        List<byte[]> kept = new ArrayList<>(chunks);
        for (int i = 0; i < chunks; i++) {
            byte[] a = new byte[CHUNK];
            Arrays.fill(a, (byte) (i + 1));
            kept.add(a);
        }
        System.gc();
        return kept;
    }

    /**
     * Rewrites the working set for {@code seconds}: each kept array is replaced by a new one
     * (so old copies become garbage and collections move the live ones), with as much
     * garbage besides, and {@link #CHURN_GCS} full collections spread over the time.
     */
    private static void churn(List<byte[]> kept, double seconds, ObjectNode out) {
        long start = System.nanoTime();
        long length = (long) (seconds * 1e9);
        int gcs = 0;
        long replaced = 0;
        int slot = 0;
        while (System.nanoTime() - start < length || replaced == 0) {
            byte[] fresh = new byte[CHUNK];
            Arrays.fill(fresh, (byte) replaced);
            kept.set(slot, fresh);
            sink = new byte[CHUNK];
            slot = (slot + 1) % kept.size();
            replaced++;
            if (gcs < CHURN_GCS && System.nanoTime() - start >= length * (gcs + 1) / (CHURN_GCS + 1)) {
                System.gc();
                gcs++;
            }
        }
        for (; gcs < CHURN_GCS; gcs++) {
            System.gc(); // a churn shorter than one pass still gets its collections
        }
        out.put("seconds", (System.nanoTime() - start) / 1e9);
        out.put("fullCollections", gcs);
        out.put("arraysReplaced", replaced);
        out.put("passesOverWorkingSet", (double) replaced / kept.size());
    }

    // ---------------------------------------------------------------- /proc readings

    /**
     * Records each process's smaps_rollup, USS, page tables and the anonymous pages it maps
     * that none of the outliving processes (this JVM, the launch server) maps; then the last
     * for the group as a whole, where a page two of them map counts once.
     */
    private static void measure(ObjectNode out, Map<String, Long> pids, long[] outliving) throws IOException {
        List<long[]> frames = new ArrayList<>();
        for (Map.Entry<String, Long> e : pids.entrySet()) {
            long pid = e.getValue();
            ObjectNode p = out.putObject(e.getKey());
            p.put("pid", pid).put("comm", comm(pid));
            Map<String, Long> rollup = smapsRollup(pid);
            for (String field : FIELDS) {
                p.put(field + "KiB", rollup.getOrDefault(field, 0L));
            }
            p.put("ussKiB", rollup.getOrDefault("Private_Clean", 0L) + rollup.getOrDefault("Private_Dirty", 0L));
            p.put("pteKiB", status(pid, "VmPTE"));
            long[] own = anonymousFrames(pid);
            frames.add(own);
            putOnlyTheirs(p, own, outliving);
        }
        putOnlyTheirs(out, unionSorted(frames), outliving);
    }

    /** Puts onlyTheirsAnonKiB: how much of {@code theirs} is not in {@code outliving} (both sorted). */
    private static void putOnlyTheirs(ObjectNode out, long[] theirs, long[] outliving) throws IOException {
        if (outliving.length == 0) {
            out.putNull("onlyTheirsAnonKiB"); // frame numbers are hidden without CAP_SYS_ADMIN
            return;
        }
        long only = 0;
        for (long frame : theirs) {
            if (Arrays.binarySearch(outliving, frame) < 0) {
                only++;
            }
        }
        out.put("onlyTheirsAnonKiB", only * pageSize() / 1024);
    }

    /** {@return the "Key: N kB" lines of /proc/pid/smaps_rollup, in KiB} */
    static Map<String, Long> smapsRollup(long pid) throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].endsWith(":") && f[2].equals("kB")) {
                out.put(f[0].substring(0, f[0].length() - 1), Long.parseLong(f[1]));
            }
        }
        return out;
    }

    /** {@return a "Key: N kB" line of /proc/pid/status, in KiB, or -1 if absent} */
    static long status(long pid, String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.substring(key.length() + 1).replace("kB", "").strip());
            }
        }
        return -1;
    }

    static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * {@return the children of {@code pid}} A process started from Java has one thread at
     * most here (the forked copies and exec'd C programs), so its main thread's list is all.
     */
    private static List<Long> children(long pid) {
        try {
            String text = Files.readString(Path.of("/proc", Long.toString(pid), "task", Long.toString(pid), "children"));
            return text.isBlank() ? List.of() : Arrays.stream(text.strip().split(" ")).map(Long::valueOf).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Waits (up to 10 s) for a child of {@code parent} named {@code name}: it names itself after the fork. */
    private static long awaitChild(long parent, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            for (long child : children(parent)) {
                if (comm(child).equals(name)) {
                    return child;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no child named " + name + " of " + parent + " within 10 s; children: "
                        + children(parent).stream().map(c -> c + " " + comm(c)).toList());
            }
            Thread.sleep(5);
        }
    }

    /** Waits (up to 10 s) for {@code pid} to take {@code name}, so it is past its set-up rows. */
    private static void awaitName(long pid, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!comm(pid).equals(name)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(pid + " is \"" + comm(pid) + "\", not " + name + ", after 10 s");
            }
            Thread.sleep(5);
        }
    }

    /**
     * {@return the sorted, distinct frame numbers of the private anonymous pages present in
     * the address space of {@code pid}, or an empty array if the kernel hides them} Reads
     * /proc/pid/pagemap over every mapping of /proc/pid/maps: one 64-bit entry a page, bit
     * 63 present, bit 61 file-backed or shared, bits 0-54 the frame (0 for a reader without
     * CAP_SYS_ADMIN).
     */
    static long[] anonymousFrames(long pid) throws IOException {
        long page = pageSize();
        Path proc = Path.of("/proc", Long.toString(pid));
        long[] frames = new long[1 << 16];
        int n = 0;
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.nativeOrder());
        try (FileChannel pagemap = FileChannel.open(proc.resolve("pagemap"))) {
            for (String line : Files.readAllLines(proc.resolve("maps"))) {
                if (line.endsWith("[vsyscall]")) {
                    continue; // above the user address space; pagemap has no entries there
                }
                int dash = line.indexOf('-');
                int space = line.indexOf(' ');
                long position = Long.parseUnsignedLong(line.substring(0, dash), 16) / page * 8;
                long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16) / page * 8;
                while (position < end) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
                    int read = pagemap.read(buffer, position);
                    if (read <= 0) {
                        break;
                    }
                    position += read;
                    buffer.flip();
                    while (buffer.remaining() >= 8) {
                        long entry = buffer.getLong();
                        long frame = entry & ((1L << 55) - 1);
                        if (entry < 0 && (entry & (1L << 61)) == 0 && frame != 0) { // entry < 0: bit 63, present
                            if (n == frames.length) {
                                frames = Arrays.copyOf(frames, n * 2);
                            }
                            frames[n++] = frame;
                        }
                    }
                }
            }
        }
        return unionSorted(List.of(Arrays.copyOf(frames, n)));
    }

    /** {@return the sorted, distinct values of all the arrays} */
    static long[] unionSorted(List<long[]> arrays) {
        long[] all = arrays.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        int n = 0;
        for (int i = 0; i < all.length; i++) {
            if (n == 0 || all[i] != all[n - 1]) {
                all[n++] = all[i];
            }
        }
        return Arrays.copyOf(all, n);
    }

    private static String transparentHugePages() {
        try {
            return Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** {@return the base page size, from the auxiliary vector's AT_PAGESZ} */
    static long pageSize() throws IOException {
        ByteBuffer auxv = ByteBuffer.wrap(Files.readAllBytes(Path.of("/proc/self/auxv"))).order(ByteOrder.nativeOrder());
        while (auxv.remaining() >= 16) {
            long type = auxv.getLong();
            long value = auxv.getLong();
            if (type == 6) { // AT_PAGESZ
                return value;
            }
        }
        return 4096;
    }

    // ---------------------------------------------------------------- clean-up

    /**
     * Kills a process and everything under it, and waits (10 s at most each) for them to
     * end. The tree is taken while its root lives: unshare's child does not die with its
     * parent, and neither Hako's reaper nor its command is the JVM's child. The root is
     * waited for through its own {@link Process} (for Hako, the launch engine's reaping).
     */
    private static void stopTree(Process process) throws InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree;
        try {
            tree = process.descendants().toList();
        } catch (UnsupportedOperationException e) {
            tree = List.of(); // it ended before Hako took its handle, so nothing under it is its
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            System.err.println("B6: " + process.pid() + " did not end within 10 s of SIGKILL");
        } else if (process instanceof ContainerProcess c) {
            c.close(); // only once it has ended: close() waits for the reaping without a bound
        }
        for (ProcessHandle h : tree) {
            awaitEnded(h.pid());
        }
    }

    /**
     * Waits (10 s at most) until {@code pid} has ended: gone, or a zombie. An orphan's
     * zombie is its new parent's to reap, not this JVM's, and the machine's init may take
     * seconds to do it ({@link ProcessHandle#onExit()} would wait for that too).
     */
    private static void awaitEnded(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (running(pid)) {
            if (System.nanoTime() > deadline) {
                System.err.println("B6: " + pid + " did not end within 10 s of SIGKILL");
                return;
            }
            Thread.sleep(5);
        }
    }

    /** {@return whether {@code pid} exists and is not a zombie, from the state field of /proc/pid/stat} */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2); // the name, in parentheses, may hold anything
            return state != 'Z' && state != 'X';
        } catch (IOException | IndexOutOfBoundsException e) {
            return false;
        }
    }
}
