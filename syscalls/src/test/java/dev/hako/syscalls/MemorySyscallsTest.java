package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.bindings.Linux;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MemorySyscallsTest {

    private static final Set<MemoryProtection> RW = EnumSet.of(MemoryProtection.READ, MemoryProtection.WRITE);

    @Test
    void twoSharedMappingsOfOneMemfdSeeEachOthersWrites() throws Exception {
        try (Fd memfd = MemorySyscalls.memfdCreate("hako-test")) {
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + memfd.value())).toString())
                    .startsWith("/memfd:hako-test");
            assertThat(Descriptors.flags(memfd.value()) & 02000000).as("O_CLOEXEC").isNotZero();
            MemorySyscalls.ftruncate(memfd, 1 << 20);
            assertThat(Files.size(Path.of("/proc/self/fd/" + memfd.value()))).isEqualTo(1 << 20);
            MemorySegment a = MemorySyscalls.mmap(0, 1 << 20, RW, EnumSet.of(MapFlag.SHARED), memfd, 0);
            MemorySegment b = MemorySyscalls.mmap(0, 1 << 20, RW, EnumSet.of(MapFlag.SHARED), memfd, 0);
            try {
                assertThat(a.address()).isNotEqualTo(b.address());
                a.set(ValueLayout.JAVA_LONG, 4096, 0x686b6fL);
                assertThat(b.get(ValueLayout.JAVA_LONG, 4096)).isEqualTo(0x686b6fL);
            } finally {
                MemorySyscalls.munmap(a);
                MemorySyscalls.munmap(b);
            }
        }
    }

    @Test
    void fixedNoReplaceMapsAtTheAddressOrRefusesAnOccupiedOne() throws Exception {
        try (Fd memfd = MemorySyscalls.memfdCreate("hako-fixed")) {
            MemorySyscalls.ftruncate(memfd, 8192);
            MemorySegment first = MemorySyscalls.mmap(0, 8192, RW, EnumSet.of(MapFlag.SHARED), memfd, 0);
            try {
                long where = first.address();
                assertThatThrownBy(() -> MemorySyscalls.mmap(where, 8192, RW,
                        EnumSet.of(MapFlag.SHARED, MapFlag.FIXED_NOREPLACE), memfd, 0))
                        .isInstanceOfSatisfying(SyscallException.class,
                                e -> assertThat(e.errno()).isEqualTo(Linux.EEXIST()))
                        .hasMessageStartingWith("mmap(0x" + Long.toHexString(where) + ", 8192, PROT_READ|PROT_WRITE,"
                                + " MAP_SHARED|MAP_FIXED_NOREPLACE, " + memfd.value() + ", 0) failed: EEXIST");
                MemorySyscalls.munmap(first);
                MemorySegment again = MemorySyscalls.mmap(where, 8192, RW,
                        EnumSet.of(MapFlag.SHARED, MapFlag.FIXED_NOREPLACE), memfd, 0);
                assertThat(again.address()).isEqualTo(where);
                MemorySyscalls.munmap(again);
            } catch (Throwable t) {
                throw t;
            }
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheRule() {
        assertThatThrownBy(() -> MemorySyscalls.mmap(0, 4096, RW, EnumSet.of(MapFlag.ANONYMOUS), null, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mmap takes exactly one of MAP_SHARED and MAP_PRIVATE, not MAP_ANONYMOUS");
        assertThatThrownBy(() -> MemorySyscalls.memfdCreate("x".repeat(250)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("a memfd name is at most 249 bytes without NUL, not \"xxx");
        assertThatThrownBy(() -> MemorySyscalls.ftruncate(Fd.adopt(100000), 1))
                .hasMessageStartingWith("ftruncate(100000, 1) failed: EBADF");
    }

    @Test
    void descriptorsSentWithRightsArriveCloseOnExecAndShareTheFile() throws Exception {
        try (FileSyscalls.Pipe sockets = StreamSyscalls.socketpair(); FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false);
             Arena arena = Arena.ofConfined()) {
            StreamSyscalls.sendRights(sockets.read(), List.of(pipe.read(), pipe.write()));
            List<Fd> received = StreamSyscalls.recvRights(sockets.write(), 4);
            try {
                assertThat(received).hasSize(2);
                assertThat(Descriptors.flags(received.get(0).value()) & 02000000).as("O_CLOEXEC").isNotZero();
                FileSyscalls.writeFully(received.get(1), new byte[] {42});
                MemorySegment buffer = arena.allocate(1);
                assertThat(FileSyscalls.read(pipe.read(), buffer)).isEqualTo(1);
                assertThat(buffer.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 42);
            } finally {
                received.forEach(Fd::close);
            }
            StreamSyscalls.sendRights(sockets.read(), List.of(pipe.read(), pipe.write(), pipe.read()));
            assertThatThrownBy(() -> StreamSyscalls.recvRights(sockets.write(), 2))
                    .hasMessage("recvmsg(" + sockets.write().value() + ", {SCM_RIGHTS, at most 2 fds}) failed: EMSGSIZE"
                            + " (Message too long): the message carried more descriptors than expected (MSG_CTRUNC)");
            sockets.read().close();
            assertThat(StreamSyscalls.recvRights(sockets.write(), 2)).as("end of stream").isEmpty();
        }
    }
}
