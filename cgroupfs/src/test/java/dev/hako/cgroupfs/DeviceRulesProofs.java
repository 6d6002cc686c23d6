package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.OpenFlag;
import dev.hako.syscalls.SyscallException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Device rules enforced by the kernel, tried as a payload would: as root in a group with the
 * container defaults, it opens /dev/null and /dev/zero, makes a disk node with mknod (allowed,
 * as in Docker) and fails to open it with EPERM, while the test JVM outside the group still
 * can. Subclasses choose the mechanism (v1 devices controller, v2 program).
 */
abstract class DeviceRulesProofs {
    @RegisterExtension
    final TestGroups groups = new TestGroups();

    /** Where the payloads make their nodes; removed after each test. */
    Path nodes;

    @BeforeEach
    void makeNodeDirectory() throws IOException {
        nodes = Files.createTempDirectory("hako-devices");
    }

    @AfterEach
    void removeNodes() throws IOException {
        try (Stream<Path> walk = Files.walk(nodes)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Applies the rules to the group by this class's mechanism. */
    abstract void apply(Cgroup group, DevicesSpec spec) throws Exception;

    /** Checks what the kernel holds for the group (and that its parent is untouched). */
    abstract void assertPolicyInPlace(Cgroup group, DevicesSpec spec) throws Exception;

    Cgroup leaf(String name) throws IOException {
        return groups.leaf(name, EnumSet.of(Controller.DEVICES));
    }

    /**
     * A block device number that this test process may open outside any rule of ours: a
     * disk of /proc/partitions, else the first loop device, else sda. Opening must succeed
     * or reach the driver (ENXIO where no such disk exists); a number the machine already
     * refuses (some sandboxes deny their own disk to root) would prove nothing.
     */
    DeviceNumber openableDisk() throws Exception {
        List<DeviceNumber> candidates = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/partitions"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && f[0].chars().allMatch(Character::isDigit)) {
                candidates.add(new DeviceNumber(Integer.parseInt(f[0]), Integer.parseInt(f[1])));
            }
        }
        candidates.add(new DeviceNumber(7, 0));
        candidates.add(new DeviceNumber(8, 0));
        List<String> refused = new ArrayList<>();
        Path probe = nodes.resolve("probe");
        for (DeviceNumber disk : candidates) {
            Process mknod = new ProcessBuilder("mknod", probe.toString(), "b", Integer.toString(disk.major()),
                    Integer.toString(disk.minor())).redirectErrorStream(true).start();
            assertThat(mknod.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(mknod.exitValue()).as("mknod %s", disk).isZero();
            try {
                outsideOpen(probe);
                return disk;
            } catch (SyscallException e) {
                refused.add(disk + " " + e.errnoName());
            } finally {
                Files.delete(probe);
            }
        }
        throw new AssertionError("no block device number opens outside the group on this machine: " + refused);
    }

    /** Opens a node from the test JVM: succeeds, or fails with ENXIO (no such disk, the driver said so). */
    static void outsideOpen(Path node) throws SyscallException {
        try (Fd fd = FileSyscalls.openat2(null, node.toString(), EnumSet.of(OpenFlag.READ_ONLY), 0, Set.of())) {
            assertThat(fd.isOpen()).isTrue();
        } catch (SyscallException e) {
            if (e.errno() != Linux.ENXIO()) {
                throw e;
            }
        }
    }

    /** Runs a script as a payload in the group and returns its stdout; stderr joins stdout after a marker. */
    static String runIn(Cgroup group, String script) throws Exception {
        try (Payload payload = Payload.start(script)) {
            group.attach(payload.pid());
            payload.release();
            assertThat(payload.waitFor(Duration.ofSeconds(40))).as("exit status; stderr: %s", payload.stderr())
                    .isZero();
            return payload.stdout() + "--stderr--\n" + payload.stderr();
        }
    }

    static String opens(String path, String name) {
        return "if head -c 1 " + path + " >/dev/null; then echo " + name + "-opened; else echo " + name + "-refused; fi\n";
    }

    @Test
    @Timeout(60)
    void defaultsAllowNullZeroAndMknodButNotOpeningADiskNode() throws Exception {
        Cgroup group = leaf("defaults");
        DevicesSpec spec = DevicesSpec.containerDefaults();
        apply(group, spec);
        assertPolicyInPlace(group, spec);
        DeviceNumber disk = openableDisk();
        Path diskNode = nodes.resolve("disk");
        String out = runIn(group, "if echo x >/dev/null; then echo null-ok; fi\n"
                + "if head -c 4 /dev/zero >/dev/null; then echo zero-ok; fi\n"
                + "if mknod " + diskNode + " b " + disk.major() + " " + disk.minor() + "; then echo mknod-ok; fi\n"
                + opens(diskNode.toString(), "disk")
                + "if mknod " + nodes.resolve("mem") + " c 1 1; then echo mem-made; fi\n"
                + opens(nodes.resolve("mem").toString(), "mem"));
        assertThat(out).contains("null-ok", "zero-ok", "mknod-ok", "disk-refused", "mem-made", "mem-refused")
                .doesNotContain("disk-opened", "mem-opened");
        assertThat(out.substring(out.indexOf("--stderr--")))
                .contains("cannot open '" + diskNode + "' for reading: Operation not permitted");
        // The host is unchanged: outside the group the same node opens (or reaches the driver,
        // ENXIO, where this machine has no such disk); the device rules never said EPERM here.
        assertThat(Files.exists(diskNode)).isTrue();
        outsideOpen(diskNode);
    }

    @Test
    @Timeout(60)
    void rulesCanBeTightenedAndLoosenedAgain() throws Exception {
        Cgroup group = leaf("again");
        apply(group, DevicesSpec.denyAll());
        assertPolicyInPlace(group, DevicesSpec.denyAll());
        String before = runIn(group, "if echo x >/dev/null; then echo null-ok; else echo null-refused; fi\n");
        assertThat(before).contains("null-refused").contains("/dev/null: Operation not permitted");
        DevicesSpec defaults = DevicesSpec.containerDefaults();
        apply(group, defaults);
        assertPolicyInPlace(group, defaults);
        assertThat(runIn(group, "if echo x >/dev/null; then echo null-ok; else echo null-refused; fi\n"))
                .contains("null-ok");
    }

    /** Nothing of one test's groups is left: the parent of all test groups is gone. */
    static void assertGone(Cgroup group) {
        for (Hierarchy h : group.hierarchies()) {
            assertThat(Files.exists(h.directory(group.path()))).as("%s", h.directory(group.path())).isFalse();
        }
    }

    static List<String> lines(String text) {
        return text.lines().filter(l -> !l.isBlank()).toList();
    }
}
