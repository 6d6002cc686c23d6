package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FdTest {

    @Test
    void closingTwiceIsHarmlessAndReallyCloses() throws Exception {
        FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false);
        int number = pipe.read().value();
        pipe.read().close();
        pipe.read().close();
        assertThat(Files.exists(Path.of("/proc/self/fd/" + number))).isFalse();
        pipe.write().close();
    }

    @Test
    void useAfterCloseThrows() throws Exception {
        Fd fd = FileSyscalls.eventfd(0, java.util.Set.of());
        fd.close();
        assertThat(fd.isOpen()).isFalse();
        assertThat(fd).hasToString("Fd[closed]");
        assertThatThrownBy(fd::value).isInstanceOf(IllegalStateException.class)
                .hasMessage("file descriptor used after close");
    }

    @Test
    void releaseHandsOverTheNumberWithoutClosing() throws Exception {
        Fd fd = FileSyscalls.eventfd(0, java.util.Set.of());
        int number = fd.release();
        assertThat(Files.exists(Path.of("/proc/self/fd/" + number))).isTrue();
        FileSyscalls.close(number);
        assertThatThrownBy(fd::release).hasMessage("file descriptor used after close");
    }

    @Test
    void adoptRejectsNegativeNumbers() {
        assertThatThrownBy(() -> Fd.adopt(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a file descriptor: -1");
    }

    @Test
    void descriptorsAreCloseOnExec() throws Exception {
        try (FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false); Fd event = FileSyscalls.eventfd(0, java.util.Set.of())) {
            for (Fd fd : new Fd[] {pipe.read(), pipe.write(), event}) {
                assertThat(Descriptors.flags(fd.value()) & 02000000).as("O_CLOEXEC on %s", fd).isNotZero();
            }
        }
    }
}
