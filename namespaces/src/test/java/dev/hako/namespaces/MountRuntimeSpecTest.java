package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import dev.hako.testing.Tags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an OCI runtime asks of a view beyond plain mounts, checked from inside as root:
 * custom masked and read-only paths, device nodes, a read-only root, mount points the
 * rootfs lacks, a root of its own in a new user namespace, a joined mount namespace.
 * Nothing may be left mounted on the host.
 */
@Privileged
@Timeout(60)
@Tag(Tags.GUEST)
@ExtendWith(HostMountsUnchanged.class)
class MountRuntimeSpecTest {

    @TempDir
    Path temp;

    private Path rootfs() throws IOException {
        // Traversable by a user namespace's root, whom the host's root does not count as
        Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path root = Files.createDirectories(temp.resolve("rootfs"));
        Files.createDirectories(root.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("busybox"));
        for (String dir : List.of("proc", "dev", "tmp", "secret-dir/sub", "data")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.writeString(root.resolve("secret-file"), "secret\n");
        Files.writeString(root.resolve("secret-dir/sub/file"), "secret\n");
        Files.writeString(root.resolve("data/file"), "data\n");
        return root;
    }

    private static ContainerBuilder sh(String script) {
        ContainerBuilder builder = new ContainerBuilder("/bin/busybox", "sh", "-c", script);
        builder.environment().clear();
        builder.environment().put("PATH", "/bin");
        return builder.namespaces(NamespaceType.PID, NamespaceType.IPC).redirectError(Redirect.PIPE);
    }

    private static String run(ContainerBuilder builder) throws Exception {
        Payloads.Result result = Payloads.run(builder);
        assertThat(result.status()).as(result.out()).isZero();
        return result.out();
    }

    @Test
    void customMaskedAndReadOnlyPathsHoldAgainstRoot() throws Exception {
        for (boolean classic : new boolean[] {false, true}) {
            Path root = rootfs();
            ContainerBuilder builder = sh("""
                    cat /secret-file | wc -c; ls -A /secret-dir | wc -l; touch /secret-dir/x || echo masked-dir-ro
                    cat /data/file; touch /data/new || echo data-ro; echo x > /data/file || echo file-ro
                    id -u
                    """).mounts(MountSpec.builder().rootfs(root).proc()
                    .maskedPaths(List.of("/secret-file", "/secret-dir", "/secret-dir/sub/file", "/no/such/path"))
                    .readOnlyPaths(List.of("/data", "/missing-too")).build());
            builder.classicMounts = classic;
            assertThat(run(builder)).as("classic=" + classic)
                    .isEqualTo("0\n0\nmasked-dir-ro\ndata\ndata-ro\nfile-ro\n0\n");
            assertThat(root.resolve("data/new")).doesNotExist();
            assertThat(Files.readString(root.resolve("secret-file"))).isEqualTo("secret\n");
            deleteTree(root);
        }
    }

    @Test
    void procAndSysPathsCountOnlyWhereTheViewMountsThem() {
        String without = sh("true").mounts(MountSpec.builder().build()).plan().describe();
        assertThat(without).doesNotContain("proc/sys");
        String with = sh("true").mounts(MountSpec.builder().proc().build()).plan().describe();
        assertThat(with).contains("move_mount(<tree of /proc/sys>, \"\", AT_FDCWD, \"/proc/sys\"")
                .doesNotContain("\"proc/sys\""); // decided by the plan, not by the child's openat2
    }

    @Test
    void aMaskedPathReachedThroughALinkFailsTheStart() throws Exception {
        Path root = rootfs();
        Files.createSymbolicLink(root.resolve("alias"), Path.of("secret-file"));
        assertThatThrownBy(() -> sh("true").mounts(MountSpec.builder().rootfs(root)
                .maskedPaths(List.of("/alias")).build()).start())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("openat2(<root>, \"alias\"")
                .hasMessageContaining("ELOOP");
        assertThat(Files.readString(root.resolve("secret-file"))).isEqualTo("secret\n");
    }

    @Test
    void deviceNodesAreMadeWithTheirNumbersModeAndOwner() throws Exception {
        Path root = rootfs();
        String out = run(sh("stat -c '%n %F %t:%T %a %u:%g' /dev/test1 /dev/sub/test2 /opt/fifo")
                .mounts(MountSpec.builder().rootfs(root)
                        .node(new MountSpec.DeviceNode("/dev/test1", MountSpec.DeviceNode.Type.CHARACTER, 10, 666,
                                0660, 0, 0))
                        .node(new MountSpec.DeviceNode("/dev/sub/test2", MountSpec.DeviceNode.Type.BLOCK, 8, 42,
                                0640, 7, 9))
                        .node(new MountSpec.DeviceNode("/opt/fifo", MountSpec.DeviceNode.Type.FIFO, 0, 0, 0600, 1, 1))
                        .build()));
        // stat prints the numbers in hex: 10:666 is a:29a
        assertThat(out).isEqualTo("""
                /dev/test1 character special file a:29a 660 0:0
                /dev/sub/test2 block special file 8:2a 640 7:9
                /opt/fifo fifo 0:0 600 1:1
                """);
        assertThat(Files.exists(root.resolve("opt/fifo"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(root.resolve("dev/test1")).doesNotExist(); // made in the private /dev
    }

    @Test
    void badDeviceNodesAreRefusedWithTheRule() {
        assertThatThrownBy(() -> new MountSpec.DeviceNode("/dev/x", MountSpec.DeviceNode.Type.CHARACTER, 4096, 0,
                0600, 0, 0)).hasMessage("device node /dev/x: major 4096 is outside 0..4095");
        assertThatThrownBy(() -> new MountSpec.DeviceNode("/dev/x", MountSpec.DeviceNode.Type.BLOCK, 8, 0, 010000, 0,
                0)).hasMessage("device node /dev/x: mode 010000 is outside 0..07777");
        assertThatThrownBy(() -> new MountSpec.DeviceNode("dev/x", MountSpec.DeviceNode.Type.FIFO, 0, 0, 0600, 0, 0))
                .hasMessage("device node path \"dev/x\" must be an absolute path inside the container");
        assertThatThrownBy(() -> MountSpec.builder().node(new MountSpec.DeviceNode("/opt/x",
                MountSpec.DeviceNode.Type.FIFO, 0, 0, 0600, 0, 0)).build())
                .hasMessage("device node /opt/x would be made in the host's own tree; outside /dev, nodes need a"
                        + " rootfs");
        assertThatThrownBy(() -> MountSpec.builder().maskedPaths(List.of("/proc/../etc")))
                .hasMessageContaining("masked path \"/proc/../etc\" contains a \"..\" component");
    }

    @Test
    void aReadOnlyRootLeavesItsMountsWritable() throws Exception {
        for (boolean classic : new boolean[] {false, true}) {
            Path root = rootfs();
            ContainerBuilder builder = sh("touch /new || echo root-ro; touch /tmp/x && echo tmp-rw")
                    .mounts(MountSpec.builder().rootfs(root).tmpfs("/tmp", 1 << 20, 01777).rootReadOnly().build());
            builder.classicMounts = classic;
            assertThat(run(builder)).as("classic=" + classic).isEqualTo("root-ro\ntmp-rw\n");
            assertThat(root.resolve("new")).doesNotExist();
            deleteTree(root);
        }
    }

    @Test
    void missingMountPointsAreCreatedInTheRootfs() throws Exception {
        Path root = rootfs();
        Path file = Files.writeString(temp.resolve("host-file"), "host\n");
        Path dir = Files.createDirectories(temp.resolve("host-dir"));
        Files.writeString(dir.resolve("in-dir"), "dir\n");
        String out = run(sh("cat /etc/conf /mnt/a/b/in-dir; ls -d /run/deep/tmp; touch /tmp/t/x && echo tmpfs")
                .mounts(MountSpec.builder().rootfs(root).proc()
                        .bind(file, "/etc/conf", true)
                        .bind(dir, "/mnt/a/b", true)
                        .tmpfs("/run/deep/tmp", 1 << 20, 0755)
                        .tmpfs("/tmp", 1 << 20, 01777)
                        .tmpfs("/tmp/t", 1 << 20, 01777) // below the earlier tmpfs: made there, not on disk
                        .build()));
        assertThat(out).isEqualTo("host\ndir\n/run/deep/tmp\ntmpfs\n");
        assertThat(root.resolve("etc/conf")).isRegularFile().isEmptyFile();
        assertThat(root.resolve("mnt/a/b")).isDirectory().isEmptyDirectory();
        assertThat(root.resolve("run/deep/tmp")).isDirectory();
        assertThat(root.resolve("tmp/t")).doesNotExist();
    }

    @Test
    void aMissingMountPointBehindALinkIsNeverCreatedOutside() throws Exception {
        Path root = rootfs();
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.createSymbolicLink(root.resolve("mnt"), outside);
        assertThatThrownBy(() -> sh("true").mounts(MountSpec.builder().rootfs(root)
                .tmpfs("/mnt/new", 1 << 20, 0755).build()).start())
                .isInstanceOf(IOException.class).hasMessageContaining("is a symbolic link");
        try (var left = Files.list(outside)) {
            assertThat(left.toList()).isEmpty();
        }
    }

    @Test
    void aNewUserNamespaceWithAMappedRootBuildsTheViewAsThatRoot() throws Exception {
        // The JVM's root is not mapped: before the child became the namespace's root, the
        // private /dev's first mknodat failed with EOVERFLOW.
        Path root = rootfs();
        // The rootfs belongs to the host's root, whom the namespace cannot name: mount points
        // are made in a tmpfs of the namespace's own.
        ContainerBuilder builder = sh("id -u; id -g; stat -c '%u' /dev/null /dev/test; ls /tmp/created")
                .namespaces(NamespaceType.USER)
                .uidMap(new IdMapping(0, 100000, 65536)).gidMap(new IdMapping(0, 100000, 65536))
                .setgroupsAllowed(true)
                .mounts(MountSpec.builder().rootfs(root).proc().tmpfs("/tmp", 1 << 20, 01777)
                        .tmpfs("/tmp/created/here", 1 << 20, 0755)
                        .node(new MountSpec.DeviceNode("/dev/test", MountSpec.DeviceNode.Type.FIFO, 0, 0, 0600, 5,
                                5)).build());
        assertThat(run(builder)).isEqualTo("0\n0\n65534\n5\nhere\n");
    }

    @Test
    void aViewIsBuiltInAJoinedMountNamespace() throws Exception {
        Path root = rootfs();
        try (ContainerProcess holder = sh("sleep 60").mounts(MountSpec.builder().build())
                .redirectOutput(Redirect.PIPE).start()) {
            String holderNs = Files.readSymbolicLink(Path.of("/proc/" + holder.pid() + "/ns/mnt")).toString();
            String out = run(sh("readlink /proc/self/ns/mnt; cat /secret-file")
                    .join(NamespaceType.MOUNT, NamespaceJoin.ofPid(holder.pid()))
                    .mounts(MountSpec.builder().rootfs(root).proc().build()));
            assertThat(out).isEqualTo(holderNs + "\nsecret\n");
            holder.destroyForcibly();
            assertThat(holder.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
