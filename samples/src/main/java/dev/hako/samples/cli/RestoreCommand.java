package dev.hako.samples.cli;

import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Controller;
import dev.hako.checkpoint.ImageDescription;
import dev.hako.checkpoint.Restore;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.MountSpec;
import dev.hako.syscalls.NamespaceType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hako restore DIR}: the image's tasks in a new container, in the foreground, as
 * {@code hako run} runs a command.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restores a checkpoint image into new pid, uts and ipc namespaces and its own group"
                + " under /hako (removed when it ends), with the host's file system, or with --rootfs DIR"
                + " in a new mount namespace rooted at DIR with the --bind mounts given (as hako run takes"
                + " them): programs, mapped and open files are found again at their saved paths there.",
                "Waits for the restored PID 1 and exits with its status (128+N when signal N killed it)."})
final class RestoreCommand implements Callable<Integer> {

    private static final Duration CLEANUP = Duration.ofSeconds(10);

    @Spec
    CommandSpec spec;

    @ParentCommand
    HakoCommand hako;

    @Parameters(index = "0", paramLabel = "DIR", description = "The image directory.")
    Path dir;

    /** The root and binds of the new container, parsed as hako run parses them. */
    @Mixin
    RootOptions root;

    @Override
    public Integer call() throws Exception {
        ContainerBuilder builder = new ContainerBuilder(List.of("/proc/self/exe"));
        if (root.hasRootfs()) {
            MountSpec.Builder view = MountSpec.builder().proc();
            root.addRootfs(view);
            root.addBinds(view);
            builder.namespaces(NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.UTS, NamespaceType.IPC)
                    .mounts(view.build());
        } else if (!root.binds.isEmpty()) {
            throw new ParameterException(spec.commandLine(),
                    "--bind needs --rootfs: without it the restored tasks see the host's file system as it is");
        } else {
            // No mount namespace: the saved files are reopened at their paths, which a read-only
            // view of the host (hako run's default) would refuse for files open for writing.
            builder.namespaces(NamespaceType.PID, NamespaceType.UTS, NamespaceType.IPC);
        }
        // Read first: a directory that is no image is refused before anything is created.
        ImageDescription.read(dir);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Payload.redirect(builder, hako.inheritStdio);
        CgroupLayout layout = CgroupLayout.detect();
        if (!Groups.canCreate(layout)) {
            return start(builder, out, err);
        }
        Cgroup group = Cgroup.create(layout, Groups.runPath("restore-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt())), controllers(layout));
        Thread cleanup = new Thread(() -> deleteQuietly(group, err));
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            // The group's freezer (v2 cgroup.freeze or v1 freezer) holds the restored tree
            // while its tasks are released together.
            builder.cgroup(CgroupPlacement.of(group));
            return start(builder, out, err);
        } finally {
            group.delete(CLEANUP, true);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs (or ran) already; delete is idempotent.
            }
        }
    }

    private int start(ContainerBuilder builder, PrintWriter out, PrintWriter err)
            throws IOException, InterruptedException {
        try (ContainerProcess process = Restore.from(dir).container(builder).start()) {
            return Payload.await(process, hako.inheritStdio, out, err);
        }
    }

    /** What ps and top read, and a freezer where the layout has one in v1. */
    private static Set<Controller> controllers(CgroupLayout layout) {
        Set<Controller> set = EnumSet.noneOf(Controller.class);
        for (Controller c : List.of(Controller.MEMORY, Controller.CPU, Controller.PIDS, Controller.FREEZER)) {
            if (layout.versionOf(c).isPresent()) {
                set.add(c);
            }
        }
        return set;
    }

    private static void deleteQuietly(Cgroup group, PrintWriter err) {
        try {
            group.delete(CLEANUP, true);
        } catch (IOException | RuntimeException e) {
            err.println("hako: could not remove " + group.path() + ": " + e.getMessage());
            err.flush();
        }
    }
}
