package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class KernelFilesTest {

    @Test
    @Timeout(30)
    void readsSysctlFilesWhole() throws Exception {
        // Files.readString gets "4" of "40" from this file; cat reads it from offset 0.
        Process cat = new ProcessBuilder("cat", "/proc/sys/kernel/cap_last_cap").start();
        String expected = new String(cat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        cat.waitFor();
        assertThat(KernelFiles.read("/proc/sys/kernel/cap_last_cap")).isEqualTo(expected).hasSizeGreaterThan(2);
    }

    @Test
    void readsLongerFiles() throws Exception {
        assertThat(KernelFiles.read("/proc/self/status")).contains("Name:").contains("CapEff:");
    }

    @Test
    void missingFileIsASyscallException() {
        assertThatThrownBy(() -> KernelFiles.read("/proc/sys/no/such"))
                .isInstanceOf(SyscallException.class)
                .hasMessage("openat2(AT_FDCWD, \"/proc/sys/no/such\", {flags=O_RDONLY|O_CLOEXEC}, 24) failed: ENOENT (No such file or directory)");
        assertThat(KernelFiles.readStrippedOrNull("/proc/sys/no/such")).isNull();
    }
}
