package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.testing.Privileged;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Per-thread options change a dedicated thread; process-wide ones are restored at once. */
class ProcessControlTest {

    @Test
    @Timeout(10)
    void noNewPrivsIsSetForTheThreadOnly() throws Exception {
        assertThat(ProcessControl.getNoNewPrivs()).isFalse();
        DedicatedThread.run(() -> {
            assertThat(ProcessControl.getNoNewPrivs()).isFalse();
            ProcessControl.setNoNewPrivs();
            assertThat(ProcessControl.getNoNewPrivs()).isTrue();
            assertThat(ProcFiles.threadStatus("NoNewPrivs")).isEqualTo("1");
        });
        assertThat(ProcessControl.getNoNewPrivs()).isFalse();
        assertThat(ProcFiles.threadStatus("NoNewPrivs")).isEqualTo("0");
    }

    @Test
    @Timeout(10)
    void pdeathsigIsSetReadAndCleared() throws Exception {
        DedicatedThread.run(() -> {
            ProcessControl.setPdeathsig(Signal.SIGTERM);
            assertThat(ProcessControl.getPdeathsig()).isEqualTo(Signal.SIGTERM.number());
            ProcessControl.setPdeathsig(null);
            assertThat(ProcessControl.getPdeathsig()).isZero();
        });
    }

    @Test
    @Timeout(10)
    void threadNameIsSetAndChecked() throws Exception {
        DedicatedThread.run(() -> {
            ProcessControl.setName("hako-worker-1");
            assertThat(ProcessControl.getName()).isEqualTo("hako-worker-1");
            assertThat(ProcFiles.read("/proc/thread-self/comm")).isEqualTo("hako-worker-1");
        });
        assertThatThrownBy(() -> ProcessControl.setName("a-name-of-16-byt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("thread name must be at most 15 bytes, got 16: \"a-name-of-16-byt\"");
        assertThatThrownBy(() -> ProcessControl.setName("a\0b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("thread name contains a NUL byte, which C strings cannot hold: a\\0b");
    }

    @Test
    @Privileged
    @Timeout(10)
    void boundingSetDropNeedsCapSetpcap() throws Exception {
        assertThat(ProcessControl.capbsetRead(Capability.SYS_MODULE)).isTrue();
        DedicatedThread.run(() -> {
            ProcessControl.capbsetDrop(Capability.SYS_MODULE);
            assertThat(ProcessControl.capbsetRead(Capability.SYS_MODULE)).isFalse();
            assertThat(CapabilitySyscallsTest.mask("CapBnd") & Capability.SYS_MODULE.bits()).isZero();
            CapabilitySyscalls.capset(CapabilitySyscalls.capget(0).withoutEffective(Set.of(Capability.SETPCAP)));
            assertThatThrownBy(() -> ProcessControl.capbsetDrop(Capability.SYS_BOOT))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("prctl(PR_CAPBSET_DROP, CAP_SYS_BOOT) failed: EPERM (Operation not permitted):"
                            + " dropping from the bounding set needs CAP_SETPCAP");
        });
        assertThat(ProcessControl.capbsetRead(Capability.SYS_MODULE)).isTrue();
    }

    @Test
    @Privileged
    @Timeout(10)
    void ambientCapabilitiesNeedPermittedAndInheritable() throws Exception {
        DedicatedThread.run(() -> {
            assertThatThrownBy(() -> ProcessControl.capAmbientRaise(Capability.NET_RAW))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW) failed: EPERM (Operation not"
                            + " permitted): an ambient capability must be in both the permitted and the inheritable"
                            + " set (and SECBIT_NO_CAP_AMBIENT_RAISE unset)");
            CapabilitySyscalls.capset(CapabilitySyscalls.capget(0)
                    .withInheritable(Set.of(Capability.NET_RAW, Capability.CHOWN)));
            ProcessControl.capAmbientRaise(Capability.NET_RAW);
            ProcessControl.capAmbientRaise(Capability.CHOWN);
            assertThat(ProcessControl.capAmbientIsSet(Capability.NET_RAW)).isTrue();
            assertThat(CapabilitySyscallsTest.mask("CapAmb"))
                    .isEqualTo(Capability.NET_RAW.bits() | Capability.CHOWN.bits());
            ProcessControl.capAmbientLower(Capability.NET_RAW);
            assertThat(ProcessControl.capAmbientIsSet(Capability.NET_RAW)).isFalse();
            ProcessControl.capAmbientClearAll();
            assertThat(ProcessControl.capAmbientIsSet(Capability.CHOWN)).isFalse();
        });
    }

    @Test
    @Timeout(10)
    void keepcapsIsPerThread() throws Exception {
        DedicatedThread.run(() -> {
            assertThat(ProcessControl.getKeepcaps()).isFalse();
            ProcessControl.setKeepcaps(true);
            assertThat(ProcessControl.getKeepcaps()).isTrue();
            ProcessControl.setKeepcaps(false);
            assertThat(ProcessControl.getKeepcaps()).isFalse();
        });
    }

    @Test
    void childSubreaperIsSetAndRestored() throws Exception {
        // Process-wide: the JVM is a subreaper only between these lines.
        boolean before = ProcessControl.getChildSubreaper();
        try {
            ProcessControl.setChildSubreaper(!before);
            assertThat(ProcessControl.getChildSubreaper()).isEqualTo(!before);
        } finally {
            ProcessControl.setChildSubreaper(before);
        }
        assertThat(ProcessControl.getChildSubreaper()).isEqualTo(before);
    }

    @Test
    void dumpableIsSetAndRestored() throws Exception {
        // Process-wide (it lives in the memory map): restored at once.
        assertThat(ProcessControl.getDumpable()).isTrue();
        try {
            ProcessControl.setDumpable(false);
            assertThat(ProcessControl.getDumpable()).isFalse();
        } finally {
            ProcessControl.setDumpable(true);
        }
        assertThat(ProcessControl.getDumpable()).isTrue();
    }
}
