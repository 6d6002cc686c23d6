package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.namespaces.launch.LaunchServer;
import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The choice of launcher: the default, the system property, the eager start, what describe() says. */
@Timeout(120)
class LaunchersTest {

    @Test
    void theServerIsTheDefaultAndTheSystemPropertyChooses() {
        assertThat(withProperty(null, Launchers::fromSystemProperty)).isSameAs(Launchers.server());
        assertThat(withProperty(" ", Launchers::fromSystemProperty)).isSameAs(Launchers.server());
        assertThat(withProperty("in-process", Launchers::fromSystemProperty)).isSameAs(Launchers.inProcess());
        assertThat(withProperty("Server", Launchers::fromSystemProperty)).isSameAs(Launchers.server());
        assertThat(withProperty("in-process", () -> new ContainerBuilder("/bin/true").launcher()))
                .isSameAs(Launchers.inProcess());
        assertThat(withProperty("in-process", () -> new ContainerBuilder("/bin/true").launcher(Launchers.server())
                .launcher())).as("a launcher set on the builder wins").isSameAs(Launchers.server());
    }

    @Test
    void aBadPropertyValueIsNamed() {
        assertThatThrownBy(() -> withProperty("fork", Launchers::fromSystemProperty))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("system property hako.launcher is \"fork\"; it takes server or in-process");
    }

    @Test
    void describeNamesThisJvmForInProcessStarts() {
        String plan = new ContainerBuilder("/bin/true").launcher(Launchers.inProcess()).plan().describe();
        assertThat(plan).startsWith("# forked by this JVM (pid " + ProcessHandle.current().pid() + "), in-process\n"
                + "# parent\n");
        assertThat(plan).contains("exit_signal=SIGCHLD").doesNotContain("CLONE_PARENT", "launch server");
    }

    @Test
    @Privileged
    void prepareStartsTheServerAheadOfTheFirstStartAndDescribeNamesIt() throws Exception {
        LaunchServer.shutdown();
        ContainerBuilder builder = new ContainerBuilder("/bin/true").launcher(Launchers.server());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertThat(builder.plan().describe()).startsWith("# forked by launch server, not running: the first start"
                + " through it runs " + java + " -XX:+UseSerialGC -Xms8m -Xmx16m")
                .contains(" ... dev.hako.namespaces.launch.LaunchServerMain " + ProcessHandle.current().pid()
                        + "\n# parent\n");
        assertThat(LaunchServer.running()).as("nothing starts the server but a start or prepare()").isNull();

        assertThat(Launchers.server().prepare()).isSameAs(Launchers.server());
        LaunchServer server = LaunchServer.running();
        assertThat(server).as("prepare() started the server").isNotNull();
        assertThat(ProcessHandle.of(server.pid()).orElseThrow().parent().orElseThrow().pid())
                .isEqualTo(ProcessHandle.current().pid());
        Launchers.server().prepare();
        assertThat(LaunchServer.running()).as("a second prepare() keeps the running server").isSameAs(server);

        String plan = builder.plan().describe();
        assertThat(plan).startsWith("# forked by launch server pid " + server.pid() + " (-XX:+UseSerialGC -Xms8m"
                + " -Xmx16m -XX:+UseTransparentHugePages -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m"
                + " -XX:-UsePerfData -XX:-TieredCompilation -XX:CICompilerCount=1 -XX:CompileThreshold=100"
                + " -XX:TrimNativeHeapInterval=2000 -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0), 0 starts,"
                + " up ");
        assertThat(plan).contains(
                "sendmsg(<launch server socket>, {fork <program chunk>}, SCM_RIGHTS <the child's fds, at 512 and above>)",
                "    launch server: clone3({flags=CLONE_PIDFD",
                "|CLONE_PARENT|CLONE_PARENT_SETTID, pidfd=&pidfd, parent_tid=&pid, exit_signal=0}, 88) = <pid>"
                        + "  (our child: CLONE_PARENT)",
                "recvmsg(<launch server socket>, {<pid>}, SCM_RIGHTS) = <pidfd>");
        // A plain child has exec'd before its start returns and its chunk is reused: it runs
        // from the shared chunk. A supervisor outlives the start, and a hand-off forks again
        // (its child would write the same result slots), so each makes its copy private.
        assertThat(plan).doesNotContain("<program chunk>, 262144");
        assertThat(new ContainerBuilder("/bin/true").launcher(Launchers.server())
                .join(NamespaceType.PID, NamespaceJoin.ofPid(ProcessHandle.current().pid())).plan().describe())
                .contains("mmap(<program chunk>, 262144, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED");
        assertThat(new ContainerBuilder("/bin/true").launcher(Launchers.server()).namespaces(NamespaceType.PID).init(true)
                .plan().describe())
                .contains("# child (after clone3, before execve)\n  0  mmap(<program chunk>, 262144, PROT_READ|PROT_WRITE,"
                        + " MAP_PRIVATE|MAP_FIXED, <launch server's program memfd>, ",
                "  1  madvise(<program chunk>, 262144, MADV_POPULATE_WRITE)\n");
        assertThat(Launchers.server().describe()).isEqualTo(server.describe());

        try (ContainerProcess p = builder.start()) {
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(LaunchServer.running()).as("the first start used the prepared server").isSameAs(server);
        assertThat(builder.plan().describe()).contains("), 1 starts, up ");
    }

    @Test
    void prepareInProcessWarmsThisJvm() throws Exception {
        assertThat(Launchers.inProcess().prepare()).isSameAs(Launchers.inProcess());
        assertThat(Launchers.inProcess().describe()).isEqualTo("this JVM (pid " + ProcessHandle.current().pid()
                + "), in-process");
    }

    private static <T> T withProperty(String value, Supplier<T> read) {
        String before = System.getProperty(Launchers.PROPERTY);
        try {
            if (value == null) {
                System.clearProperty(Launchers.PROPERTY);
            } else {
                System.setProperty(Launchers.PROPERTY, value);
            }
            return read.get();
        } finally {
            if (before == null) {
                System.clearProperty(Launchers.PROPERTY);
            } else {
                System.setProperty(Launchers.PROPERTY, before);
            }
        }
    }
}
