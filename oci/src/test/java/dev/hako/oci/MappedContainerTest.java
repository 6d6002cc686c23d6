package dev.hako.oci;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Redirect;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config's view as the kernel makes it, checked from inside the container as root:
 * masked and read-only paths of its own, a device node, a read-only root, a mount point
 * the rootfs lacks. The container runs from the mapped builder (the lifecycle is
 * ContainerdTest's).
 */
@Privileged(Requirement.ROOT)
@Timeout(60)
class MappedContainerTest {

    @TempDir
    Path temp;

    @Test
    void theConfigsPathsDevicesAndReadOnlyRootHoldInside() throws Exception {
        Path bundle = Files.createDirectories(temp.resolve("bundle"));
        Path rootfs = Bundles.busyboxRootfs(bundle.resolve("rootfs"));
        Files.writeString(rootfs.resolve("secret"), "secret\n");
        Files.createDirectories(rootfs.resolve("data"));
        Files.writeString(rootfs.resolve("data/file"), "data\n");
        ObjectNode config = Bundles.config("rootfs", "sh", "-c", """
                cat /secret | wc -c
                cat /data/file; touch /data/new 2>/dev/null || echo data-ro
                stat -c '%F %t:%T %a' /dev/test1
                touch /new-file 2>/dev/null || echo root-ro
                touch /created/mnt/x && echo tmpfs-rw
                """);
        ((ObjectNode) config.get("root")).put("readonly", true);
        ObjectNode linux = (ObjectNode) config.get("linux");
        ((ArrayNode) linux.get("maskedPaths")).add("/secret");
        ((ArrayNode) linux.get("readonlyPaths")).add("/data");
        linux.putArray("devices").addObject().put("path", "/dev/test1").put("type", "c").put("major", 10)
                .put("minor", 666).put("fileMode", 0660).put("uid", 0).put("gid", 0);
        ((ArrayNode) config.get("mounts")).addObject().put("destination", "/created/mnt").put("type", "tmpfs")
                .put("source", "tmpfs").putArray("options").add("size=1m");
        ConfigMapping.Mapped mapped = ConfigMapping.builder(Config.parse(config, bundle), bundle);
        try (ContainerProcess process = mapped.builder().redirectOutput(Redirect.PIPE).start()) {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(out).isEqualTo("0\ndata\ndata-ro\ncharacter special file a:29a 660\nroot-ro\ntmpfs-rw\n");
            assertThat(process.exitValue()).isZero();
        }
        assertThat(rootfs.resolve("created/mnt")).isDirectory(); // made in the rootfs, as runc does
        assertThat(rootfs.resolve("data/new")).doesNotExist();
        assertThat(Files.readString(rootfs.resolve("secret"))).isEqualTo("secret\n");
    }
}
