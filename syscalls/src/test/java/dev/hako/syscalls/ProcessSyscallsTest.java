package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.bindings.Linux;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ProcessSyscallsTest {

    @Test
    void getpidIsTheJvmsPid() {
        assertThat(ProcessSyscalls.getpid()).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    @Timeout(10)
    void gettidDiffersPerThread() throws InterruptedException {
        AtomicInteger other = new AtomicInteger();
        Thread thread = Thread.ofPlatform().start(() -> other.set(ProcessSyscalls.gettid()));
        thread.join();
        assertThat(other.get()).isPositive().isNotEqualTo(ProcessSyscalls.gettid());
    }

    @Test
    void pidfdOpenOfANonexistentPidFails() {
        assertThatThrownBy(() -> ProcessSyscalls.pidfdOpen(-1, false))
                .isInstanceOf(SyscallException.class)
                .hasMessage("pidfd_open(-1, 0) failed: EINVAL (Invalid argument)");
    }

    @Test
    @Timeout(30)
    void signalThroughPidfdAndNeverAfterReap() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try (Fd pidfd = ProcessSyscalls.pidfdOpen((int) sleeper.pid(), false)) {
            ProcessSyscalls.pidfdSendSignal(pidfd, Linux.SIGKILL());
            assertThat(sleeper.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(sleeper.exitValue()).isEqualTo(128 + Linux.SIGKILL());
            // The pid is reaped and may be recycled; the pidfd still names the dead process.
            assertThatThrownBy(() -> ProcessSyscalls.pidfdSendSignal(pidfd, Linux.SIGTERM()))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("pidfd_send_signal(" + pidfd.value() + ", SIGTERM) failed: ESRCH (No such process):"
                            + " the process has already exited");
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void pidfdGetfdCopiesADescriptorOfAProcess() throws Exception {
        try (Fd self = ProcessSyscalls.pidfdOpen(ProcessSyscalls.getpid(), false);
             FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false);
             Fd copy = ProcessSyscalls.pidfdGetfd(self, pipe.write().value());
             Arena arena = Arena.ofConfined()) {
            assertThat(copy.value()).isNotEqualTo(pipe.write().value());
            FileSyscalls.writeFully(copy, "via copy".getBytes(StandardCharsets.UTF_8));
            MemorySegment buffer = arena.allocate(16);
            long n = FileSyscalls.read(pipe.read(), buffer);
            assertThat(new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8))
                    .isEqualTo("via copy");
            assertThatThrownBy(() -> ProcessSyscalls.pidfdGetfd(self, 100000).close())
                    .hasMessage("pidfd_getfd(" + self.value() + ", 100000) failed: EBADF (Bad file descriptor):"
                            + " the file descriptor is not open (closed already?)");
        }
    }

    @Test
    void waitidForSomeoneElsesProcessFails() {
        assertThatThrownBy(() -> ProcessSyscalls.waitidPid(1, EnumSet.of(WaitOption.EXITED, WaitOption.NOHANG)))
                .isInstanceOf(SyscallException.class)
                .hasMessage("waitid(P_PID, 1, &info, WEXITED|WNOHANG, NULL) failed: ECHILD (No child processes)");
    }

    @Test
    void waitidNeedsAnOption() {
        assertThatThrownBy(() -> ProcessSyscalls.waitidPid(1, Set.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("waitid options must name at least one of EXITED, STOPPED, CONTINUED");
    }

    @Test
    void childStatusReadsLikeAShell() {
        assertThat(new ChildStatus(5, 0, ChildStatus.Kind.KILLED, Linux.SIGKILL()))
                .hasToString("pid 5 killed by SIGKILL")
                .extracting(ChildStatus::shellStatus).isEqualTo(137);
        assertThat(new ChildStatus(5, 0, ChildStatus.Kind.EXITED, 3).shellStatus()).isEqualTo(3);
        assertThat(Signal.name(Linux.SIGTERM())).isEqualTo("SIGTERM");
        assertThat(Signal.name(40)).isEqualTo("SIGRTMIN+6");
    }
}
