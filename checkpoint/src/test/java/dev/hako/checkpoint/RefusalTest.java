package dev.hako.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Redirect;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What phase 1 cannot dump is refused with a message naming task and reason; the container runs on. */
@Timeout(120)
@Privileged({Requirement.ROOT, Requirement.FREEZER})
class RefusalTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "thread | has 2 threads (thread | ); only single-threaded tasks can be checkpointed",
        "socket | fd 3 is socket:[ | sockets cannot be checkpointed yet",
        "tty    | fd 3 is /dev/ptmx | a terminal; ttys other than /dev/null cannot be checkpointed yet",
        "shared | has a shared anonymous mapping at 0x | (/dev/zero (deleted)); only private mappings can be checkpointed",
        "eventfd | fd 3 is anon_inode:[eventfd] | [eventfd] descriptors (eventfd, timerfd, signalfd, inotify, epoll...)"
            + " cannot be checkpointed yet",
        "seccomp | runs under seccomp (mode 2) | ; seccomp filters cannot be checkpointed yet",
        "timer | has 1 POSIX timer(s) made by timer_create | ; POSIX timers cannot be checkpointed yet"})
    void refusesBeforeStoppingAnythingAndTheContainerRunsOn(String mode, String what, String why) throws Exception {
        Path program = Fixtures.checksumProgram();
        try (Fixtures fixtures = new Fixtures()) {
            Path out = fixtures.work.resolve("out");
            try (ContainerProcess process = fixtures.container(program.toString(), mode, "100000")
                    .redirectOutput(Redirect.to(out)).start()) {
                Fixtures.awaitLines(out, 2, Duration.ofSeconds(30));
                Path image = fixtures.work.resolve("image");
                assertThatThrownBy(() -> Checkpoint.of(process).dump(image))
                        .isInstanceOf(IOException.class)
                        .hasMessageStartingWith("cannot checkpoint: task " + process.pid() + " (checksum) ")
                        .hasMessageContaining(what.strip())
                        .hasMessageEndingWith(why.strip());
                try (var files = Files.list(image)) {
                    assertThat(files).isEmpty();
                }
                int before = Fixtures.complete(out).size();
                Fixtures.awaitLines(out, before + 2, Duration.ofSeconds(30));
                assertThat(process.isAlive()).isTrue();
                assertThat(Files.readString(Path.of("/proc/" + process.pid() + "/status")))
                        .doesNotContainPattern("TracerPid:\\s+[1-9]");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aFileOutsideTheContainersRootIsRefusedAndTheContainerRunsOn() throws Exception {
        try (Fixtures fixtures = new Fixtures()) {
            Path rootfs = fixtures.busyboxRootfs();
            Path state = Files.createDirectories(fixtures.work.resolve("state"));
            Path hostFile = fixtures.work.resolve("host-only.out");
            try (ContainerProcess process = fixtures.shellContainer(rootfs, state, TreeRestoreTest.LOOP)
                    .redirectOutput(Redirect.to(hostFile)).start()) {
                Fixtures.awaitLines(state.resolve("log"), 2, Duration.ofSeconds(30));
                Path image = fixtures.work.resolve("image");
                assertThatThrownBy(() -> Checkpoint.of(process).dump(image))
                        .isInstanceOf(IOException.class)
                        .hasMessage("cannot checkpoint: task " + process.pid() + " (busybox) fd 1 is " + hostFile
                                + ": it cannot be reached from the task's root, so a restore could not reopen it");
                int before = Fixtures.complete(state.resolve("log")).size();
                Fixtures.awaitLines(state.resolve("log"), before + 2, Duration.ofSeconds(30));
                assertThat(process.isAlive()).isTrue();
            }
        }
    }
}
