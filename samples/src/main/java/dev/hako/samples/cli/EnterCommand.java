package dev.hako.samples.cli;

import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.NamespaceJoin;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.Signal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hako enter PID -- CMD}: starts a command inside every namespace of a running
 * process that differs from hako's own, as {@code nsenter --all} does, and in its control
 * groups. The command itself is in the target's pid namespace: the start forks once more
 * after joining it and hands the command's process over to this JVM, whose child it is.
 */
@Command(name = "enter", mixinStandardHelpOptions = true,
        customSynopsis = "hako enter PID -- CMD [ARGS...]",
        description = {"Runs a command inside all namespaces of a running process.",
                "Exits with the command's status (128+N when signal N killed it)."})
final class EnterCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    HakoCommand hako;

    @Parameters(index = "0", paramLabel = "PID", description = "The process whose namespaces to enter.")
    long pid;

    @Parameters(index = "1..*", paramLabel = "CMD", arity = "0..*", description = "The command and its arguments, after --.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        CommandArgs.requireAfterSeparator(spec, command);
        ContainerBuilder builder = new ContainerBuilder(command);
        int joined = 0;
        for (NamespaceType type : NamespaceType.values()) {
            Path target = namespaceToEnter(type);
            if (target != null) {
                builder.join(type, NamespaceJoin.ofPath(target));
                joined++;
            }
        }
        if (joined == 0) {
            throw new IllegalArgumentException("process " + pid + " shares every namespace with hako; nothing to enter");
        }
        builder.cgroup(sameGroups());
        builder.parentDeathSignal(Signal.SIGKILL.number());
        Payload.redirect(builder, hako.inheritStdio);
        try (ContainerProcess process = builder.start()) {
            return Payload.await(process, hako.inheritStdio, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }

    /**
     * The target's namespace of this type if it is another one than ours, else null.
     * Joining our own user namespace is an error (EINVAL), and joining any other of our own
     * is pointless. For the pid namespace, the one the target's children start in counts:
     * it differs from the target's own for the supervisor of a {@code hako run --init}
     * container, which stays outside the namespace whose PID 1 it started.
     */
    private Path namespaceToEnter(NamespaceType type) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        if (!Files.exists(proc)) {
            throw new NoSuchFileException(proc.toString(), null, "no process " + pid);
        }
        Path ours = Path.of("/proc/self/ns", type.procName());
        if (!Files.exists(ours, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return null; // a kind this kernel lacks (e.g. time before 5.6)
        }
        Path theirs = proc.resolve("ns").resolve(type.procName());
        if (type == NamespaceType.PID) {
            theirs = proc.resolve("ns/pid_for_children");
        }
        return Files.readSymbolicLink(theirs).equals(Files.readSymbolicLink(ours)) ? null : theirs;
    }

    /** The target's control groups, so that the command is counted and limited with it. */
    private CgroupPlacement sameGroups() throws IOException {
        return CgroupPlacement.of(CgroupLayout.detect().groupDirectories(pid));
    }
}
