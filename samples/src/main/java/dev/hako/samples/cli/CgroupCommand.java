package dev.hako.samples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Controller;
import dev.hako.cgroupfs.CpuStats;
import dev.hako.cgroupfs.MemoryStats;
import dev.hako.cgroupfs.Pressure;
import dev.hako.cgroupfs.PidsStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hako cgroup}: create, limit, inspect, freeze, kill and delete a control group. */
@Command(name = "cgroup", mixinStandardHelpOptions = true,
        description = "Manages one control group (in every hierarchy of a v1, hybrid or v2 layout).",
        subcommands = {CgroupCommand.Create.class, CgroupCommand.Set.class, CgroupCommand.Stats.class,
                CgroupCommand.Freeze.class, CgroupCommand.Thaw.class, CgroupCommand.Kill.class,
                CgroupCommand.Delete.class})
final class CgroupCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** A subcommand is required; alone, {@code hako cgroup} is a usage error. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(),
                "missing a subcommand: create, set, stats, freeze, thaw, kill or delete");
    }

    /** The path argument and timeout every cgroup subcommand takes. */
    abstract static class OnGroup implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "PATH", description = "Group path, e.g. /hako/web.")
        String path;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
                description = "How long to wait for the kernel (default ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        Cgroup open() throws IOException {
            return Cgroup.open(CgroupLayout.detect(), path);
        }

        Duration timeout() {
            return Duration.ofSeconds(timeoutSeconds);
        }
    }

    /** {@code hako cgroup create PATH [limits]}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates a group (and missing parents) with the controllers its limits need.")
    static final class Create extends OnGroup {
        @Mixin
        LimitOptions limits;

        @Override
        public Integer call() throws Exception {
            var specs = limits.specs();
            CgroupLayout layout = CgroupLayout.detect();
            EnumSet<Controller> controllers = EnumSet.noneOf(Controller.class);
            controllers.addAll(limits.controllers());
            Cgroup group = Cgroup.create(layout, path, controllers);
            try {
                group.apply(specs);
            } catch (IOException | RuntimeException e) {
                group.delete(timeout(), false);
                throw e;
            }
            out().println("created " + group.path());
            out().flush();
            return 0;
        }
    }

    /** {@code hako cgroup set PATH limits}. */
    @Command(name = "set", mixinStandardHelpOptions = true, description = "Changes the limits of a group.")
    static final class Set extends OnGroup {
        @Mixin
        LimitOptions limits;

        @Override
        public Integer call() throws Exception {
            if (!limits.any()) {
                throw new ParameterException(spec.commandLine(),
                        "give at least one limit: --memory, --cpus, --pids, --io-read-bps or --io-write-bps");
            }
            open().apply(limits.specs());
            return 0;
        }
    }

    /** {@code hako cgroup stats PATH}. */
    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Prints memory, CPU, pids, OOM and pressure figures of a group.")
    static final class Stats extends OnGroup {
        @Option(names = "--json", description = "Print JSON instead of lines.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Cgroup group = open();
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = mapper.createObjectNode();
            root.put("path", group.path());
            read(() -> {
                MemoryStats m = group.memoryStats();
                ObjectNode node = root.putObject("memory");
                node.put("current", m.current());
                m.peak().ifPresent(p -> node.put("peak", p));
            });
            read(() -> Groups.oomKills(group).ifPresent(n -> root.withObjectProperty("memory").put("oomKills", n)));
            read(() -> {
                CpuStats c = group.cpuStats();
                ObjectNode node = root.putObject("cpu");
                node.put("usageMicros", c.usage().toNanos() / 1000);
                node.put("userMicros", c.user().toNanos() / 1000);
                node.put("systemMicros", c.system().toNanos() / 1000);
                c.throttling().ifPresent(t -> node.put("throttledPeriods", t.throttledPeriods()));
            });
            read(() -> {
                PidsStats p = group.pidsStats();
                ObjectNode node = root.putObject("pids");
                node.put("current", p.current());
                p.peak().ifPresent(v -> node.put("peak", v));
            });
            for (Pressure.Resource resource : List.of(Pressure.Resource.CPU, Pressure.Resource.MEMORY,
                    Pressure.Resource.IO)) {
                read(() -> {
                    Pressure p = group.pressure(resource);
                    ObjectNode node = root.withObjectProperty("pressure").putObject(resource.name().toLowerCase(Locale.ROOT));
                    node.put("someAvg10", p.some().avg10());
                    node.put("someAvg60", p.some().avg60());
                    p.full().ifPresent(f -> node.put("fullAvg10", f.avg10()));
                });
            }
            if (json) {
                out().println(mapper.writeValueAsString(root));
            } else {
                printLines("", root, out());
            }
            out().flush();
            return 0;
        }

        /** Flattens the object into "memory.current 1234" lines, easy to grep. */
        private static void printLines(String prefix, com.fasterxml.jackson.databind.JsonNode node, PrintWriter out) {
            node.properties().forEach(e -> {
                String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
                if (e.getValue().isObject()) {
                    printLines(key, e.getValue(), out);
                } else {
                    out.println(key + " " + e.getValue().asText());
                }
            });
        }

        /** A figure whose controller or file this group lacks is left out, not an error. */
        private static void read(Reading reading) {
            try {
                reading.run();
            } catch (IOException | RuntimeException e) {
                // Absent controller or file (e.g. no pressure without cgroup v2): skip it.
            }
        }

        private interface Reading {
            void run() throws IOException;
        }
    }

    /** {@code hako cgroup freeze PATH}. */
    @Command(name = "freeze", mixinStandardHelpOptions = true, description = "Freezes every process of a group.")
    static final class Freeze extends OnGroup {
        @Override
        public Integer call() throws Exception {
            open().freeze(timeout());
            return 0;
        }
    }

    /** {@code hako cgroup thaw PATH}. */
    @Command(name = "thaw", mixinStandardHelpOptions = true, description = "Thaws a frozen group.")
    static final class Thaw extends OnGroup {
        @Override
        public Integer call() throws Exception {
            open().thaw(timeout());
            return 0;
        }
    }

    /** {@code hako cgroup kill PATH}. */
    @Command(name = "kill", mixinStandardHelpOptions = true,
            description = "Kills every process of a group and its descendants and waits until it is empty.")
    static final class Kill extends OnGroup {
        @Override
        public Integer call() throws Exception {
            open().kill(timeout());
            return 0;
        }
    }

    /** {@code hako cgroup delete PATH}. */
    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Removes a group and its descendants (an already removed group is not an error).")
    static final class Delete extends OnGroup {
        @Option(names = {"-f", "--force"}, description = "Kill the processes in it first.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            Optional<Cgroup> group;
            try {
                group = Optional.of(open());
            } catch (java.nio.file.NoSuchFileException e) {
                group = Optional.empty();
            }
            if (group.isPresent()) {
                group.get().delete(timeout(), force);
            }
            return 0;
        }
    }
}
