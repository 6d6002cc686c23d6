package dev.hako.bindings;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The generated tables against facts of each architecture and the numbers the bindings already use. */
class SyscallTableTest {

    @Test
    void eachArchitectureHasItsOwnNumbers() {
        SyscallTable x86 = SyscallTable.of(Arch.X86_64);
        SyscallTable arm = SyscallTable.of(Arch.AARCH64);
        assertThat(x86.number("read")).hasValue(0);
        assertThat(arm.number("read")).hasValue(63);
        assertThat(x86.number("mount")).hasValue(165);
        assertThat(arm.number("mount")).hasValue(40);
        assertThat(x86.number("clone3")).hasValue(435);
        assertThat(arm.number("clone3")).hasValue(435);
        assertThat(x86.number("open")).isPresent();
        assertThat(arm.number("open")).isEmpty();
        assertThat(arm.number("syscalls")).as("__NR_syscalls is a count, not a call").isEmpty();
        assertThat(x86.auditArch()).isEqualTo(Linux.AUDIT_ARCH_X86_64());
        assertThat(arm.auditArch()).isEqualTo(Linux.AUDIT_ARCH_AARCH64());
        assertThat(x86.name(59)).hasValue("execve");
        assertThat(x86.byNumber()).hasSizeGreaterThan(350);
        assertThat(arm.byNumber()).hasSizeGreaterThan(300);
    }

    @Test
    void theCurrentTableAgreesWithTheBindingsNumbers() {
        SyscallTable table = SyscallTable.current();
        assertThat(table.number("clone3")).hasValue(Linux.SYS_clone3());
        assertThat(table.number("seccomp")).hasValue(Linux.SYS_seccomp());
        assertThat(table.number("unshare")).hasValue(Linux.SYS_unshare());
        assertThat(table.number("pivot_root")).hasValue(Linux.SYS_pivot_root());
        assertThat(table.source()).isEqualTo("<asm/unistd.h> of the Linux UAPI headers");
    }
}
