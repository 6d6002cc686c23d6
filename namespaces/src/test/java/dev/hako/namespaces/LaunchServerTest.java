package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.ProcessSyscalls;
import dev.hako.testing.Privileged;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        assertThat(cmdline).contains("-Xmx16m", "-XX:+UseSerialGC", LaunchServerMain.class.getName());
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
        ProcessSyscalls.pidfdSendSignal(first.process().pidfd(), Linux.SIGKILL());
        first.process().waitFor();
        LaunchServer second = LaunchServer.get();
        assertThat(second).isNotSameAs(first);
        assertThat(second.pid()).isNotEqualTo(firstPid);
        assertThat(Path.of("/proc", Long.toString(firstPid))).doesNotExist();
    }

    @Test
    void endOfFileEndsTheServer() throws Exception {
        LaunchServer server = LaunchServer.get();
        ContainerProcess process = server.process();
        LaunchServer.shutdown();
        assertThat(process.exitStatus()).isPresent();
        assertThat(process.exitValue()).isZero();
    }
}
