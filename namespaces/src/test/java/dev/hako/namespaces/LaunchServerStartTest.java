package dev.hako.namespaces;

import dev.hako.namespaces.launch.LaunchServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    void inheritedStdioIsThisJvmsNotTheServers() throws Exception {
        try (ContainerProcess p = viaServer("/bin/sleep", "30").start()) {
            for (int fd = 0; fd < 3; fd++) {
                assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "fd", Integer.toString(fd))))
                        .as("fd %d", fd).isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(fd))));
            }
            p.destroyForcibly();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
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
    void aServerThatDiesOrHangsDuringAStartFailsItNamingWhatHappenedAndLeavesNothing() throws Exception {
        Path v2 = cgroup2Root();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("before-fork", "closed its socket during a start; its end: pid %d killed by SIGKILL");
        expected.put("after-fork", "closed its socket during a start; its end: pid %d killed by SIGKILL");
        expected.put("hang", "did not answer a start within 3000 ms; it was killed; its end: pid %d killed by SIGKILL");
        Duration timeout = LaunchServer.answerTimeout;
        try {
            LaunchServer.answerTimeout = Duration.ofSeconds(3);
            for (var fault : expected.entrySet()) {
                LaunchServer server = LaunchServer.get();
                // The child, where one was forked, is made inside this group (CLONE_INTO_CGROUP):
                // a child left behind would keep the group from being removed.
                Path group = Files.createDirectory(v2.resolve("hako-test-fault-" + ProcessHandle.current().pid()
                        + "-" + System.nanoTime()));
                try {
                    LaunchServer.faultForTests = fault.getKey();
                    assertThatThrownBy(() -> viaServer("/bin/sleep", "30").namespaces(NamespaceType.PID)
                            .cgroup(CgroupPlacement.v2(group)).start())
                            .as(fault.getKey())
                            .isInstanceOf(IOException.class)
                            .hasMessageStartingWith("the launch server (pid " + server.pid() + ") "
                                    + fault.getValue().formatted(server.pid()))
                            .hasMessageEndingWith("; the next start brings up a new one");
                    LaunchServer.faultForTests = null;
                    assertThat(Files.readString(group.resolve("cgroup.procs"))).as(fault.getKey()).isEmpty();
                } finally {
                    LaunchServer.faultForTests = null;
                    Files.delete(group);
                }
                assertThat(Payloads.zombieChildren()).as(fault.getKey()).isEmpty();
                assertThat(Path.of("/proc", Long.toString(server.pid()))).as(fault.getKey()).doesNotExist();
                try (ContainerProcess p = viaServer("/bin/true").start()) {
                    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
                    assertThat(p.exitValue()).isZero();
                }
                assertThat(LaunchServer.get().pid()).as(fault.getKey()).isNotEqualTo(server.pid());
                // The new server's socket is another inode at the same number as the old one's.
                assertThat(sameKinds(Payloads.openFds())).as(fault.getKey() + ": open descriptors")
                        .isEqualTo(sameKinds(fdsBefore));
            }
        } finally {
            LaunchServer.answerTimeout = timeout;
        }
    }

    @Test
    void aServerThatDiesRightAfterItsAnswerHarmsNotTheContainerItForked() throws Exception {
        LaunchServer server = LaunchServer.get();
        ContainerProcess p;
        try {
            LaunchServer.faultForTests = "after-answer";
            p = viaServer("/bin/sh", "-c", "sleep 0.3; exit 7").namespaces(NamespaceType.PID).start();
        } finally {
            LaunchServer.faultForTests = null;
        }
        try (p) {
            // The answer and the pidfd came in one message, before the server's death.
            assertThat(server.process().exited(Duration.ofSeconds(20))).isTrue();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(7);
        }
        try (ContainerProcess next = viaServer("/bin/true").start()) {
            assertThat(next.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(next.exitValue()).isZero();
        }
        assertThat(LaunchServer.get().pid()).isNotEqualTo(server.pid());
        assertThat(Payloads.zombieChildren()).isEmpty();
        // The new server's memfd and socket may take other numbers than the old one's.
        assertThat(sameKinds(Payloads.openFds()).stream().map(fd -> fd.replaceFirst("^\\d+ -> ", "")).sorted())
                .as("open descriptors").isEqualTo(sameKinds(fdsBefore).stream()
                        .map(fd -> fd.replaceFirst("^\\d+ -> ", "")).sorted().toList());
    }

    @Test
    void aChildResetsTheSignalsItsForkerIgnores() throws Exception {
        // The server starts with every signal at its default (posix_spawn SETSIGDEF), so a
        // signal this JVM ignores is not the server's children's to reset; an in-process
        // child inherits it and must.
        LaunchServer server = LaunchServer.get();
        Object before = handleSignal("URG", Class.forName("sun.misc.SignalHandler").getField("SIG_IGN").get(null));
        Path out = Files.createTempFile("hako-sigign", ".txt");
        try {
            long urgBit = 1L << (23 - 1);
            assertThat(Long.parseUnsignedLong(statusLine(Path.of("/proc/self/status"), "SigIgn"), 16) & urgBit)
                    .as("this JVM ignores SIGURG").isEqualTo(urgBit);
            assertThat(statusLine(Path.of("/proc", Long.toString(server.pid()), "status"), "SigIgn"))
                    .as("the server ignores nothing").isEqualTo("0000000000000000");
            for (Launchers launcher : List.of(Launchers.server(), Launchers.inProcess())) {
                ContainerBuilder builder = new ContainerBuilder("/bin/sh", "-c",
                        "grep SigIgn /proc/self/status > " + out).launcher(launcher);
                assertThat(builder.plan().describe().contains("rt_sigaction(SIGURG"))
                        .as(launcher.describe()).isEqualTo(launcher == Launchers.inProcess());
                try (ContainerProcess p = builder.start()) {
                    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
                    assertThat(p.exitValue()).isZero();
                }
                assertThat(Files.readString(out).trim()).as(launcher.describe()).isEqualTo("SigIgn:\t0000000000000000");
            }
        } finally {
            handleSignal("URG", before);
            Files.delete(out);
        }
    }

    /**
     * Sets this JVM's disposition of {@code signal} with sun.misc.Signal, reflectively: the
     * tests compile against this module, which does not read jdk.unsupported.
     */
    private static Object handleSignal(String signal, Object handler) throws ReflectiveOperationException {
        Class<?> signalClass = Class.forName("sun.misc.Signal");
        Object sig = signalClass.getConstructor(String.class).newInstance(signal);
        return signalClass.getMethod("handle", signalClass, Class.forName("sun.misc.SignalHandler"))
                .invoke(null, sig, handler);
    }

    private static String statusLine(Path status, String name) throws IOException {
        return Files.readAllLines(status).stream().filter(l -> l.startsWith(name + ":")).findFirst().orElseThrow()
                .substring(name.length() + 1).trim();
    }

    /** Descriptors with socket inode numbers left out. */
    private static List<String> sameKinds(List<String> fds) {
        return fds.stream().map(fd -> fd.replaceAll("socket:\\[\\d+\\]", "socket")).toList();
    }

    /** Where a cgroup v2 hierarchy is mounted: the root on a pure v2 system, else the hybrid one's. */
    private static Path cgroup2Root() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            int separator = List.of(fields).indexOf("-");
            if (fields[separator + 1].equals("cgroup2")) {
                return Path.of(fields[4]);
            }
        }
        throw new IllegalStateException("no cgroup v2 hierarchy is mounted");
    }

    private static long rssKiB(long pid) throws Exception {
        return Long.parseLong(Payloads.statusField(Files.readString(Path.of("/proc", Long.toString(pid), "status")),
                "VmRSS").replace("kB", "").strip());
    }
}
