package dev.hako.namespaces;

import dev.hako.namespaces.launch.LaunchServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Starts through the launch server: the container is our child, a copy of the small server, not of us. */
@Privileged
@Timeout(120)
class LaunchServerStartTest {

    private List<String> fdsBefore;

    @BeforeEach
    void serverUp() throws Exception {
        LaunchServer.get();
        fdsBefore = Payloads.openFds();
    }

    @AfterEach
    void nothingLeft() throws Exception {
        LaunchServer.faultForTests = null;
        assertThat(Payloads.zombieChildren()).isEmpty();
    }

    private static ContainerBuilder viaServer(String... command) {
        return new ContainerBuilder(command).launcher(Launchers.server());
    }

    @Test
    void aStartThroughTheServerIsOurChildWithItsStatus() throws Exception {
        try (ContainerProcess p = viaServer("/bin/sh", "-c", "read line; exit 7").namespaces(NamespaceType.PID,
                NamespaceType.MOUNT, NamespaceType.IPC, NamespaceType.UTS).redirectInput(Redirect.PIPE).start()) {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            assertThat(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]).as("ppid")
                    .isEqualTo(Long.toString(ProcessHandle.current().pid()));
            p.getOutputStream().close();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(7);
        }
        Payloads.assertDescriptorsBackTo(fdsBefore);
    }

    @Test
    void stdioAndNamespacesWorkAsInProcess() throws Exception {
        String out = Payloads.sh(viaServer().namespaces(NamespaceType.PID, NamespaceType.UTS).hostname("boxed"),
                "echo $$ $(hostname)");
        assertThat(out).isEqualTo("1 boxed\n");
        Payloads.assertDescriptorsBackTo(fdsBefore);
    }

    @Test
    void aFailingStepIsReportedAsInProcess() throws Exception {
        assertThatThrownBy(() -> viaServer("/nonexistent/program").start())
                .hasMessageStartingWith("Cannot run program \"/nonexistent/program\": error=2, ENOENT");
        Payloads.assertDescriptorsBackTo(fdsBefore);
    }

    @Test
    void initsSupervisorAndReaperAreCopiesOfTheServerNotOfUs() throws Exception {
        LaunchServer server = LaunchServer.get();
        try (ContainerProcess p = viaServer("/bin/sleep", "30").namespaces(NamespaceType.PID).init(true).start()) {
            long supervisor = p.pid();
            assertThat(Files.readString(Path.of("/proc", Long.toString(supervisor), "comm")).strip())
                    .isEqualTo("hako-supervisor");
            // Same executable mapping as the server's JVM, and the program region the server maps.
            String maps = Files.readString(Path.of("/proc", Long.toString(supervisor), "maps"));
            assertThat(maps).contains("/memfd:hako-launch-programs");
            long ours = rssKiB(ProcessHandle.current().pid());
            long theirs = rssKiB(supervisor);
            long serverRss = rssKiB(server.pid());
            assertThat(theirs).as("supervisor RSS vs the server's %d KiB and ours %d KiB", serverRss, ours)
                    .isLessThanOrEqualTo(serverRss + 4096);
            p.destroyForcibly();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aServerKilledDuringAStartFailsThatStartAndTheNextOneWorks() throws Exception {
        for (String point : List.of("before-fork", "after-fork")) {
            LaunchServer server = LaunchServer.get();
            LaunchServer.faultForTests = point;
            assertThatThrownBy(() -> viaServer("/bin/true").start())
                    .hasMessageContaining("the launch server (pid " + server.pid() + ") closed its socket during a start")
                    .hasMessageContaining("killed by SIGKILL")
                    .hasMessageEndingWith("the next start brings up a new one");
            LaunchServer.faultForTests = null;
            try (ContainerProcess p = viaServer("/bin/true").start()) {
                assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).isZero();
            }
            assertThat(LaunchServer.get().pid()).isNotEqualTo(server.pid());
            assertThat(Payloads.zombieChildren()).as(point).isEmpty();
        }
        Payloads.assertDescriptorsBackTo(Payloads.openFds());
    }

    private static long rssKiB(long pid) throws Exception {
        return Long.parseLong(Payloads.statusField(Files.readString(Path.of("/proc", Long.toString(pid), "status")),
                "VmRSS").replace("kB", "").strip());
    }
}
