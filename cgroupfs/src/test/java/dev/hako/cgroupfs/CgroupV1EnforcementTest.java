package dev.hako.cgroupfs;

import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import dev.hako.testing.Tags;
import java.nio.file.Files;
import org.junit.jupiter.api.Tag;

/** The enforcement proofs on cgroup v1 controllers (this project's host). */
@Tag(Tags.CGROUP1)
@Privileged({Requirement.ROOT, Requirement.CGROUP1_CONTROLLERS})
class CgroupV1EnforcementTest extends EnforcementProofs {

    @Override
    CgroupVersion version() {
        return CgroupVersion.V1;
    }

    @Override
    long oomKills(Cgroup group) throws Exception {
        return group.memoryOomControl().oomKill();
    }

    @Override
    MemorySpec memoryLimit(Cgroup group) throws Exception {
        MemorySpec spec = MemorySpec.limit(Bytes.mib(32));
        // memsw exists only with swap accounting; without it there is no swap to limit.
        return Files.exists(group.directory(Controller.MEMORY).resolve("memory.memsw.limit_in_bytes"))
                ? spec.withSwapMax(Bytes.ZERO) : spec;
    }
}
