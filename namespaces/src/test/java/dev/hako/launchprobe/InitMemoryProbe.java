package dev.hako.launchprobe;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.syscalls.NamespaceType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Starts an init container (a supervisor and a reaper) through the default launcher and
 * prints the anonymous resident memory (RssAnon, KiB) of this JVM, of the launch server,
 * of the supervisor and of the reaper: {@code self=K server=K supervisor=K reaper=K}.
 * Tests run it in a JVM with a big pre-touched heap.
 */
public final class InitMemoryProbe {

    private InitMemoryProbe() {
    }

    /**
     * Entry point.
     *
     * @param args ignored
     * @throws Exception if the container cannot be started or measured
     */
    public static void main(String[] args) throws Exception {
        try (ContainerProcess p = new ContainerBuilder("/bin/sleep", "60").namespaces(NamespaceType.PID)
                .init(true).start()) {
            long supervisor = p.pid();
            long server = ProcessHandle.current().children().filter(c -> c.info().arguments()
                    .map(a -> String.join(" ", a).contains("LaunchServerMain")).orElse(false))
                    .findFirst().orElseThrow(() -> new AssertionError("no launch server among this JVM's children"))
                    .pid();
            long reaper = p.initPid().orElseThrow();
            System.out.println("self=" + rssAnon(ProcessHandle.current().pid()) + " server=" + rssAnon(server)
                    + " supervisor=" + rssAnon(supervisor) + " reaper=" + rssAnon(reaper));
            p.destroyForcibly();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the supervisor did not end");
            }
        }
    }

    private static long rssAnon(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.substring("RssAnon:".length()).replace("kB", "").strip());
            }
        }
        throw new IOException("no RssAnon in /proc/" + pid + "/status");
    }
}
