package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.bindings.Linux;
import dev.hako.testing.Privileged;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class CapabilitySyscallsTest {

    private static final long KNOWN = Flag.combine(EnumSet.allOf(Capability.class));

    static long mask(String statusField) throws Exception {
        return Long.parseUnsignedLong(ProcFiles.threadStatus(statusField), 16) & KNOWN;
    }

    @Test
    void capgetAgreesWithProcStatus() throws Exception {
        CapabilitySets sets = CapabilitySyscalls.capget(0);
        assertThat(Flag.combine(sets.effective())).isEqualTo(mask("CapEff"));
        assertThat(Flag.combine(sets.permitted())).isEqualTo(mask("CapPrm"));
        assertThat(Flag.combine(sets.inheritable())).isEqualTo(mask("CapInh"));
        assertThat(CapabilitySyscalls.capget(ProcessSyscalls.gettid())).isEqualTo(sets);
    }

    @Test
    void capgetOfAMissingThreadFails() {
        assertThatThrownBy(() -> CapabilitySyscalls.capget(Integer.MAX_VALUE))
                .isInstanceOf(SyscallException.class)
                .hasMessage("capget(2147483647) failed: ESRCH (No such process)");
    }

    @Test
    @Privileged
    @Timeout(10)
    void capsetDropsForTheThreadOnlyAndCannotRegain() throws Exception {
        CapabilitySets before = CapabilitySyscalls.capget(0);
        DedicatedThread.run(() -> {
            CapabilitySets all = CapabilitySyscalls.capget(0);
            CapabilitySets lowered = all.without(Set.of(Capability.NET_RAW));
            CapabilitySyscalls.capset(lowered);
            assertThat(mask("CapEff") & Capability.NET_RAW.bits()).isZero();
            assertThat(mask("CapPrm") & Capability.NET_RAW.bits()).isZero();
            assertThat(CapabilitySyscalls.capget(0)).isEqualTo(lowered);
            assertThatThrownBy(() -> CapabilitySyscalls.capset(all))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("capset({_LINUX_CAPABILITY_VERSION_3, 0}, {effective=" + Flag.describe(all.effective())
                            + ", permitted=" + Flag.describe(all.permitted()) + ", inheritable=0}) failed: EPERM (Operation not"
                            + " permitted): a capability can only be added if it is in the permitted set (and the"
                            + " bounding set for inheritable)");
        });
        assertThat(CapabilitySyscalls.capget(0)).isEqualTo(before);
    }

    @Test
    void capabilitiesHaveTheHeaderNumbersAndNames() {
        assertThat(Capability.SYS_ADMIN.number()).isEqualTo(Linux.CAP_SYS_ADMIN());
        assertThat(Capability.SYS_ADMIN.cName()).isEqualTo("CAP_SYS_ADMIN");
        assertThat(Capability.values()).hasSize(Linux.CAP_LAST_CAP() + 1);
        assertThat(Capability.of("CAP_NET_ADMIN")).isEqualTo(Capability.NET_ADMIN);
        assertThat(Capability.of("net_admin")).isEqualTo(Capability.NET_ADMIN);
        assertThat(Capability.ofNumber(21)).isEqualTo(Capability.SYS_ADMIN);
        assertThat(Flag.describe(EnumSet.of(Capability.CHOWN, Capability.KILL))).isEqualTo("CAP_CHOWN|CAP_KILL");
    }

    @Test
    void unknownCapabilitiesAreRejectedWithTheKnownOnes() {
        assertThatThrownBy(() -> Capability.of("CAP_MAKE_COFFEE"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown capability \"CAP_MAKE_COFFEE\"; known capabilities are CAP_CHOWN,"
                        + " CAP_DAC_OVERRIDE, ")
                .hasMessageEndingWith("CAP_CHECKPOINT_RESTORE");
        assertThatThrownBy(() -> Capability.ofNumber(99))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no capability has number 99 (the highest known is " + Linux.CAP_LAST_CAP() + ")");
    }
}
