package dev.hako.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Privileged
@Timeout(30)
class NetnsEchoServerTest {

    @Test
    void servesInsideItsOwnNetworkNamespaceOnly() throws Exception {
        String hostNet = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        try (NetnsEchoServer server = NetnsEchoServer.start()) {
            assertThat(server.namespace().type()).isEqualTo(NamespaceType.NET);
            assertThat(server.ask("hello")).isEqualTo("echo: hello");
            assertThat(server.ask("again")).isEqualTo("echo: again");
            // This thread never left the host's namespace, where nothing listens on the port
            // unless by coincidence; the server is not reachable from here.
            assertThat(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString()).isEqualTo(hostNet);
            assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), server.port()).close())
                    .isInstanceOf(ConnectException.class);
        }
    }
}
