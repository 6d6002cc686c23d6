package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import dev.hako.testing.Tags;
import org.junit.jupiter.api.Tag;

/** Device rules on pure cgroup v2: Cgroup.apply loads and attaches the program; runs in the v2 guest. */
@Tag(Tags.CGROUP2)
@Privileged({Requirement.ROOT, Requirement.CGROUP2_CONTROLLERS})
class CgroupV2DevicesTest extends DeviceProgramProofs {

    @Override
    void apply(Cgroup group, DevicesSpec spec) throws Exception {
        assertThat(groups.layout().mode()).isEqualTo(CgroupLayout.Mode.UNIFIED);
        group.apply(spec);
    }
}
