package dev.hako.samples.cli;

import dev.hako.cgroupfs.CgroupLayout;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hako top}: the table of {@code ps}, refreshed. On a terminal it redraws in place;
 * otherwise (a pipe, a log) it prints plain tables one after another, so nothing but text
 * ends up in the file.
 */
@Command(name = "top", mixinStandardHelpOptions = true,
        description = "Shows the groups under /hako (and any PATH given) live: CPU%%, memory, pids and pressure.")
final class TopCommand implements Callable<Integer> {

    /** Cursor home and clear screen (ECMA-48): redraw without scrolling. */
    private static final String CLEAR = "\033[H\033[2J";

    @Spec
    CommandSpec spec;

    @ParentCommand
    HakoCommand hako;

    @Option(names = {"-d", "--delay"}, paramLabel = "SECONDS", defaultValue = "1",
            description = "Seconds between refreshes (default ${DEFAULT-VALUE}).")
    double delay;

    @Option(names = {"-n", "--iterations"}, paramLabel = "N", defaultValue = "0",
            description = "Stop after N refreshes (default: until interrupted).")
    int iterations;

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "More cgroup paths to show.")
    List<String> paths = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (!(delay > 0)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--delay must be more than 0 seconds");
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean terminal = hako.inheritStdio && System.console() != null && System.console().isTerminal();
        GroupTable table = new GroupTable(CgroupLayout.detect(), paths);
        table.prime();
        for (int i = 0; iterations <= 0 || i < iterations; i++) {
            Thread.sleep((long) (delay * 1000));
            if (terminal) {
                out.print(CLEAR);
            } else if (i > 0) {
                out.println();
            }
            table.print(out);
        }
        return 0;
    }
}
