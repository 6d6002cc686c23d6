package dev.hako.namespaces;

import dev.hako.namespaces.launch.LaunchServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.testing.Privileged;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The launch server's life: started small and as our child, replaced when it dies, ended by end of file. */
@Privileged
@Timeout(120)
class LaunchServerTest {

    @AfterEach
    void noZombieLeft() throws Exception {
        assertThat(Payloads.zombieChildren()).isEmpty();
    }

    @Test
    void theServerIsASmallJvmOnHakosOwnCodeAndOurChild() throws Exception {
        LaunchServer server = LaunchServer.get();
        assertThat(LaunchServer.get()).as("one server per JVM").isSameAs(server);
        String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(server.pid()), "cmdline")),
                StandardCharsets.UTF_8).replace('\0', ' ');
        assertThat(cmdline).contains("-Xmx16m", "-XX:+UseSerialGC", "dev.hako.namespaces.launch.LaunchServerMain");
        assertThat(ProcessHandle.of(server.pid()).orElseThrow().parent().orElseThrow().pid())
                .isEqualTo(ProcessHandle.current().pid());
        assertThat(server.describe()).startsWith("launch server pid " + server.pid() + " (-XX:+UseSerialGC");
        // PR_SET_PDEATHSIG: SIGKILL when the thread that started it ends (field 38 of stat is not it;
        // the death signal is not in /proc, so the test reads what the plan would set).
        assertThat(LaunchServer.serverCommand()).contains("--enable-native-access=ALL-UNNAMED");
    }

    @Test
    void aKilledServerIsReplacedByTheNextStart() throws Exception {
        LaunchServer first = LaunchServer.get();
        long firstPid = first.pid();
        first.process().kill();
        assertThat(first.process().exited(Duration.ofSeconds(30))).isTrue();
        LaunchServer second = LaunchServer.get();
        assertThat(second).isNotSameAs(first);
        assertThat(second.pid()).isNotEqualTo(firstPid);
        assertThat(Path.of("/proc", Long.toString(firstPid))).doesNotExist();
    }

    @Test
    void aServerThatCannotStartFailsTheStartNamingItAndTheNextStartWorks() throws Exception {
        LaunchServer.shutdown();
        List<String> fdsBefore = Payloads.openFds();
        System.setProperty("hako.launchServer.jvmOptions", "-XX:+NoSuchHakoOption");
        try {
            assertThatThrownBy(() -> new ContainerBuilder("/bin/true").launcher(Launchers.server()).start())
                    .isInstanceOf(IOException.class)
                    // It may have exited before or after this JVM sent its first request; after
                    // it, with the request unread in its socket, a read sees ECONNRESET.
                    .hasMessageMatching("cannot start the launch server: the launch server \\(pid (\\d+)\\) (closed its"
                            + " socket during mapping the program region|cannot be written to \\(EPIPE\\)"
                            + "|cannot be read from \\(ECONNRESET\\)); its end: pid"
                            + " \\1 exited with status 1; the next start brings up a new one");
        } finally {
            System.clearProperty("hako.launchServer.jvmOptions");
        }
        assertThat(LaunchServer.running()).isNull();
        Payloads.assertDescriptorsBackTo(fdsBefore);
        try (ContainerProcess p = new ContainerBuilder("/bin/true").launcher(Launchers.server()).start()) {
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        }
        assertThat(LaunchServer.running()).isNotNull();
    }

    @Test
    void theServerStartsWhenHakoIsOnTheModulePath() throws Exception {
        List<String> modules = new ArrayList<>();
        for (Class<?> c : List.of(ContainerBuilder.class, dev.hako.syscalls.Fd.class, dev.hako.bindings.Linux.class,
                dev.hako.cgroupfs.CgroupLayout.class)) {
            modules.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        String probe = Path.of(dev.hako.launchprobe.ServerStartProbe.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI()).toString();
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=dev.hako.bindings,dev.hako.syscalls,dev.hako.namespaces",
                "-p", String.join(":", modules), "--add-modules", "dev.hako.namespaces",
                "-cp", probe, dev.hako.launchprobe.ServerStartProbe.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(90, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(out).as("exit %d", java.exitValue()).contains("status=3 child=true server=true");
        assertThat(java.exitValue()).isZero();
    }

    @Test
    void aJvmThatRunsOnlyC1IsRefusedInProcessAndServedByTheServer() throws Exception {
        assertThat(probe("-XX:TieredStopAtLevel=1", "in-process")).startsWith("refused: this JVM compiles with C1 at"
                + " most (-XX:TieredStopAtLevel below 4), whose code polls for safepoints on every loop back-edge;")
                .contains("Start through the launch server, which chooses its own flags:"
                        + " ContainerBuilder.launcher(Launchers.server()) or -Dhako.launcher=server");
        assertThat(probe("-XX:TieredStopAtLevel=1", "server")).contains("status=3 child=true server=true");
    }

    /** Runs ServerStartProbe in a JVM with {@code option}, on this JVM's class path; its output. */
    private static String probe(String option, String mode) throws Exception {
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", option, "-cp", System.getProperty("java.class.path"),
                dev.hako.launchprobe.ServerStartProbe.class.getName(), mode)
                .redirectErrorStream(true).start();
        String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(90, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(java.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void endOfFileEndsTheServer() throws Exception {
        LaunchServer server = LaunchServer.get();
        LaunchServer.ServerProcess process = server.process();
        LaunchServer.shutdown();
        assertThat(process.status()).hasToString("pid " + server.pid() + " exited with status 0");
    }
}
