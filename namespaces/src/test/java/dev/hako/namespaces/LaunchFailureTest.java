package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.bindings.Linux;
import dev.hako.namespaces.launch.ChildInterpreter;
import dev.hako.namespaces.launch.ChildProgram.Step;
import dev.hako.namespaces.launch.Launcher;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.SyscallException;
import dev.hako.testing.Privileged;
import dev.hako.testing.Tags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a start can fail: the caller gets an exception naming the step, and nothing is
 * left behind (no process, no zombie, no descriptor, no mount).
 */
@Timeout(60)
@Tag(Tags.GUEST)
class LaunchFailureTest {

    private List<String> fdsBefore;
    private List<String> mountsBefore;

    @BeforeEach
    void recordState() throws IOException {
        ChildInterpreter.ensureWarm();
        Payloads.openLongLivedDescriptors();
        fdsBefore = Payloads.openFds();
        mountsBefore = Files.readAllLines(Path.of("/proc/self/mountinfo"));
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertThat(Payloads.zombieChildren()).as("zombie children").isEmpty();
        Payloads.assertDescriptorsBackTo(fdsBefore);
        assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo"))).as("mounts").isEqualTo(mountsBefore);
    }

    @Test
    void aFailingChildStepIsNamedWithItsArguments() {
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").directory(Path.of("/nonexistent/dir")).start())
                .isInstanceOf(SyscallException.class)
                .hasMessage("chdir(\"/nonexistent/dir\") failed: ENOENT (No such file or directory)");
    }

    @Test
    void execFailureReadsLikeProcessBuilder(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("not-executable");
        Files.writeString(script, "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> new ContainerBuilder(script.toString()).start())
                .isInstanceOf(IOException.class)
                .hasMessage("Cannot run program \"" + script + "\": error=13, EACCES (Permission denied)")
                .cause().isInstanceOf(SyscallException.class)
                .hasMessageStartingWith("execve(\"" + script + "\", [\"" + script + "\"], [");
    }

    @Test
    void pipesOfAFailedStartAreClosed() {
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").redirectInput(Redirect.PIPE)
                .redirectOutput(Redirect.PIPE).redirectError(Redirect.PIPE)
                .directory(Path.of("/nonexistent")).start())
                .isInstanceOf(SyscallException.class);
    }

    @Test
    void aChildThatMissesTheExecDeadlineIsKilledAndReaped() throws Exception {
        try (FileSyscalls.Pipe neverWritten = FileSyscalls.pipe2(false)) {
            ContainerBuilder builder = new ContainerBuilder("/bin/true").execTimeout(Duration.ofMillis(300))
                    .passFd(neverWritten.read(), 7);
            // A read nobody will ever answer: the child blocks before execve.
            builder.extraChildSteps = program -> program.step(new Step("read", "7, buf, 1"), Linux.SYS_read(), 7,
                    program.allocate(8).address(), 1);
            long start = System.nanoTime();
            assertThatThrownBy(builder::start)
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("the child (pid ")
                    .hasMessageContaining("did not reach execve within 300 ms (blocked in syscall " + Linux.SYS_read())
                    .hasMessageEndingWith("; it was killed. Run plan().describe() to see its steps");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        }
    }

    @Test
    void joiningANamespaceOfADeadProcess() throws Exception {
        long deadPid = Payloads.exitedPid();
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true")
                .join(NamespaceType.NET, NamespaceJoin.ofPid(deadPid)).start())
                .isInstanceOf(IOException.class)
                .hasMessage("cannot join the net namespace of pid " + deadPid + ": no such process (it exited?)");
    }

    @Test
    @Privileged
    void aFailingParentStepIsNamedToo() {
        // Writing a second uid_map is refused by the kernel: the parent-side failure path.
        assertThatThrownBy(() -> Launcher.writeFile(Path.of("/proc/self/uid_map"), "0 0 1\n"))
                .isInstanceOf(SyscallException.class)
                .hasMessage("write(\"/proc/self/uid_map\", \"0 0 1\") failed: EPERM (Operation not permitted):"
                        + " a map is written once, by a process with CAP_SETUID (uid_map) or CAP_SETGID (gid_map) over"
                        + " the namespace; an unprivileged user can map only its own id");
    }
}
