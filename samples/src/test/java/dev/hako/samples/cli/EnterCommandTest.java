package dev.hako.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code hako enter}: a command inside the namespaces of a running container. */
@Privileged
@Timeout(60)
class EnterCommandTest {

    @Test
    void runsInsideTheTargetsNamespaces() throws Exception {
        try (ContainerProcess target = new ContainerBuilder("/bin/sleep", "30")
                .namespaces(NamespaceType.UTS, NamespaceType.NET, NamespaceType.IPC).hostname("inside").start()) {
            Cli.Result result = Cli.run("enter", Long.toString(target.pid()), "--", "/bin/sh", "-c",
                    "hostname; readlink /proc/self/ns/net");
            assertThat(result.status()).as(result.err()).isZero();
            String targetNet = java.nio.file.Files.readSymbolicLink(
                    java.nio.file.Path.of("/proc", Long.toString(target.pid()), "ns", "net")).toString();
            assertThat(result.out()).isEqualTo("inside\n" + targetNet + "\n");
        }
    }

    @Test
    void ownProcessHasNothingToEnter() {
        Cli.Result result = Cli.run("enter", Long.toString(ProcessHandle.current().pid()), "--", "/bin/true");
        assertThat(result.status()).isEqualTo(125);
        assertThat(result.err()).contains("nothing to enter");
    }
}
