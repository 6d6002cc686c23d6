package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.namespaces.SeccompProfile.Architecture;
import dev.hako.bindings.Linux;
import dev.hako.namespaces.SeccompProfile.ArgCheck;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Each bad seccomp input is refused before any clone, with a message naming what is wrong. */
class SeccompProfileValidationTest {

    @Test
    void anUnknownSyscallNameIsRefusedNamingTheArchitecture() {
        assertThatThrownBy(() -> SeccompProfile.builder().allow("read", "no_such_call").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seccomp rule names syscall \"no_such_call\", which x86_64 does not have"
                        + " (<asm/unistd.h> of the Linux UAPI headers); use ruleOn/allowOn for a call only some"
                        + " architectures have");
        assertThatThrownBy(() -> SeccompProfile.builder().allow("open").build())
                .hasMessageStartingWith("seccomp rule names syscall \"open\", which aarch64 does not have")
                .hasMessageEndingWith("; use ruleOn/allowOn for a call only some architectures have");
        assertThat(SeccompProfile.builder().allowOn(Architecture.X86_64, "open").build().instructionCount(Architecture.X86_64))
                .isPositive();
        assertThat(SeccompProfile.builder().architectures(Architecture.X86_64).allow("open").build().architectures())
                .containsExactly(Architecture.X86_64);
    }

    @Test
    void eachArchitectureSaysWhichSyscallsItHas() {
        assertThat(Architecture.X86_64.hasSyscall("open")).isTrue();
        assertThat(Architecture.AARCH64.hasSyscall("open")).isFalse();
        assertThat(Architecture.AARCH64.hasSyscall("openat")).isTrue();
        assertThat(Architecture.X86_64.hasSyscall("no_such_call")).isFalse();
        assertThatThrownBy(() -> Architecture.X86_64.hasSyscall(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("name");
    }

    @Test
    void anArgumentIndexAboveFiveIsRefused() {
        assertThatThrownBy(() -> ArgCheck.eq(6, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seccomp argument index 6 is outside 0..5: a syscall has six arguments, args[0] to args[5]");
        assertThatThrownBy(() -> ArgCheck.maskedEq(-1, 1, 0))
                .hasMessage("seccomp argument index -1 is outside 0..5: a syscall has six arguments, args[0] to args[5]");
    }

    @Test
    void strictRefusesAProfileThatAllowsEverything() {
        assertThatThrownBy(() -> SeccompProfile.builder().defaultAction(SeccompAction.ALLOW).strict().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seccomp profile is strict() but has no rule and its default action is ALLOW:"
                        + " the filter would allow every syscall");
        // Not strict, or with a rule, it is a legitimate (if permissive) profile.
        assertThat(SeccompProfile.builder().defaultAction(SeccompAction.ALLOW).build().defaultAction())
                .isEqualTo(SeccompAction.ALLOW);
        assertThat(SeccompProfile.builder().defaultAction(SeccompAction.ALLOW).strict()
                .rule("ptrace", SeccompAction.errno(Linux.EPERM())).build()).isNotNull();
    }

    @Test
    void anErrnoOutOfRangeIsRefused() {
        assertThatThrownBy(() -> SeccompAction.errno(4096))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seccomp action errno(4096): the errno must be in 0..4095 (the kernel's MAX_ERRNO)");
        assertThatThrownBy(() -> SeccompAction.errno(-1))
                .hasMessage("seccomp action errno(-1): the errno must be in 0..4095 (the kernel's MAX_ERRNO)");
        assertThatThrownBy(() -> SeccompAction.trace(65536))
                .hasMessage("seccomp action trace(65536): the data must be in 0..65535 (16 bits of SECCOMP_RET_DATA)");
        assertThat(SeccompAction.errno(Linux.EPERM())).hasToString("ERRNO(EPERM)");
        assertThat(SeccompAction.trace(7)).hasToString("TRACE(7)");
    }

    @Test
    void aMaskedComparisonThatCanNeverHoldIsRefused() {
        assertThatThrownBy(() -> ArgCheck.maskedEq(0, 0xff, 0x100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seccomp masked comparison of args[0] can never hold: value 0x100 has bits outside mask 0xff");
    }

    @Test
    void aRuleAfterAnUnconditionalOneIsRefused() {
        assertThatThrownBy(() -> SeccompProfile.builder().allow("read")
                .rule("read", SeccompAction.errno(1), ArgCheck.eq(0, 0)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seccomp rule 2 for \"read\" on x86_64 (ERRNO(EPERM)) can never apply: rule 1 has no"
                        + " argument checks and always decides");
    }

    @Test
    void aRuleForAnArchitectureOutsideTheProfileIsRefused() {
        assertThatThrownBy(() -> SeccompProfile.builder().architectures(Architecture.AARCH64).allowOn(Architecture.X86_64, "open")
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seccomp rule for \"open\" is for x86_64, which is not among the profile's architectures"
                        + " [aarch64]");
        assertThatThrownBy(() -> SeccompProfile.builder().architectures())
                .hasMessage("seccomp architectures: give at least one");
    }

    @Test
    void theBuilderRefusesAProfileWithoutAFilterForThisMachine() {
        Architecture other = Architecture.current() == Architecture.X86_64 ? Architecture.AARCH64 : Architecture.X86_64;
        SeccompProfile foreign = SeccompProfile.builder().architectures(other).allow("read").build();
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").seccomp(foreign).spec())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the seccomp profile has no filter for this machine's architecture "
                        + Architecture.current().name().toLowerCase(Locale.ROOT) + "; its architectures are ["
                        + other.name().toLowerCase(Locale.ROOT) + "]");
    }

    @Test
    void theBuilderRefusesAProfileUnderWhichExitGroupCouldReturn() {
        SeccompProfile noExit = SeccompProfile.builder().defaultAction(SeccompAction.ALLOW)
                .rule("exit_group", SeccompAction.errno(Linux.EPERM())).build();
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").seccomp(noExit).spec())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the seccomp profile must let exit_group run unconditionally (its action is ERRNO(EPERM)):"
                        + " a child whose step fails ends with exit_group");
        SeccompProfile conditional = SeccompProfile.builder().defaultAction(SeccompAction.ALLOW)
                .rule("exit_group", SeccompAction.ALLOW, ArgCheck.eq(0, 0)).build();
        assertThatThrownBy(() -> new ContainerBuilder("/bin/true").seccomp(conditional).spec())
                .hasMessageContaining("(its action is decided by argument checks)");
    }

    @Test
    void thePlanShowsTheStepTheFilterAndTheImpliedNoNewPrivileges() {
        LaunchPlan plan = new ContainerBuilder("/bin/true").plan(); // the default profile, by default
        int count = SeccompProfile.defaultProfile().instructionCount(Architecture.current());
        assertThat(plan.spec().noNewPrivileges()).isTrue();
        assertThat(plan.childSteps()).endsWith(
                "prctl(PR_SET_NO_NEW_PRIVS, 1)",
                "seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=" + count + ", filter=<" + count + " instructions>})"
                        + "  (the filter is printed below)",
                "execve(\"/bin/true\", [\"/bin/true\"], [" + plan.spec().environment().size() + " vars])",
                "exit_group(127)  (only if a step failed: after reporting it)");
        assertThat(plan.describe()).contains("# seccomp filter for " + Architecture.current().name().toLowerCase(Locale.ROOT)
                + ": " + count + " instructions", "ret  KILL_PROCESS");
        LaunchPlan unconfined = new ContainerBuilder("/bin/true").seccomp(SeccompProfile.unconfined()).plan();
        assertThat(unconfined.describe()).doesNotContain("seccomp").contains("NO_NEW_PRIVS");
        assertThat(unconfined.spec().seccomp()).isNull();
        LaunchPlan privileged = new ContainerBuilder("/bin/true").privileged().plan();
        assertThat(privileged.describe()).doesNotContain("seccomp", "NO_NEW_PRIVS");
    }
}
