package dev.hako.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.namespaces.ContainerProcess;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The end-to-end proof for a tree: a busybox shell loop that counts, piped into a
 * cat appending to a file on a bind mount, is dumped, killed and restored into a new
 * container; every task keeps its pid, process group and session, the counter goes on
 * from where it was and the pipe still flows.
 */
@Timeout(240)
@Privileged({Requirement.ROOT, Requirement.FREEZER})
class TreeRestoreTest {

    static final String LOOP = "cd /state; umask 027; i=0; while true; do i=$((i+1)); echo $i; sleep 0.2; done"
            + " | cat >>/state/log";

    /** One task as /proc shows it: ids in the container's pid namespace. */
    /** A task in the container's pid namespace; ppid 0 for PID 1, whose parent is outside. */
    record Task(int pid, int ppid, int pgid, int sid, String name) {
    }

    @ParameterizedTest(name = "dumped {0}")
    @ValueSource(strings = {"inside sleep", "inside a blocking read", "as a line arrives"})
    void shellPipelineGoesOnWithItsIdsAndItsCounter(String moment) throws Exception {
        try (Fixtures fixtures = new Fixtures()) {
            Path rootfs = fixtures.busyboxRootfs();
            Path state = Files.createDirectories(fixtures.work.resolve("state"));
            Path log = state.resolve("log");
            Path image = fixtures.work.resolve("image");
            List<Task> before;
            Map<Integer, String> credentialsBefore;
            ContainerProcess original = fixtures.shellContainer(rootfs, state, LOOP).start();
            try {
                Fixtures.awaitLines(log, 3, Duration.ofSeconds(30));
                before = awaitMoment(original.pid(), moment, log);
                credentialsBefore = credentials(original.pid());
                Checkpoint.of(original).dump(image);
                assertThat(original.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                Fixtures.closeQuietly(original);
            }
            assertThat(Files.readAllLines(fixtures.freezer.resolve("cgroup.procs"))).isEmpty();
            List<String> atDump = Fixtures.complete(log);
            Thread.sleep(500);
            assertThat(Fixtures.complete(log)).as("nothing runs between dump and restore").isEqualTo(atDump);

            // The image holds the tree as it was: pid 1 leads session and group, the loop's
            // subshell and cat are its children in both.
            List<Task> saved = ImageDescription.read(image).tasks().stream()
                    .map(t -> new Task(t.pid(), t.pid() == 1 ? 0 : t.ppid(), t.pgid(), t.sid(), t.command())).toList();
            assertThat(persistent(saved)).isEqualTo(persistent(before)).hasSize(3)
                    .allSatisfy(t -> assertThat(t.sid()).isEqualTo(1))
                    .allSatisfy(t -> assertThat(t.pgid()).isEqualTo(1));

            ContainerProcess restored = Restore.from(image)
                    .container(fixtures.shellContainer(rootfs, state, "exit 99")).start();
            try {
                // Every saved task is back with its ids; the loop may already have forked its
                // next sleep (a new task, named busybox until it execs), so more may be there.
                assertThat(tree(restored.pid())).containsAll(persistent(before));
                // Capability sets and no_new_privs as the original container's defaults made
                // them, though the restore itself ran with all of the JVM's capabilities; the
                // shells' signal handlers and ignored signals, umask and cwd.
                Map<Integer, String> credentialsAfter = credentials(restored.pid());
                for (Task task : persistent(before)) {
                    assertThat(credentialsAfter.get(task.pid())).as("task %d", task.pid())
                            .isEqualTo(credentialsBefore.get(task.pid())).contains("NoNewPrivs=1")
                            .contains("Umask=0027").containsPattern("cwd=.*/state$");
                }
                List<String> lines = Fixtures.awaitLines(log, atDump.size() + 5, Duration.ofSeconds(30));
                List<String> counting = IntStream.rangeClosed(1, lines.size()).mapToObj(Integer::toString).toList();
                assertThat(lines).as("the counter goes on after line %d", atDump.size()).isEqualTo(counting);
                assertThat(restored.isAlive()).isTrue();
                // Every saved task is back with its ids; the loop may already have forked its
                // next sleep (a new task, named busybox until it execs), so more may be there.
                assertThat(tree(restored.pid())).containsAll(persistent(before));
            } finally {
                Fixtures.closeQuietly(restored);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aZombieIsRestoredAsAZombieWithItsExitStatus() throws Exception {
        try (Fixtures fixtures = new Fixtures()) {
            Path rootfs = fixtures.busyboxRootfs();
            Path state = Files.createDirectories(fixtures.work.resolve("state"));
            Path image = fixtures.work.resolve("image");
            // The subshell exits with 3 after PID 1 has become sleep, which never waits, so
            // nobody reaps it (exiting at once, the shell could reap it before its exec).
            ContainerProcess original = fixtures.shellContainer(rootfs, state,
                    "(sleep 0.5; exit 3) & echo started >/state/log; exec /bin/sleep 1000").start();
            try {
                Fixtures.awaitLines(state.resolve("log"), 1, Duration.ofSeconds(30));
                awaitZombie(original.pid());
                ImageDescription description = Checkpoint.of(original).dump(image);
                assertThat(description.tasks()).extracting(ImageDescription.Task::pid).containsExactly(1, 2);
                assertThat(original.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                Fixtures.closeQuietly(original);
            }
            ContainerProcess restored = Restore.from(image).container(fixtures.shellContainer(rootfs, state, "exit 99"))
                    .start();
            try {
                List<Integer> hosts = hostTree(restored.pid());
                assertThat(hosts).hasSize(2);
                Map<String, String> zombie = status(hosts.get(1));
                assertThat(zombie.get("State")).startsWith("Z");
                assertThat(zombie.get("NSpid")).endsWith("\t2".substring(2));
                String stat = Files.readString(Path.of("/proc", hosts.get(1).toString(), "stat")).trim();
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                assertThat(fields[fields.length - 1]).as("exit_code, stat field 52").isEqualTo(Integer.toString(3 << 8));
                assertThat(status(hosts.get(0)).get("Name")).isEqualTo("sleep");
                assertThat(restored.isAlive()).isTrue();
            } finally {
                Fixtures.closeQuietly(restored);
            }
        }
    }

    private static void awaitZombie(long root) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            List<Integer> hosts = hostTree(root);
            if (hosts.size() == 2 && status(hosts.get(1)).get("State").startsWith("Z")
                    && status(hosts.get(0)).get("Name").equals("sleep")) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no zombie under a sleeping PID 1");
    }

    /** Pid in the container to its capability sets, no_new_privs, handled and ignored signals, umask and cwd, as /proc shows them. */
    static Map<Integer, String> credentials(long root) throws IOException {
        Map<Integer, String> credentials = new TreeMap<>();
        for (int pid : hostTree(root)) {
            try {
                Map<String, String> status = status(pid);
                StringBuilder text = new StringBuilder();
                for (String key : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "SigIgn",
                        "SigCgt", "Umask")) {
                    text.append(key).append('=').append(status.get(key)).append(' ');
                }
                text.append("cwd=").append(Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")));
                credentials.put(innermost(status, "NSpid"), text.toString().trim());
            } catch (IOException e) {
                // ended meanwhile
            }
        }
        return credentials;
    }

    /** The tasks that live all along (a short-lived sleep may come and go). */
    /**
     * The pipeline's lasting tasks: the shell (PID 1) and its children, the loop's subshell
     * and cat; a grandchild is a sleep the loop forks for a moment (named busybox until it
     * execs), which a dump may or may not catch.
     */
    static List<Task> persistent(List<Task> tasks) {
        return tasks.stream().filter(t -> (t.pid() == 1 || t.ppid() == 1) && !t.name().equals("sleep"))
                .sorted(java.util.Comparator.comparingInt(Task::pid)).toList();
    }

    /** Waits until the tree is at the moment asked for and returns it as it was then. */
    private static List<Task> awaitMoment(long root, String moment, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long size = Files.size(log);
        while (System.nanoTime() < deadline) {
            Map<Integer, String> calls = syscalls(root);
            boolean ready = switch (moment) {
                case "inside sleep" -> calls.values().stream().anyMatch(c -> c.equals("35") || c.equals("230"));
                case "inside a blocking read" -> calls.entrySet().stream()
                        .anyMatch(e -> e.getValue().equals("0") && name(e.getKey()).equals("cat"));
                default -> Files.size(log) != size;
            };
            if (ready) {
                return tree(root);
            }
            Thread.sleep(moment.startsWith("as a line") ? 0 : 5);
        }
        throw new AssertionError("the tree never was " + moment);
    }

    /** Host pid to the number of the syscall it is blocked in ("running" if none). */
    private static Map<Integer, String> syscalls(long root) throws IOException {
        Map<Integer, String> calls = new TreeMap<>();
        for (int pid : hostTree(root)) {
            try {
                calls.put(pid, Files.readString(Path.of("/proc", Integer.toString(pid), "syscall")).split(" ")[0].trim());
            } catch (IOException e) {
                // ended meanwhile (ENOENT, or ESRCH while reading)
            }
        }
        return calls;
    }

    private static String name(int pid) {
        try {
            return status(pid).getOrDefault("Name", "");
        } catch (IOException e) {
            return "";
        }
    }

    static List<Integer> hostTree(long root) throws IOException {
        List<Integer> order = new ArrayList<>();
        order.add((int) root);
        for (int i = 0; i < order.size(); i++) {
            Path children = Path.of("/proc", order.get(i).toString(), "task", order.get(i).toString(), "children");
            try {
                for (String part : Files.readString(children).trim().split("\\s+")) {
                    if (!part.isEmpty()) {
                        order.add(Integer.parseInt(part));
                    }
                }
            } catch (IOException e) {
                // ended meanwhile (ENOENT, or ESRCH while reading)
            }
        }
        return order;
    }

    /** The tree under {@code root} with ids as its pid namespace sees them. */
    static List<Task> tree(long root) throws IOException {
        List<Task> tasks = new ArrayList<>();
        for (int pid : hostTree(root)) {
            try {
                Map<String, String> status = status(pid);
                int nsPid = innermost(status, "NSpid");
                int ppid = nsPid == 1 ? 0 : innermost(status(Integer.parseInt(status.get("PPid"))), "NSpid");
                tasks.add(new Task(nsPid, ppid, innermost(status, "NSpgid"), innermost(status, "NSsid"),
                        status.get("Name")));
            } catch (IOException e) {
                // ended meanwhile (ENOENT, or ESRCH while reading)
            }
        }
        return tasks;
    }

    private static Map<String, String> status(int pid) throws IOException {
        Map<String, String> fields = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    private static int innermost(Map<String, String> status, String key) {
        String[] parts = status.get(key).split("\\s+");
        return Integer.parseInt(parts[parts.length - 1]);
    }
}
