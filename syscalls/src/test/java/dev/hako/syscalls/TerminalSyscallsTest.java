package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.syscalls.calls.StreamCalls;
import dev.hako.syscalls.calls.TerminalCalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Ptys and unix sockets on the host's /dev/ptmx and a temp directory: no privilege needed. */
@Timeout(30)
class TerminalSyscallsTest {

    @TempDir
    Path temp;

    @Test
    void aMastersPeerCarriesBytesBothWaysAndKeepsItsWindowSize() throws Exception {
        try (Fd master = TerminalSyscalls.openMaster("/dev/ptmx");
             Fd peer = TerminalSyscalls.openPeer(master, EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.NOCTTY));
             Arena arena = Arena.ofConfined()) {
            int number = TerminalSyscalls.peerNumber(master);
            assertThat(Path.of("/proc/self/fd/" + peer.value()).toRealPath().toString())
                    .isEqualTo("/dev/pts/" + number);
            assertThat(Descriptors.flags(peer.value()) & 02000000).as("O_CLOEXEC").isNotZero();
            FileSyscalls.writeFully(master, "hi\n".getBytes(StandardCharsets.US_ASCII));
            MemorySegment buffer = arena.allocate(16);
            long read = FileSyscalls.read(peer, buffer);
            assertThat(new String(buffer.asSlice(0, read).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                    StandardCharsets.US_ASCII)).isEqualTo("hi\n");
            TerminalSyscalls.setWindowSize(master, new TerminalSyscalls.WindowSize(41, 132));
            assertThat(TerminalSyscalls.windowSize(peer)).isEqualTo(new TerminalSyscalls.WindowSize(41, 132));
        }
    }

    @Test
    void badTerminalArgumentsAreNamed() throws Exception {
        assertThatThrownBy(() -> new TerminalSyscalls.WindowSize(70000, 80))
                .hasMessage("window size 70000x80 is outside 0..65535");
        try (FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false)) {
            assertThatThrownBy(() -> TerminalSyscalls.windowSize(pipe.read()))
                    .hasMessageStartingWith("ioctl(" + pipe.read().value() + ", TIOCGWINSZ, &ws) failed: ENOTTY");
            assertThatThrownBy(() -> TerminalSyscalls.openPeer(pipe.read(), Set.of(OpenFlag.READ_WRITE)))
                    .hasMessageStartingWith("ioctl(" + pipe.read().value() + ", TIOCGPTPEER, O_RDWR|O_CLOEXEC) failed:"
                            + " ENOTTY");
        }
        assertThatThrownBy(() -> TerminalSyscalls.openMaster(temp.resolve("none").toString()))
                .hasMessageContaining("ENOENT");
    }

    @Test
    void encodersShowTheirArguments() {
        try (Arena arena = Arena.ofConfined()) {
            assertThat(TerminalCalls.setPeerLock(arena, 5, false).describe()).isEqualTo("ioctl(5, TIOCSPTLCK, [0])");
            assertThat(TerminalCalls.setControllingTerminal(0, false).describe()).isEqualTo("ioctl(0, TIOCSCTTY, 0)");
            assertThat(TerminalCalls.setWindowSize(arena, 7, 24, 80).describe())
                    .isEqualTo("ioctl(7, TIOCSWINSZ, {ws_row=24, ws_col=80})");
            assertThat(StreamCalls.sendRights(arena, 9, "/dev/ptmx".getBytes(StandardCharsets.UTF_8), 0).describe())
                    .isEqualTo("sendmsg(9, {msg_iov=[\"/dev/ptmx\"], msg_control=[{SOL_SOCKET, SCM_RIGHTS, [0]}]}, 0)");
            assertThat(StreamCalls.connect(arena, 3, "/run/x.sock").describe())
                    .isEqualTo("connect(3, {sa_family=AF_UNIX, sun_path=\"/run/x.sock\"}, 110)");
            assertThatThrownBy(() -> StreamCalls.connect(arena, 3, "/" + "x".repeat(107)))
                    .hasMessage("unix socket path must be 1 to 107 bytes (sun_path), got 108: \"/" + "x".repeat(107)
                            + "\"");
            assertThatThrownBy(() -> StreamCalls.sendRights(arena, 3, new byte[0], 1))
                    .hasMessage("SCM_RIGHTS needs at least one byte of data on a stream socket");
        }
    }

    @Test
    void aListeningSocketAcceptsAConnectionThatCarriesDataAndDescriptors() throws Exception {
        String path = temp.resolve("console.sock").toString();
        try (Fd listening = StreamSyscalls.listen(path, 1); Fd client = StreamSyscalls.connect(path);
             Fd server = StreamSyscalls.accept(listening); FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false)) {
            StreamSyscalls.sendRights(client, "/dev/ptmx".getBytes(StandardCharsets.UTF_8), List.of(pipe.write()));
            StreamSyscalls.Message message = StreamSyscalls.receive(server, 4096, 1);
            try {
                assertThat(new String(message.data(), StandardCharsets.UTF_8)).isEqualTo("/dev/ptmx");
                assertThat(message.fds()).hasSize(1);
                assertThat(Descriptors.flags(message.fds().getFirst().value()) & 02000000).as("O_CLOEXEC").isNotZero();
            } finally {
                message.fds().forEach(Fd::close);
            }
            client.close();
            assertThat(StreamSyscalls.receive(server, 16, 1).data()).as("end of stream").isEmpty();
        } finally {
            Files.deleteIfExists(Path.of(path));
        }
        assertThatThrownBy(() -> StreamSyscalls.connect(path)).hasMessageContaining("ENOENT");
    }
}
