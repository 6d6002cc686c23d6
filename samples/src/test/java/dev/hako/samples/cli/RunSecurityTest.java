package dev.hako.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code hako run} and {@code hako enter} contain by default: Docker's capabilities,
 * no_new_privs, seccomp and a minimal environment, with {@code --privileged},
 * {@code --cap-add}/{@code --cap-drop} and {@code --env} to change that.
 */
@Privileged
@Timeout(60)
class RunSecurityTest {

    /** Docker's 14 default capabilities, as /proc/PID/status prints a mask. */
    private static final String DEFAULT_CAPS = "00000000a80425fb";

    private static String field(String status, String name) {
        return status.lines().filter(l -> l.startsWith(name + ":")).findFirst().orElseThrow()
                .substring(name.length() + 1).strip();
    }

    private static String status(String... options) {
        String[] args = new String[options.length + 4];
        args[0] = "run";
        System.arraycopy(options, 0, args, 1, options.length);
        args[options.length + 1] = "--";
        args[options.length + 2] = "/bin/cat";
        args[options.length + 3] = "/proc/self/status";
        Cli.Result result = Cli.run(args);
        assertThat(result.status()).as(result.err()).isZero();
        return result.out();
    }

    @Test
    void runKeepsDockersDefaults() {
        String status = status();
        assertThat(field(status, "CapEff")).isEqualTo(DEFAULT_CAPS);
        assertThat(field(status, "CapBnd")).isEqualTo(DEFAULT_CAPS);
        assertThat(field(status, "CapInh")).isEqualTo("0000000000000000");
        assertThat(field(status, "NoNewPrivs")).isEqualTo("1");
        assertThat(field(status, "Seccomp")).isEqualTo("2");
    }

    @Test
    void privilegedTurnsTheDefaultsOff() throws Exception {
        String status = status("--privileged");
        String own = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow().substring(7).strip();
        assertThat(field(status, "CapEff")).isEqualTo(own);
        assertThat(field(status, "NoNewPrivs")).isEqualTo("0");
        assertThat(field(status, "Seccomp")).isEqualTo("0");
    }

    @Test
    void capAddAndDropChangeTheDefaultSet() {
        assertThat(field(status("--cap-drop", "ALL", "--cap-add", "CHOWN"), "CapEff")).isEqualTo("0000000000000001");
        // NET_ADMIN is 12; NET_RAW (13) dropped.
        long mask = Long.parseLong(field(status("--cap-add", "net_admin", "--cap-drop", "CAP_NET_RAW"), "CapEff"), 16);
        assertThat(mask).isEqualTo((0xa80425fbL | 1L << 12) & ~(1L << 13));
    }

    @Test
    void securityOptChoosesTheSeccompProfile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        assertThat(field(status("--security-opt", "seccomp=unconfined"), "Seccomp")).isEqualTo("0");
        java.nio.file.Path profile = dir.resolve("profile.json");
        java.nio.file.Files.writeString(profile, """
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"],
                 "syscalls": [{"names": ["mkdir", "mkdirat", "no_such_call_anywhere"],
                               "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}
                """);
        Cli.Result result = Cli.run("run", "--security-opt", "seccomp=" + profile, "--", "/bin/sh", "-c",
                "mkdir /tmp/d 2>&1; grep Seccomp: /proc/self/status");
        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).contains("Permission denied").contains("Seccomp:\t2");
    }

    @Test
    void aBadSeccompFileIsAUsageErrorNamingTheField(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path profile = dir.resolve("bad.json");
        java.nio.file.Files.writeString(profile, """
                {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOPE"}]}
                """);
        Cli.Result result = Cli.run("run", "--security-opt", "seccomp=" + profile, "--", "/bin/true");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err().lines().findFirst().orElseThrow()).isEqualTo("hako run: --security-opt seccomp="
                + profile + ": " + profile + ": syscalls[0].action: \"SCMP_ACT_NOPE\" is not a seccomp action"
                + " (SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP,"
                + " SCMP_ACT_LOG, SCMP_ACT_TRACE)");
        Cli.Result unknown = Cli.run("run", "--security-opt", "apparmor=x", "--", "/bin/true");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err().lines().findFirst().orElseThrow()).isEqualTo("hako run: --security-opt: unknown"
                + " option 'apparmor=x'; Hako knows seccomp=unconfined|FILE and no-new-privileges[=true|false]");
    }

    @Test
    void anUnknownCapabilityIsAUsageError() {
        Cli.Result result = Cli.run("run", "--cap-add", "NOPE", "--", "/bin/true");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err().lines().findFirst().orElseThrow())
                .startsWith("hako run: --cap-add: unknown capability \"NOPE\"; known capabilities are CAP_CHOWN");
    }

    @Test
    void theEnvironmentIsMinimalAndEnvAddsToIt() {
        Cli.Result result = Cli.run("run", "--env", "GREETING=hi", "--env", "PATH", "--env", "HAKO_SURELY_UNSET",
                "--", "/bin/sh", "-c", "env | cut -d= -f1 | sort | tr '\\n' ' '; echo; echo $GREETING");
        assertThat(result.status()).as(result.err()).isZero();
        String names = result.out().lines().toList().get(0);
        assertThat(names.split(" ")).contains("GREETING", "PATH").doesNotContain("HAKO_SURELY_UNSET", "JAVA_HOME")
                .isSubsetOf("GREETING", "PATH", "HOME", "TERM", "PWD", "SHLVL", "_");
        assertThat(result.out().lines().toList().get(1)).isEqualTo("hi");
    }

    @Test
    void anEnvWithoutANameIsAUsageError() {
        Cli.Result result = Cli.run("run", "--env", "=value", "--", "/bin/true");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err().lines().findFirst().orElseThrow())
                .isEqualTo("hako run: --env needs NAME=VALUE or NAME, not '=value'");
    }

    @Test
    void enterAppliesTheSameDefaults() throws Exception {
        try (ContainerProcess target = new ContainerBuilder("/bin/sleep", "30")
                .namespaces(NamespaceType.UTS, NamespaceType.NET, NamespaceType.IPC).start()) {
            Cli.Result result = Cli.run("enter", Long.toString(target.pid()), "--", "/bin/cat", "/proc/self/status");
            assertThat(result.status()).as(result.err()).isZero();
            assertThat(field(result.out(), "CapBnd")).isNotEqualTo("000001ffffffffff");
            assertThat(Long.parseLong(field(result.out(), "CapEff"), 16) & ~0xa80425fbL).as("beyond the defaults")
                    .isZero();
            assertThat(field(result.out(), "NoNewPrivs")).isEqualTo("1");
            assertThat(field(result.out(), "Seccomp")).isEqualTo("2");
            target.destroyForcibly();
            assertThat(target.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }
}
