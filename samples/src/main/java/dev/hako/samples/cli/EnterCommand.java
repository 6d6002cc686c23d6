package dev.hako.samples.cli;

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
 * process that differs from hako's own, as {@code nsenter --all} does.
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
            if (differs(type)) {
                builder.join(type, NamespaceJoin.ofPid(pid));
                joined++;
            }
        }
        if (joined == 0) {
            throw new IllegalArgumentException("process " + pid + " shares every namespace with hako; nothing to enter");
        }
        builder.parentDeathSignal(Signal.SIGKILL.number());
        Payload.redirect(builder, hako.inheritStdio);
        try (ContainerProcess process = builder.start()) {
            return Payload.await(process, hako.inheritStdio, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }

    /**
     * Whether the target's namespace of this type is another one than ours. Joining our own
     * user namespace is an error (EINVAL), and joining any other of our own is pointless.
     */
    private boolean differs(NamespaceType type) throws IOException {
        Path theirs = Path.of("/proc", Long.toString(pid), "ns", type.procName());
        Path ours = Path.of("/proc/self/ns", type.procName());
        if (!Files.exists(Path.of("/proc", Long.toString(pid)))) {
            throw new NoSuchFileException("/proc/" + pid, null, "no process " + pid);
        }
        if (!Files.exists(ours, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false; // a kind this kernel lacks (e.g. time before 5.6)
        }
        return !Files.readSymbolicLink(theirs).equals(Files.readSymbolicLink(ours));
    }
}
