package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.syscalls.Fd;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import dev.hako.testing.Tags;
import org.junit.jupiter.api.Tag;

/**
 * The v2 program on this project's host, whose layout is hybrid: BPF device programs work
 * on its v2 mount (which has no controllers) and the kernel runs them before the v1 devices
 * controller, whose root allows everything. This runs the program on the host's kernel;
 * {@link CgroupV2DevicesTest} runs it through {@link Cgroup#apply} in the pure v2 guest.
 */
@Tag(Tags.CGROUP1)
@Privileged({Requirement.ROOT, Requirement.CGROUP1_CONTROLLERS})
class HybridDeviceProgramTest extends DeviceProgramProofs {

    @Override
    void apply(Cgroup group, DevicesSpec spec) throws Exception {
        assertThat(groups.layout().mode()).as("this test needs the hybrid layout's v2 mount")
                .isEqualTo(CgroupLayout.Mode.HYBRID);
        try (Fd program = DeviceFilters.load(spec.program())) {
            DeviceFilters.install(directory(group), program);
        }
    }
}
