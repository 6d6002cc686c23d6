package dev.hako.samples.cli;

import dev.hako.checkpoint.Checkpoint;
import dev.hako.checkpoint.ImageDescription;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hako checkpoint [--leave-running] PID DIR}: dumps the container whose PID 1, or
 * whose supervisor outside its pid namespace, is PID into the image directory DIR.
 */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = {"Dumps the processes of a container (its PID 1 and every descendant) into DIR,"
                + " then kills them unless --leave-running.",
                "PID is the container's PID 1 or its supervisor, as seen from here. The container must"
                + " run without a seccomp filter (e.g. hako run --security-opt seccomp=unconfined)."})
final class CheckpointCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--leave-running", description = "Let the processes go on after the dump.")
    boolean leaveRunning;

    @Parameters(index = "0", paramLabel = "PID", description = "The container's PID 1 or its supervisor.")
    long pid;

    @Parameters(index = "1", paramLabel = "DIR", description = "The image directory: new, or empty.")
    Path dir;

    @Override
    public Integer call() throws IOException {
        // Checked before anything is looked up or stopped: a full directory is a mistake of
        // the caller's, whatever the process.
        if (Files.isDirectory(dir)) {
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException("image directory " + dir + " is not empty");
                }
            }
        } else if (Files.exists(dir)) {
            throw new IOException(dir + " is not a directory");
        }
        ImageDescription image = Checkpoint.ofContainer(pid).leaveRunning(leaveRunning).dump(dir);
        PrintWriter out = spec.commandLine().getOut();
        out.println("checkpointed " + image.tasks().size() + " task(s) into " + dir
                + (leaveRunning ? " (left running)" : ""));
        out.flush();
        return 0;
    }
}
