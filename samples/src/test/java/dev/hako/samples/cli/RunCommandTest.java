package dev.hako.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.testing.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code hako run} for real: namespaces, exit statuses, limits, and nothing left behind. */
@Privileged
@Timeout(60)
class RunCommandTest {

    private final String name = "test-run-" + ProcessHandle.current().pid();

    @AfterEach
    void groupIsGone() throws Exception {
        CgroupLayout layout = CgroupLayout.detect();
        for (var h : layout.groupHierarchies()) {
            assertThat(Files.exists(h.directory(Groups.runPath(name)))).as(h.toString()).isFalse();
        }
    }

    @Test
    void showsIsolationAtAGlance() {
        Cli.Result result = Cli.run("run", "--name", name, "--hostname", "demo", "--memory", "64M", "--",
                "/bin/sh", "-c", "echo \"$(hostname) $$\"");
        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("demo 1\n");
    }

    @Test
    void hostRootIsReadOnlyWithAPrivateTmpAndFreshProc(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("f"), "from the host\n");
        Cli.Result result = Cli.run("run", "--name", name, "--bind", dir + ":/mnt:ro", "--tmpfs", "/srv:1M", "--",
                "/bin/sh", "-c", "cat /mnt/f; touch /etc/hako-test 2>/dev/null || echo etc read-only;"
                        + " touch /mnt/g 2>/dev/null || echo bind read-only; ls -A /tmp | wc -l;"
                        + " ls /proc | grep -c '^[0-9]'; grep ' /srv ' /proc/self/mounts | cut -d' ' -f3");
        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("from the host\netc read-only\nbind read-only\n0\n%s\ntmpfs\n"
                .formatted(result.out().lines().toList().get(4)));
        // Only the container's own processes in /proc: sh, ls and grep at most.
        assertThat(Integer.parseInt(result.out().lines().toList().get(4))).isBetween(1, 3);
        assertThat(Files.exists(dir.resolve("g"))).isFalse();
    }

    @Test
    @Privileged(programs = "busybox")
    void rootfsBecomesTheRoot(@org.junit.jupiter.api.io.TempDir Path rootfs) throws Exception {
        // A one-binary root: a statically linked busybox (Debian's package is) and mount points.
        for (String dir : new String[] {"bin", "proc", "sys", "dev", "tmp"}) {
            Files.createDirectory(rootfs.resolve(dir));
        }
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        Files.createSymbolicLink(rootfs.resolve("bin/sh"), Path.of("busybox"));
        Cli.Result result = Cli.run("run", "--name", name, "--rootfs", rootfs.toString(), "--",
                "/bin/sh", "-c", "/bin/busybox ls /; test -c /dev/null && echo dev ok");
        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("bin\ndev\nproc\nsys\ntmp\ndev ok\n");
    }

    @Test
    void badBindIsAUsageError() {
        Cli.Result result = Cli.run("run", "--bind", "/tmp", "--", "/bin/true");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err().lines().findFirst())
                .hasValue("hako run: --bind needs SRC:DST or SRC:DST:ro with an absolute DST, not '/tmp'");
    }

    @Test
    void initKeepsAReaperAsPid1() {
        Cli.Result result = Cli.run("run", "--name", name, "--init", "--", "/bin/sh", "-c",
                "echo $$; cat /proc/1/comm; exit 6");
        assertThat(result.status()).as(result.err()).isEqualTo(6);
        assertThat(result.out()).isEqualTo("2\nhako-init\n");
        assertThat(Cli.run("run", "--init", "--dry-run", "--", "/bin/true").out())
                .contains("unshare(CLONE_NEWPID").contains("prctl(PR_SET_NAME, \"hako-init\")");
    }

    @Test
    void initNeedsTwoMoreTasksThanThePidsLimitLeaves() {
        Cli.Result result = Cli.run("run", "--name", name, "--init", "--pids", "2", "--", "/bin/true");
        assertThat(result.status()).isEqualTo(125);
        assertThat(result.err()).contains("clone3({exit_signal=SIGCHLD}, 88) failed: EAGAIN")
                .contains("the cgroup's pids.max (a pids limit)");
    }

    @Test
    void exitsWithThePayloadsStatus() {
        Cli.Result result = Cli.run("run", "--name", name, "--", "/bin/sh", "-c", "exit 7");
        assertThat(result.status()).isEqualTo(7);
    }

    @Test
    void passesEnvironmentAndDirectory() {
        Cli.Result result = Cli.run("run", "--name", name, "--env", "GREETING=hi", "--cwd", "/usr", "--",
                "/bin/sh", "-c", "echo $GREETING $(pwd)");
        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("hi /usr\n");
    }

    @Test
    void networkIsOffUnlessShared() {
        Cli.Result isolated = Cli.run("run", "--name", name, "--", "/bin/sh", "-c", "cat /proc/net/dev | wc -l");
        assertThat(isolated.out().strip()).isEqualTo("3"); // two header lines and lo
        Cli.Result shared = Cli.run("run", "--name", name, "--share-net", "--", "/bin/sh", "-c",
                "readlink /proc/self/ns/net");
        assertThat(shared.out().strip()).isEqualTo(readLink("/proc/self/ns/net"));
    }

    @Test
    void oomKillIsReportedWithTheLimit() {
        Cli.Result result = Cli.run("run", "--name", name, "--memory", "32M", "--",
                "/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1");
        assertThat(result.status()).isEqualTo(128 + 9);
        assertThat(result.err())
                .contains("hako: killed by the kernel's OOM killer: memory limit 32 MiB reached\n");
    }

    @Test
    void pidsLimitRefusesForks() {
        Cli.Result result = Cli.run("run", "--name", name, "--pids", "2", "--", "/bin/sh", "-c",
                "/bin/true & /bin/true & /bin/true & wait; echo done");
        assertThat(result.err()).containsIgnoringCase("fork");
    }

    @Test
    void failureToStartExits125() {
        Cli.Result result = Cli.run("run", "--name", name, "--", "/no/such/program");
        assertThat(result.status()).isEqualTo(125);
        assertThat(result.err()).startsWith("hako: ").doesNotContain("\tat ");
    }

    private static String readLink(String path) {
        try {
            return Files.readSymbolicLink(Path.of(path)).toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
