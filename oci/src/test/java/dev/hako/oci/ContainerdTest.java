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
        Files.writeString(file, "#!/bin/sh\nexec '" + java + "' -XX:+UseSerialGC -Xlog:disable"
                + " --enable-native-access=ALL-UNNAMED -cp '" + System.getProperty("java.class.path") + "' "
                + HakoOci.class.getName() + " \"$@\"\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void ctrRunPrintsAndPassesTheExitStatusOn() throws Exception {
        PrivateContainerd.Result result = containerd.ctr(CTR, "run", "--rm", "--runc-binary", runtime.toString(),
                "--rootfs", rootfs.toString(), "exit3", "sh", "-c",
                "echo hello as pid $$; exit 3");
        assertThat(result.out()).as(containerd.log()).isEqualTo("hello as pid 1\n");
        assertThat(result.status()).as(result.out()).isEqualTo(3);
        assertNothingLeft("exit3");
    }

    @Test
    void aDetachedContainerAnswersExecPsPauseResumeKillAndDelete() throws Exception {
        PrivateContainerd.Result run = containerd.ctr(CTR, "run", "-d", "--runc-binary", runtime.toString(),
                "--rootfs", rootfs.toString(), "det", "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done");
        assertThat(run.status()).as(run.out() + containerd.log()).isZero();
        PrivateContainerd.Result exec = containerd.ctr(CTR, "task", "exec", "--exec-id", "e1", "det", "sh", "-c",
                "echo exec in $(cat /proc/1/comm) as pid $$; exit 4");
        assertThat(exec.out()).as(containerd.log()).startsWith("exec in sh as pid ");
        assertThat(exec.status()).isEqualTo(4);
        PrivateContainerd.Result ps = containerd.ctr(CTR, "task", "ps", "det");
        assertThat(ps.status()).as(ps.out()).isZero();
        assertThat(ps.out().lines().skip(1).count()).as(ps.out()).isGreaterThanOrEqualTo(1);
        assertThat(containerd.ctr(CTR, "task", "pause", "det").status()).isZero();
        assertThat(containerd.ctr(CTR, "task", "ls").out()).containsPattern("det\\s+\\d+\\s+PAUSED");
        assertThat(containerd.ctr(CTR, "task", "resume", "det").status()).isZero();
        assertThat(containerd.ctr(CTR, "task", "ls").out()).containsPattern("det\\s+\\d+\\s+RUNNING");
        assertThat(containerd.ctr(CTR, "task", "kill", "-s", "SIGKILL", "det").status()).isZero();
        long deadline = System.nanoTime() + CTR.toNanos();
        while (!containerd.ctr(CTR, "task", "ls").out().matches("(?s).*det\\s+\\d+\\s+STOPPED.*")) {
            assertThat(System.nanoTime()).as("the task stops after SIGKILL").isLessThan(deadline);
            Thread.sleep(50);
        }
        PrivateContainerd.Result delete = containerd.ctr(CTR, "task", "delete", "det");
        assertThat(delete.status()).as(delete.out()).isZero();
        assertThat(containerd.ctr(CTR, "container", "delete", "det").status()).isZero();
        assertNothingLeft("det");
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
