package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import dev.hako.testing.Tags;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;

/** Device rules through the cgroup v1 devices controller (this project's host). */
@Tag(Tags.CGROUP1)
@Privileged({Requirement.ROOT, Requirement.CGROUP1_CONTROLLERS})
class CgroupV1DevicesTest extends DeviceRulesProofs {

    @Override
    void apply(Cgroup group, DevicesSpec spec) throws Exception {
        assertThat(groups.layout().versionOf(Controller.DEVICES)).contains(CgroupVersion.V1);
        group.apply(spec);
    }

    @Override
    void assertPolicyInPlace(Cgroup group, DevicesSpec spec) throws Exception {
        // devices.list shows the exceptions (or "a *:* rwm" when everything is allowed).
        List<String> expected = new ArrayList<>();
        spec.rules().forEach(r -> expected.add(r.toString()));
        assertThat(lines(group.read(Controller.DEVICES, "devices.list"))).containsExactlyElementsOf(expected);
        Cgroup parent = groups.parent(java.util.Set.of(Controller.DEVICES));
        assertThat(lines(parent.read(Controller.DEVICES, "devices.list"))).containsExactly("a *:* rwm");
    }
}
