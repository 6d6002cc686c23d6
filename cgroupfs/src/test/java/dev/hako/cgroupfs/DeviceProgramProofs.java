package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.BpfSyscalls;
import dev.hako.syscalls.BpfAttachFlag;
import dev.hako.syscalls.BpfAttachType;
import dev.hako.syscalls.BpfSyscalls.Attached;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.SyscallException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The v2 mechanism: the program is attached (BPF_PROG_QUERY shows it, and only on the
 * group), a new apply replaces it, and removing the group frees it.
 */
abstract class DeviceProgramProofs extends DeviceRulesProofs {

    static Path directory(Cgroup group) {
        return group.unifiedDirectory().orElseThrow();
    }

    static int onlyProgram(Cgroup group) throws Exception {
        Attached attached = DeviceFilters.attached(directory(group));
        assertThat(attached.programIds()).hasSize(1);
        assertThat(attached.attachFlags()).containsExactly(BpfAttachFlag.ALLOW_MULTI);
        return attached.programIds().getFirst();
    }

    @Override
    void assertPolicyInPlace(Cgroup group, DevicesSpec spec) throws Exception {
        int id = onlyProgram(group);
        try (Fd program = BpfSyscalls.progGetFdById(id)) {
            BpfSyscalls.ProgramInfo info = BpfSyscalls.objGetInfoByFd(program);
            assertThat(info.id()).isEqualTo(id);
            assertThat(info.type()).isEqualTo(Linux.BPF_PROG_TYPE_CGROUP_DEVICE());
            assertThat(info.name()).isEqualTo("hako_devices");
        }
        Cgroup parent = groups.parent(Set.of(Controller.DEVICES));
        assertThat(DeviceFilters.attached(directory(parent)).programIds()).as("programs on the parent").isEmpty();
        try (Fd dir = DeviceFilters.openDirectory(directory(group))) {
            assertThat(BpfSyscalls.progQuery(dir, BpfAttachType.CGROUP_DEVICE, true).programIds())
                    .as("effective programs of the group").contains(id);
        }
    }

    @Test
    @Timeout(60)
    void applyingAgainReplacesTheProgramAndSeveralAreReducedToOne() throws Exception {
        Cgroup group = leaf("replace");
        apply(group, DevicesSpec.denyAll());
        int first = onlyProgram(group);
        apply(group, DevicesSpec.containerDefaults());
        int second = onlyProgram(group);
        assertThat(second).isNotEqualTo(first);
        assertReleased(first);
        // Two programs attached side by side (both must allow): the next apply leaves one.
        try (Fd extra = DeviceFilters.load(DevicesSpec.allowAll().program());
             Fd dir = DeviceFilters.openDirectory(directory(group))) {
            BpfSyscalls.progAttach(dir, extra, BpfAttachType.CGROUP_DEVICE, Set.of(BpfAttachFlag.ALLOW_MULTI), null);
        }
        assertThat(DeviceFilters.attached(directory(group)).programIds()).hasSize(2).contains(second);
        apply(group, DevicesSpec.containerDefaults());
        int third = onlyProgram(group);
        assertThat(third).isNotIn(first, second);
        assertThat(runIn(group, "if echo x >/dev/null; then echo null-ok; fi\n")).contains("null-ok");
    }

    @Test
    @Timeout(60)
    void deletingTheGroupReleasesItsProgram() throws Exception {
        Cgroup group = leaf("delete");
        apply(group, DevicesSpec.containerDefaults());
        int id = onlyProgram(group);
        group.delete(Duration.ofSeconds(10), true);
        assertGone(group);
        assertReleased(id);
    }

    @Test
    @Timeout(60)
    void detachingByHandRestoresAccess() throws Exception {
        Cgroup group = leaf("detach");
        apply(group, DevicesSpec.denyAll());
        int id = onlyProgram(group);
        try (Fd program = BpfSyscalls.progGetFdById(id); Fd dir = DeviceFilters.openDirectory(directory(group))) {
            BpfSyscalls.progDetach(dir, program, BpfAttachType.CGROUP_DEVICE);
            assertThatThrownBy(() -> BpfSyscalls.progDetach(dir, program, BpfAttachType.CGROUP_DEVICE))
                    .isInstanceOf(SyscallException.class)
                    .hasMessageStartingWith("bpf(BPF_PROG_DETACH, target fd " + dir.value() + ", program fd "
                            + program.value() + ", BPF_CGROUP_DEVICE) failed: ENOENT");
        }
        assertThat(DeviceFilters.attached(directory(group)).programIds()).isEmpty();
        assertThat(runIn(group, "if echo x >/dev/null; then echo null-ok; fi\n")).contains("null-ok");
    }

    /** The kernel frees a detached program (and a dead group's) asynchronously: wait for it. */
    static void assertReleased(int id) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<String> seen = new ArrayList<>();
        while (true) {
            try (Fd still = BpfSyscalls.progGetFdById(id)) {
                seen.add("open as fd " + still.value());
            } catch (SyscallException e) {
                assertThat(e.errnoName()).isEqualTo("ENOENT");
                assertThat(e.getMessage()).isEqualTo("bpf(BPF_PROG_GET_FD_BY_ID, id " + id
                        + ") failed: ENOENT (No such file or directory): no loaded program has that id: it was released");
                return;
            }
            assertThat(System.nanoTime()).as("program %d still loaded after 20 s: %s", id, seen).isLessThan(end);
            Thread.sleep(20);
        }
    }
}
