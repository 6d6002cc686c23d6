package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.ChildStatus;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.ProcessSyscalls;
import dev.hako.syscalls.Signal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.hako.testing.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The java.lang.Process contract, through pidfds. */
@Timeout(60)
@Tag(Tags.GUEST)
class ContainerProcessTest {

    @Test
    void exitCodeAndStatus() throws Exception {
        try (ContainerProcess p = new ContainerBuilder("/bin/sh", "-c", "exit 3").start()) {
            assertThat(p.waitFor()).isEqualTo(3);
            assertThat(p.exitValue()).isEqualTo(3);
            assertThat(p.exitStatus()).get().extracting(ChildStatus::kind).isEqualTo(ChildStatus.Kind.EXITED);
            assertThat(p.exitSignal()).isEmpty();
            assertThat(p.isAlive()).isFalse();
        }
    }

    @Test
    void destroyTerminatesAndDestroyForciblyKills() throws Exception {
        try (ContainerProcess p = new ContainerBuilder("/bin/sleep", "60").start()) {
            assertThat(p.isAlive()).isTrue();
            assertThatThrownBy(p::exitValue).isInstanceOf(IllegalThreadStateException.class)
                    .hasMessage("process " + p.pid() + " has not exited");
            assertThat(p.waitFor(50, TimeUnit.MILLISECONDS)).isFalse();
            p.destroy();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(128 + Linux.SIGTERM());
            assertThat(p.exitSignal()).contains(Signal.SIGTERM);
        }
        try (ContainerProcess p = new ContainerBuilder("/bin/sleep", "60").start()) {
            p.destroyForcibly();
            assertThat(p.onExit().get(20, TimeUnit.SECONDS)).isSameAs(p);
            assertThat(p.exitValue()).isEqualTo(137);
            assertThat(p.exitSignal()).contains(Signal.SIGKILL);
        }
    }

    @Test
    void signallingAReapedProcessReachesNobody() throws Exception {
        try (ContainerProcess p = new ContainerBuilder("/bin/true").start()) {
            p.onExit().get(20, TimeUnit.SECONDS);
            // The pid may already belong to someone else; the closed pidfd guarantees we never signal it.
            assertThat(p.pidfdForReaper().isOpen()).isFalse();
            assertThat(p.signal(Linux.SIGKILL())).isFalse();
            p.destroyForcibly();
            assertThatThrownBy(p::pidfd).isInstanceOf(IllegalStateException.class)
                    .hasMessage("process " + p.pid() + " has exited and been reaped; its pidfd is closed");
        }
    }

    @Test
    void pidfdHandsOutACopyThatOutlivesTheReapersDescriptor() throws Exception {
        try (ContainerProcess p = new ContainerBuilder("/bin/sleep", "60").start(); Fd mine = p.pidfd()) {
            int reapers = p.pidfdForReaper().value();
            assertThat(mine.value()).isNotEqualTo(reapers);
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + mine.value()))).hasToString("anon_inode:[pidfd]");
            assertThat(pidLine(mine)).isEqualTo("Pid:\t" + p.pid());
            ProcessSyscalls.pidfdSendSignal(mine, Linux.SIGKILL());
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.pidfdForReaper().isOpen()).isFalse();

            // The reaper closed its descriptor: new files may take that number, never the caller's.
            try (FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false)) {
                assertThat(List.of(pipe.read().value(), pipe.write().value())).doesNotContain(mine.value());
                assertThat(mine.isOpen()).isTrue();
                assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + mine.value())))
                        .hasToString("anon_inode:[pidfd]");
                // Still this (reaped) process: a signal reaches nobody, not the pipe nor a new process.
                assertThat(pidLine(mine)).isEqualTo("Pid:\t-1");
                assertThatThrownBy(() -> ProcessSyscalls.pidfdSendSignal(mine, Linux.SIGKILL()))
                        .hasMessage("pidfd_send_signal(" + mine.value() + ", SIGKILL) failed: ESRCH (No such process): the process has already exited");
            }
        }
    }

    /** The "Pid:" line of a pidfd's fdinfo: the pid, or -1 once the process has been reaped. */
    private static String pidLine(Fd pidfd) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/fdinfo/" + pidfd.value())).stream()
                .filter(line -> line.startsWith("Pid:")).findFirst().orElseThrow();
    }

    @Test
    void handleAndPidAgree() throws Exception {
        try (ContainerProcess p = new ContainerBuilder("/bin/sleep", "60").start()) {
            assertThat(p.toHandle().pid()).isEqualTo(p.pid());
            assertThat(p.toHandle().isAlive()).isTrue();
            assertThat(p.supportsNormalTermination()).isTrue();
            assertThat(p.spec().command()).containsExactly("/bin/sleep", "60");
            assertThat(p).hasToString("ContainerProcess[pid=" + p.pid() + ", running]");
        }
    }

    @Test
    void closeKillsAndReaps() throws Exception {
        ContainerProcess p = new ContainerBuilder("/bin/sleep", "60").start();
        p.close();
        assertThat(p.isAlive()).isFalse();
        assertThat(Payloads.zombieChildren()).isEmpty();
    }

    @Test
    void manyProcessesShareOneReaper() throws Exception {
        ContainerProcess[] processes = new ContainerProcess[50];
        for (int i = 0; i < processes.length; i++) {
            processes[i] = new ContainerBuilder("/bin/sh", "-c", "exit " + (i % 7)).start();
        }
        for (int i = 0; i < processes.length; i++) {
            try (ContainerProcess p = processes[i]) {
                assertThat(p.waitFor()).isEqualTo(i % 7);
            }
        }
        long reapers = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("hako-reaper")).count();
        assertThat(reapers).isEqualTo(1);
    }
}
