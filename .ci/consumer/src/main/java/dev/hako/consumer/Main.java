package dev.hako.consumer;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Launchers;
import dev.hako.namespaces.Redirect;
import dev.hako.syscalls.NamespaceType;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Starts one container as a user of the published artifacts would: a shell in new pid,
 * mount and uts namespaces that prints its pid and hostname, through the default launcher
 * (Hako's launch server, a second JVM that must start from wherever Hako's jars are: the
 * class path or the module path). Prints what the shell said, then which process forked
 * it, and exits with its status, or 3 if it did not end within a minute.
 */
public final class Main {

    private Main() {
    }

    /**
     * Runs the container.
     *
     * @param args ignored
     * @throws Exception if the container cannot be started
     */
    public static void main(String[] args) throws Exception {
        try (ContainerProcess p = new ContainerBuilder("/bin/sh", "-c", "echo \"pid=$$ hostname=$(hostname)\"")
                .namespaces(NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.UTS)
                .hostname("consumer")
                .redirectOutput(Redirect.PIPE)
                .start()) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                System.exit(3);
            }
            System.out.print(out);
            // The server that forked it is a child of this JVM, which describe() names.
            String forker = Launchers.fromSystemProperty().describe();
            boolean server = ProcessHandle.current().children()
                    .anyMatch(c -> forker.startsWith("launch server pid " + c.pid() + " "));
            System.out.println(server ? "forked by the launch server" : "forked by " + forker);
            System.exit(p.exitValue());
        }
    }
}
