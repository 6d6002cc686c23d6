package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.bindings.Linux;
import dev.hako.namespaces.launch.LaunchServer;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.OpenFlag;
import dev.hako.syscalls.Signal;
import dev.hako.syscalls.calls.FileCalls;
import dev.hako.testing.Privileged;
import dev.hako.testing.Tags;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Joining a pid namespace hands the command over ({@link ContainerBuilder#join}): the
 * process start() returns is the command itself, in the joined namespace, through either
 * launcher. Container A (a new pid namespace) runs sleep; B joins it.
 */
@Privileged
@Timeout(60)
@Tag(Tags.GUEST)
class PidJoinTest {

    private List<String> fdsBefore;

    static Stream<Launchers> launchers() {
        return Stream.of(Launchers.server(), Launchers.inProcess());
    }

    @BeforeEach
    void recordDescriptors() throws IOException {
        Payloads.openLongLivedDescriptors();
        LaunchServer.get(); // its socket, memfd and pidfd outlive the test whatever the suite's launcher
        fdsBefore = Payloads.openFds();
    }

    @AfterEach
    void nothingLeftBehind() throws IOException {
        assertThat(Payloads.zombieChildren()).as("zombie children").isEmpty();
        Payloads.assertDescriptorsBackTo(fdsBefore);
    }

    /**
     * Container A: sleep as PID 1 of a new pid namespace. Ending it waits until every process
     * of its namespace has been reaped; a process of it that this JVM forgot to reap (a
     * zombie child) would make that wait, and ContainerProcess.close(), last for ever, so
     * such zombies are reaped here and reported.
     */
    private record ContainerA(ContainerProcess process) implements AutoCloseable {
        long pid() {
            return process.pid();
        }

        boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public void close() throws Exception {
            process.destroyForcibly();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                List<String> zombies = Payloads.zombieChildren();
                for (String zombie : zombies) {
                    dev.hako.syscalls.ProcessSyscalls.waitidPid(Integer.parseInt(zombie.split(" ")[0]),
                            EnumSet.of(dev.hako.syscalls.WaitOption.EXITED));
                }
                process.close();
                throw new AssertionError("A did not end: zombie children of this JVM were left in its namespace: "
                        + zombies);
            }
            process.close();
        }
    }

    private static ContainerA containerA(Launchers launcher) throws IOException {
        return new ContainerA(new ContainerBuilder("/bin/sleep", "60").namespaces(NamespaceType.PID).launcher(launcher)
                .start());
    }

    private static ContainerBuilder joining(ContainerA a, Launchers launcher, String... command) {
        return new ContainerBuilder(command).join(NamespaceType.PID, NamespaceJoin.ofPid(a.pid())).launcher(launcher);
    }

    private static String pidNamespace(long pid) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")).toString();
    }

    /** The last NSpid field of /proc/PID/status: the pid in the process's own namespace. */
    private static long innermostPid(long pid) throws IOException {
        String[] pids = Payloads.statusField(Files.readString(Path.of("/proc/" + pid + "/status")), "NSpid")
                .split("\\s+");
        return Long.parseLong(pids[pids.length - 1]);
    }

    private static long parentOf(long pid) throws IOException {
        return Long.parseLong(Payloads.statusField(Files.readString(Path.of("/proc/" + pid + "/status")), "PPid"));
    }

    @ParameterizedTest
    @MethodSource("launchers")
    void theProcessStartReturnsIsTheCommandInTheJoinedNamespace(Launchers launcher) throws Exception {
        try (ContainerA a = containerA(launcher);
             ContainerProcess b = joining(a, launcher, "/bin/sh", "-c", "echo $$; read line; exit 7")
                     .redirectInput(Redirect.PIPE).redirectOutput(Redirect.PIPE).start()) {
            assertThat(pidNamespace(b.pid())).isEqualTo(pidNamespace(a.pid()))
                    .isNotEqualTo(pidNamespace(ProcessHandle.current().pid()));
            // This JVM's child, numbered in A's namespace after A's PID 1.
            assertThat(parentOf(b.pid())).isEqualTo(ProcessHandle.current().pid());
            assertThat(innermostPid(b.pid())).isGreaterThan(1);
            // The child that handed B over is gone already: reaped, not a zombie.
            assertThat(Payloads.zombieChildren()).isEmpty();
            String echoed = new java.io.BufferedReader(new java.io.InputStreamReader(b.getInputStream(),
                    StandardCharsets.UTF_8)).readLine();
            assertThat(Long.parseLong(echoed)).isEqualTo(innermostPid(b.pid()));
            b.getOutputStream().write('\n');
            b.getOutputStream().flush();
            assertThat(b.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(b.exitValue()).isEqualTo(7);
            assertThat(a.isAlive()).as("A runs on").isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("launchers")
    void signalsReachTheCommand(Launchers launcher) throws Exception {
        try (ContainerA a = containerA(launcher);
             ContainerProcess b = joining(a, launcher, "/bin/sleep", "60").start()) {
            assertThat(b.signal(Linux.SIGTERM())).isTrue();
            assertThat(b.waitFor(20, TimeUnit.SECONDS)).isTrue();
            // Not PID 1 of its namespace: SIGTERM's default action applies.
            assertThat(b.exitSignal()).contains(Signal.SIGTERM);
            assertThat(b.exitValue()).isEqualTo(128 + Linux.SIGTERM());
        }
    }

    @ParameterizedTest
    @MethodSource("launchers")
    void aMissingCommandFailsTheStartAsAnyOtherStart(Launchers launcher) throws Exception {
        try (ContainerA a = containerA(launcher)) {
            assertThatThrownBy(() -> joining(a, launcher, "/nonexistent/program").start())
                    .isInstanceOf(IOException.class)
                    .hasMessage("Cannot run program \"/nonexistent/program\": error=2, ENOENT (No such file or"
                            + " directory)");
            assertThatThrownBy(() -> joining(a, launcher, "/bin/true").directory(Path.of("/nonexistent/dir")).start())
                    .isInstanceOf(dev.hako.syscalls.SyscallException.class)
                    .hasMessage("chdir(\"/nonexistent/dir\") failed: ENOENT (No such file or directory)");
        }
    }

    /**
     * The command runs as soon as it is forked, while the child that forked it still has to
     * report its pid: a command that fails at once (privileged: execve is its only step) is
     * often reported first. Either order gives the command's failure, and leaves nothing.
     */
    @ParameterizedTest
    @MethodSource("launchers")
    void aCommandThatFailsAtOnceIsReportedWhicheverReportComesFirst(Launchers launcher) throws Exception {
        try (ContainerA a = containerA(launcher)) {
            ContainerBuilder failing = joining(a, launcher, "/nonexistent/program").privileged();
            for (int i = 0; i < 40; i++) {
                assertThatThrownBy(failing::start).isInstanceOf(IOException.class)
                        .hasMessage("Cannot run program \"/nonexistent/program\": error=2, ENOENT (No such file or"
                                + " directory)");
                assertThat(Payloads.zombieChildren()).as("zombie children after start %d", i).isEmpty();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("launchers")
    void aCommandThatMissesTheExecDeadlineIsNamedKilledAndReaped(Launchers launcher) throws Exception {
        try (ContainerA a = containerA(launcher); FileSyscalls.Pipe neverWritten = FileSyscalls.pipe2(false)) {
            ContainerBuilder builder = joining(a, launcher, "/bin/true").execTimeout(Duration.ofMillis(500))
                    .passFd(neverWritten.read(), 7);
            // Runs in the command's process, after the hand-off: a read nobody answers.
            builder.extraChildSteps = program -> program.add(FileCalls.read(7, program.memory().allocate(1)));
            // Blocked in read names a live process: the command (the child that handed it over has exited).
            assertThatThrownBy(builder::start)
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("the child (pid ")
                    .hasMessageContaining("did not reach execve within 500 ms (blocked in syscall " + Linux.SYS_read());
        }
    }

    @ParameterizedTest
    @MethodSource("launchers")
    void theCommandWaitsAtTheExecGateUntilItIsWritten(Launchers launcher) throws Exception {
        Path java = Path.of("/proc/self/exe").toRealPath();
        try (ContainerA a = containerA(launcher); Fd gate = ExecGateTest.gate();
             ContainerProcess b = joining(a, launcher, "/bin/sh", "-c", "readlink /proc/self/ns/pid")
                     .passFd(gate, 3).execGate(3).redirectOutput(Redirect.PIPE).start()) {
            assertThat(pidNamespace(b.pid())).isEqualTo(pidNamespace(a.pid()));
            // Still a copy of a JVM (this one's or the server's, the same java), before execve.
            Thread.sleep(100);
            assertThat(Path.of("/proc/" + b.pid() + "/exe").toRealPath()).isEqualTo(java);
            assertThat(b.isAlive()).isTrue();
            try (Fd writer = FileSyscalls.openat2(null, "/proc/" + b.pid() + "/fd/3",
                    EnumSet.of(OpenFlag.WRITE_ONLY, OpenFlag.NONBLOCK, OpenFlag.CLOEXEC), 0, Set.of())) {
                FileSyscalls.writeFully(writer, new byte[] {'1'});
            }
            assertThat(new String(b.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip())
                    .isEqualTo(pidNamespace(a.pid()));
            assertThat(b.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(b.exitValue()).isZero();
        }
    }

    @Test
    void thePlanShowsTheHandOff() throws Exception {
        try (ContainerA a = containerA(Launchers.inProcess())) {
            String plan = joining(a, Launchers.inProcess(), "/bin/true").plan().describe();
            assertThat(plan)
                    .contains("pipe2(O_CLOEXEC) = <sync pipe>  (the child waits on it)")
                    .contains("setns(<pid of pid " + a.pid() + ">, CLONE_NEWPID)")
                    .containsPattern("clone3\\(\\{flags=CLONE_PARENT, exit_signal=0}, \\d+\\) = <command pid>  \\(the"
                            + " parent's child, in the joined pid namespace\\)  -> goto (\\d+) if in the child that"
                            + " hands over")
                    .contains("write(<report pipe>, &<command pid>, 8)  (its pid, errno 0: the parent takes the"
                            + " command over)")
                    .contains("exit_group(0)  (the parent reaps this child at once)")
                    .contains("pidfd_open(<command pid>, 0) = <command pidfd>")
                    .contains("epoll_ctl(<reaper>, EPOLL_CTL_ADD, <command pidfd>, EPOLLIN)")
                    .doesNotContain("hako-supervisor");
            // The command's own steps come between the fork and the hand-over.
            assertThat(plan.indexOf("clone3({flags=CLONE_PARENT")).isLessThan(plan.indexOf("execve("));
            assertThat(plan.indexOf("execve(")).isLessThan(plan.indexOf("write(<report pipe>, &<command pid>"));
        }
    }

    @Test
    void aStartGateIsRefusedWithAJoinedPidNamespace() throws Exception {
        try (ContainerA a = containerA(Launchers.inProcess())) {
            assertThatThrownBy(() -> dev.hako.namespaces.internal.StartGate.start(
                    joining(a, Launchers.inProcess(), "/bin/true"), pid -> { }))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a start gate cannot be used with a joined pid namespace: the child it holds is not"
                            + " the command's process");
        }
    }
}
