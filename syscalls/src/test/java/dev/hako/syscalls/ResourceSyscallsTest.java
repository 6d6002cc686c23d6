package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Limits are per process, so the ones set here are a child's, never the JVM's. */
class ResourceSyscallsTest {

    /** The soft and hard values of a /proc/PID/limits line, e.g. "Max open files". */
    private static String[] limits(String pid, String name) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
            if (line.startsWith(name)) {
                return line.substring(26).strip().split("\\s+");
            }
        }
        throw new IllegalStateException("no " + name + " in /proc/" + pid + "/limits");
    }

    private static String text(long value) {
        return value == ResourceLimit.INFINITY ? "unlimited" : Long.toUnsignedString(value);
    }

    @Test
    void prlimitReadsTheJvmsLimits() throws Exception {
        ResourceLimit files = ResourceSyscalls.prlimit(0, Resource.NOFILE);
        String[] proc = limits("self", "Max open files");
        assertThat(text(files.soft())).isEqualTo(proc[0]);
        assertThat(text(files.hard())).isEqualTo(proc[1]);
        ResourceLimit core = ResourceSyscalls.prlimit(0, Resource.CORE);
        assertThat(text(core.hard())).isEqualTo(limits("self", "Max core file size")[1]);
    }

    @Test
    @Timeout(30)
    void prlimitSetsAChildsLimitAndReturnsTheOldOne() throws Exception {
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            int pid = (int) child.pid();
            ResourceLimit original = ResourceSyscalls.prlimit(pid, Resource.NOFILE);
            ResourceLimit old = ResourceSyscalls.prlimit(pid, Resource.NOFILE, new ResourceLimit(64, 128));
            assertThat(old).isEqualTo(original);
            assertThat(limits(Long.toString(pid), "Max open files")).startsWith("64", "128");
            assertThat(ResourceSyscalls.prlimit(pid, Resource.NOFILE)).isEqualTo(new ResourceLimit(64, 128));
            ResourceSyscalls.prlimit(pid, Resource.CPU, new ResourceLimit(100, ResourceLimit.INFINITY));
            assertThat(limits(Long.toString(pid), "Max cpu time")).startsWith("100", "unlimited");
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    @Test
    void prlimitOfAMissingProcessFails() {
        assertThatThrownBy(() -> ResourceSyscalls.prlimit(Integer.MAX_VALUE, Resource.NOFILE))
                .isInstanceOf(SyscallException.class)
                .hasMessage("prlimit64(2147483647, RLIMIT_NOFILE, NULL, &old) failed: ESRCH (No such process)");
        assertThatThrownBy(() -> ResourceSyscalls.prlimit(Integer.MAX_VALUE, Resource.STACK, ResourceLimit.of(8192)))
                .isInstanceOf(SyscallException.class)
                .hasMessage("prlimit64(2147483647, RLIMIT_STACK, {soft=8192, hard=8192}, &old) failed: ESRCH (No such process)");
    }

    @Test
    void softAboveHardIsRejectedBeforeTheCall() {
        assertThatThrownBy(() -> new ResourceLimit(2048, 1024))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("soft limit 2048 is above hard limit 1024; the soft limit must not exceed the hard limit");
        assertThatThrownBy(() -> new ResourceLimit(ResourceLimit.INFINITY, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("soft limit unlimited is above hard limit 5; the soft limit must not exceed the hard limit");
        assertThat(ResourceLimit.unlimited().softUnlimited()).isTrue();
        assertThat(ResourceLimit.unlimited()).hasToString("{soft=unlimited, hard=unlimited}");
    }
}
