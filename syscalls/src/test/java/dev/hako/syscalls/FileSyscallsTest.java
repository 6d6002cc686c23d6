package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.bindings.Linux;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSyscallsTest {

    @Test
    void pipeCarriesBytes() throws Exception {
        try (FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false); Arena arena = Arena.ofConfined()) {
            FileSyscalls.writeFully(pipe.write(), "hako".getBytes(StandardCharsets.UTF_8));
            MemorySegment buffer = arena.allocate(8);
            long n = FileSyscalls.read(pipe.read(), buffer);
            assertThat(new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8))
                    .isEqualTo("hako");
        }
    }

    @Test
    void nonblockingPipeReportsEagain() throws Exception {
        try (FileSyscalls.Pipe pipe = FileSyscalls.pipe2(true); Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> FileSyscalls.read(pipe.read(), arena.allocate(1)))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("read(" + pipe.read().value() + ", buf, 1) failed: EAGAIN (Resource temporarily unavailable)");
        }
    }

    @Test
    void dup3PlacesADescriptorAtTheChosenNumber() throws Exception {
        try (FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false); Fd copy = FileSyscalls.dup3(pipe.write(), 777, false)) {
            assertThat(copy.value()).isEqualTo(777);
            assertThat(Descriptors.flags(777) & 02000000).as("no O_CLOEXEC when not asked").isZero();
        }
        assertThatThrownBy(() -> FileSyscalls.dup3(Fd.adopt(100000), 778, true))
                .hasMessage("dup3(100000, 778, O_CLOEXEC) failed: EBADF (Bad file descriptor):"
                        + " the file descriptor is not open (closed already?)");
    }

    @Test
    void rmdirRemovesAnEmptyDirectoryOnly(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        FileSyscalls.rmdir(empty.toString());
        assertThat(empty).doesNotExist();

        Path full = Files.createDirectory(dir.resolve("full"));
        Files.writeString(full.resolve("file"), "x");
        assertThatThrownBy(() -> FileSyscalls.rmdir(full.toString()))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errno()).isEqualTo(Linux.ENOTEMPTY()))
                .hasMessage("rmdir(\"" + full + "\") failed: ENOTEMPTY (Directory not empty)");
        assertThatThrownBy(() -> FileSyscalls.rmdir(empty.toString()))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errno()).isEqualTo(Linux.ENOENT()))
                .hasMessage("rmdir(\"" + empty + "\") failed: ENOENT (No such file or directory)");
        assertThatThrownBy(() -> FileSyscalls.rmdir(full.resolve("file").toString()))
                .hasMessage("rmdir(\"" + full.resolve("file") + "\") failed: ENOTDIR (Not a directory)");
        assertThatThrownBy(() -> FileSyscalls.rmdir("a\0b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rmdir path contains a NUL byte, which C strings cannot hold: a\\0b");
    }

    @Test
    void dupCloexecPicksANumberAtOrAboveTheMinimum() throws Exception {
        try (FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false); Fd copy = FileSyscalls.dupCloexec(pipe.read(), 500)) {
            assertThat(copy.value()).isGreaterThanOrEqualTo(500);
            assertThat(Descriptors.flags(copy.value()) & 02000000).isNotZero();
        }
        assertThatThrownBy(() -> FileSyscalls.dupCloexec(Fd.adopt(100001), 3))
                .hasMessage("fcntl(100001, F_DUPFD_CLOEXEC, 3) failed: EBADF (Bad file descriptor):"
                        + " the file descriptor is not open (closed already?)");
    }

    @Test
    void closeRangeMarksCloseOnExec() throws Exception {
        try (FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false); Fd copy = FileSyscalls.dup3(pipe.read(), 901, false)) {
            FileSyscalls.closeRange(900, 902, EnumSet.of(CloseRangeFlag.CLOEXEC));
            assertThat(Descriptors.flags(copy.value()) & 02000000).isNotZero();
            assertThatThrownBy(() -> FileSyscalls.closeRange(10, 5, Set.of()))
                    .hasMessage("close_range(10, 5, 0) failed: EINVAL (Invalid argument)");
        }
    }

    @Test
    void closeOfAClosedNumberFails() {
        assertThatThrownBy(() -> FileSyscalls.close(100000))
                .isInstanceOf(SyscallException.class)
                .hasMessage("close(100000) failed: EBADF (Bad file descriptor): the file descriptor is not open"
                        + " (closed already?)");
    }

    @Test
    void openat2InRootKeepsSymlinksInside(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/hostname"), "inside\n");
        Files.createSymbolicLink(root.resolve("escape"), Path.of("/etc"));
        try (Fd dir = FileSyscalls.openat2(null, root.toString(), EnumSet.of(OpenFlag.DIRECTORY, OpenFlag.PATH), 0, Set.of());
             Fd file = FileSyscalls.openat2(dir, "escape/hostname", Set.of(OpenFlag.READ_ONLY), 0,
                     EnumSet.of(ResolveFlag.IN_ROOT));
             Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(64);
            long n = FileSyscalls.read(file, buffer);
            // "/etc" in the link resolved against the root directory, not the host's /etc.
            assertThat(new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8))
                    .isEqualTo("inside\n");
            assertThatThrownBy(() -> FileSyscalls.openat2(dir, "escape/hostname", Set.of(OpenFlag.READ_ONLY), 0,
                    EnumSet.of(ResolveFlag.NO_SYMLINKS)))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("openat2(" + dir.value() + ", \"escape/hostname\", {flags=O_RDONLY|O_CLOEXEC,"
                            + " resolve=RESOLVE_NO_SYMLINKS}, 24) failed:"
                            + " ELOOP (Too many levels of symbolic links)");
        }
    }

    @Test
    void openat2RejectsNulBytes() {
        assertThatThrownBy(() -> FileSyscalls.openat2(null, "a\0b", Set.of(), 0, Set.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("openat2 path contains a NUL byte, which C strings cannot hold: a\\0b");
    }

    @Test
    void statfsTellsFileSystemsApart() throws Exception {
        assertThat(FileSyscalls.statfs("/proc").type()).isEqualTo(Linux.PROC_SUPER_MAGIC());
        assertThat(FileSyscalls.statfs("/sys").type()).isEqualTo(Linux.SYSFS_MAGIC());
        assertThatThrownBy(() -> FileSyscalls.statfs("/no/such/path"))
                .hasMessage("statfs(\"/no/such/path\") failed: ENOENT (No such file or directory)");
    }

    @Test
    void eventfdCountsAndSemaphoreModeDecrementsByOne() throws Exception {
        try (Fd counter = FileSyscalls.eventfd(0, EnumSet.of(EventFdFlag.SEMAPHORE, EventFdFlag.NONBLOCK));
             Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
            value.set(ValueLayout.JAVA_LONG, 0, 2);
            FileSyscalls.write(counter, value);
            FileSyscalls.read(counter, value);
            assertThat(value.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(1);
            FileSyscalls.read(counter, value);
            assertThatThrownBy(() -> FileSyscalls.read(counter, value))
                    .hasMessageContaining("EAGAIN");
        }
    }
}
