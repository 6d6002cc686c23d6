package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class EventSyscallsTest {

    @Test
    @Timeout(10)
    void epollReportsAReadablePipeWithItsData() throws Exception {
        try (Fd epoll = EventSyscalls.epollCreate1(); FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false);
             Arena arena = Arena.ofConfined()) {
            EventSyscalls.epollCtl(epoll, EventSyscalls.EpollOp.ADD, pipe.read(), EnumSet.of(EpollEvent.IN), 42L);
            MemorySegment events = EventSyscalls.allocateEvents(arena, 4);
            assertThat(EventSyscalls.epollWait(epoll, events, Duration.ofMillis(10))).isZero();
            FileSyscalls.writeFully(pipe.write(), new byte[] {1});
            assertThat(EventSyscalls.epollWait(epoll, events, Duration.ofSeconds(5))).isEqualTo(1);
            assertThat(EventSyscalls.eventData(events, 0)).isEqualTo(42L);
            assertThat(EventSyscalls.eventBits(events, 0)).containsExactly(EpollEvent.IN);
            EventSyscalls.epollCtl(epoll, EventSyscalls.EpollOp.DELETE, pipe.read(), Set.of(), 0);
            assertThatThrownBy(() -> EventSyscalls.epollCtl(epoll, EventSyscalls.EpollOp.DELETE, pipe.read(), Set.of(), 0))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("epoll_ctl(" + epoll.value() + ", EPOLL_CTL_DEL, " + pipe.read().value()
                            + ", 0) failed: ENOENT (No such file or directory)");
        }
    }

    @Test
    @Timeout(10)
    void pollTimesOutThenSeesData() throws Exception {
        try (FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false)) {
            assertThat(EventSyscalls.poll(pipe.read(), EnumSet.of(PollEvent.IN), Duration.ofMillis(20))).isEmpty();
            FileSyscalls.writeFully(pipe.write(), new byte[] {1});
            assertThat(EventSyscalls.poll(pipe.read(), EnumSet.of(PollEvent.IN), Duration.ofSeconds(5)))
                    .containsExactly(PollEvent.IN);
            pipe.write().close();
            assertThat(EventSyscalls.poll(pipe.read(), EnumSet.of(PollEvent.IN), Duration.ofSeconds(5)))
                    .contains(PollEvent.IN, PollEvent.HUP);
        }
    }

    @Test
    @Timeout(10)
    void inotifySeesAModification(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("memory.events");
        Files.writeString(file, "oom 0\n");
        try (Fd inotify = EventSyscalls.inotifyInit1(true)) {
            int watch = EventSyscalls.inotifyAddWatch(inotify, file.toString(), EnumSet.of(InotifyEvent.MODIFY));
            assertThat(EventSyscalls.poll(inotify, EnumSet.of(PollEvent.IN), Duration.ofMillis(10))).isEmpty();
            Files.writeString(file, "oom 1\n");
            assertThat(EventSyscalls.poll(inotify, EnumSet.of(PollEvent.IN), Duration.ofSeconds(5)))
                    .containsExactly(PollEvent.IN);
            EventSyscalls.inotifyRmWatch(inotify, watch);
            assertThatThrownBy(() -> EventSyscalls.inotifyAddWatch(inotify, dir.resolve("missing").toString(),
                    EnumSet.of(InotifyEvent.MODIFY)))
                    .hasMessage("inotify_add_watch(\"" + dir.resolve("missing") + "\", IN_MODIFY) failed: ENOENT"
                            + " (No such file or directory)");
        }
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo("oom 1\n");
    }
}
