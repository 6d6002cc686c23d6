package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.StreamSyscalls;
import dev.hako.syscalls.SyscallException;
import dev.hako.syscalls.TerminalSyscalls;
import dev.hako.testing.Privileged;
import dev.hako.testing.Tags;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ContainerBuilder#terminal}: the command gets a pty of the container's own devpts
 * as stdio and controlling terminal, and whoever holds the console socket's other end
 * gets the master, through which it talks to the command.
 */
@Timeout(60)
@Tag(Tags.GUEST)
class TerminalTest {

    @TempDir
    Path temp;

    /** What a terminal session produced: the master's name as sent, the text read from the master, the status. */
    record Session(String name, String out, int status) {
    }

    /**
     * Starts {@code builder} with a terminal, receives the master, types {@code input},
     * waits for the exit and reads everything the command wrote (until EIO: no peer left).
     */
    static Session session(ContainerBuilder builder, String input) throws Exception {
        try (FileSyscalls.Pipe sockets = StreamSyscalls.socketpair()) {
            StreamSyscalls.Message message;
            int status;
            try (ContainerProcess process = builder.terminal(sockets.read(),
                    new TerminalSyscalls.WindowSize(33, 101)).start()) {
                message = StreamSyscalls.receive(sockets.write(), 4096, 1);
                assertThat(message.fds()).as("one master").hasSize(1);
                try (Fd master = message.fds().getFirst()) {
                    FileSyscalls.writeFully(master, input.getBytes(StandardCharsets.UTF_8));
                    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("the command exits").isTrue();
                    status = process.exitValue();
                    return new Session(new String(message.data(), StandardCharsets.UTF_8), readAll(master), status);
                }
            }
        }
    }

    /** Reads a master until the kernel says EIO: every peer is closed and the buffer empty. */
    private static String readAll(Fd master) throws SyscallException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            while (true) {
                long n;
                try {
                    n = FileSyscalls.read(master, buffer);
                } catch (SyscallException e) {
                    if (e.getMessage().contains("EIO")) {
                        break;
                    }
                    throw e;
                }
                if (n == 0) {
                    break;
                }
                out.writeBytes(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            }
        }
        return out.toString(StandardCharsets.UTF_8).replace("\r", "");
    }

    private Path busyboxRootfs() throws Exception {
        Path root = Files.createDirectories(temp.resolve("rootfs"));
        Files.createDirectories(root.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : List.of("sh", "tty", "stty", "ls", "stat", "readlink", "cut", "cat")) {
            Files.createSymbolicLink(root.resolve("bin/" + applet), Path.of("busybox"));
        }
        for (String dir : List.of("proc", "sys", "dev", "tmp")) {
            Files.createDirectories(root.resolve(dir));
        }
        return root;
    }

    /**
     * No echo: the test writes its input at once, and the terminal would echo it wherever the
     * output stands then, even between a line and its newline (seen on the slow v2 guest).
     * Input that comes before the stty is echoed before any of the output, where it is harmless.
     */
    private static final String CHECKS = """
            stty -echo
            echo "tty=$(tty)"
            [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo "stdio are terminals"
            echo "size=$(stty size)"
            set -- $(cat /proc/$$/stat)
            [ "$6" = "$$" ] && echo "session leader"
            [ "$7" != 0 ] && echo "controlling terminal"
            echo "pts=$(ls /dev/pts)"
            echo "console=$(stat -c %t:%T /dev/console) pts0=$(stat -c %t:%T /dev/pts/0)"
            read line; echo "got:$line"
            exit 5
            """;

    @Privileged
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aContainerGetsAPtyOfItsOwnDevpts(boolean server) throws Exception {
        ContainerBuilder builder = new ContainerBuilder("/bin/sh", "-c", CHECKS)
                .namespaces(NamespaceType.PID, NamespaceType.UTS, NamespaceType.IPC, NamespaceType.NET)
                .mounts(MountSpec.builder().rootfs(busyboxRootfs()).proc().build())
                .launcher(server ? Launchers.server() : Launchers.inProcess());
        builder.environment().clear();
        builder.environment().put("PATH", "/bin");
        Session session = session(builder, "hello\n");
        assertThat(session.name()).isEqualTo("/dev/ptmx");
        assertThat(session.status()).as(session.out()).isEqualTo(5);
        assertThat(session.out()).contains("tty=/dev/pts/0\n", "stdio are terminals\n", "size=33 101\n",
                "session leader\n", "controlling terminal\n", "console=88:0 pts0=88:0\n", "got:hello\n");
        assertThat(session.out()).containsPattern("pts=0\\s+ptmx");
    }

    /** Under init(true) the command (PID 2, the supervisor's child) makes the session and takes the pty. */
    @Privileged
    @Test
    void aSupervisedCommandGetsThePty() throws Exception {
        ContainerBuilder builder = new ContainerBuilder("/bin/sh", "-c", "echo \"tty=$(tty) pid=$$\"; set -- $(cat"
                + " /proc/$$/stat); [ \"$6\" = \"$$\" ] && [ \"$7\" != 0 ] && echo \"session leader with a terminal\";"
                + " exit 6")
                .namespaces(NamespaceType.PID).init(true)
                .mounts(MountSpec.builder().rootfs(busyboxRootfs()).proc().build());
        builder.environment().clear();
        builder.environment().put("PATH", "/bin");
        Session session = session(builder, "");
        assertThat(session.status()).as(session.out()).isEqualTo(6);
        assertThat(session.out()).contains("tty=/dev/pts/0 pid=2\n", "session leader with a terminal\n");
    }

    @Privileged
    @Test
    void aNonRootUserOwnsItsTerminalOnTheHostsDevpts() throws Exception {
        ContainerBuilder builder = new ContainerBuilder("/bin/busybox", "sh", "-c",
                "t=$(/bin/busybox tty); /bin/busybox stat -c 'owner=%u' $t; echo reopened > $t && echo ok")
                .user(1000, 1000);
        Session session = session(builder, "");
        assertThat(session.status()).as(session.out()).isZero();
        assertThat(session.out()).contains("owner=1000\n", "reopened\n", "ok\n");
    }

    @Test
    void thePlanShowsThePtyRowsAfterTheMounts() throws Exception {
        try (FileSyscalls.Pipe sockets = StreamSyscalls.socketpair()) {
            String plan = new ContainerBuilder("/bin/sh").namespaces(NamespaceType.PID)
                    .mounts(MountSpec.builder().rootfs(temp).build()).terminal(sockets.read()).plan().describe();
            assertThat(plan).contains("fcntl(" + sockets.read().value() + ", F_DUPFD_CLOEXEC, <above targets>)"
                    + " = <console socket>")
                    .contains("openat(AT_FDCWD, \"/dev/ptmx\", O_RDWR|O_CLOEXEC|O_NOCTTY) = <pty master>")
                    .contains("ioctl(<pty master>, TIOCSPTLCK, [0])")
                    .contains("ioctl(<pty master>, TIOCGPTPEER, O_RDWR|O_CLOEXEC|O_NOCTTY) = <pty peer>")
                    .contains("sendmsg(<console socket>, {msg_iov=[\"/dev/ptmx\"], msg_control=[{SOL_SOCKET,"
                            + " SCM_RIGHTS, [0]}]}, 0)")
                    .contains("ioctl(0, TIOCSCTTY, 0)")
                    .contains("move_mount(<console tree>, \"\", AT_FDCWD, \"/dev/console\", MOVE_MOUNT_F_EMPTY_PATH)");
            assertThat(plan.indexOf("pivot_root")).isLessThan(plan.indexOf("= <pty master>"));
            assertThat(plan.indexOf("TIOCSCTTY")).isLessThan(plan.indexOf("execve("));
        }
    }

    @Test
    void aTerminalTakesTheWholeStdio() throws Exception {
        try (FileSyscalls.Pipe sockets = StreamSyscalls.socketpair()) {
            assertThatThrownBy(() -> new ContainerBuilder("/bin/true").terminal(sockets.read())
                    .redirectOutput(Redirect.PIPE).plan())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a terminal replaces standard input, output and error with the pty; leave redirectInput,"
                            + " redirectOutput and redirectError at INHERIT");
        }
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").terminal(null))
                .isInstanceOf(NullPointerException.class).hasMessage("consoleSocket");
    }
}
