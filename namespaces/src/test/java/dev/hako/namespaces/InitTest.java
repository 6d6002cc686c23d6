package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import dev.hako.testing.Tags;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PID-1 reaper ({@link ContainerBuilder#init(boolean)}) and the supervisor of a joined pid
 * namespace with time offsets (without them, a join hands off: {@link PidJoinTest}).
 */
@Privileged
@Timeout(60)
@Tag(Tags.GUEST)
class InitTest {

    private static final String BUSYBOX = "/bin/busybox";
    /** The task flag of a process in its exit (include/linux/sched.h). */
    private static final long PF_EXITING = 0x4;

    @AfterEach
    void noZombieLeft() throws IOException {
        assertThat(Payloads.zombieChildren()).isEmpty();
    }

    private static ContainerBuilder init(String script) {
        return new ContainerBuilder(BUSYBOX, "sh", "-c", script).namespaces(NamespaceType.PID).init(true)
                .mounts(MountSpec.builder().hostRootReadOnly().proc().build());
    }

    @Test
    void theReaperIsPid1AndTheCommandPid2() throws Exception {
        Payloads.Result result = Payloads.run(init("echo $$; cat /proc/1/comm; cat /proc/1/status | grep ^SigIgn"));
        assertThat(result.status()).isZero();
        String[] lines = result.out().split("\n");
        assertThat(lines[0]).isEqualTo("2");
        assertThat(lines[1]).isEqualTo("hako-init");
        // SIGCHLD (17) ignored: bit 16 of the mask.
        assertThat(Long.parseLong(lines[2].split("\t")[1].trim(), 16) & (1L << (Linux.SIGCHLD() - 1))).isNotZero();
    }

    /**
     * The reaper holds one descriptor, a pidfd of the supervisor. Root in the container, with
     * the default capabilities (no CAP_SYS_PTRACE), sees that fd 0 exists (the directory is
     * root's) but can neither resolve nor open it, nor read the reaper's memory, a copy of a
     * JVM.
     */
    @Test
    void rootInTheContainerCannotReachTheReapersDescriptorOrMemory() throws Exception {
        Payloads.Result result = Payloads.run(init("id -u; ls /proc/1/fd; readlink /proc/1/fd/0 >/dev/null 2>&1;"
                + " echo link=$?; cat /proc/1/fd/0 >/dev/null 2>&1; echo open=$?;"
                + " head -c 1 /proc/1/mem >/dev/null 2>&1; echo mem=$?"));
        assertThat(result.out()).isEqualTo("0\n0\nlink=1\nopen=1\nmem=1\n");
    }

    /**
     * PID 1 is this JVM's child, not the supervisor's, so that the two copies end at once;
     * waitFor() still returns only once every process of the container's pid namespace is
     * gone: the supervisor, PID 1, the command and an orphan it left running.
     */
    @Test
    void waitForReturnsOnceNoProcessOfTheNamespaceIsLeft() throws Exception {
        try (ContainerProcess process = init("sleep 60 & echo started; read line").redirectInput(Redirect.PIPE)
                .redirectOutput(Redirect.PIPE).start()) {
            long pid1 = process.initPid().orElseThrow();
            assertThat(Files.readAllLines(Path.of("/proc/" + pid1 + "/status"))).contains("PPid:\t"
                    + ProcessHandle.current().pid());
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("started");
            Path namespace = Files.readSymbolicLink(Path.of("/proc/" + pid1 + "/ns/pid"));
            assertThat(inNamespace(namespace)).hasSize(3); // PID 1, the shell and its sleep
            process.getOutputStream().close(); // the shell's read ends: it exits, leaving its sleep
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(1);
            assertThat(inNamespace(namespace)).isEmpty();
            assertThat(Path.of("/proc/" + pid1)).doesNotExist();
        }
    }

    /**
     * PID 1 is the child of the JVM thread that forked the supervisor (CLONE_PARENT), so it
     * must not die with that thread, as a parent-death signal would make it: a container
     * started from a thread that then ends runs on to its own exit.
     */
    @Test
    void aContainerOutlivesTheThreadThatStartedIt() throws Exception {
        ContainerProcess[] started = new ContainerProcess[1];
        Thread starter = new Thread(() -> {
            try {
                started[0] = init("sleep 1; exit 6").start();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        starter.start();
        starter.join(20_000);
        assertThat(starter.isAlive()).isFalse();
        try (ContainerProcess process = started[0]) {
            assertThat(process).isNotNull();
            assertThat(alive(process.initPid().orElseThrow())).as("PID 1 after its starting thread ended").isTrue();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(6);
        }
    }

    /** A supervised start whose command cannot run: PID 1, the JVM's child, is reaped too. */
    @Test
    void aFailedSupervisedStartLeavesNoPid1() throws Exception {
        assertThatThrownBy(() -> new ContainerBuilder("/nonexistent/command").namespaces(NamespaceType.PID).init(true)
                .start())
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("Cannot run program \"/nonexistent/command\": error=2, ENOENT");
        assertThat(ProcessHandle.current().children().filter(child -> comm(child.pid()).equals("hako-init")))
                .isEmpty();
    }

    /** The pids, in this JVM's namespace, of the processes in pid namespace {@code namespace}. */
    private static List<Long> inNamespace(Path namespace) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (var entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    try {
                        if (Files.readSymbolicLink(entry.resolve("ns/pid")).equals(namespace) && alive(Long.parseLong(name))) {
                            pids.add(Long.parseLong(name));
                        }
                    } catch (IOException e) {
                        // ended meanwhile
                    }
                }
            }
        }
        return pids;
    }

    @Test
    void theCommandSeesDefaultSignalsAndNoBlockedOnes() throws Exception {
        String out = Payloads.sh(init("true"), "grep -E '^Sig(Blk|Ign)' /proc/self/status");
        assertThat(out).isEqualTo("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
    }

    @Test
    void exitStatusIsTheCommands() throws Exception {
        assertThat(Payloads.run(init("exit 3")).status()).isEqualTo(3);
        assertThat(Payloads.run(init("kill -9 $$")).status()).isEqualTo(128 + 9);
        try (ContainerProcess process = init("kill -TERM $$").start()) {
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitSignal()).contains(dev.hako.syscalls.Signal.SIGTERM);
        }
    }

    @Test
    void orphansAreReapedByTheInitButStayZombiesUnderAPlainPid1() throws Exception {
        // The subshell exits at once; its background sleep is orphaned to PID 1 and exits after 1 s.
        String script = "(sleep 1 &); exec sleep 30";
        try (ContainerProcess withInit = init(script).start();
             ContainerProcess plain = new ContainerBuilder(BUSYBOX, "sh", "-c", script).namespaces(NamespaceType.PID)
                     .start()) {
            // The init (hako-init) adopts the orphan, then the kernel reaps it.
            long pid1 = withInit.initPid().orElseThrow();
            assertThat(comm(pid1)).isEqualTo("hako-init");
            awaitTrue(() -> states(pid1).equals(List.of("S")), "the orphan, sleeping, under the init");
            // Under a plain PID 1 (sleep, which never waits) the orphan ends as a zombie.
            awaitTrue(() -> states(plain.pid()).contains("Z"), "a zombie under the plain PID 1");
            awaitTrue(() -> states(pid1).isEmpty(), "the orphan gone, not a zombie, under the init");
            withInit.destroyForcibly();
            plain.destroyForcibly();
            assertThat(withInit.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(plain.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT", "HUP"})
    void signalsToTheInitReachTheCommand(String name) throws Exception {
        try (ContainerProcess process = init("trap 'echo got " + name + "; exit 7' " + name
                + "; echo ready; while :; do sleep 0.05; done").redirectOutput(Redirect.PIPE).start()) {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("ready");
            assertThat(process.signal(dev.hako.syscalls.Signal.valueOf("SIG" + name).number())).isTrue();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(out.readLine()).isEqualTo("got " + name);
            assertThat(process.exitValue()).isEqualTo(7);
        }
    }

    @Test
    void destroyStopsACommandWithoutHandlersOnlyUnderTheInit() throws Exception {
        try (ContainerProcess process = init("exec sleep 60").start()) {
            process.destroy();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(128 + Linux.SIGTERM());
        }
        // As PID 1 without a handler, sleep never sees SIGTERM: the kernel drops it.
        try (ContainerProcess process = new ContainerBuilder("/bin/sleep", "60").namespaces(NamespaceType.PID).start()) {
            process.destroy();
            assertThat(process.waitFor(1, TimeUnit.SECONDS)).isFalse();
            process.destroyForcibly();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(137);
        }
    }

    /** Reads the command's "ready" line: its trap is set, so the signals sent next cannot kill it. */
    private static void awaitReady(ContainerProcess process) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("ready");
    }

    /**
     * Sends {@code signal} one round at a time until the supervisor has left its forwarding
     * loop for its final wait, and returns how many it took. A signal goes out only while the
     * supervisor is blocked in its wait with nothing pending, so no two sends coalesce (on a
     * slow machine they did, by the thousand) and none can arrive after the loop has
     * unblocked the forwarded signals (their default action would end the supervisor).
     */
    private static int spendTheBudget(ContainerProcess process, int signal) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        int sent = 0;
        while (true) {
            long blockedIn = awaitQuiet(process.pid(), signal, deadline, sent);
            if (blockedIn == Linux.SYS_waitid()) {
                return sent;
            }
            assertThat(process.signal(signal)).as("signal %d reaches the supervisor", sent + 1).isTrue();
            sent++;
        }
    }

    /**
     * Waits until the supervisor is blocked (in its signal wait or its final waitid) with
     * {@code signal} no longer pending, and returns the call it is blocked in.
     */
    private static long awaitQuiet(long pid, int signal, long deadline, int sent) {
        while (true) {
            assertThat(Path.of("/proc/" + pid)).as("the supervisor is alive after %d signals", sent).exists();
            // Pending first, then the call: a task that took the signal runs until it blocks
            // again, so a wait seen afterwards is the next round's.
            boolean pending = (pendingSignals(pid) & (1L << (signal - 1))) != 0;
            long call = syscall(pid);
            if (!pending && (call == Linux.SYS_rt_sigtimedwait() || call == Linux.SYS_waitid())) {
                return call;
            }
            assertThat(System.nanoTime()).as("the supervisor takes signal %d", sent).isLessThan(deadline);
            LockSupport.parkNanos(100_000);
        }
    }

    /** The process-wide pending signals of {@code pid} (ShdPnd in /proc/PID/status). */
    private static long pendingSignals(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("ShdPnd:")) {
                    return Long.parseUnsignedLong(line.substring(7).trim(), 16);
                }
            }
        } catch (IOException e) {
            // Gone: the caller's liveness check names it.
        }
        return 0;
    }

    @Test
    @Timeout(240)
    void whenItsSignalBudgetIsSpentTheInitStillWaitsAndExitsWithTheStatus() throws Exception {
        ContainerBuilder builder = init("trap '' USR1; echo ready; read line; exit 5").redirectInput(Redirect.PIPE)
                .redirectOutput(Redirect.PIPE);
        assertThat(builder.plan().describe()).containsPattern("forwards up to \\d+ signals");
        try (ContainerProcess process = builder.start()) {
            awaitReady(process);
            // SIGUSR1 is forwarded, and ignored by the shell: spend the budget with it.
            int rounds = Integer.parseInt(builder.plan().describe().replaceAll("(?s).*forwards up to (\\d+) signals.*", "$1"));
            assertThat(spendTheBudget(process, Linux.SIGUSR1())).as("signals forwarded before the final wait")
                    .isBetween(rounds - 1, rounds + 1);
            assertThat(process.isAlive()).isTrue();
            process.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(5);
        }
    }

    @Test
    @Timeout(240)
    void whenItsSignalBudgetIsSpentDestroyStillEndsTheContainer() throws Exception {
        try (ContainerProcess process = init("trap '' USR1; echo ready; read line").redirectInput(Redirect.PIPE)
                .redirectOutput(Redirect.PIPE).start()) {
            awaitReady(process);
            spendTheBudget(process, Linux.SIGUSR1());
            // No longer forwarded but no longer blocked either: SIGTERM ends the supervisor,
            // PID 1 dies with it (its death signal), and the namespace with PID 1.
            process.destroy();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(128 + Linux.SIGTERM());
        }
    }

    @Test
    void resizingTheTerminalSpendsNoForwardingRound() throws Exception {
        try (ContainerProcess process = init("read line").redirectInput(Redirect.PIPE).start()) {
            // More SIGWINCH than the budget holds rounds: none is forwarded or counted.
            for (int i = 0; i < 1200; i++) {
                process.signal(Linux.SIGWINCH());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            assertThat(syscall(process.pid())).as("still in its forwarding loop")
                    .isEqualTo((long) Linux.SYS_rt_sigtimedwait());
            process.destroy();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as("SIGTERM forwarded to the shell").isEqualTo(128 + Linux.SIGTERM());
        }
    }

    @Test
    void theDryRunShowsTheReaper() {
        String plan = init("true").plan().describe();
        assertThat(plan).contains("unshare(CLONE_NEWPID)  (children start in a new pid namespace)")
                .contains("rt_sigaction(SIGCHLD, {SIG_IGN}, NULL, 8)  (the kernel reaps orphans)")
                // PID 1 is forked as our child, names itself, and takes the supervisor's pidfd as fd 0.
                .containsPattern("pidfd_open\\(<supervisor pid>, 0\\) = <supervisor pidfd>\n\\s*\\d+\\s+clone3\\("
                        + "\\{flags=CLONE_PARENT, exit_signal=0}, \\d+\\) = <pid 1>  \\(the parent's child, PID 1 of the"
                        + " new pid namespace\\)  -> goto \\d+ if in the parent\n\\s*\\d+\\s+"
                        + "prctl\\(PR_SET_NAME, \"hako-init\"\\)\n\\s*\\d+\\s+dup3\\(<supervisor pidfd>, 0, 0\\)\n")
                .containsPattern("close\\(<supervisor pidfd>\\)\n\\s*\\d+\\s+write\\(<report pipe>, &<pid 1>, 8\\)  \\(its"
                        + " pid, errno 0: the parent reaps PID 1 too\\)\n")
                .contains("read(<report pipe>) = {<pid 1>, errno 0}")
                .contains("epoll_ctl(<reaper>, EPOLL_CTL_ADD, <pid 1 pidfd>, EPOLLIN)")
                .containsPattern("waitid\\(P_PID, <command pid>, &info, WEXITED\\|WNOWAIT, NULL\\)  \\(the command has"
                        + " ended; unreaped, it keeps PID 1's pid from reuse\\)\n\\s*\\d+\\s+kill\\(<pid 1>, SIGKILL\\)"
                        + "  \\(ends what is left in the namespace\\)\n\\s*\\d+\\s+waitid\\(P_PID, <command pid>, &info,"
                        + " WEXITED, NULL\\)\n")
                .contains("ppoll([{fd=0, events=POLLIN}], 1, NULL, NULL, 8)  (blocks until the supervisor has exited")
                .containsPattern("clone3\\(\\{exit_signal=SIGCHLD}, \\d+\\) = <command pid>  -> goto \\d+ if in the parent")
                .containsPattern("rt_sigtimedwait\\(\\[HUP INT QUIT USR1 USR2 TERM CHLD], NULL, NULL, 8\\) = <signal>"
                        + "  \\(forwards up to \\d+ signals, then stops blocking them and waits\\)  -> goto \\d+ if"
                        + " <signal> is SIGCHLD")
                .contains("rt_sigprocmask(SIG_UNBLOCK, [HUP INT QUIT USR1 USR2 TERM], NULL, 8)  (only when out of"
                        + " forwarding rounds)")
                .contains("kill(<command pid>, <signal>)  -> goto")
                .contains("kill(<pid 1>, SIGKILL)  (ends what is left in the namespace)")
                .contains("kill(<self>, info.si_status)  (die as the command died)");
        // One parent-death signal, the command's: PID 1's would follow the JVM's thread that
        // forked the supervisor, which may end long before the container.
        assertThat(plan.split("PR_SET_PDEATHSIG", -1)).hasSize(2);
    }

    @Test
    void initNeedsANewPidNamespace() {
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").init(true).spec())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("init needs a new pid namespace (add NamespaceType.PID): only PID 1 of a namespace receives"
                        + " its orphans");
    }

    @Test
    void aSupervisedCommandJoiningAPidNamespaceRunsInsideIt() throws Exception {
        try (ContainerProcess target = new ContainerBuilder("/bin/sleep", "60").namespaces(NamespaceType.PID).start()) {
            String targetNs = Files.readSymbolicLink(Path.of("/proc/" + target.pid() + "/ns/pid")).toString();
            // Time offsets make the start supervised: the command is born in both namespaces.
            ContainerBuilder joining = new ContainerBuilder(BUSYBOX, "sh", "-c",
                    "readlink /proc/self/ns/pid; echo $$; exit 4")
                    .join(NamespaceType.PID, new NamespaceJoin.OfPid(target.pid()))
                    .timeOffsets(java.time.Duration.ZERO, java.time.Duration.ofDays(1));
            assertThat(joining.plan().describe()).contains("prctl(PR_SET_NAME, \"hako-supervisor\")");
            Payloads.Result result = Payloads.run(joining);
            String[] lines = result.out().split("\n");
            assertThat(lines[0]).isEqualTo(targetNs);
            // Its pid as the target's namespace numbers it: 1 is the target itself.
            assertThat(Integer.parseInt(lines[1])).isGreaterThan(1);
            assertThat(result.status()).isEqualTo(4);
            target.destroyForcibly();
            assertThat(target.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void killingTheSupervisorEndsEverythingItStarted() throws Exception {
        try (ContainerProcess target = new ContainerBuilder("/bin/sleep", "60").namespaces(NamespaceType.PID).start();
             ContainerProcess withInit = init("exec sleep 60").start();
             ContainerProcess joined = new ContainerBuilder("/bin/sleep", "60")
                     .join(NamespaceType.PID, new NamespaceJoin.OfPid(target.pid()))
                     .timeOffsets(java.time.Duration.ZERO, java.time.Duration.ofDays(1)).start()) {
            List<Long> started = new ArrayList<>();
            for (ContainerProcess supervisor : List.of(withInit, joined)) {
                awaitTrue(() -> !children(supervisor.pid()).isEmpty(), "the supervisor's children");
                started.addAll(children(supervisor.pid()));
                supervisor.initPid().ifPresent(started::add);
                supervisor.destroyForcibly();
                assertThat(supervisor.waitFor(20, TimeUnit.SECONDS)).isTrue();
            }
            // The reaper and both commands: by their parent-death signal, or with the namespace.
            assertThat(started).hasSize(3);
            awaitTrue(() -> started.stream().noneMatch(pid -> Files.exists(Path.of("/proc/" + pid))),
                    "every process the supervisors started gone");
            target.destroyForcibly();
            assertThat(target.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * A container destroyed the moment its start returned leaves nothing: SIGKILL goes to
     * PID 1, and the supervisor reaps the command. (Once the supervisor got it, and its PID 1
     * survived when the supervisor died before PID 1 had set its parent-death signal.)
     */
    @Test
    @Timeout(120)
    void aContainerDestroyedRightAfterItsStartLeavesNothing() throws Exception {
        List<Long> left = new ArrayList<>();
        try {
            for (int round = 0; round < 150 && left.isEmpty(); round++) {
                List<Long> started;
                try (ContainerProcess process = init("exec sleep 60").start()) {
                    started = new ArrayList<>(children(process.pid()));
                    started.add(process.initPid().orElseThrow());
                    process.destroyForcibly();
                    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
                    assertThat(process.exitSignal()).contains(dev.hako.syscalls.Signal.SIGKILL);
                }
                started.stream().filter(InitTest::alive).forEach(left::add);
            }
            assertThat(left).as("processes that outlived their container").isEmpty();
        } finally {
            for (long pid : left) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /**
     * A supervisor SIGKILLed from outside orphans its command, whose zombie keeps PID 1 from
     * ending until its adopter reaps it. In a JVM that adopts orphans (a subreaper here; PID 1
     * of a container in production) that is the JVM itself, which must then reap it, or the
     * container would never end. The probe runs in a JVM of its own, since a subreaper
     * adopts every orphan below it.
     */
    @Test
    @Timeout(180)
    void aSupervisorKilledFromOutsideStillEndsItsContainerWhenThisJvmAdoptsTheCommand() throws Exception {
        String out = ForkedJvm.run(ForkedJvm.sameLauncher(), dev.hako.launchprobe.SupervisorKillProbe.class.getName()
                + " 40", 150);
        assertThat(out).contains("40 rounds, 0 left [] []");
    }

    /** States (R, S, Z...) of the children of {@code pid}. */
    private static List<String> states(long pid) {
        List<String> states = new ArrayList<>();
        for (long child : children(pid)) {
            try {
                String stat = Files.readString(Path.of("/proc/" + child + "/stat"));
                states.add(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[0]);
            } catch (IOException e) {
                states.add("gone");
            }
        }
        return states;
    }

    private static List<Long> children(long pid) {
        try {
            String children = Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children")).trim();
            return children.isEmpty() ? List.of() : java.util.Arrays.stream(children.split(" ")).map(Long::valueOf).toList();
        } catch (IOException e) {
            throw new AssertionError("cannot read the children of " + pid, e);
        }
    }

    /**
     * Whether {@code pid} lives: it exists, and is neither a zombie nor exiting (PF_EXITING),
     * since this machine's init may reap late, and a PID 1 waits in its exit until its
     * namespace's last process is reaped.
     */
    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return !fields[0].equals("Z") && (Long.parseLong(fields[6]) & PF_EXITING) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** The syscall number {@code pid} is blocked in, or -1 while it runs. */
    private static long syscall(long pid) {
        try {
            String first = Files.readString(Path.of("/proc/" + pid + "/syscall")).trim().split(" ")[0];
            return first.equals("running") ? -1 : Long.parseLong(first);
        } catch (IOException | NumberFormatException e) {
            return -2;
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            LockSupport.parkNanos(20_000_000);
        }
    }
}
