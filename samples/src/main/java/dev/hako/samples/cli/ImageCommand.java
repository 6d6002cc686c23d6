package dev.hako.samples.cli;

import dev.hako.checkpoint.ImageDescription;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hako image DIR}: what a checkpoint image holds, for people. */
@Command(name = "image", mixinStandardHelpOptions = true,
        description = "Lists the tasks of a checkpoint image: pids, process groups, sessions, programs,"
                + " memory and descriptors.")
final class ImageCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The image directory.")
    Path dir;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        out.print(ImageDescription.read(dir).describe());
        out.flush();
        return 0;
    }
}
