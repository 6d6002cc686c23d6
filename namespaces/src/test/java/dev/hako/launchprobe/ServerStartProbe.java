package dev.hako.launchprobe;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Launchers;
import java.util.concurrent.TimeUnit;

/**
 * A program that uses Hako's public API only, for tests that run it with Hako on the module
 * path: one start through the launch server. It prints the container's exit status, whether
 * the container was its child, and whether a child JVM of it runs the launch server.
 */
public final class ServerStartProbe {

    private ServerStartProbe() {
    }

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        try (ContainerProcess p = new ContainerBuilder("/bin/sh", "-c", "exit 3").launcher(Launchers.server()).start()) {
            boolean ours = p.toHandle().parent().map(ProcessHandle::pid).orElse(-1L) == ProcessHandle.current().pid();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the container did not exit");
            }
            boolean server = ProcessHandle.current().children().anyMatch(c -> c.info().arguments()
                    .map(a -> String.join(" ", a).contains("LaunchServerMain")).orElse(false));
            System.out.println("status=" + p.exitValue() + " child=" + ours + " server=" + server);
        }
    }
}
