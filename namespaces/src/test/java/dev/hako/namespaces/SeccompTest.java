package dev.hako.namespaces;

import static dev.hako.namespaces.Payloads.sh;
import static dev.hako.namespaces.Payloads.statusField;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.bindings.Linux;
import dev.hako.namespaces.SeccompProfile.ArgCheck;
import dev.hako.syscalls.Capability;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.Signal;
import dev.hako.testing.Privileged;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seccomp filter in a real kernel: containers started as root with the default profile
 * try what the profile forbids, from inside, and the same probes with
 * {@link SeccompProfile#unconfined()} succeed (so each assertion can fail).
 */
@Timeout(120)
@Privileged(programs = {"gcc", "unshare"})
class SeccompTest {

    /**
     * A probe that makes one raw syscall per argument and prints its outcome ("NAME: ok" or
     * "NAME: EPERM"), so nothing but the kernel and the filter stands between the test and
     * the answer.
     */
    private static final String PROBE = """
            #define _GNU_SOURCE
            #include <errno.h>
            #include <signal.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <sys/mount.h>
            #include <sys/syscall.h>
            #include <sys/wait.h>
            #include <unistd.h>
            #include <linux/sched.h>

            static void report(const char *what, long result) {
                if (result == -1) {
                    printf("%s: %s\\n", what, strerrorname_np(errno));
                } else {
                    printf("%s: ok\\n", what);
                }
                fflush(stdout);
            }

            static long clone_and_wait(unsigned long flags) {
                long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
                if (pid == 0) {
                    _exit(0);
                }
                if (pid > 0) {
                    waitpid(pid, NULL, 0);
                }
                return pid;
            }

            int main(int argc, char **argv) {
                for (int i = 1; i < argc; i++) {
                    char *a = argv[i];
                    if (!strcmp(a, "x32")) {
                        report(a, syscall(0x40000000 | SYS_getpid));
                    } else if (!strcmp(a, "keyctl")) {
                        report(a, syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0));
                    } else if (!strncmp(a, "mount=", 6)) {
                        report("mount", mount("none", a + 6, "tmpfs", 0, NULL));
                    } else if (!strcmp(a, "fork")) {
                        report(a, clone_and_wait(0));
                    } else if (!strcmp(a, "clone-newuser")) {
                        report(a, clone_and_wait(CLONE_NEWUSER));
                    } else if (!strcmp(a, "clone3")) {
                        struct clone_args args = { .exit_signal = SIGCHLD };
                        long pid = syscall(SYS_clone3, &args, sizeof args);
                        if (pid == 0) {
                            _exit(0);
                        }
                        if (pid > 0) {
                            waitpid(pid, NULL, 0);
                        }
                        report(a, pid);
                    } else if (!strncmp(a, "personality=", 12)) {
                        unsigned long persona = strtoul(a + 12, NULL, 0);
                        long old = syscall(SYS_personality, persona);
                        report(a, old);
                        if (old != -1) {
                            syscall(SYS_personality, old);
                        }
                    } else {
                        fprintf(stderr, "unknown probe %s\\n", a);
                        return 2;
                    }
                }
                return 0;
            }
            """;

    private static Path probe;

    @BeforeAll
    static void compileProbe(@TempDir Path dir) throws IOException, InterruptedException {
        Path source = dir.resolve("seccomp_probe.c");
        Files.writeString(source, PROBE);
        probe = dir.resolve("seccomp_probe");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-o", probe.toString(), source.toString())
                .redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as("gcc:\n%s", log).isZero();
    }

    /**
     * A container with this profile; unconfined means privileged too, so that the probes
     * show what the filter alone prevents (the default capabilities would stop mount as well).
     */
    private static ContainerBuilder container(SeccompProfile profile) {
        ContainerBuilder builder = new ContainerBuilder("/bin/true")
                .namespaces(NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.IPC, NamespaceType.UTS)
                .seccomp(profile);
        return profile.isUnconfined() ? builder.privileged() : builder;
    }

    private static String probe(SeccompProfile profile, String... probes) throws Exception {
        List<String> command = new ArrayList<>(List.of(probe.toString()));
        command.addAll(List.of(probes));
        Payloads.Result result = Payloads.run(container(profile).command(command));
        assertThat(result.status()).as("probe output:\n%s", result.out()).isZero();
        return result.out();
    }

    @Test
    void theCommandRunsFilteredWithNoNewPrivileges() throws Exception {
        String status = sh(container(SeccompProfile.defaultProfile()), "cat /proc/self/status");
        assertThat(statusField(status, "Seccomp")).isEqualTo("2");
        assertThat(statusField(status, "Seccomp_filters")).isEqualTo("1");
        assertThat(statusField(status, "NoNewPrivs")).isEqualTo("1");

        String unfiltered = sh(container(SeccompProfile.unconfined()), "cat /proc/self/status");
        assertThat(statusField(unfiltered, "Seccomp")).isEqualTo("0");
        assertThat(statusField(unfiltered, "NoNewPrivs")).isEqualTo("0");
    }

    @Test
    void ordinaryProgramsStillWork() throws Exception {
        String out = sh(container(SeccompProfile.defaultProfile()),
                "ls -l /dev | grep -c null; printf 'c\\nb\\na\\n' | sort | head -2 | tr -d '\\n'; echo;"
                        + " x=$(date +%s) && [ \"$x\" -gt 0 ] && echo clock; (sleep 0.01 & wait) && echo jobs");
        assertThat(out).isEqualTo("1\nab\nclock\njobs\n");
    }

    @Test
    void unshareOfAUserNamespaceFailsWithEperm() throws Exception {
        String script = "unshare -U /bin/true 2>&1; echo status=$?";
        assertThat(sh(container(SeccompProfile.defaultProfile()), script))
                .contains("Operation not permitted").endsWith("status=1\n");
        assertThat(sh(container(SeccompProfile.unconfined()), script)).isEqualTo("status=0\n");
    }

    @Test
    void namespaceFlagsOfCloneAreRefusedAndClone3LooksAbsent() throws Exception {
        assertThat(probe(SeccompProfile.defaultProfile(), "fork", "clone-newuser", "clone3"))
                .isEqualTo("fork: ok\nclone-newuser: EPERM\nclone3: ENOSYS\n");
        assertThat(probe(SeccompProfile.unconfined(), "fork", "clone-newuser", "clone3"))
                .isEqualTo("fork: ok\nclone-newuser: ok\nclone3: ok\n");
    }

    @Test
    void keyctlAndMountFailWithEpermAndTheHostIsUnchanged(@TempDir Path target) throws Exception {
        assertThat(probe(SeccompProfile.defaultProfile(), "keyctl", "mount=" + target))
                .isEqualTo("keyctl: EPERM\nmount: EPERM\n");
        assertThat(probe(SeccompProfile.unconfined(), "keyctl", "mount=" + target))
                .isEqualTo("keyctl: ok\nmount: ok\n");
        // Both mounts were attempted in the container's own mount namespace.
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(target.toString());
    }

    @Test
    void aRawX32SyscallKillsTheProcess() throws Exception {
        try (ContainerProcess process = container(SeccompProfile.defaultProfile())
                .command(probe.toString(), "x32").redirectOutput(Redirect.PIPE).start()) {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(out).isEmpty();
            assertThat(process.exitSignal()).contains(Signal.SIGSYS);
        }
        // Without a filter the call reaches the kernel, which answers (ENOSYS where x32 is not built in).
        assertThat(probe(SeccompProfile.unconfined(), "x32")).matches("x32: (ok|ENOSYS)\n");
    }

    /** A custom profile with 64-bit argument comparisons, decided by the kernel. */
    @Test
    void argumentComparisonsAreEnforcedByTheKernel() throws Exception {
        SeccompProfile onlyLinux = SeccompProfile.builder()
                .defaultAction(SeccompAction.ALLOW)
                .rule("personality", SeccompAction.ALLOW, ArgCheck.eq(0, 0))
                .rule("personality", SeccompAction.errno(Linux.E2BIG()), ArgCheck.ge(0, 0x1_00000000L))
                .rule("personality", SeccompAction.errno(Linux.EPERM()))
                .build();
        assertThat(probe(onlyLinux, "personality=0", "personality=8", "personality=0x100000000",
                "personality=0xffffffff"))
                .isEqualTo("personality=0: ok\npersonality=8: EPERM\npersonality=0x100000000: E2BIG\n"
                        + "personality=0xffffffff: EPERM\n");
        assertThat(probe(SeccompProfile.defaultProfile(), "personality=0", "personality=8", "personality=0x40000"))
                .isEqualTo("personality=0: ok\npersonality=8: ok\npersonality=0x40000: EPERM\n");
    }

    /** With init, the filter binds the command; its supervisor outside the pid namespace runs unfiltered. */
    @Test
    void aSupervisedStartFiltersOnlyTheCommand() throws Exception {
        try (ContainerProcess process = container(SeccompProfile.defaultProfile()).init(true)
                .command("/bin/sh", "-c", "grep Seccomp: /proc/self/status; read line; exit 0")
                .redirectInput(Redirect.PIPE).redirectOutput(Redirect.PIPE).start()) {
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("Seccomp:\t2");
            String supervisor = Files.readString(Path.of("/proc/" + process.pid() + "/status"));
            assertThat(statusField(supervisor, "Seccomp")).isEqualTo("0");
            process.getOutputStream().close();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
        }
    }

    /** CAP_SYS_ADMIN kept in the effective set lets the kernel take the filter without no_new_privs. */
    @Test
    void keepingSysAdminLeavesNoNewPrivilegesOff() throws Exception {
        ContainerBuilder builder = container(SeccompProfile.defaultProfile()).noNewPrivileges(false)
                .capabilities(Capabilities.keep(Capability.SYS_ADMIN, Capability.SETPCAP));
        // Without no_new_privs the filter goes in before the privileges drop, as runc does.
        String plan = builder.plan().describe();
        assertThat(plan).doesNotContain("PR_SET_NO_NEW_PRIVS");
        assertThat(plan.indexOf("seccomp(SECCOMP_SET_MODE_FILTER")).isLessThan(plan.indexOf("PR_CAPBSET_DROP"));
        String status = sh(builder, "cat /proc/self/status");
        assertThat(statusField(status, "Seccomp")).isEqualTo("2");
        assertThat(statusField(status, "NoNewPrivs")).isEqualTo("0");
    }
}
