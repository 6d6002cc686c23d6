package dev.hako.syscalls.calls;

import static dev.hako.syscalls.calls.Memory.at;
import static dev.hako.syscalls.calls.Memory.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.bindings.Linux;
import dev.hako.bindings.open_how;
import dev.hako.syscalls.CloseRangeFlag;
import dev.hako.syscalls.OpenFlag;
import dev.hako.syscalls.ResolveFlag;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FileCallsTest {

    @Test
    void readWriteClose() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(16);
            assertThat(FileCalls.read(3, buffer).words()).containsExactly(3, buffer.address(), 16, 0, 0, 0);
            assertThat(FileCalls.read(3, buffer).describe()).isEqualTo("read(3, buf, 16)");
            Call text = FileCalls.write(arena, 4, "a\nb");
            assertThat(text.word(2)).isEqualTo(3);
            assertThat(at(text.word(1), 3).toArray(ValueLayout.JAVA_BYTE)).containsExactly('a', '\n', 'b');
            assertThat(text.describe()).isEqualTo("write(4, \"a\\nb\", 3)");
            assertThat(FileCalls.close(4).describe()).isEqualTo("close(4)");
            assertThat(FileCalls.dup3(10, 1, false).describe()).isEqualTo("dup3(10, 1, 0)");
            assertThat(FileCalls.dup3(10, 1, true).word(2)).isEqualTo(Linux.O_CLOEXEC());
            assertThat(FileCalls.dupCloexec(4, 512).words()).containsExactly(4, Linux.F_DUPFD_CLOEXEC(), 512, 0, 0, 0);
            assertThat(FileCalls.dupCloexec(4, 512).describe()).isEqualTo("fcntl(4, F_DUPFD_CLOEXEC, 512)");
            assertThat(FileCalls.setDescriptorFlags(4, true).words())
                    .containsExactly(4, Linux.F_SETFD(), Linux.FD_CLOEXEC(), 0, 0, 0);
            assertThat(FileCalls.setDescriptorFlags(4, false).describe()).isEqualTo("fcntl(4, F_SETFD, 0)");
            assertThat(FileCalls.setStatusFlags(4, Linux.O_NONBLOCK()).describe()).isEqualTo("fcntl(4, F_SETFL, 04000)");
        }
    }

    @Test
    void closeRangeWritesTheTopAsUnsigned() {
        Call call = FileCalls.closeRange(3, -1, EnumSet.of(CloseRangeFlag.CLOEXEC));
        assertThat(call.words()).containsExactly(3, 0xffffffffL, Linux.CLOSE_RANGE_CLOEXEC(), 0, 0, 0);
        assertThat(call.describe()).isEqualTo("close_range(3, ~0U, CLOSE_RANGE_CLOEXEC)");
        assertThat(FileCalls.closeRange(0, 9, Set.of()).describe()).isEqualTo("close_range(0, 9, 0)");
    }

    @Test
    void openatAndOpenat2() {
        try (Arena arena = Arena.ofConfined()) {
            Call openat = FileCalls.openat(arena, FileCalls.AT_FDCWD, "/dev",
                    EnumSet.of(OpenFlag.DIRECTORY, OpenFlag.PATH, OpenFlag.CLOEXEC), 0);
            assertThat(openat.word(0)).isEqualTo(Linux.AT_FDCWD());
            assertThat(string(openat.word(1))).isEqualTo("/dev");
            assertThat(openat.word(2)).isEqualTo(Linux.O_DIRECTORY() | Linux.O_PATH() | Linux.O_CLOEXEC());
            assertThat(openat.describe()).isEqualTo("openat(AT_FDCWD, \"/dev\", O_DIRECTORY|O_PATH|O_CLOEXEC)");
            assertThat(FileCalls.openat(arena, 5, "f", EnumSet.of(OpenFlag.CREATE), 0640).describe())
                    .isEqualTo("openat(5, \"f\", O_CREAT, 0640)");
            Call openat2 = FileCalls.openat2(arena, 5, "proc", EnumSet.of(OpenFlag.PATH), 0,
                    EnumSet.of(ResolveFlag.BENEATH, ResolveFlag.NO_SYMLINKS));
            assertThat(openat2.word(3)).isEqualTo(open_how.sizeof());
            MemorySegment how = at(openat2.word(2), open_how.sizeof());
            assertThat(open_how.flags(how)).isEqualTo(Linux.O_PATH());
            assertThat(open_how.mode(how)).isZero();
            assertThat(open_how.resolve(how)).isEqualTo(Linux.RESOLVE_BENEATH() | Linux.RESOLVE_NO_SYMLINKS());
            assertThat(openat2.describe()).isEqualTo("openat2(5, \"proc\", {flags=O_PATH, resolve=RESOLVE_BENEATH"
                    + "|RESOLVE_NO_SYMLINKS}, " + open_how.sizeof() + ")");
            assertThatThrownBy(() -> FileCalls.openat2(arena, 5, "a\0", Set.of(), 0, Set.of()))
                    .hasMessage("openat2 path contains a NUL byte, which C strings cannot hold: a\\0");
        }
    }

    @Test
    void directoriesAndNodes() {
        try (Arena arena = Arena.ofConfined()) {
            assertThat(FileCalls.chdir(arena, "/").describe()).isEqualTo("chdir(\"/\")");
            assertThat(FileCalls.fchdir(7).words()).containsExactly(7, 0, 0, 0, 0, 0);
            assertThat(FileCalls.umask(022).describe()).isEqualTo("umask(022)");
            Call mkdir = FileCalls.mkdirat(arena, FileCalls.AT_FDCWD, "/r/dev/pts", 0755);
            assertThat(mkdir.word(2)).isEqualTo(0755);
            assertThat(mkdir.describe()).isEqualTo("mkdirat(AT_FDCWD, \"/r/dev/pts\", 0755)");
            Call mknod = FileCalls.mknodat(arena, FileCalls.AT_FDCWD, "/r/dev/null", 0666, 0);
            assertThat(mknod.words()).startsWith(Linux.AT_FDCWD(), mknod.word(1), 0666, 0);
            assertThat(mknod.describe()).isEqualTo("mknodat(AT_FDCWD, \"/r/dev/null\", 0666, 0)");
            Call node = FileCalls.mknodat(arena, 4, "test1", Linux.S_IFCHR() | 0660, (666L & 0xff) | (10L << 8)
                    | ((666L & ~0xffL) << 12));
            assertThat(node.word(2)).isEqualTo(Linux.S_IFCHR() | 0660);
            assertThat(node.describe()).isEqualTo("mknodat(4, \"test1\", S_IFCHR|0660, makedev(0xa, 0x29a))");
            Call chmod = FileCalls.fchmodat(arena, FileCalls.AT_FDCWD, "test1", 0660);
            assertThat(chmod.words()).startsWith(Linux.AT_FDCWD(), chmod.word(1), 0660);
            assertThat(chmod.describe()).isEqualTo("fchmodat(AT_FDCWD, \"test1\", 0660)");
            Call chown = FileCalls.fchownat(arena, FileCalls.AT_FDCWD, "test1", 1000, 5);
            assertThat(chown.words()).startsWith(Linux.AT_FDCWD(), chown.word(1), 1000, 5, Linux.AT_SYMLINK_NOFOLLOW());
            assertThat(chown.describe()).isEqualTo("fchownat(AT_FDCWD, \"test1\", 1000, 5, AT_SYMLINK_NOFOLLOW)");
            Call link = FileCalls.symlinkat(arena, "/proc/self/fd", FileCalls.AT_FDCWD, "/r/dev/fd");
            assertThat(string(link.word(0))).isEqualTo("/proc/self/fd");
            assertThat(string(link.word(2))).isEqualTo("/r/dev/fd");
            assertThat(link.describe()).isEqualTo("symlinkat(\"/proc/self/fd\", AT_FDCWD, \"/r/dev/fd\")");
        }
    }
}
