package dev.hako.launchprobe;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.ProcessControl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes this JVM a child subreaper, so that it adopts whatever its descendants orphan, then
 * starts init containers and SIGKILLs each supervisor from outside the moment its start
 * returns, which orphans the command to this JVM. Each container must still end, its PID 1
 * and its command gone, and leave no zombie behind. Prints {@code N rounds, K left} and
 * exits 1 if anything was left.
 */
public final class SupervisorKillProbe {

    private SupervisorKillProbe() {
    }

    /**
     * Entry point.
     *
     * @param args the number of rounds
     * @throws Exception if a container cannot be started
     */
    public static void main(String[] args) throws Exception {
        ProcessControl.setChildSubreaper(true);
        int rounds = Integer.parseInt(args[0]);
        List<String> left = new ArrayList<>();
        for (int round = 0; round < rounds && left.isEmpty(); round++) {
            try (ContainerProcess process = new ContainerBuilder("/bin/sleep", "60").namespaces(NamespaceType.PID)
                    .init(true).start()) {
                long pid1 = process.initPid().orElseThrow();
                List<Long> started = new ArrayList<>(children(process.pid()));
                started.add(pid1);
                // The supervisor is our child: its pid names it until we reap it.
                ProcessHandle.of(process.pid()).orElseThrow().destroyForcibly();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    left.add("round " + round + ": the container did not end; " + describe(started));
                    continue;
                }
                for (long pid : started) {
                    if (Files.exists(Path.of("/proc", Long.toString(pid)))) {
                        left.add("round " + round + ": " + describe(List.of(pid)));
                    }
                }
            }
        }
        List<String> zombies = zombieChildren();
        System.out.println(rounds + " rounds, " + (left.size() + zombies.size()) + " left " + left + " " + zombies);
        System.exit(left.isEmpty() && zombies.isEmpty() ? 0 : 1);
    }

    private static List<Long> children(long pid) throws IOException {
        String text = Files.readString(Path.of("/proc", Long.toString(pid), "task", Long.toString(pid), "children")).trim();
        return text.isEmpty() ? List.of() : java.util.Arrays.stream(text.split(" ")).map(Long::valueOf).toList();
    }

    private static String describe(List<Long> pids) {
        StringBuilder text = new StringBuilder();
        for (long pid : pids) {
            try {
                text.append(Files.readString(Path.of("/proc", Long.toString(pid), "stat")).strip()).append("; ");
            } catch (IOException e) {
                text.append(pid).append(" gone; ");
            }
        }
        return text.toString();
    }

    private static List<String> zombieChildren() throws IOException {
        long self = ProcessHandle.current().pid();
        List<String> zombies = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String stat = Files.readString(proc.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (fields[0].equals("Z") && Long.parseLong(fields[1]) == self) {
                        zombies.add(stat.strip());
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        }
        return zombies;
    }
}
