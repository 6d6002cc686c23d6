package dev.hako.namespaces;

import static dev.hako.namespaces.Payloads.sh;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import dev.hako.testing.Tags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Cgroup v1 hierarchies have no CLONE_INTO_CGROUP: the child is attached before exec. */
@Timeout(60)
class CgroupV1PlacementTest {

    @Test
    @Tag(Tags.CGROUP1)
    @Privileged({Requirement.ROOT, Requirement.CGROUP1_CONTROLLERS})
    void startsInAV1CgroupByAttachingBeforeExec() throws Exception {
        Path memory = Path.of("/sys/fs/cgroup/memory");
        Path group = memory.resolve("hako-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.createDirectory(group);
        try {
            String cgroups = sh(new ContainerBuilder("/bin/true").cgroup(CgroupPlacement.attach(List.of(group))), "cat /proc/$$/cgroup");
            assertThat(cgroups).contains(":memory:/" + group.getFileName() + "\n");
        } finally {
            Files.delete(group);
        }
    }

}
