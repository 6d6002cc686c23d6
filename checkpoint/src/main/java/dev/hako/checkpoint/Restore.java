package dev.hako.checkpoint;

import dev.hako.cgroupfs.Cgroup;
import dev.hako.checkpoint.internal.ImageStore;
import dev.hako.checkpoint.internal.Restorer;
import dev.hako.checkpoint.internal.TaskImage;
import dev.hako.checkpoint.internal.Tracer;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.internal.StartGate;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.StreamSyscalls;
import dev.hako.syscalls.TraceSyscalls;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Restores a checkpoint image into a new container.
 *
 * <pre>{@code
 * ContainerProcess restored = Restore.from(image)
 *         .container(new ContainerBuilder().namespaces(NamespaceType.PID).cgroup(placement))
 *         .start();
 * }</pre>
 *
 * <p>The container is started from the given builder with the image's program as its
 * command: its child waits before execve until the tracer has seized it, then executes the
 * saved program, and at execve's exit stop the saved task is rebuilt in it from outside
 * (address space, mm fields, descriptors, signal state, timers, limits, credentials,
 * registers) before it is let go. The builder decides the namespaces, cgroup and mounts;
 * give it a new pid namespace so the restored PID 1 is PID 1 again, and no
 * {@code init(true)}. Files are reopened at their saved paths as the new task sees them.
 *
 * <p>If any step fails the new process is killed and reaped, its descriptors closed:
 * nothing is left behind.
 */
public final class Restore {

    private final Path imageDir;
    private ContainerBuilder builder;
    private Cgroup freezer;

    private Restore(Path imageDir) {
        this.imageDir = imageDir;
    }

    /** A restore of the image in {@code imageDir}. */
    public static Restore from(Path imageDir) {
        return new Restore(Objects.requireNonNull(imageDir, "imageDir"));
    }

    /**
     * The container to restore into; its command is replaced by the saved program.
     *
     * @return this
     */
    public Restore container(ContainerBuilder builder) {
        this.builder = Objects.requireNonNull(builder, "builder");
        return this;
    }

    /**
     * A cgroup whose freezer holds the restored tasks while they are released together.
     *
     * @return this
     */
    public Restore freezer(Cgroup cgroup) {
        this.freezer = cgroup;
        return this;
    }

    /**
     * Starts the container and rebuilds the saved tasks in it.
     *
     * @return the restored PID 1
     * @throws IOException if the image cannot be restored here (the message says why);
     *                     nothing is left running
     */
    public ContainerProcess start() throws IOException {
        if (builder == null) {
            throw new IllegalStateException("no container: call container(builder) first");
        }
        List<TaskImage> tasks = ImageStore.read(imageDir);
        if (tasks.size() != 1) {
            throw new IOException("cannot restore " + imageDir + ": it holds " + tasks.size()
                    + " tasks and restoring a tree of processes is not implemented yet (single task only)");
        }
        TaskImage task = tasks.getFirst();
        if (task.pid != 1) {
            throw new IOException("cannot restore " + imageDir + ": its root task had pid " + task.pid
                    + " and only a container's PID 1 can be restored (start it with its own pid namespace)");
        }
        int controlTarget = Math.max(3, task.fds.stream().mapToInt(fd -> fd.fd).max().orElse(0) + 1);
        ContainerProcess process = null;
        try (Tracer tracer = new Tracer(); FileSyscalls.Pipe control = StreamSyscalls.socketpair()) {
            builder.command(task.exe).passFd(control.write(), controlTarget);
            try {
                process = StartGate.start(builder, pid -> tracer.call(() -> {
                    Restorer.seize(pid);
                    return null;
                }));
                control.write().close();
                int pid = (int) process.pid();
                Restorer restorer = new Restorer(pid, task, imageDir, control.read(), controlTarget);
                tracer.call(() -> {
                    restorer.awaitExec();
                    restorer.rebuild();
                    if (freezer != null) {
                        freezer.freeze(Duration.ofSeconds(10));
                    }
                    try {
                        TraceSyscalls.detach(pid, 0);
                    } finally {
                        if (freezer != null) {
                            freezer.thaw(Duration.ofSeconds(10));
                        }
                    }
                    return null;
                });
                return process;
            } catch (IOException | RuntimeException e) {
                if (process != null) {
                    process.close();
                }
                throw e;
            }
        }
    }
}
