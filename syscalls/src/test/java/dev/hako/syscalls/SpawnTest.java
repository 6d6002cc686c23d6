package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** posix_spawn through {@link Spawn}: what the child gets, checked from inside it by a shell. */
class SpawnTest {

    @Test
    @Timeout(30)
    void theChildGetsItsEnvironmentItsDescriptorsAndDefaultSignalsAndNothingElse() throws Exception {
        // A descriptor the child must not inherit: open across exec, far from the placed ones.
        try (FileSyscalls.Pipe out = FileSyscalls.pipe2(false); FileSyscalls.Pipe stray = FileSyscalls.pipe2(false);
             Fd inheritable = FileSyscalls.dup3(stray.read(), 700, false)) {
            String script = "echo \"$GREETING\"; echo \"home ${HOME-unset}\"; read -r line; echo \"stdin [$line]\";"
                    + " for n in 3 700; do test -e /proc/$$/fd/$n && echo \"fd $n open\" || echo \"fd $n closed\"; done;"
                    + " echo \"fd 3 is $(readlink /proc/$$/fd/3)\";"
                    // Builtins only: dash blocks every signal around each fork it makes, so a
                    // grep reading the shell's status could see that mask instead of its own.
                    + " while read -r key value; do case $key in SigBlk:|SigIgn:) echo \"$key $value\";; esac;"
                    + " done < /proc/$$/status";
            int pid = Spawn.spawn(List.of("/bin/sh", "-c", script), List.of("GREETING=hello"),
                    Map.of(1, out.write(), 3, out.write()), Set.of(0));
            out.write().close();
            String output = readAll(out.read());
            ChildStatus status = ProcessSyscalls.waitidPid(pid, EnumSet.of(WaitOption.EXITED)).orElseThrow();
            assertThat(status.shellStatus()).isZero();
            String pipe = Files.readSymbolicLink(Path.of("/proc/self/fd/" + out.read().value())).toString();
            assertThat(output).isEqualTo("hello\nhome unset\nstdin []\nfd 3 open\nfd 700 closed\n"
                    + "fd 3 is " + pipe + "\n"
                    + "SigBlk: 0000000000000000\nSigIgn: 0000000000000000\n");
            assertThat(inheritable.value()).isEqualTo(700);
        }
    }

    @Test
    @Timeout(30)
    void aMissingProgramFailsWithTheErrorOfItsExecve() {
        assertThatThrownBy(() -> Spawn.spawn(List.of("/nonexistent/program"), List.of(), Map.of(), Set.of()))
                .isInstanceOf(SyscallException.class)
                .hasMessage("posix_spawn(/nonexistent/program) failed: ENOENT (No such file or directory)");
    }

    @Test
    void aRelativeProgramIsRefused() {
        assertThatThrownBy(() -> Spawn.spawn(List.of("sh"), List.of(), Map.of(), Set.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("argv must start with an absolute path: [sh]");
    }

    @Test
    void anEnvironmentVariableWithANulByteIsRefused() {
        assertThatThrownBy(() -> Spawn.spawn(List.of("/bin/true"), List.of("A=b\0c"), Map.of(), Set.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("environment variable contains a NUL byte, which C strings cannot hold: A=b\\0c");
    }

    private static String readAll(Fd fd) throws SyscallException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            for (long n; (n = FileSyscalls.read(fd, buffer)) > 0; ) {
                bytes.write(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, (int) n);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
