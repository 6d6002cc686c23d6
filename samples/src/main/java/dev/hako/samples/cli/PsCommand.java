package dev.hako.samples.cli;

import dev.hako.cgroupfs.CgroupLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hako ps}: the groups Hako created (and any given), sampled once. */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = "Lists the groups under /hako (and any PATH given) with CPU%%, memory, pids and pressure.")
final class PsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--sample", paramLabel = "MS", defaultValue = "300",
            description = "How long to measure CPU% over, in milliseconds (default ${DEFAULT-VALUE}).")
    long sampleMillis;

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "More cgroup paths to show.")
    List<String> paths = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        GroupTable table = new GroupTable(CgroupLayout.detect(), paths);
        table.prime();
        Thread.sleep(Math.max(0, sampleMillis));
        table.print(spec.commandLine().getOut());
        return 0;
    }
}
