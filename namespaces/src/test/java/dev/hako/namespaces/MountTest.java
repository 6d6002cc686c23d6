package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.namespaces.launch.Launcher;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.Propagation;
import dev.hako.testing.Privileged;
import dev.hako.testing.Tags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real programs in a minimal rootfs and in the host's read-only view; symlink escapes
 * fail closed; nothing is ever left mounted on the host.
 */
@Privileged
@Timeout(60)
@Tag(Tags.GUEST)
@ExtendWith(HostMountsUnchanged.class)
class MountTest {

    @TempDir
    Path temp;

    /** A rootfs with a static busybox as /bin/sh and friends, and empty mount points. */
    private Path busyboxRootfs() throws IOException {
        Path root = Files.createDirectories(temp.resolve("rootfs"));
        Files.createDirectories(root.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("busybox"));
        for (String dir : List.of("proc", "sys", "dev", "tmp", "data", "etc")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.writeString(root.resolve("etc/hostname"), "rootfs\n");
        return root;
    }

    private static ContainerBuilder sh(String script) {
        ContainerBuilder builder = new ContainerBuilder("/bin/busybox", "sh", "-c", script);
        builder.environment().clear();
        builder.environment().put("PATH", "/bin");
        return builder;
    }

    private String runInRootfs(boolean classic, String script) throws Exception {
        script = script.replace("$TEMP", temp.toString());
        Path root = busyboxRootfs();
        Path shared = Files.createDirectories(temp.resolve("shared"));
        Files.writeString(shared.resolve("hello.txt"), "from the host\n");
        ContainerBuilder builder = sh(script)
                .namespaces(NamespaceType.PID, NamespaceType.UTS, NamespaceType.IPC, NamespaceType.NET)
                .mounts(MountSpec.builder().rootfs(root).proc().sysReadOnly()
                        .tmpfs("/tmp", 1 << 20, 01777)
                        // mount(2) cannot make a recursive bind read-only all the way down
                        .bind(shared, "/data", true, !classic)
                        .build());
        builder.classicMounts = classic;
        Payloads.Result result = Payloads.run(builder.redirectError(Redirect.PIPE));
        assertThat(result.status()).as(result.out()).isZero();
        return result.out();
    }

    private static final String ROOTFS_SCRIPT = """
            ls /; echo "pid=$$"; cat /etc/hostname; cat /data/hello.txt
            echo x > /data/new 2>/dev/null || echo "data read-only"
            echo x > /tmp/file && echo "tmp writable"
            echo hi > /dev/null && head -c 4 /dev/zero | wc -c
            ls /dev | tr '\\n' ' '; echo
            cat /proc/kcore 2>&1 | head -c 200; echo; cat /proc/kcore 2>/dev/null | wc -c; echo 1 > /proc/sys/kernel/hostname 2>/dev/null || echo "proc/sys read-only"
            touch /sys/x 2>/dev/null || echo "sys read-only"
            awk '{print $5}' /proc/self/mountinfo | grep -c '$TEMP'; true
            """;

    private static void checkRootfsOutput(String out) {
        assertThat(out).startsWith("bin\ndata\ndev\netc\nproc\nsys\ntmp\n");
        assertThat(out).contains("pid=1\n", "rootfs\n", "from the host\n", "data read-only\n", "tmp writable\n",
                "4\n", "proc/sys read-only\n", "sys read-only\n");
        assertThat(out).contains("fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero");
        // /proc/kcore is masked by /dev/null: reads nothing. No mount point names a host path.
        assertThat(out).contains("\n0\n").endsWith("\n0\n");
    }

    @Test
    void busyboxRunsInAMinimalRootfs() throws Exception {
        checkRootfsOutput(runInRootfs(false, ROOTFS_SCRIPT));
    }

    @Test
    void theClassicMountPathGivesTheSameView() throws Exception {
        checkRootfsOutput(runInRootfs(true, ROOTFS_SCRIPT.replace("bind(shared", "bind(shared")));
    }

    @Test
    void hostViewIsReadOnly() throws Exception {
        Path writable = Files.createDirectories(temp.resolve("writable"));
        for (boolean classic : new boolean[] {false, true}) {
            ContainerBuilder builder = sh("touch " + temp.resolve("nope") + "; touch " + writable + "/yes && echo ok;"
                    + " echo $$; ls /mnt | wc -l")
                    .namespaces(NamespaceType.PID)
                    .mounts(MountSpec.builder().proc().tmpfs("/mnt", 4096, 0700)
                            .bind(writable, writable.toString(), false, false).build())
                    .redirectError(Redirect.PIPE);
            builder.classicMounts = classic;
            try (ContainerProcess process = builder.redirectOutput(Redirect.PIPE).start()) {
                String out = new String(process.getInputStream().readAllBytes());
                String err = new String(process.getErrorStream().readAllBytes());
                process.waitFor();
                assertThat(err).as("classic=" + classic).contains("Read-only file system");
                assertThat(out).as("classic=" + classic).isEqualTo("ok\n1\n0\n");
            }
            assertThat(temp.resolve("nope")).doesNotExist();
            assertThat(writable.resolve("yes")).exists();
            Files.delete(writable.resolve("yes"));
        }
    }

    @Test
    void aProcSymlinkToTheHostRootFailsClosed() throws Exception {
        Path root = busyboxRootfs();
        Files.delete(root.resolve("proc"));
        Files.createSymbolicLink(root.resolve("proc"), Path.of("/"));
        assertThatThrownBy(() -> sh("true").namespaces(NamespaceType.PID)
                .mounts(MountSpec.builder().rootfs(root).proc().build()).start())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("mount destination /proc")
                .hasMessageContaining("is a symbolic link (to /)");
    }

    @Test
    void aBindTargetLinkingOutOfTheRootfsFailsClosed() throws Exception {
        Path root = busyboxRootfs();
        Path canary = Files.createDirectories(temp.resolve("canary"));
        Files.writeString(canary.resolve("keep"), "untouched");
        Files.delete(root.resolve("data"));
        Files.createSymbolicLink(root.resolve("data"), Path.of("../canary"));
        Path source = Files.createDirectories(temp.resolve("evil"));
        assertThatThrownBy(() -> sh("true").mounts(MountSpec.builder().rootfs(root).bind(source, "/data", false)
                .build()).start())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("mount destination /data")
                .hasMessageContaining("symbolic link");
        try (Stream<Path> left = Files.list(canary)) {
            assertThat(left.toList()).containsExactly(canary.resolve("keep"));
        }
    }

    @Test
    void theChildRefusesALinkItselfWithELOOP() throws Exception {
        // The parent's check is for the message; the child's openat2 is what makes it safe.
        // A link made after the parent's check is caught by the child.
        Path root = busyboxRootfs();
        ContainerBuilder builder = sh("true").mounts(MountSpec.builder().rootfs(root).proc().build());
        builder.extraChildSteps = program -> { };
        LaunchPlan plan = builder.plan();
        Files.delete(root.resolve("proc"));
        Files.createSymbolicLink(root.resolve("proc"), Path.of("/"));
        assertThatThrownBy(() -> Launcher.startUnchecked(plan.engine(), ContainerProcess::new))
                .isInstanceOf(dev.hako.syscalls.SyscallException.class)
                .hasMessageStartingWith("openat2(<root>, \"proc\", {flags=O_DIRECTORY|O_PATH|O_CLOEXEC,"
                        + " resolve=RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_SYMLINKS}, 24) failed: ELOOP");
    }

    @Test
    void sharedPropagationStaysInsideTheContainer() throws Exception {
        String out = Payloads.sh(sh("").namespaces(NamespaceType.PID).mounts(MountSpec.builder().proc()
                .propagation(Propagation.SHARED).build()), "grep -c shared: /proc/self/mountinfo");
        assertThat(Integer.parseInt(out.trim())).isPositive();
    }

    @Test
    void planShowsTheMountSteps() throws Exception {
        Path root = busyboxRootfs();
        String plan = sh("true").mounts(MountSpec.builder().rootfs(root).proc().build()).plan().describe();
        assertThat(plan).contains("mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL)")
                .contains("mount(\"" + root.toRealPath() + "\", \"" + root.toRealPath() + "\", NULL, MS_BIND|MS_REC, NULL)")
                .contains("pivot_root(\".\", \".\")")
                .contains("umount2(\".\", MNT_DETACH)");
    }
}
