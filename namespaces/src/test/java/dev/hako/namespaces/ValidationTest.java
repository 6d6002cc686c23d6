package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.namespaces.launch.SubordinateIds;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.Propagation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input of issue 4's builders: each refused with the field and the rule, before anything runs. */
class ValidationTest {

    @TempDir
    Path temp;

    private static void refused(Runnable action, String message) {
        assertThatThrownBy(action::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void rootfsMustBeAnAbsoluteExistingDirectory() throws Exception {
        refused(() -> MountSpec.builder().rootfs(Path.of("relative/root")).build(),
                "rootfs \"relative/root\" must be an absolute path");
        refused(() -> MountSpec.builder().rootfs(temp.resolve("missing")).build(), "does not exist");
        Path file = Files.writeString(temp.resolve("file"), "");
        refused(() -> MountSpec.builder().rootfs(file).build(), "is not a directory");
    }

    @Test
    void destinationsMustStayInsideTheRoot() {
        refused(() -> MountSpec.builder().tmpfs("/tmp/../../etc", 1, 0755), "tmpfs destination \"/tmp/../../etc\" contains a \"..\" component");
        refused(() -> MountSpec.builder().bind(temp, "relative", false), "bind destination \"relative\" must be an"
                + " absolute path");
        refused(() -> MountSpec.builder().tmpfs("/", 1, 0755), "is the root itself");
        refused(() -> MountSpec.builder().bind(Path.of("/nonexistent-hako"), "/x", false),
                "bind source \"/nonexistent-hako\" does not exist");
    }

    @Test
    void tmpfsSizeAndModeAreChecked() {
        refused(() -> MountSpec.builder().tmpfs("/tmp", 0, 0755), "tmpfs size of /tmp is 0 bytes; it must be at least 1");
        refused(() -> MountSpec.builder().tmpfs("/tmp", -5, 0755), "is -5 bytes");
        refused(() -> MountSpec.builder().tmpfs("/tmp", 1, 010000), "must be within 0..07777");
    }

    @Test
    void propagationMustBeKnown() {
        refused(() -> MountSpec.parsePropagation("sideways"), "propagation \"sideways\" is unknown");
        assertThat(MountSpec.parsePropagation("rslave")).isEqualTo(Propagation.SLAVE);
        refused(() -> MountSpec.builder().propagation(Propagation.UNBINDABLE).build(), "UNBINDABLE");
    }

    @Test
    void timeOffsetsWithinTheKernelsLimits() {
        refused(() -> new ContainerBuilder("/bin/true").timeOffsets(Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L),
                Duration.ZERO), "time offset monotonic");
        refused(() -> new ContainerBuilder("/bin/true").timeOffsets(Duration.ZERO, Duration.ofDays(-365 * 200)).spec(),
                "time offset boottime");
        refused(() -> new ContainerBuilder("/bin/true").timeOffsets(Duration.ofDays(-365 * 100), Duration.ZERO).spec(),
                "would make the clock read");
    }

    @Test
    void hostnameRules() {
        refused(() -> new ContainerBuilder("/bin/true").hostname("a/b").spec(), "hostname \"a/b\" contains '/'");
        refused(() -> new ContainerBuilder("/bin/true").hostname("a\0b").spec(), "hostname contains a NUL byte");
    }

    @Test
    void devicesMustBeHostNodesUnderDev() {
        refused(() -> MountSpec.builder().device(java.nio.file.Path.of("/tmp/disk")),
                "device \"/tmp/disk\" must be a node directly under /dev, like /dev/loop0");
        refused(() -> MountSpec.builder().device(java.nio.file.Path.of("/dev/hako-no-such-node")),
                "device \"/dev/hako-no-such-node\" does not exist on the host");
        refused(() -> MountSpec.builder().device(java.nio.file.Path.of("/dev/null")),
                "device \"/dev/null\" is already part of the private /dev");
        refused(() -> MountSpec.builder().hostDev().device(java.nio.file.Path.of("/dev/kmsg")).build(),
                "device /dev/kmsg is added to a private /dev, but this view has the host's /dev (hostDev)");
    }

    @Test
    void mountsNeedTheirNamespace() {
        refused(() -> new ContainerBuilder("/bin/true").mounts(MountSpec.builder().build())
                .join(NamespaceType.MOUNT, NamespaceJoin.ofPid(1)).spec(), "namespace MOUNT is both created and joined");
    }

    @Test
    void rootlessMapsNameWhatIsMissing() {
        ContainerBuilder builder = new ContainerBuilder("/bin/true").rootlessMaps(
                List.of(new IdMapping(0, 4_000_000_000L, 1)), List.of(new IdMapping(0, 4_000_000_000L, 1)));
        if (!Files.isExecutable(SubordinateIds.NEWUIDMAP)) {
            refused(builder::spec, "rootlessMaps needs /usr/bin/newuidmap, which is not installed (Debian package uidmap)");
        } else {
            refused(builder::spec, "uid map range \"0 4000000000 1\" (outside ids 4000000000..4000000000) is not granted");
        }
    }
}
