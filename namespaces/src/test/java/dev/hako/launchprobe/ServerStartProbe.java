package dev.hako.launchprobe;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Launchers;
import java.util.concurrent.TimeUnit;

/**
 * A program that uses Hako's public API only, for tests that run it with Hako on the module
 * path: one start, through the launch server unless the first argument is {@code in-process}.
 * It prints the container's exit status, whether the container was its child, and whether a
 * child JVM of it runs the launch server; or {@code refused: } and the message of a start
 * that failed.
 */
public final class ServerStartProbe {

    private ServerStartProbe() {
    }

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        Launchers launcher = args.length > 0 && args[0].equals("in-process") ? Launchers.inProcess() : Launchers.server();
        ContainerProcess started;
        try {
            started = new ContainerBuilder("/bin/sh", "-c", "read line; exit 3").launcher(launcher)
                    .redirectInput(dev.hako.namespaces.Redirect.PIPE).start();
        } catch (java.io.IOException e) {
            System.out.println("refused: " + e.getMessage());
            return;
        }
        try (ContainerProcess p = started) {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(p.pid()), "stat"));
            boolean ours = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]
                    .equals(Long.toString(ProcessHandle.current().pid()));
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the container did not exit");
            }
            boolean server = ProcessHandle.current().children().anyMatch(c -> c.info().arguments()
                    .map(a -> String.join(" ", a).contains("LaunchServerMain")).orElse(false));
            System.out.println("status=" + p.exitValue() + " child=" + ours + " server=" + server);
        }
    }
}
