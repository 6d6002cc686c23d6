package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.BpfAttachFlag;
import dev.hako.syscalls.BpfAttachType;
import dev.hako.syscalls.BpfProgramType;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * bpf(2) commands with hand-encoded programs (opcode, dst | src << 4, offset, immediate,
 * little-endian). Attaching to cgroups is proven in cgroupfs, which makes the groups.
 */
class BpfSyscallsTest {
    /** r0 = 1; exit: a device program that allows everything. */
    private static final byte[] ALLOW = HexFormat.of().parseHex("b700000001000000" + "9500000000000000");
    /** exit with r0 never written: the verifier refuses it. */
    private static final byte[] UNSET_R0 = HexFormat.of().parseHex("9500000000000000");

    @Test
    @Privileged(Requirement.ROOT)
    @Timeout(30)
    void loadsAProgramAndFindsItByIdUntilItIsClosed() throws Exception {
        int id;
        try (Fd program = BpfSyscalls.progLoad(BpfProgramType.CGROUP_DEVICE, ALLOW, "GPL", "hako_test")) {
            BpfSyscalls.ProgramInfo info = BpfSyscalls.objGetInfoByFd(program);
            assertThat(info.type()).isEqualTo(Linux.BPF_PROG_TYPE_CGROUP_DEVICE());
            assertThat(info.name()).isEqualTo("hako_test");
            assertThat(info.tag()).hasSize(16).matches("[0-9a-f]+");
            id = info.id();
            assertThat(id).isPositive();
            try (Fd again = BpfSyscalls.progGetFdById(id)) {
                assertThat(BpfSyscalls.objGetInfoByFd(again)).isEqualTo(info);
            }
        }
        // Freed once the last descriptor is closed (after an RCU grace period).
        long end = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try (Fd still = BpfSyscalls.progGetFdById(id)) {
                assertThat(System.nanoTime()).as("program %d still loaded (fd %d)", id, still.value()).isLessThan(end);
            } catch (SyscallException e) {
                assertThat(e).hasMessage("bpf(BPF_PROG_GET_FD_BY_ID, id " + id + ") failed: ENOENT (No such file or"
                        + " directory): no loaded program has that id: it was released");
                break;
            }
            Thread.sleep(20);
        }
    }

    @Test
    @Privileged(Requirement.ROOT)
    void aRefusedProgramCarriesTheVerifierLog() {
        assertThatThrownBy(() -> BpfSyscalls.progLoad(BpfProgramType.CGROUP_DEVICE, UNSET_R0, "GPL", ""))
                .isInstanceOf(SyscallException.class)
                .hasMessageStartingWith("bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE, 1 instructions) failed: EACCES"
                        + " (Permission denied): the verifier refused the program; its log:\n")
                .hasMessageContaining("R0 !read_ok");
    }

    @Test
    @Privileged(Requirement.ROOT)
    void aDirectoryThatIsNoCgroupIsNoTarget() throws Exception {
        try (Fd dir = FileSyscalls.openat2(null, "/tmp", EnumSet.of(OpenFlag.READ_ONLY, OpenFlag.DIRECTORY), 0,
                Set.of())) {
            assertThatThrownBy(() -> BpfSyscalls.progQuery(dir, BpfAttachType.CGROUP_DEVICE, false))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("bpf(BPF_PROG_QUERY, target fd " + dir.value() + ", BPF_CGROUP_DEVICE) failed: EBADF"
                            + " (Bad file descriptor): the target must be an open cgroup v2 directory (cgroup BPF"
                            + " programs attach only to the unified hierarchy)");
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeTheKernel() throws Exception {
        assertThatThrownBy(() -> BpfSyscalls.progLoad(BpfProgramType.CGROUP_DEVICE, new byte[12], "GPL", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("eBPF instructions are 8 bytes each; got 12 bytes");
        assertThatThrownBy(() -> BpfSyscalls.progLoad(BpfProgramType.CGROUP_DEVICE, new byte[0], "GPL", ""))
                .hasMessage("eBPF instructions are 8 bytes each; got 0 bytes");
        assertThatThrownBy(() -> BpfSyscalls.progLoad(BpfProgramType.CGROUP_DEVICE, ALLOW, "GPL", "a-name"))
                .hasMessage("bpf program name 'a-name' has '-'; the kernel takes only letters, digits, '_' and '.'");
        assertThatThrownBy(() -> BpfSyscalls.progLoad(BpfProgramType.CGROUP_DEVICE, ALLOW, "GPL", "sixteen_chars_xx"))
                .hasMessage("bpf program name 'sixteen_chars_xx' is longer than 15 characters");
        assertThatThrownBy(() -> BpfSyscalls.progLoad(BpfProgramType.CGROUP_DEVICE, ALLOW, "G\0PL", ""))
                .hasMessage("bpf license contains a NUL byte, which C strings cannot hold: G\\0PL");
        try (Fd dir = FileSyscalls.openat2(null, "/tmp", EnumSet.of(OpenFlag.READ_ONLY, OpenFlag.DIRECTORY), 0,
                Set.of())) {
            assertThatThrownBy(() -> BpfSyscalls.progAttach(dir, dir, BpfAttachType.CGROUP_DEVICE,
                    EnumSet.of(BpfAttachFlag.ALLOW_MULTI, BpfAttachFlag.REPLACE), null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("BPF_F_REPLACE and a program to replace go together; flags"
                            + " BPF_F_ALLOW_MULTI|BPF_F_REPLACE, replace none");
        }
    }
}
