package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import dev.hako.testing.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Namespace handles, and Java code run inside a container's namespaces. */
@Privileged
@Timeout(30)
@Tag(Tags.GUEST)
class NamespaceRefAndExecutorTest {

    private List<String> mountsBefore;

    @BeforeEach
    void recordMounts() throws IOException {
        mountsBefore = Files.readAllLines(Path.of("/proc/self/mountinfo"));
    }

    @AfterEach
    void noMountLeft() throws IOException {
        assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo"))).isEqualTo(mountsBefore);
    }

    private static ContainerProcess sleeper(NamespaceType... types) throws IOException {
        return new ContainerBuilder("/bin/busybox", "sleep", "30").namespaces(types).start();
    }

    @Test
    void refsIdentifyCompareAndQueryNamespaces() throws Exception {
        try (ContainerProcess box = sleeper(NamespaceType.USER, NamespaceType.NET, NamespaceType.PID);
             NamespaceRef net = NamespaceRef.of(box, NamespaceType.NET);
             NamespaceRef hostNet = NamespaceRef.ofPid(ProcessHandle.current().pid(), NamespaceType.NET);
             NamespaceRef pid = NamespaceRef.of(box, NamespaceType.PID);
             NamespaceRef user = NamespaceRef.of(box, NamespaceType.USER)) {
            assertThat(net.type()).isEqualTo(NamespaceType.NET);
            assertThat(net.sameAs(hostNet)).isFalse();
            assertThat(net.inode()).isEqualTo(Long.parseLong(Files.readSymbolicLink(Path.of("/proc/" + box.pid()
                    + "/ns/net")).toString().replaceAll("\\D", "")));
            assertThat(NamespaceRef.same(box.pid(), ProcessHandle.current().pid(), NamespaceType.UTS)).isTrue();
            assertThat(NamespaceRef.same(box.pid(), ProcessHandle.current().pid(), NamespaceType.NET)).isFalse();
            try (NamespaceRef owner = net.owningUserNamespace()) {
                assertThat(owner).isEqualTo(user);
            }
            try (NamespaceRef parent = pid.parent();
                 NamespaceRef hostPid = NamespaceRef.ofCurrentThread(NamespaceType.PID)) {
                assertThat(parent.sameAs(hostPid)).isTrue();
            }
            assertThat(user.ownerUid()).isZero();
            assertThatThrownBy(net::parent).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("only pid and user namespaces have a parent");
            box.destroyForcibly().waitFor();
        }
    }

    @Test
    void persistKeepsANamespaceAfterItsProcessEnds(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("box");
        long inode;
        try (ContainerProcess box = sleeper(NamespaceType.UTS); NamespaceRef uts = NamespaceRef.of(box, NamespaceType.UTS)) {
            inode = uts.inode();
            uts.persist(file);
            box.destroyForcibly().waitFor();
        }
        try {
            try (NamespaceRef again = NamespaceRef.ofPath(file)) {
                assertThat(again.type()).isEqualTo(NamespaceType.UTS);
                assertThat(again.inode()).isEqualTo(inode);
            }
        } finally {
            NamespaceRef.release(file);
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void aNamespaceOfADeadProcessCannotBeOpened() throws Exception {
        long pid = Payloads.exitedPid();
        assertThatThrownBy(() -> NamespaceRef.ofPid(pid, NamespaceType.NET)).isInstanceOf(IOException.class)
                .hasMessageContaining("no such process");
    }

    /** The README example: a server socket inside a container's netns; the host port stays free. */
    @Test
    void serverSocketInsideAContainersNetworkNamespace() throws Exception {
        try (ContainerProcess box = sleeper(NamespaceType.NET);
             NamespaceRef net = NamespaceRef.of(box, NamespaceType.NET)) {
            try (ServerSocket server = NamespaceExecutor.run(Set.of(net),
                    () -> new ServerSocket(0, 5, InetAddress.getLoopbackAddress())).get(10, TimeUnit.SECONDS)) {
                int port = server.getLocalPort();
                // A process in the container's namespace connects to it...
                try (ContainerProcess client = new ContainerBuilder("/bin/busybox", "sh", "-c",
                        "echo hello from inside | nc 127.0.0.1 " + port)
                        .join(NamespaceType.NET, NamespaceJoin.ofPid(box.pid())).start();
                     Socket accepted = server.accept();
                     InputStream in = accepted.getInputStream()) {
                    assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello from inside\n");
                    accepted.close(); // nc exits once the other side closes too
                    assertThat(client.waitFor(10, TimeUnit.SECONDS)).isTrue();
                }
                // ...while the same port in the host's namespace is free.
                try (ServerSocket host = new ServerSocket(port, 5, InetAddress.getLoopbackAddress())) {
                    assertThat(host.getLocalPort()).isEqualTo(port);
                }
            }
            box.destroyForcibly().waitFor();
        }
    }

    @Test
    void theThreadReturnsToItsNamespacesAndMountNamespacesWork() throws Exception {
        try (ContainerProcess box = new ContainerBuilder("/bin/busybox", "sleep", "30").hostname("inside")
                .mounts(MountSpec.builder().tmpfs("/mnt", 4096, 0755).build()).start();
             NamespaceRef uts = NamespaceRef.of(box, NamespaceType.UTS);
             NamespaceRef mnt = NamespaceRef.of(box, NamespaceType.MOUNT)) {
            String[] seen = NamespaceExecutor.run(Set.of(uts, mnt), () -> new String[] {
                    Files.readString(Path.of("/proc/sys/kernel/hostname")).trim(),
                    Files.readString(Path.of("/proc/thread-self/mountinfo")).contains(" /mnt ") ? "tmpfs" : "none",
                    Boolean.toString(Files.isWritable(Path.of("/etc")))}).get(10, TimeUnit.SECONDS);
            assertThat(seen).containsExactly("inside", "tmpfs", "false");
            box.destroyForcibly().waitFor();
        }
    }

    @Test
    void userAndPidNamespacesAndVirtualThreadsAreRefused() throws Exception {
        try (NamespaceRef user = NamespaceRef.ofCurrentThread(NamespaceType.USER);
             NamespaceRef pid = NamespaceRef.ofCurrentThread(NamespaceType.PID);
             NamespaceRef net = NamespaceRef.ofCurrentThread(NamespaceType.NET)) {
            assertThatThrownBy(() -> NamespaceExecutor.run(Set.of(user), () -> 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multithreaded process");
            assertThatThrownBy(() -> NamespaceExecutor.run(Set.of(pid), () -> 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only children");
            assertThatThrownBy(() -> NamespaceExecutor.run(Set.of(net), () -> 1, Thread.ofVirtual().factory()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("carrier");
        }
    }

    @Test
    void aFailingTaskFailsTheFuture() throws Exception {
        try (NamespaceRef net = NamespaceRef.ofCurrentThread(NamespaceType.NET)) {
            assertThatThrownBy(() -> NamespaceExecutor.run(Set.of(net), () -> {
                throw new IllegalStateException("boom");
            }).get()).isInstanceOf(ExecutionException.class).hasRootCauseMessage("boom");
        }
    }
}
