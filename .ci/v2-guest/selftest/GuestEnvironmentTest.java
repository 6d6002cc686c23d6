package dev.hako.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Proves the cgroup v2 guest is what the stage promises, using nothing from the project:
 * the unified hierarchy with the controllers the tagged tests need, child groups with
 * their interface files, real enforcement (a process over memory.max is OOM-killed), and
 * namespaces (user, mount, pid) as the launch engine's tests need them.
 *
 * <p>Compiled and always included by {@code .ci/v2-guest/run}; it runs only in the guest
 * (tag {@code cgroup2}, and it is not part of any Maven module).
 */
@Tag("cgroup2")
class GuestEnvironmentTest {

    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final List<String> CONTROLLERS = List.of("cpu", "io", "memory", "pids");

    private Path group;

    @BeforeAll
    static void enableControllersForChildren() throws IOException {
        for (String controller : CONTROLLERS) {
            Files.writeString(ROOT.resolve("cgroup.subtree_control"), "+" + controller);
        }
    }

    @AfterEach
    void removeGroup() throws Exception {
        if (group != null && Files.exists(group)) {
            Files.writeString(group.resolve("cgroup.kill"), "1");
            // rmdir fails with EBUSY until the killed members are gone.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    Files.delete(group);
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(50);
                }
            }
        }
    }

    @Test
    void rootListsTheControllers() throws IOException {
        List<String> available = List.of(Files.readString(ROOT.resolve("cgroup.controllers")).trim().split(" "));
        assertTrue(available.containsAll(CONTROLLERS), "cgroup.controllers: " + available);
    }

    @Test
    void childGroupHasTheInterfaceFiles() throws IOException {
        group = Files.createDirectory(ROOT.resolve("hako-guest-selftest-files"));
        for (String file : List.of("cpu.max", "memory.max", "io.max", "pids.max", "memory.events",
                "cgroup.kill", "cgroup.freeze", "cpu.pressure", "memory.pressure", "io.pressure")) {
            assertTrue(Files.exists(group.resolve(file)), "missing " + file);
        }
    }

    /**
     * The test JVM must not run chrooted: the kernel refuses user namespaces to a chrooted
     * process (EPERM), which would fail every launch-engine test that uses one; and a
     * container's root is set with pivot_root.
     */
    @Test
    void namespacesAndPivotRootWork() throws Exception {
        Process process = new ProcessBuilder("unshare", "--user", "--map-root-user", "--mount", "--pid",
                "--fork", "--mount-proc", "/bin/sh", "-c",
                "test $$ = 1 && mount -t tmpfs box /mnt && mkdir /mnt/old && cd /mnt && pivot_root . old")
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "unshare did not finish");
        assertEquals(0, process.exitValue(), "unshare --user --mount --pid, pivot_root: " + output);
    }

    @Test
    void processOverMemoryMaxIsOomKilled() throws Exception {
        group = Files.createDirectory(ROOT.resolve("hako-guest-selftest-oom"));
        Files.writeString(group.resolve("memory.max"), String.valueOf(16 << 20));
        Path swapMax = group.resolve("memory.swap.max");
        if (Files.exists(swapMax)) {
            Files.writeString(swapMax, "0");
        }
        // The shell joins the group, then becomes dd, whose 64 MiB buffer is filled from
        // /dev/zero: 4 times the limit.
        Process process = new ProcessBuilder("/bin/sh", "-c",
                "echo $$ > " + group.resolve("cgroup.procs")
                        + " && exec dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null")
                .redirectErrorStream(true)
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("the process over memory.max was not killed within 60 s");
        }
        assertEquals(128 + 9, process.exitValue(), "exit status (137 = killed by SIGKILL)");
        long oomKills = Files.readAllLines(group.resolve("memory.events")).stream()
                .filter(line -> line.startsWith("oom_kill "))
                .mapToLong(line -> Long.parseLong(line.substring("oom_kill ".length())))
                .findFirst().orElse(-1);
        assertEquals(1, oomKills, "memory.events oom_kill");
    }
}
