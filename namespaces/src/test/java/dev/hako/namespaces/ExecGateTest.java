package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.OpenFlag;
import dev.hako.testing.Tags;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ContainerBuilder#execGate(int)}: start() returns with the child waiting before execve. */
@Timeout(60)
@Tag(Tags.GUEST)
class ExecGateTest {

    /** A pipe reopened read-write: its reader (the child) never sees end of file. */
    static Fd gate() throws Exception {
        try (FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false)) {
            return FileSyscalls.openat2(null, "/proc/self/fd/" + pipe.read().value(),
                    EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.CLOEXEC), 0, Set.of());
        }
    }

    @Test
    void theChildWaitsBeforeExecveUntilAnotherProcessWritesTheGate() throws Exception {
        Path java = Path.of("/proc/self/exe").toRealPath();
        try (Fd gate = gate();
             ContainerProcess p = new ContainerBuilder("/bin/sh", "-c",
                     "echo ran; readlink /proc/$$/fd/3 2>/dev/null || echo gate closed")
                     .passFd(gate, 3).execGate(3).redirectOutput(Redirect.PIPE).start()) {
            // Still this JVM's copy, before execve, however long we look.
            assertThat(Path.of("/proc/" + p.pid() + "/exe").toRealPath()).isEqualTo(java);
            assertThat(p.isAlive()).isTrue();
            // Released the way hako-oci's start does it: through /proc, from outside.
            try (Fd writer = FileSyscalls.openat2(null, "/proc/" + p.pid() + "/fd/3",
                    EnumSet.of(OpenFlag.WRITE_ONLY, OpenFlag.NONBLOCK, OpenFlag.CLOEXEC), 0, Set.of())) {
                FileSyscalls.writeFully(writer, new byte[] {'1'});
            }
            assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("ran\ngate closed\n");
            assertThat(p.waitFor()).isZero();
        }
    }

    @Test
    void aGatedChildOfTheLaunchServerRunsItsOwnStepsAfterAnotherStartReusedItsChunk() throws Exception {
        // start() returns with the child still to run its gate and execve rows; the chunk its
        // program was written to is free again, and the next start writes its own there.
        try (Fd gate = gate();
             ContainerProcess gated = new ContainerBuilder("/bin/sh", "-c", "echo gated ran")
                     .launcher(Launchers.server()).passFd(gate, 3).execGate(3).redirectOutput(Redirect.PIPE)
                     .start()) {
            try (ContainerProcess next = new ContainerBuilder("/bin/echo", "the next start")
                    .launcher(Launchers.server()).redirectOutput(Redirect.PIPE).start()) {
                assertThat(new String(next.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("the next start\n");
                assertThat(next.waitFor()).isZero();
            }
            FileSyscalls.writeFully(gate, new byte[] {'1'});
            assertThat(new String(gated.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("gated ran\n");
            assertThat(gated.waitFor()).isZero();
        }
    }

    @Test
    void endOfFileAtTheGateEndsTheChildWithStatus127() throws Exception {
        try (Fd empty = FileSyscalls.openat2(null, "/dev/null", EnumSet.of(OpenFlag.READ_ONLY, OpenFlag.CLOEXEC), 0,
                Set.of());
             ContainerProcess p = new ContainerBuilder("/bin/true").passFd(empty, 3).execGate(3).start()) {
            assertThat(p.waitFor()).isEqualTo(127);
        }
    }

    @Test
    void thePlanShowsTheWait() throws Exception {
        try (Fd gate = gate()) {
            String plan = new ContainerBuilder("/bin/true").passFd(gate, 3).execGate(3).plan().describe();
            assertThat(plan).contains("close(<report pipe>)  (start() returns; the child waits at the gate)")
                    .contains("read(3, buf, 1) = 1  (released by a write to the gate)").contains("close(3)");
            assertThat(plan.indexOf("read(3, buf, 1)")).isLessThan(plan.indexOf("execve("));
        }
    }

    @Test
    void aGateMustBeAPassedDescriptorOfAnUnsupervisedStart() throws Exception {
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").execGate(1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("exec gate fd 1 is standard input, output or error; pass a descriptor at 3 or above with"
                        + " passFd");
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").execGate(4).plan())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("exec gate fd 4 is not passed to the child; pass it with passFd(fd, 4)");
        try (Fd gate = gate()) {
            assertThatThrownBy(() -> new ContainerBuilder("/bin/true").passFd(gate, 3).execGate(3)
                    .namespaces(NamespaceType.PID).init(true).plan())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("an exec gate cannot be combined with a supervised start (init or time offsets):"
                            + " start() returns the supervisor, not the command");
            assertThatThrownBy(() -> new ContainerBuilder("/bin/true").passFd(gate, 3).execGate(3)
                    .timeOffsets(java.time.Duration.ZERO, java.time.Duration.ZERO).plan())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("an exec gate cannot be combined with a supervised start");
            // A joined pid namespace hands the command over: the gate is the command's own (PidJoinTest).
            assertThat(new ContainerBuilder("/bin/true").passFd(gate, 3).execGate(3)
                    .join(NamespaceType.PID, NamespaceJoin.ofPid(ProcessHandle.current().pid())).plan().describe())
                    .contains("(start() returns; the child waits at the gate)");
        }
    }
}
