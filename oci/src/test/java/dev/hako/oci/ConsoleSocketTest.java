package dev.hako.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hako.bindings.Linux;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.StreamSyscalls;
import dev.hako.syscalls.SyscallException;
import dev.hako.testing.Privileged;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code create --console-socket}: the caller listens on a unix socket, as containerd's
 * shim does, and receives the pty master after create has exited; through it, it types to
 * the container and reads what the container writes.
 */
@Timeout(120)
class ConsoleSocketTest {

    @TempDir
    Path temp;
    Path root;
    Path rootfs;

    @BeforeEach
    void paths() throws Exception {
        root = temp.resolve("state");
        rootfs = Bundles.busyboxRootfs(temp.resolve("rootfs"));
    }

    private Path bundle(boolean terminal, String script) throws Exception {
        ObjectNode config = Bundles.config(rootfs.toString(), "sh", "-c", script);
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", terminal);
        process.putObject("consoleSize").put("height", 30).put("width", 90);
        return Bundles.write(temp.resolve("bundle"), config);
    }

    /** Runs hako-oci as the shim does (a JVM of its own, this build's classes), bounded. */
    private PrivateContainerd.Result hakoOci(String... args) throws Exception {
        Path script = temp.resolve("hako-oci");
        if (!Files.exists(script)) {
            ContainerdTest.runtimeScript(script);
        }
        List<String> command = new ArrayList<>(List.of(script.toString(), "--root", root.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("hako-oci " + String.join(" ", args) + " hung: " + out);
        }
        return new PrivateContainerd.Result(process.exitValue(), out);
    }

    @Privileged
    @Test
    void createSendsTheMasterOfTheContainersPtyToTheConsoleSocket() throws Exception {
        Path bundle = bundle(true, "echo \"tty=$(tty)\"; echo \"size=$(busybox stty size)\"; [ -t 0 ] && echo"
                + " \"stdin is a tty\"; read line; echo \"got:$line\"");
        String socketPath = temp.resolve("console.sock").toString();
        try (Fd listening = StreamSyscalls.listen(socketPath, 1)) {
            PrivateContainerd.Result create = hakoOci("create", "--bundle", bundle.toString(), "--console-socket",
                    socketPath, "tty1");
            try {
                assertThat(create.status()).as(create.out()).isZero();
                assertThat(create.out()).as("nothing on create's stdio: the pty is the container's").isEmpty();
                StreamSyscalls.Message message;
                try (Fd connection = StreamSyscalls.accept(listening)) {
                    message = StreamSyscalls.receive(connection, 4096, 1);
                }
                assertThat(new String(message.data(), StandardCharsets.UTF_8)).isEqualTo("/dev/ptmx");
                assertThat(message.fds()).hasSize(1);
                try (Fd master = message.fds().getFirst()) {
                    PrivateContainerd.Result start = hakoOci("start", "tty1");
                    assertThat(start.status()).as(start.out()).isZero();
                    FileSyscalls.writeFully(master, "hello\n".getBytes(StandardCharsets.UTF_8));
                    String out = readUntilClosed(master, 60_000);
                    assertThat(out).contains("tty=/dev/pts/0\n", "size=30 90\n", "stdin is a tty\n", "got:hello\n");
                }
            } finally {
                hakoOci("delete", "--force", "tty1");
                Files.deleteIfExists(Path.of(socketPath));
            }
        }
        assertThat(root.resolve("tty1")).doesNotExist();
    }

    /**
     * Reads a master until no peer is left (EIO), polling a non-blocking descriptor so
     * that a container that never ends fails the test instead of hanging it.
     */
    private static String readUntilClosed(Fd master, long millis) throws Exception {
        StreamSyscalls.setStatusFlags(master, Linux.O_RDWR() | Linux.O_NONBLOCK());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            while (true) {
                try {
                    long n = FileSyscalls.read(master, buffer);
                    if (n == 0) {
                        break;
                    }
                    out.writeBytes(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                } catch (SyscallException e) {
                    if (e.getMessage().contains("EIO")) {
                        break;
                    }
                    if (!e.getMessage().contains("EAGAIN")) {
                        throw e;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the container did not end; it wrote: " + out, e);
                    }
                    Thread.sleep(10);
                }
            }
        }
        return out.toString(StandardCharsets.UTF_8).replace("\r", "");
    }

    @Test
    void aTerminalAndAConsoleSocketComeTogether() throws Exception {
        Runtime runtime = new Runtime(root, new RuntimeLog(null, "text"), System.out);
        Path withTerminal = bundle(true, "true");
        assertThatThrownBy(() -> runtime.run("create", new String[] {"create", "--bundle", withTerminal.toString(),
                "c1"}, 1)).hasMessage("process.terminal is true, but no --console-socket was given to send the pty"
                + " master to");
        Path without = bundle(false, "true");
        assertThatThrownBy(() -> runtime.run("create", new String[] {"create", "--bundle", without.toString(),
                "--console-socket", temp.resolve("s").toString(), "c1"}, 1))
                .hasMessage("--console-socket was given, but the process has no terminal (process.terminal is false)");
        assertThat(root.resolve("c1")).as("nothing created").doesNotExist();
    }
}
