package dev.hako.oci;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * hako-oci under containerd's own runc shim, as a cluster would use it: a private
 * containerd, and {@code ctr run --runc-binary hako-oci}. Afterwards no cgroup, mount,
 * state directory or process of the container may be left.
 */
@Privileged(value = Requirement.ROOT, programs = {"containerd", "ctr", "containerd-shim-runc-v2"})
@Timeout(180)
class ContainerdTest {

    private static final Duration CTR = Duration.ofSeconds(60);

    @TempDir
    Path temp;
    Path rootfs;
    Path runtime;
    PrivateContainerd containerd;

    @BeforeEach
    void start() throws Exception {
        rootfs = Bundles.busyboxRootfs(temp.resolve("rootfs"));
        runtime = runtimeScript(temp.resolve("hako-oci"));
        containerd = new PrivateContainerd(Files.createDirectories(temp.resolve("containerd")));
    }

    @AfterEach
    void stop() throws Exception {
        if (containerd != null) {
            containerd.close();
        }
    }

    /**
     * The runtime as the shim runs it: this build's classes on the test's class path, in a
     * JVM of the running JDK (the ./hako-oci launcher would build the jar, which is made
     * only after the tests).
     */
    static Path runtimeScript(Path file) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(file, "#!/bin/sh\nexec '" + java + "' -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xlog:disable"
                + " --enable-native-access=ALL-UNNAMED -cp '" + System.getProperty("java.class.path") + "' "
                + HakoOci.class.getName() + " \"$@\"\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void ctrRunPrintsAndPassesTheExitStatusOn() throws Exception {
        PrivateContainerd.Result result = containerd.ctr(CTR, "run", "--rm", "--rootfs", rootfs.toString(),
                "--runc-binary", runtime.toString(), "exit3", "sh", "-c",
                "echo hello from $(hostname) as pid $$; exit 3");
        assertThat(result.out()).as(containerd.log()).contains("hello from exit3 as pid 1");
        assertThat(result.status()).as(result.out()).isEqualTo(3);
        assertNothingLeft("exit3");
    }

    /** No state directory, cgroup, mount or process of the container remains. */
    private void assertNothingLeft(String id) throws IOException {
        assertThat(Path.of("/run/containerd/runc", PrivateContainerd.NAMESPACE, id)).doesNotExist();
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                assertThat(hierarchy.resolve(PrivateContainerd.NAMESPACE).resolve(id)).doesNotExist();
            }
        }
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(rootfs.toString());
        assertThat(containerd.shims()).isEmpty();
    }
}
