package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.syscalls.Fd;
import dev.hako.syscalls.ProcessSyscalls;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import dev.hako.testing.Tags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Create, attach, freeze, kill, delete and events on this machine's layout (hybrid on the
 * project host: v1 controllers plus a controller-less v2 mount that still provides
 * cgroup.freeze, cgroup.kill, cgroup.events and pressure files).
 */
@Privileged
class CgroupLifecycleTest {
    static final Set<Controller> NONE = Set.of();

    @RegisterExtension
    final TestGroups groups = new TestGroups();

    @Test
    @Timeout(30)
    void createListAttachKillDelete() throws Exception {
        Cgroup leaf = groups.leaf("leaf", NONE);
        assertThat(leaf.hierarchies()).isEqualTo(groups.layout().groupHierarchies());
        for (Hierarchy h : leaf.hierarchies()) {
            assertThat(h.directory(leaf.path())).isDirectory();
        }
        assertThat(groups.parent(NONE).children()).extracting(Cgroup::path).containsExactly(leaf.path());
        assertThat(Cgroup.open(groups.layout(), leaf.path()).hierarchies()).isEqualTo(leaf.hierarchies());
        try (Payload payload = Payload.start("exec sleep 30")) {
            leaf.attach(payload.handle());
            assertThat(leaf.processes()).containsExactly(payload.pid());
            assertThat(groups.parent(NONE).allProcesses()).containsExactly(payload.pid());
            leaf.kill(Duration.ofSeconds(5));
            assertThat(payload.waitFor(Duration.ofSeconds(5))).isEqualTo(137);
            assertThat(leaf.processes()).isEmpty();
        }
        leaf.delete(Duration.ofSeconds(5), false);
        for (Hierarchy h : leaf.hierarchies()) {
            assertThat(h.directory(leaf.path())).doesNotExist();
        }
        assertThatThrownBy(() -> Cgroup.open(groups.layout(), leaf.path()))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    @Timeout(30)
    void attachByPidfd() throws Exception {
        Cgroup leaf = groups.leaf("pidfd", NONE);
        try (Payload payload = Payload.start("exec sleep 30");
             Fd pidfd = ProcessSyscalls.pidfdOpen((int) payload.pid(), false)) {
            leaf.attach(pidfd);
            assertThat(leaf.processes()).containsExactly(payload.pid());
        }
    }

    @Test
    @Timeout(30)
    void freezeStopsACounterAndThawResumesIt() throws Exception {
        Cgroup leaf = groups.leaf("freeze", NONE);
        freezeThaw(leaf, leaf);
    }

    @Tag(Tags.CGROUP1)
    @Privileged({Requirement.ROOT, Requirement.CGROUP1_CONTROLLERS})
    @Test
    @Timeout(30)
    void v1FreezerStopsACounterToo() throws Exception {
        Cgroup v1Only = Cgroup.create(legacyView(), groups.parent(NONE).path() + "/freeze-v1", NONE);
        assertThat(v1Only.unifiedDirectory()).isEmpty();
        freezeThaw(v1Only, v1Only);
    }

    private static void freezeThaw(Cgroup group, Cgroup frozenGroup) throws Exception {
        Path counter = Files.createTempFile("hako-counter", ".txt");
        try (Payload payload = Payload.start("while :; do echo x >> " + counter + "; sleep 0.01; done")) {
            group.attach(payload.pid());
            payload.release();
            waitForGrowth(counter);
            frozenGroup.freeze(Duration.ofSeconds(5));
            assertThat(frozenGroup.frozen()).isTrue();
            long atFreeze = Files.size(counter);
            Thread.sleep(300);
            assertThat(Files.size(counter)).as("counter while frozen").isEqualTo(atFreeze);
            frozenGroup.thaw(Duration.ofSeconds(5));
            assertThat(frozenGroup.frozen()).isFalse();
            waitForGrowth(counter);
        } finally {
            Files.deleteIfExists(counter);
        }
    }

    private static void waitForGrowth(Path counter) throws Exception {
        long start = Files.size(counter);
        long end = System.nanoTime() + 5_000_000_000L;
        while (Files.size(counter) <= start) {
            assertThat(System.nanoTime()).as("counter did not grow").isLessThan(end);
            Thread.sleep(10);
        }
    }

    @Tag(Tags.CGROUP1)
    @Privileged({Requirement.ROOT, Requirement.CGROUP1_CONTROLLERS})
    @Test
    @Timeout(30)
    void killWithoutCgroupKillFreezesSignalsAndThaws() throws Exception {
        Cgroup v1Only = Cgroup.create(legacyView(), groups.parent(NONE).path() + "/kill-v1", NONE);
        Cgroup child = v1Only.createChild("nested", NONE);
        try (Payload a = Payload.start("exec sleep 30"); Payload b = Payload.start("sleep 30 & sleep 30 & wait")) {
            v1Only.attach(a.pid());
            child.attach(b.pid());
            b.release();
            long end = System.nanoTime() + 5_000_000_000L;
            while (child.processes().size() < 3 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertThat(v1Only.allProcesses()).hasSize(4);
            v1Only.kill(Duration.ofSeconds(10));
            assertThat(v1Only.allProcesses()).isEmpty();
            assertThat(a.waitFor(Duration.ofSeconds(5))).isEqualTo(137);
            assertThat(b.waitFor(Duration.ofSeconds(5))).isEqualTo(137);
            v1Only.delete(Duration.ofSeconds(5), false);
            assertThat(v1Only.hierarchies()).allSatisfy(h -> assertThat(h.directory(v1Only.path())).doesNotExist());
        }
    }

    @Test
    @Timeout(30)
    void deleteOfAGroupWithMembersFailsListingThem() throws Exception {
        Cgroup leaf = groups.leaf("busy", NONE);
        try (Payload payload = Payload.start("exec sleep 30")) {
            leaf.attach(payload.pid());
            assertThatThrownBy(() -> leaf.delete(Duration.ofMillis(200), false))
                    .isInstanceOf(CgroupNotEmptyException.class)
                    .hasMessageContaining("cannot delete cgroup " + leaf.path())
                    .hasMessageContaining("processes still in it after the deadline: [" + payload.pid() + "]")
                    .satisfies(e -> assertThat(((CgroupNotEmptyException) e).pids()).containsExactly(payload.pid()));
            leaf.delete(Duration.ofSeconds(5), true);
            assertThat(payload.waitFor(Duration.ofSeconds(5))).isEqualTo(137);
        }
    }

    @Test
    @Timeout(30)
    void populatedAndFrozenEventsArrive() throws Exception {
        Cgroup leaf = groups.leaf("events", NONE);
        List<CgroupEvent> events = new CopyOnWriteArrayList<>();
        try (CgroupEvents watch = leaf.watch(events::add); Payload payload = Payload.start("exec sleep 30")) {
            leaf.attach(payload.pid());
            awaitEvent(events, new CgroupEvent.Populated(leaf.path(), true));
            leaf.freeze(Duration.ofSeconds(5));
            awaitEvent(events, new CgroupEvent.Frozen(leaf.path(), true));
            leaf.thaw(Duration.ofSeconds(5));
            awaitEvent(events, new CgroupEvent.Frozen(leaf.path(), false));
            leaf.kill(Duration.ofSeconds(5));
            awaitEvent(events, new CgroupEvent.Populated(leaf.path(), false));
            assertThat(watch.failure()).isEmpty();
        }
    }

    @Test
    @Timeout(30)
    void pressureTriggerFires() throws Exception {
        // A 16 MiB memory limit and a 64 MiB file read over and over: every read reclaims the
        // group's page cache, and reclaim under a limit counts as a memory stall.
        assertThat(groups.layout().versionOf(Controller.MEMORY)).isPresent();
        Cgroup leaf = groups.leaf("psi", EnumSet.of(Controller.MEMORY));
        leaf.apply(MemorySpec.limit(Bytes.mib(16)));
        Path file = Files.createTempFile(Path.of("/var/tmp"), "hako-psi", ".bin");
        List<CgroupEvent> events = new CopyOnWriteArrayList<>();
        // A 2 s window is accepted with or without CAP_SYS_RESOURCE.
        PressureTrigger trigger = PressureTrigger.some(Pressure.Resource.MEMORY, Duration.ofMillis(1),
                Duration.ofSeconds(2));
        if (!PressureTrigger.hasSysResource()) {
            assertThatThrownBy(() -> leaf.watch(e -> { }, PressureTrigger.some(Pressure.Resource.MEMORY,
                    Duration.ofMillis(1), Duration.ofMillis(500))))
                    .isInstanceOf(InvalidSpecException.class)
                    .hasMessage("PSI window 500ms must be a multiple of 2s: this process lacks CAP_SYS_RESOURCE, "
                            + "and the kernel allows other windows only with it");
        }
        try (CgroupEvents watch = leaf.watch(events::add, trigger);
             Payload payload = Payload.start("dd if=/dev/urandom of=" + file + " bs=1M count=64 2>/dev/null; "
                     + "while :; do cat " + file + " > /dev/null; done")) {
            leaf.attach(payload.pid());
            payload.release();
            long end = System.nanoTime() + 15_000_000_000L;
            while (events.stream().noneMatch(e -> e instanceof CgroupEvent.PressureStall)
                    && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(events).contains(new CgroupEvent.PressureStall(leaf.path(), trigger));
            assertThat(leaf.pressure(Pressure.Resource.MEMORY).some().total()).isPositive();
            assertThat(watch.failure()).isEmpty();
        } finally {
            leaf.kill(Duration.ofSeconds(5));
            Files.deleteIfExists(file);
        }
    }

    @Test
    @Timeout(30)
    void directoryFdForCloneIntoCgroup() throws Exception {
        Cgroup leaf = groups.leaf("clone-into", NONE);
        try (Fd dir = leaf.openDirectory()) {
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + dir.value())))
                    .isEqualTo(leaf.unifiedDirectory().orElseThrow());
        }
    }

    @Tag(Tags.CGROUP1)
    @Privileged({Requirement.ROOT, Requirement.CGROUP1_CONTROLLERS})
    @Test
    @Timeout(30)
    void applyReportsTheFailingFileItsErrnoAndWhatWasApplied() throws Exception {
        assertThat(groups.layout().versionOf(Controller.CPU)).contains(CgroupVersion.V1);
        Cgroup parent = groups.parent(EnumSet.of(Controller.CPU, Controller.PIDS));
        parent.apply(CpuSpec.cpus(0.2));
        Cgroup leaf = parent.createChild("child", EnumSet.of(Controller.CPU, Controller.PIDS));
        // v1 refuses a child quota above its parent's (a hierarchical constraint v2 lacks).
        assertThatThrownBy(() -> leaf.apply(PidsSpec.max(8), CpuSpec.cpus(0.5)))
                .isInstanceOfSatisfying(CgroupWriteException.class, e -> {
                    assertThat(e.file().getFileName()).hasToString("cpu.cfs_quota_us");
                    assertThat(e.errnoName()).isEqualTo("EINVAL");
                    assertThat(e.errno()).isEqualTo(22);
                    assertThat(e.applied()).extracting(Setting::toString)
                            .containsExactly("pids.max=8", "cpu.cfs_period_us=100000");
                })
                .hasMessageContaining("writing '50000' to " + leaf.directory(Controller.CPU).resolve("cpu.cfs_quota_us")
                        + " failed: EINVAL")
                .hasMessageContaining("already applied: [pids.max=8, cpu.cfs_period_us=100000]");
    }

    @Test
    void controllersMissingFromTheLayoutAreRejectedBeforeWriting() throws Exception {
        CgroupLayout layout = groups.layout();
        String available = layout.availableControllers().toString();
        assertThatThrownBy(() -> Cgroup.create(layout, "/hako-never", EnumSet.of(Controller.RDMA)))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("controller rdma is not available in this " + layout.mode() + " layout (available: "
                        + available + ")");
        assertThat(layout.groupHierarchies()).allSatisfy(h -> assertThat(h.directory("/hako-never")).doesNotExist());
        Cgroup leaf = groups.leaf("cpuset", NONE);
        if (layout.versionOf(Controller.CPUSET).isPresent()) {
            assertThatThrownBy(() -> leaf.apply(CpusetSpec.cpus("0-4095")))
                    .isInstanceOf(InvalidSpecException.class)
                    .hasMessageStartingWith("cpuset cpus 0-4095 include CPUs that are not online: ");
        }
    }

    @Test
    @Timeout(30)
    void statsOfThisLayoutParse() throws Exception {
        Cgroup leaf = groups.leaf("stats", NONE);
        try (Payload payload = Payload.start("exec sleep 30")) {
            leaf.attach(payload.pid());
            assertThat(leaf.cpuStats().usage().isNegative()).isFalse();
            // v1 leaves a moved task's memory charged to its old group: 0 is a valid reading
            assertThat(leaf.memoryStats().current()).isNotNegative();
            assertThat(leaf.pidsStats().current()).isEqualTo(1);
            assertThat(leaf.ioStats().devices()).isNotNull();
            if (leaf.unifiedDirectory().isPresent()) {
                assertThat(leaf.pressure(Pressure.Resource.CPU).some().avg10()).isNotNegative();
            }
        }
    }

    /** This machine's layout with the v2 mount hidden, to exercise v1-only paths on a hybrid host. */
    private static CgroupLayout legacyView() throws Exception {
        String mountinfo = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(line -> !line.contains(" - cgroup2 ")).collect(Collectors.joining("\n", "", "\n"));
        CgroupLayout layout = CgroupLayout.fromMountinfo(mountinfo, CgroupLayout::readControllers);
        assertThat(layout.mode()).isEqualTo(CgroupLayout.Mode.LEGACY);
        return layout;
    }

    private static void awaitEvent(List<CgroupEvent> events, CgroupEvent expected) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!events.contains(expected) && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(events).contains(expected);
    }
}
