package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CgroupLayoutTest {

    @Test
    void hybridHostFixture() throws Exception {
        CgroupLayout layout = CgroupLayout.fromMountinfo(Fixtures.read("host-6.18-hybrid/mountinfo"),
                p -> EnumSet.of(Controller.HUGETLB));
        assertThat(layout.mode()).isEqualTo(CgroupLayout.Mode.HYBRID);
        assertThat(layout.unified().orElseThrow().mountPoint()).isEqualTo(Path.of("/sys/fs/cgroup/unified"));
        assertThat(layout.hierarchyFor(Controller.MEMORY).orElseThrow().mountPoint())
                .isEqualTo(Path.of("/sys/fs/cgroup/memory"));
        assertThat(layout.versionOf(Controller.MEMORY)).contains(CgroupVersion.V1);
        assertThat(layout.versionOf(Controller.IO)).contains(CgroupVersion.V1);
        assertThat(layout.hierarchyFor(Controller.IO).orElseThrow().mountPoint())
                .isEqualTo(Path.of("/sys/fs/cgroup/blkio"));
        assertThat(layout.versionOf(Controller.HUGETLB)).contains(CgroupVersion.V2);
        assertThat(layout.versionOf(Controller.RDMA)).isEmpty();
        assertThat(layout.v1Hierarchies()).anyMatch(h -> h.name().equals(java.util.Optional.of("systemd")));
        // the named systemd hierarchy has no controller: groups are not made there
        assertThat(layout.groupHierarchies()).hasSize(9).allMatch(h -> h.version() == CgroupVersion.V2
                || !h.controllers().isEmpty());
    }

    @Test
    void unifiedFixture() throws Exception {
        CgroupLayout layout = CgroupLayout.fromMountinfo(Fixtures.read("v2-docs/mountinfo"),
                p -> EnumSet.of(Controller.CPU, Controller.MEMORY, Controller.IO, Controller.PIDS));
        assertThat(layout.mode()).isEqualTo(CgroupLayout.Mode.UNIFIED);
        assertThat(layout.versionOf(Controller.MEMORY)).contains(CgroupVersion.V2);
        assertThat(layout.versionOf(Controller.FREEZER)).isEmpty();
        assertThat(layout.groupHierarchies()).singleElement()
                .satisfies(h -> assertThat(h.directory("/a/b")).isEqualTo(Path.of("/sys/fs/cgroup/a/b")));
    }

    @Test
    void legacyFixtureWithCombinedMountsAndEscapes() throws Exception {
        CgroupLayout layout = CgroupLayout.fromMountinfo(Fixtures.read("v1-legacy/mountinfo"), p -> {
            throw new AssertionError("no v2 mount to read");
        });
        assertThat(layout.mode()).isEqualTo(CgroupLayout.Mode.LEGACY);
        assertThat(layout.unified()).isEmpty();
        Hierarchy cpu = layout.hierarchyFor(Controller.CPU).orElseThrow();
        assertThat(cpu).isEqualTo(layout.hierarchyFor(Controller.CPUACCT).orElseThrow());
        assertThat(cpu.mountPoint()).isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct"));
        assertThat(layout.hierarchyFor(Controller.DEVICES).orElseThrow().mountPoint())
                .isEqualTo(Path.of("/sys/fs/cgroup/my mount"));
    }

    @Test
    void noCgroupMountIsAnError() {
        assertThatThrownBy(() -> CgroupLayout.fromMountinfo(
                "22 1 0:21 / /proc rw,relatime - proc proc rw\n", p -> Set.of()))
                .isInstanceOf(CgroupException.class)
                .hasMessage("no cgroup hierarchy is mounted (no cgroup or cgroup2 line in mountinfo)");
    }

    @Test
    void truncatedMountinfoLineIsAnError() {
        assertThatThrownBy(() -> CgroupLayout.fromMountinfo("41 31 0:38 / /sys/fs/cgroup/unified rw,relatime\n",
                p -> Set.of()))
                .isInstanceOf(CgroupFormatException.class)
                .hasMessageStartingWith("mountinfo line 1 is truncated");
    }

    @Test
    void procSelfCgroupFixtures() throws Exception {
        var host = Membership.parse(Fixtures.read("host-6.18-hybrid/proc-self-cgroup"));
        assertThat(host).hasSize(10);
        assertThat(host.getLast().unified()).isTrue();
        assertThat(host).filteredOn(m -> m.controllers().contains("memory")).singleElement()
                .satisfies(m -> assertThat(m.path()).startsWith("/process_api/"));
        var guest = Membership.parse(Fixtures.read("v2-docs/proc-self-cgroup"));
        assertThat(guest).singleElement().satisfies(m -> {
            assertThat(m.unified()).isTrue();
            assertThat(m.path()).isEqualTo("/user.slice/user-0.slice/session-1.scope");
        });
        assertThatThrownBy(() -> Membership.parse("4:memory\n"))
                .hasMessage("/proc/self/cgroup line 1 is not id:controllers:path: '4:memory'");
        // a path may itself contain ':'
        assertThat(Membership.parse("0::/a:b\n").getFirst().path()).isEqualTo("/a:b");
    }

    @Test
    void selfPathIsRelativeToTheMountRoot() throws Exception {
        Hierarchy nested = new Hierarchy(CgroupVersion.V2, Path.of("/sys/fs/cgroup"), "/ctr", Set.of(),
                java.util.Optional.empty());
        assertThat(CgroupLayout.selfPath(nested, Membership.parse("0::/ctr/app\n"))).isEqualTo("/app");
        assertThat(CgroupLayout.selfPath(nested, Membership.parse("0::/ctr\n"))).isEqualTo("/");
    }

    @Test
    void detectsThisMachine() throws Exception {
        CgroupLayout layout = CgroupLayout.detect();
        assertThat(layout.groupHierarchies()).isNotEmpty();
        if (layout.mode() != CgroupLayout.Mode.LEGACY) {
            Map<String, Set<Controller>> along = layout.subtreeControlAlong("/");
            assertThat(along).containsKey("/");
            assertThat(layout.selfPath(layout.availableControllers().stream().findFirst()
                    .orElse(Controller.MEMORY))).startsWith("/");
        }
    }
}
