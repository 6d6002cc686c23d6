package dev.hako.checkpoint;

import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Hierarchy;
import dev.hako.checkpoint.internal.Dumper;
import dev.hako.checkpoint.internal.TaskImage;
import dev.hako.checkpoint.internal.Tracer;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checkpoints the processes of a container: its PID 1 and every descendant.
 *
 * <pre>{@code
 * ImageDescription image = Checkpoint.of(container).leaveRunning(false).dump(Path.of("/var/lib/img"));
 * }</pre>
 *
 * <p>The dump freezes the container's cgroup, seizes every task with {@code PTRACE_SEIZE}
 * and {@code PTRACE_INTERRUPT}, thaws it (the tasks stay stopped under ptrace), and reads
 * each task from outside: /proc, registers, memory through process_vm_readv, and the few
 * values only the task can read through syscalls it is made to run at an instruction of its
 * own vdso. Then the tasks are resumed or killed.
 *
 * <p>What phase 1 cannot dump is refused before anything is stopped, with a message that
 * names the task and the thread, descriptor or mapping: threads, sockets, terminals,
 * eventfd/timerfd/signalfd/inotify/epoll descriptors, shared mappings, seccomp filters,
 * POSIX timers, shadow stacks, a task whose root is not its container's, and a program,
 * mapped or open file that was deleted or cannot be reached from the task's root (a
 * restore finds files again by the path the task sees). x86_64 only.
 *
 * <p>Descriptors that share an open file description (a dup, or one a child inherited)
 * share it again after a restore, offset included.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/ptrace.2.html">ptrace(2)</a>
 */
public final class Checkpoint {

    private final int root;
    private final Cgroup cgroup;
    private final ContainerProcess process;
    private boolean leaveRunning;

    private Checkpoint(int root, Cgroup cgroup, ContainerProcess process) {
        this.root = root;
        this.cgroup = cgroup;
        this.process = process;
    }

    /**
     * The processes of a container started by Hako, frozen through the freezer of its
     * cgroup (v2 {@code cgroup.freeze} or the v1 freezer) when it was started in one.
     * Start it without {@code init(true)}: the restored PID 1 is the command itself.
     */
    public static Checkpoint of(ContainerProcess process) throws IOException {
        Objects.requireNonNull(process, "process");
        return new Checkpoint((int) process.pid(), cgroupOf(process.cgroup()), process);
    }

    /** The tree rooted at {@code rootPid}, which runs in {@code cgroup} (frozen during the seize). */
    public static Checkpoint of(Cgroup cgroup, long rootPid) {
        return new Checkpoint((int) rootPid, Objects.requireNonNull(cgroup, "cgroup"), null);
    }

    /** The tree rooted at {@code rootPid}, seized task by task without a freezer. */
    public static Checkpoint ofPid(long rootPid) {
        return new Checkpoint((int) rootPid, null, null);
    }

    /**
     * The container whose PID 1 is {@code pid}, or whose PID 1 {@code pid} started: a
     * supervisor outside the container's pid namespace, whose PID 1 is its child or, as
     * Hako's {@code init(true)} forks it (CLONE_PARENT), its sibling. This is for a process
     * this program did not start, as {@code hako checkpoint PID DIR} names it.
     *
     * <p>The tree is frozen during the seize through the freezer of the PID 1's cgroup (the
     * v1 freezer group, or a v2 group with {@code cgroup.freeze}) as /proc/PID/cgroup names
     * it, unless that group is a hierarchy's root or holds the calling process, which must not
     * freeze itself; then the tasks are seized one by one, as {@link #ofPid} does.
     *
     * @param pid the container's PID 1 or its supervisor, in the caller's pid namespace
     * @throws IOException if there is no such process, or it is neither PID 1 of a pid
     *                     namespace nor the supervisor of one
     * @see <a href="https://man7.org/linux/man-pages/man7/pid_namespaces.7.html">pid_namespaces(7)</a>
     */
    public static Checkpoint ofContainer(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        if (pid <= 0 || !Files.isDirectory(proc)) {
            throw new IOException("no process " + pid);
        }
        long root = innermostPid(pid) == 1 ? pid : pid1Of(pid);
        if (root < 0) {
            throw new IOException("process " + pid + " is neither the PID 1 of a pid namespace nor the supervisor of"
                    + " one");
        }
        return new Checkpoint((int) root, freezerOf(root), null);
    }

    /**
     * The PID 1 of the pid namespace that {@code supervisor} makes its children in (its
     * {@code pid_for_children}, when that is not its own), found among its children and its
     * siblings; -1 if none.
     */
    private static long pid1Of(long supervisor) throws IOException {
        Path proc = Path.of("/proc", Long.toString(supervisor));
        Path namespace;
        try {
            namespace = Files.readSymbolicLink(proc.resolve("ns/pid_for_children"));
            if (namespace.equals(Files.readSymbolicLink(proc.resolve("ns/pid")))) {
                return -1;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return -1; // ended meanwhile, or pid_for_children shows nothing yet
        }
        List<Long> candidates = new ArrayList<>(children(supervisor));
        candidates.addAll(children(parentOf(supervisor)));
        for (long candidate : candidates) {
            try {
                if (innermostPid(candidate) == 1
                        && Files.readSymbolicLink(Path.of("/proc", Long.toString(candidate), "ns/pid")).equals(namespace)) {
                    return candidate;
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // ended meanwhile
            }
        }
        return -1;
    }

    /** The children of every thread of {@code pid} (none if it is gone). */
    private static List<Long> children(long pid) throws IOException {
        List<Long> children = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    for (String child : Files.readString(task.resolve("children")).trim().split("\\s+")) {
                        if (!child.isEmpty()) {
                            children.add(Long.parseLong(child));
                        }
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // the process ended meanwhile
        }
        return children;
    }

    /** The parent of {@code pid} as /proc/PID/status names it (0 if it is gone). */
    private static long parentOf(long pid) throws IOException {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("PPid:")) {
                    return Long.parseLong(line.substring(5).trim());
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // ended meanwhile
        }
        return 0;
    }

    /** The last NSpid value of a process: its pid in its own pid namespace (-1 if gone). */
    private static long innermostPid(long pid) throws IOException {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("NSpid:")) {
                    String[] values = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(values[values.length - 1]);
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // ended meanwhile
        }
        return -1;
    }

    /** A freezable group of {@code pid} that is no hierarchy's root and does not hold us. */
    private static Cgroup freezerOf(long pid) throws IOException {
        CgroupLayout layout = CgroupLayout.detect();
        Map<Hierarchy, Path> theirs = layout.groupDirectories(pid);
        Map<Hierarchy, Path> ours = layout.groupDirectories(ProcessHandle.current().pid());
        List<Path> directories = new ArrayList<>();
        theirs.forEach((hierarchy, directory) -> {
            Path own = ours.get(hierarchy);
            if (!directory.equals(hierarchy.mountPoint()) && (own == null || !own.startsWith(directory))) {
                directories.add(directory);
            }
        });
        return cgroupOf(layout, directories);
    }

    static Cgroup cgroupOf(CgroupPlacement placement) throws IOException {
        if (placement == null) {
            return null;
        }
        List<Path> directories = new ArrayList<>(placement.attach());
        if (placement.v2Directory() != null) {
            directories.add(placement.v2Directory());
        }
        return cgroupOf(CgroupLayout.detect(), directories);
    }

    private static Cgroup cgroupOf(CgroupLayout layout, List<Path> directories) throws IOException {
        List<Hierarchy> hierarchies = new ArrayList<>(layout.v1Hierarchies());
        layout.unified().ifPresent(hierarchies::add);
        for (Path directory : directories) {
            for (Hierarchy hierarchy : hierarchies) {
                boolean canFreeze = hierarchy.controllers().contains(dev.hako.cgroupfs.Controller.FREEZER)
                        || Files.exists(directory.resolve("cgroup.freeze"));
                if (canFreeze && directory.startsWith(hierarchy.mountPoint())) {
                    String relative = hierarchy.mountPoint().relativize(directory).toString();
                    return Cgroup.open(layout, "/" + relative);
                }
            }
        }
        return null;
    }

    /** For tests: the group frozen during the seize, or null. */
    Cgroup freezer() {
        return cgroup;
    }

    /** For tests: the root of the tree, the container's PID 1. */
    int root() {
        return root;
    }

    /**
     * Whether the tasks go on after the dump (true) or are killed (false, the default).
     *
     * @return this
     */
    public Checkpoint leaveRunning(boolean value) {
        this.leaveRunning = value;
        return this;
    }

    /**
     * Dumps the tree into {@code imageDir} (created if missing; it must be empty).
     *
     * @return what the image holds
     * @throws IOException naming the task and the reason if the tree holds something that
     *                     cannot be checkpointed; then nothing was stopped or killed
     */
    public ImageDescription dump(Path imageDir) throws IOException {
        Files.createDirectories(imageDir);
        try (var entries = Files.list(imageDir)) {
            if (entries.findAny().isPresent()) {
                throw new IOException("image directory " + imageDir + " is not empty");
            }
        }
        List<TaskImage> tasks;
        try (Tracer tracer = new Tracer()) {
            Dumper dumper = new Dumper(root, cgroup, imageDir);
            tasks = tracer.call(() -> {
                try {
                    List<TaskImage> dumped = dumper.dump();
                    if (leaveRunning) {
                        dumper.resume();
                    } else {
                        dumper.kill();
                    }
                    return dumped;
                } catch (IOException | RuntimeException e) {
                    // A failed dump leaves the tasks running as they were.
                    try {
                        dumper.resume();
                    } catch (IOException ignored) {
                        e.addSuppressed(ignored);
                    }
                    throw e;
                }
            });
        }
        if (!leaveRunning && process != null) {
            process.destroyForcibly();
        }
        return ImageDescription.of(imageDir, tasks);
    }
}
