package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LaunchSmokeTest {

    @Test
    @Timeout(30)
    void echoThroughAPipe() throws Exception {
        try (ContainerProcess p = new ContainerBuilder("/bin/echo", "hello").redirectOutput(Redirect.PIPE).start()) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).isZero();
            assertThat(out).isEqualTo("hello\n");
        }
    }

    @Test
    @Timeout(30)
    @Privileged
    void hostnameInNewNamespaces() throws Exception {
        ContainerBuilder builder = new ContainerBuilder("/bin/sh", "-c", "hostname; echo $$")
                .namespaces(NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.UTS, NamespaceType.IPC)
                .hostname("box")
                .redirectOutput(Redirect.PIPE);
        System.out.println(builder.plan().describe());
        try (ContainerProcess p = builder.start()) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).isZero();
            assertThat(out).isEqualTo("box\n1\n");
        }
    }
}
