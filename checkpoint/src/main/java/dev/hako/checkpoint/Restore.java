package dev.hako.checkpoint;

import dev.hako.cgroupfs.Cgroup;
import dev.hako.checkpoint.internal.CallReentry;
import dev.hako.checkpoint.internal.ImageStore;
import dev.hako.checkpoint.internal.Restorer;
import dev.hako.checkpoint.internal.Steps;
import dev.hako.checkpoint.internal.TreeRestorer;
import dev.hako.checkpoint.internal.TaskImage;
import dev.hako.checkpoint.internal.Tracer;
import dev.hako.namespaces.Capabilities;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.SeccompProfile;
import dev.hako.namespaces.internal.StartGate;
import dev.hako.syscalls.Capability;
import dev.hako.syscalls.CapabilitySyscalls;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.StreamSyscalls;
import dev.hako.syscalls.TraceSyscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
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
 * saved program. Its descendants are made top-down by their own parents (an injected
 * {@code clone3} with {@code set_tid}, so each gets its saved pid), each executes its own
 * saved program, session leaders call setsid and process groups are joined; zombies end
 * with their saved status. Then every task is rebuilt from outside (address space, mm
 * fields, descriptors, signal state, timers, limits, credentials and capabilities,
 * registers) and the tree is let go together, frozen by the container's freezer cgroup if
 * it has one. The builder decides the namespaces, cgroup and mounts; give it a new pid
 * namespace so the restored PID 1 is PID 1 again, and no {@code init(true)}. Its
 * capabilities and no_new_privs are replaced: the restore needs every capability, and the
 * tasks end with those of the image. Files are reopened at their saved paths inside the
 * new container's root.
 *
 * <p>If any step fails the new process is killed and reaped, its descriptors closed:
 * nothing is left behind.
 */
public final class Restore {

    private final Path imageDir;
    private ContainerBuilder builder;
    private Cgroup freezer;
    private int failAtStep = -1;
    private int lastSteps;

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
        if (!System.getProperty("os.arch").equals("amd64")) {
            throw new IOException("restore supports x86_64 only for now (this is " + System.getProperty("os.arch") + ")");
        }
        List<TaskImage> tasks = TreeRestorer.order(ImageStore.read(imageDir), imageDir);
        TaskImage root = tasks.getFirst();
        int controlTarget = Math.max(3, tasks.stream().flatMap(t -> t.fds.stream()).mapToInt(fd -> fd.fd).max()
                .orElse(0) + 1);
        Cgroup freezeGroup = freezer != null ? freezer : Checkpoint.cgroupOf(builder.cgroup());
        Steps steps = new Steps(failAtStep);
        ContainerProcess process = null;
        Tracer tracer = new Tracer();
        try (FileSyscalls.Pipe control = StreamSyscalls.socketpair()) {
            // The restore itself needs every capability (clone3 with set_tid, capset, rlimits),
            // no no_new_privs and no seccomp filter (the injected calls would meet it); the
            // saved task's own capabilities and no_new_privs are put back at the end. Dumps
            // refuse filtered tasks, so there is no filter to restore.
            Set<Capability> held = heldCapabilities();
            builder.command(root.exe).passFd(control.write(), controlTarget)
                    .capabilities(new Capabilities(held, held, held, Set.of(), Set.of()))
                    .noNewPrivileges(false).seccomp(SeccompProfile.unconfined());
            try {
                process = StartGate.start(builder, pid -> tracer.call(() -> {
                    steps.reach("seize of the new PID 1");
                    Restorer.seize(pid);
                    return null;
                }));
                control.write().close();
                int pid = (int) process.pid();
                TreeRestorer tree = new TreeRestorer(tasks, imageDir, control.read(), controlTarget, steps);
                CallReentry reentry = tracer.call(() -> {
                    tree.restore(pid);
                    steps.reach("release");
                    CallReentry calls = tree.callsToReenter();
                    if (freezeGroup != null) {
                        freezeGroup.freeze(Duration.ofSeconds(10));
                    }
                    try {
                        for (int host : tree.live()) {
                            TraceSyscalls.detach(host, 0);
                        }
                    } finally {
                        if (freezeGroup != null) {
                            freezeGroup.thaw(Duration.ofSeconds(10));
                        }
                    }
                    return calls;
                });
                // A signal the caller sends as soon as we return must find each task inside
                // the call it was dumped in, where the kernel ends the call for the handler.
                reentry.await(Duration.ofSeconds(2));
                lastSteps = steps.reached();
                return process;
            } catch (IOException | RuntimeException e) {
                lastSteps = steps.reached();
                if (process != null) {
                    // Killed first, then the tracer ends (its tracees die or are released),
                    // and only then reaped: the dying PID 1 waits for every task of its pid
                    // namespace, and a traced one is not released while its tracer lives.
                    process.destroyForcibly();
                    tracer.close();
                    process.close();
                }
                throw e;
            }
        } finally {
            tracer.close();
        }
    }

    /** The JVM's own permitted capabilities: all a container it starts can be given. */
    private static Set<Capability> heldCapabilities() throws IOException {
        return CapabilitySyscalls.capget(0).permitted();
    }

    /** For failure-injection tests: the step at which the next start fails (-1: none). */
    Restore failAtStep(int step) {
        this.failAtStep = step;
        return this;
    }

    /** For failure-injection tests: how many steps the last start reached. */
    int stepsReached() {
        return lastSteps;
    }
}
