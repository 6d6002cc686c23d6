package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.syscalls.ChildStatus;
import dev.hako.syscalls.ProcessSyscalls;
import dev.hako.syscalls.WaitOption;
import dev.hako.testing.Tags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ContainerBuilder#reap(boolean)}: the end is observed, the zombie left for an heir. */
@Timeout(60)
@Tag(Tags.GUEST)
class ReapOptionTest {

    private static String state(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[0];
    }

    @Test
    void aProcessNotReapedHereIsObservedAndStaysAZombie() throws Exception {
        try (ContainerProcess p = new ContainerBuilder("/bin/sh", "-c", "exit 5").reap(false).start()) {
            assertThat(p.waitFor()).isEqualTo(5);
            assertThat(p.isAlive()).isFalse();
            assertThat(state(p.pid())).isEqualTo("Z");
            // The heir's part, done here so that the test leaves no zombie behind.
            Optional<ChildStatus> status = ProcessSyscalls.waitidPid((int) p.pid(), EnumSet.of(WaitOption.EXITED));
            assertThat(status).map(ChildStatus::status).contains(5);
            assertThat(Path.of("/proc/" + p.pid())).doesNotExist();
        }
    }

    @Test
    void byDefaultTheProcessIsReapedHere() throws Exception {
        try (ContainerProcess p = new ContainerBuilder("/bin/sh", "-c", "exit 6").start()) {
            assertThat(p.waitFor()).isEqualTo(6);
            assertThat(Path.of("/proc/" + p.pid())).doesNotExist();
        }
    }
}
