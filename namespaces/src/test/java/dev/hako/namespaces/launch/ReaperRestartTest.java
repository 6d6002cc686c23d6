package dev.hako.namespaces.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.testing.Privileged;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The reaper thread survives an epoll failure: the processes it watched fail instead of hanging. */
@Privileged
@Timeout(60)
class ReaperRestartTest {

    private static int epollNumber() {
        return Reaper.INSTANCE.epollNumberForTests();
    }

    @Test
    void anEpollFailureFailsTheWatchedProcessesAndANewThreadTakesOver() throws Exception {
        long restarts = Reaper.INSTANCE.restarts();
        ContainerProcess sleeper = new ContainerBuilder("/bin/sleep", "60").start();
        // A supervised one too: its PID 1 is watched as well, and all three of its processes must go.
        ContainerProcess supervised = new ContainerBuilder("/bin/sleep", "60")
                .namespaces(dev.hako.syscalls.NamespaceType.PID).init(true).start();
        java.util.List<Long> theirs = new java.util.ArrayList<>(java.util.List.of(supervised.pid(),
                supervised.initPid().orElseThrow()));
        for (String child : java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + supervised.pid() + "/task/"
                + supervised.pid() + "/children")).trim().split(" ")) {
            theirs.add(Long.parseLong(child));
        }
        assertThat(theirs).hasSize(3);
        try (ContainerProcess waker = new ContainerBuilder("/bin/sleep", "1").start()) {
            Reaper.INSTANCE.breakEpollForTests();
            // The waker's exit ends the current epoll_wait; the next one fails (EINVAL).
            assertThat(waker.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(waker.exitValue()).isZero();
            assertThatThrownBy(() -> sleeper.onExitStatus().get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .hasMessageStartingWith("the reaper's epoll_wait failed (epoll_wait(")
                    .hasMessageEndingWith("); every watched process was killed");
            assertThat(sleeper.isAlive()).isFalse();
            assertThatThrownBy(() -> supervised.onExitStatus().get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .hasMessageEndingWith("); every watched process was killed");
            assertThat(theirs).allSatisfy(pid -> assertThat(java.nio.file.Path.of("/proc/" + pid)).doesNotExist());
        } finally {
            assertThatThrownBy(supervised::close).cause().hasMessageEndingWith("every watched process was killed");
            // close() waits for the exit status, and reports the failure once more.
            assertThatThrownBy(sleeper::close).cause().hasMessage("the reaper's epoll_wait failed (epoll_wait("
                    + epollNumber() + ") failed: EINVAL (Invalid argument)); every watched process was killed");
        }
        assertThat(Reaper.INSTANCE.restarts()).isEqualTo(restarts + 1);
        try (ContainerProcess after = new ContainerBuilder("/bin/sh", "-c", "exit 4").start()) {
            assertThat(after.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(after.exitValue()).isEqualTo(4);
        }
    }
}
