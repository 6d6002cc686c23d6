package dev.hako.oci;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
@Privileged(value = Requirement.ROOT, programs = {"containerd", "ctr", "containerd-shim-runc-v2", "script", "stty"})
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
        runDetached("det");
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
        killAndDelete("det");
    }

    /** Runs a container that waits until it is killed, detached from ctr. */
    private void runDetached(String id) throws Exception {
        PrivateContainerd.Result run = containerd.ctr(CTR, "run", "-d", "--runc-binary", runtime.toString(),
                "--rootfs", rootfs.toString(), id, "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done");
        assertThat(run.status()).as(run.out() + containerd.log()).isZero();
    }

    /** Kills a task with SIGKILL, waits until it is stopped, deletes it and its container, checks nothing is left. */
    private void killAndDelete(String id) throws Exception {
        assertThat(containerd.ctr(CTR, "task", "kill", "-s", "SIGKILL", id).status()).isZero();
        long deadline = System.nanoTime() + CTR.toNanos();
        while (!containerd.ctr(CTR, "task", "ls").out().matches("(?s).*" + id + "\\s+\\d+\\s+STOPPED.*")) {
            assertThat(System.nanoTime()).as("the task stops after SIGKILL").isLessThan(deadline);
            Thread.sleep(50);
        }
        PrivateContainerd.Result delete = containerd.ctr(CTR, "task", "delete", id);
        assertThat(delete.status()).as(delete.out()).isZero();
        assertThat(containerd.ctr(CTR, "container", "delete", id).status()).isZero();
        assertNothingLeft(id);
    }

    /**
     * {@code ctr run -t}: ctr needs a terminal of its own, so it runs under script(1) on a
     * pty of 40x100 (set with stty first); the shim receives the container's pty master over
     * the console socket and relays it. Checked from inside: stdio is /dev/pts/0 of the
     * container's devpts, the size ctr passed on arrives (TIOCGWINSZ), and a typed line reaches
     * the command.
     */
    @Test
    void ctrRunTGivesTheContainerAPty() throws Exception {
        String script = "echo \"tty=$(tty)\"; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo \"stdio are terminals\";"
                // busybox stty prints no size for a 0x0 window: ctr resizes it only after the start
                + " i=0; until [ -n \"$(busybox stty size 2>/dev/null)\" ] || [ $i -ge 100 ]; do sleep 0.1;"
                + " i=$((i+1));"
                + " done; echo \"size=$(busybox stty size)\"; read line; echo \"got:$line\"; exit 3";
        PrivateContainerd.Result result = underPty("hello\n", containerd.ctrCommand("run", "-t", "--rm",
                "--runc-binary", runtime.toString(), "--rootfs", rootfs.toString(), "tty", "sh", "-c", script));
        assertThat(result.out()).as(containerd.log()).contains("tty=/dev/pts/0\n", "stdio are terminals\n",
                "size=40 100\n", "got:hello\n");
        assertThat(result.status()).as(result.out()).isEqualTo(3);
        assertNothingLeft("tty");
    }

    /** {@code ctr task exec -t}: the exec'd process gets a pty of the container's devpts too. */
    @Test
    void ctrTaskExecTGivesTheProcessAPty() throws Exception {
        runDetached("dett");
        PrivateContainerd.Result exec = underPty("", containerd.ctrCommand("task", "exec", "-t", "--exec-id", "t1",
                "dett", "sh", "-c", "echo \"tty=$(tty) in $(cat /proc/1/comm)\"; [ -t 0 ] && echo \"stdin is a"
                        + " tty\"; exit 4"));
        assertThat(exec.out()).as(containerd.log()).contains("tty=/dev/pts/0 in sh\n", "stdin is a tty\n");
        assertThat(exec.status()).as(exec.out()).isEqualTo(4);
        killAndDelete("dett");
    }

    /**
     * Runs a ctr command line on a pty of 40x100 under script(1) (ctr wants a terminal for
     * -t), types {@code input}, and returns what appeared on the terminal (without CRs) and
     * the exit status.
     */
    private PrivateContainerd.Result underPty(String input, List<String> ctr) throws Exception {
        String command = "stty rows 40 cols 100; exec " + ctr.stream().map(ContainerdTest::quote)
                .collect(Collectors.joining(" "));
        ProcessBuilder builder = new ProcessBuilder("script", "-qec", command, "/dev/null").redirectErrorStream(true);
        builder.environment().put("SHELL", "/bin/sh");
        Process process = builder.start();
        try {
            // stdin stays open until ctr is done: at its end script would send EOF to the pty.
            process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return process.getInputStream().readAllBytes();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(process.waitFor(CTR.toMillis(), TimeUnit.MILLISECONDS)).as("ctr ends; containerd: "
                    + containerd.log()).isTrue();
            String out = new String(read.get(CTR.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8);
            return new PrivateContainerd.Result(process.exitValue(), out.replace("\r", ""));
        } finally {
            process.destroyForcibly().waitFor();
        }
    }

    /** A word for sh -c, in single quotes. */
    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
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
