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
 * eventfd/timerfd/signalfd/inotify/epoll descriptors, shared mappings, seccomp filters and
 * shadow stacks. x86_64 only.
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

    static Cgroup cgroupOf(CgroupPlacement placement) throws IOException {
        if (placement == null) {
            return null;
        }
        List<Path> directories = new ArrayList<>(placement.attach());
        if (placement.v2Directory() != null) {
            directories.add(placement.v2Directory());
        }
        CgroupLayout layout = CgroupLayout.detect();
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
