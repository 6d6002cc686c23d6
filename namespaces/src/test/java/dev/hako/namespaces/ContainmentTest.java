package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default container, attacked from inside as root: every escape a hostile payload
 * tries fails with the expected errno and leaves the host as it was, while ordinary work
 * (pipelines, /dev, ptys, loopback TCP) still works. The same probes in a
 * {@link ContainerBuilder#privileged()} container succeed, so each assertion can fail.
 * The probes are a small static C program (escape-probes.c) built here with gcc.
 */
@Privileged(value = {Requirement.ROOT, Requirement.LOOP_DEVICES}, programs = {"gcc", "losetup"})
@Timeout(120)
class ContainmentTest {

    /** Docker's 14 default capabilities as a /proc status mask, without CAP_MKNOD (27). */
    private static final long DEFAULT_WITHOUT_MKNOD = 0xa80425fbL & ~(1L << 27);

    private static Path probes;
    private static Path buildDir;
    /** The "host disk" a payload tries to read: a loop device over a file of this test's. */
    private static String disk;
    private static String loopDevice;

    @TempDir
    Path temp;
    private List<String> mountsBefore;
    private String corePatternBefore;

    @BeforeAll
    static void buildProbes() throws Exception {
        // Not under /tmp: the containers get a private /tmp that would hide it (and a clone
        // of the repository may itself live under /tmp).
        Path target = Path.of("target").toAbsolutePath();
        buildDir = Files.createTempDirectory(target.startsWith("/tmp") ? Path.of("/var/tmp") : target, "hako-probes");
        Path source = buildDir.resolve("escape-probes.c");
        try (InputStream in = ContainmentTest.class.getResourceAsStream("escape-probes.c")) {
            Files.copy(in, source);
        }
        probes = buildDir.resolve("escape-probes");
        Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", probes.toString(), source.toString())
                .redirectErrorStream(true).start();
        String output = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).as("gcc finished").isTrue();
        assertThat(gcc.exitValue()).as("gcc: " + output).isZero();
        Path image = buildDir.resolve("disk.img");
        Files.write(image, new byte[1 << 20]);
        loopDevice = command("losetup", "--find", "--show", image.toString()).strip();
        String number = command("stat", "-c", "%t:%T", loopDevice).strip();
        disk = Integer.parseInt(number.split(":")[0], 16) + ":" + Integer.parseInt(number.split(":")[1], 16) + ":"
                + loopDevice;
    }

    private static String command(String... args) throws Exception {
        Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", args)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", args) + ": " + output).isZero();
        return output;
    }

    @AfterAll
    static void removeProbes() throws Exception {
        if (loopDevice != null) {
            command("losetup", "--detach", loopDevice);
        }
        if (buildDir != null) {
            try (var files = Files.list(buildDir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(buildDir);
        }
    }

    @BeforeEach
    void recordHost() throws IOException {
        mountsBefore = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        corePatternBefore = Files.readString(Path.of("/proc/sys/kernel/core_pattern"));
    }

    @AfterEach
    void hostUnchanged() throws IOException {
        assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo"))).as("host mounts").isEqualTo(mountsBefore);
        assertThat(Files.readString(Path.of("/proc/sys/kernel/core_pattern"))).as("host core_pattern")
                .isEqualTo(corePatternBefore);
        assertThat(Path.of("/tmp/hako-disk")).as("a disk node on the host's /tmp").doesNotExist();
    }

    /** Namespaces of {@code hako run}: everything but user and time. */
    private static ContainerBuilder container(List<String> command) {
        return new ContainerBuilder(command)
                .namespaces(NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.UTS, NamespaceType.IPC,
                        NamespaceType.NET, NamespaceType.CGROUP)
                .mounts(MountSpec.builder().proc().tmpfs("/tmp", 1 << 20, 01777).build());
    }

    private static final List<String> PROBES = List.of("remount-root", "mount-tmpfs", "mknod-disk", "read-disk",
            "load-module", "sysrq", "rewrite=/proc/sys/kernel/printk_ratelimit", "read=/proc/kcore", "read=/proc/timer_list", "read=/proc/keys", "ptrace-parent",
            "unshare-user", "keyctl", "x32", "pty", "tcp-echo");

    /** Runs every probe in {@code builder}'s container: probe name to outcome ("ok", "errno E", "signal N"). */
    private static Map<String, String> probe(ContainerBuilder builder) throws Exception {
        List<String> args = new ArrayList<>(List.of(probes.toString(), "disk=" + disk));
        args.addAll(PROBES);
        Payloads.Result result = Payloads.run(builder.command(args));
        assertThat(result.status()).as(result.out()).isZero();
        Map<String, String> outcomes = new LinkedHashMap<>();
        for (String line : result.out().split("\n")) {
            int space = line.indexOf(' ');
            outcomes.put(line.substring(0, space), line.substring(space + 1));
        }
        assertThat(outcomes.keySet()).as(result.out()).containsExactlyElementsOf(PROBES);
        return outcomes;
    }

    @Test
    void aRootPayloadCannotReachTheHost() throws Exception {
        Map<String, String> outcome = probe(container(List.of("/bin/true")));
        assertThat(outcome).as("what a root payload could do").containsEntry("remount-root", "errno EPERM")
                .containsEntry("mount-tmpfs", "errno EPERM")
                .containsEntry("mknod-disk", "errno EPERM")
                .containsEntry("read-disk", "errno ENOENT")
                .containsEntry("load-module", "errno EPERM")
                .containsEntry("sysrq", Files.exists(Path.of("/proc/sysrq-trigger")) ? "errno EROFS" : "errno ENOENT")
                .containsEntry("rewrite=/proc/sys/kernel/printk_ratelimit", "errno EROFS")
                .containsEntry("read=/proc/timer_list", "errno ENODATA")
                .containsEntry("read=/proc/keys", "errno ENODATA")
                .containsEntry("ptrace-parent", "errno EPERM")
                .containsEntry("unshare-user", "errno EPERM")
                .containsEntry("keyctl", "errno EPERM")
                .containsEntry("x32", "signal 31")
                .containsEntry("pty", "ok")
                .containsEntry("tcp-echo", "ok");
        assertThat(outcome.get("read=/proc/kcore")).isNotEqualTo("ok");
    }

    @Test
    void privilegedShowsWhatTheDefaultsPrevent() throws Exception {
        Map<String, String> outcome = probe(container(List.of("/bin/true")).privileged());
        if (Files.exists(Path.of("/proc/sysrq-trigger"))) {
            assertThat(outcome).containsEntry("sysrq", "ok"); // 'h' only prints the help to the kernel log
        }
        assertThat(outcome).containsEntry("remount-root", "ok")
                .containsEntry("mount-tmpfs", "ok")
                .containsEntry("mknod-disk", "ok")
                .containsEntry("read-disk", "ok")
                .containsEntry("rewrite=/proc/sys/kernel/printk_ratelimit", "ok")
                .containsEntry("read=/proc/timer_list", "ok")
                .containsEntry("read=/proc/keys", "ok")
                .containsEntry("ptrace-parent", "ok")
                .containsEntry("unshare-user", "ok")
                .containsEntry("keyctl", "ok");
        assertThat(outcome.get("load-module")).isNotEqualTo("errno EPERM");
        assertThat(outcome.get("x32")).isNotEqualTo("signal 31");
    }

    @Test
    void deviceRulesGuardTheContainersOwnGroup() throws Exception {
        dev.hako.cgroupfs.CgroupLayout layout = dev.hako.cgroupfs.CgroupLayout.detect();
        dev.hako.cgroupfs.Cgroup group = dev.hako.cgroupfs.Cgroup.create(layout,
                "/hako/test-devices-" + ProcessHandle.current().pid(),
                java.util.EnumSet.of(dev.hako.cgroupfs.Controller.DEVICES));
        try {
            ContainerBuilder builder = container(List.of("/bin/true"))
                    .cgroup(CgroupPlacement.of(group));
            assertThat(builder.plan().describe()).contains("device rules for cgroup /hako/test-devices-");
            Map<String, String> outcome = probe(builder);
            // CAP_MKNOD stays (Docker's full 14), but the rules refuse to open what it makes.
            assertThat(outcome).containsEntry("mknod-disk", "ok").containsEntry("read-disk", "errno EPERM")
                    .containsEntry("pty", "ok");
            String status = Payloads.sh(container(List.of()).cgroup(CgroupPlacement.of(group)),
                    "cat /proc/self/status");
            assertCapabilities(status, 0xa80425fbL);
        } finally {
            group.delete(java.time.Duration.ofSeconds(10), true);
        }
    }

    @Test
    void theDefaultSetsAreDockers() throws Exception {
        String status = Payloads.sh(container(List.of()), "cat /proc/self/status");
        assertCapabilities(status, DEFAULT_WITHOUT_MKNOD);
    }

    private static void assertCapabilities(String status, long expected) {
        assertThat(Long.parseLong(Payloads.statusField(status, "CapEff"), 16)).as("CapEff").isEqualTo(expected);
        assertThat(Long.parseLong(Payloads.statusField(status, "CapPrm"), 16)).as("CapPrm").isEqualTo(expected);
        assertThat(Long.parseLong(Payloads.statusField(status, "CapBnd"), 16)).as("CapBnd").isEqualTo(expected);
        assertThat(Payloads.statusField(status, "CapInh")).as("CapInh").isEqualTo("0000000000000000");
        assertThat(Payloads.statusField(status, "CapAmb")).as("CapAmb").isEqualTo("0000000000000000");
        assertThat(Payloads.statusField(status, "NoNewPrivs")).as("NoNewPrivs").isEqualTo("1");
        assertThat(Payloads.statusField(status, "Seccomp")).as("Seccomp").isEqualTo("2");
    }

    @Test
    void ordinaryWorkStillWorks() throws Exception {
        String out = Payloads.sh(container(List.of()),
                "echo one two three | tr ' ' '\\n' | sort -r | head -1; ls /dev | tr '\\n' ' '; echo;"
                        + " stat -c '%F %t:%T' /dev/null; echo x > /dev/null && echo null-ok");
        List<String> lines = out.lines().toList();
        assertThat(lines).as(out).hasSize(4);
        assertThat(lines.get(0)).isEqualTo("two");
        assertThat(lines.get(1).trim().split(" ")).containsExactlyInAnyOrder("fd", "full", "mqueue", "null", "ptmx",
                "pts", "random", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero");
        assertThat(lines.get(2)).isEqualTo("character special file 1:3");
        assertThat(lines.get(3)).isEqualTo("null-ok");
    }

    @Test
    void theEnvironmentHoldsNoSecretsOfTheJvm() throws Exception {
        ContainerBuilder builder = container(List.of());
        assertThat(builder.environment().keySet()).isSubsetOf("PATH", "HOME", "TERM").contains("PATH");
        String env = Payloads.sh(builder, "env | cut -d= -f1 | sort");
        assertThat(env.lines()).doesNotContain("JAVA_HOME", "USER", "MAVEN_OPTS");
        assertThat(env.lines().toList()).isSubsetOf("PATH", "HOME", "TERM", "PWD", "SHLVL", "_");
        String inherited = Payloads.sh(container(List.of()).inheritEnvironment(), "env | cut -d= -f1 | sort");
        assertThat(inherited.lines().toList()).containsAll(System.getenv().keySet().stream()
                .filter(k -> k.matches("[A-Za-z_][A-Za-z0-9_]*")).toList());
    }

    @Test
    void joiningAContainerAppliesTheSameDefaults() throws Exception {
        try (ContainerProcess box = container(List.of("/bin/sleep", "60")).start()) {
            ContainerBuilder enter = new ContainerBuilder("/bin/cat", "/proc/self/status");
            for (NamespaceType type : List.of(NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.UTS,
                    NamespaceType.IPC, NamespaceType.NET)) {
                enter.join(type, NamespaceJoin.ofPid(box.pid()));
            }
            Payloads.Result result = Payloads.run(enter);
            assertThat(result.status()).as(result.out()).isZero();
            assertCapabilities(result.out(), DEFAULT_WITHOUT_MKNOD);
            box.destroyForcibly();
            assertThat(box.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** A rootfs with a static busybox, whose /dev/null and /dev/console point at host-side /proc files. */
    private Path hostileRootfs() throws IOException {
        Path root = Files.createDirectories(temp.resolve("rootfs"));
        Files.createDirectories(root.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : List.of("sh", "echo", "stat", "cat", "ls", "sleep")) {
            Files.createSymbolicLink(root.resolve("bin/" + applet), Path.of("busybox"));
        }
        for (String dir : List.of("proc", "sys", "dev", "tmp")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.createSymbolicLink(root.resolve("dev/null"), Path.of("/proc/sys/kernel/core_pattern"));
        Files.createSymbolicLink(root.resolve("dev/console"), Path.of("/proc/sysrq-trigger"));
        return root;
    }

    @Test
    void aRootfsCannotRedirectTheDeviceNodes() throws Exception {
        Path root = hostileRootfs();
        ContainerBuilder builder = new ContainerBuilder("sh", "-c",
                "echo '|/tmp/pwned' > /dev/null; echo c > /dev/console; stat -c '%F %t:%T' /dev/null;"
                        + " ls /dev/console 2>&1 | head -1; cat /proc/sys/kernel/core_pattern")
                .namespaces(NamespaceType.PID, NamespaceType.UTS, NamespaceType.IPC, NamespaceType.NET)
                .mounts(MountSpec.builder().rootfs(root).proc().sysReadOnly().build());
        builder.environment().put("PATH", "/bin");
        Payloads.Result result = Payloads.run(builder);
        assertThat(result.out().lines().toList()).as(result.out())
                .startsWith("character special file 1:3")
                .contains(corePatternBefore.strip());
        assertThat(result.out()).doesNotContain("pwned");
    }

    @Test
    void aRootfsWhoseDevIsALinkIsRefused() throws Exception {
        Path root = Files.createDirectories(temp.resolve("linked"));
        Files.createDirectories(root.resolve("proc"));
        Files.createSymbolicLink(root.resolve("dev"), Path.of("/proc/sys/kernel"));
        ContainerBuilder builder = new ContainerBuilder("/bin/true")
                .namespaces(NamespaceType.PID).mounts(MountSpec.builder().rootfs(root).proc().build());
        assertThatThrownBy(builder::start).isInstanceOf(IOException.class)
                .hasMessageContaining("mount destination /dev")
                .hasMessageContaining("is a symbolic link (to /proc/sys/kernel)");
    }

    @Test
    void aBareCommandIsFoundInsideAJoinedMountNamespace() throws Exception {
        Path root = hostileRootfs();
        Path script = root.resolve("bin/only-in-the-rootfs");
        Files.writeString(script, "#!/bin/sh\necho inside the joined root\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        ContainerBuilder box = new ContainerBuilder("/bin/sleep", "60")
                .namespaces(NamespaceType.PID).mounts(MountSpec.builder().rootfs(root).build());
        box.environment().put("PATH", "/bin");
        try (ContainerProcess target = box.start()) {
            // A program only the rootfs has: a search on the host would refuse the start.
            ContainerBuilder enter = new ContainerBuilder("only-in-the-rootfs")
                    .join(NamespaceType.MOUNT, NamespaceJoin.ofPid(target.pid()));
            enter.environment().put("PATH", "/nowhere:/bin");
            Payloads.Result result = Payloads.run(enter);
            assertThat(result.status()).as(result.out()).isZero();
            assertThat(result.out()).isEqualTo("inside the joined root\n");
            target.destroyForcibly();
            assertThat(target.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aBareCommandIsFoundInsideTheRootfs() throws Exception {
        Path root = hostileRootfs();
        ContainerBuilder builder = new ContainerBuilder("echo", "from-the-rootfs")
                .namespaces(NamespaceType.PID).mounts(MountSpec.builder().rootfs(root).build());
        builder.environment().put("PATH", "/nowhere:/bin");
        assertThat(builder.plan().describe()).contains("execve(\"/nowhere/echo\"").contains("execve(\"/bin/echo\"");
        Payloads.Result result = Payloads.run(builder);
        assertThat(result.out()).isEqualTo("from-the-rootfs\n");

        ContainerBuilder missing = new ContainerBuilder("no-such-program")
                .namespaces(NamespaceType.PID).mounts(MountSpec.builder().rootfs(root).build());
        missing.environment().put("PATH", "/bin");
        assertThatThrownBy(missing::start).isInstanceOf(IOException.class)
                .hasMessage("Cannot run program \"no-such-program\": error=2, ENOENT (No such file or directory);"
                        + " it was searched for on the container's PATH (/bin) inside its root");
    }
}
