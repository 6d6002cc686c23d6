package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class NamespaceSyscallsTest {

    @Test
    @Privileged
    @Timeout(10)
    void unshareUtsAndSethostnameChangeOnlyTheDedicatedThread() throws Exception {
        String hostname = ProcFiles.read("/proc/sys/kernel/hostname");
        String domainname = ProcFiles.read("/proc/sys/kernel/domainname");
        DedicatedThread.run(() -> {
            NamespaceSyscalls.unshare(EnumSet.of(NamespaceType.UTS));
            assertThat(ProcFiles.link("/proc/thread-self/ns/uts")).isNotEqualTo(ProcFiles.link("/proc/self/ns/uts"));
            NamespaceSyscalls.sethostname("hako-test-box");
            NamespaceSyscalls.setdomainname("hako.test");
            assertThat(ProcFiles.read("/proc/sys/kernel/hostname")).isEqualTo("hako-test-box");
            assertThat(ProcFiles.read("/proc/sys/kernel/domainname")).isEqualTo("hako.test");
        });
        assertThat(ProcFiles.read("/proc/sys/kernel/hostname")).isEqualTo(hostname);
        assertThat(ProcFiles.read("/proc/sys/kernel/domainname")).isEqualTo(domainname);
    }

    @Test
    @Privileged
    @Timeout(10)
    void unshareWithCloneFsGivesTheThreadItsOwnFsContext() throws Exception {
        String mounts = ProcFiles.mountinfo();
        DedicatedThread.run(() -> {
            NamespaceSyscalls.unshare(EnumSet.of(NamespaceType.MOUNT, NamespaceType.IPC),
                    EnumSet.of(UnshareFlag.FS, UnshareFlag.SYSVSEM));
            assertThat(ProcFiles.link("/proc/thread-self/ns/mnt")).isNotEqualTo(ProcFiles.link("/proc/self/ns/mnt"));
            assertThat(ProcFiles.link("/proc/thread-self/ns/ipc")).isNotEqualTo(ProcFiles.link("/proc/self/ns/ipc"));
        });
        assertThat(ProcFiles.mountinfo()).isEqualTo(mounts);
    }

    @Test
    @Timeout(10)
    void unshareOfAUserNamespaceInTheJvmFailsWithTheReason() throws Exception {
        DedicatedThread.run(() -> assertThatThrownBy(() -> NamespaceSyscalls.unshare(EnumSet.of(NamespaceType.USER)))
                .isInstanceOf(SyscallException.class)
                .hasMessage("unshare(CLONE_NEWUSER) failed: EINVAL (Invalid argument): the kernel refuses new user"
                        + " namespaces in a multithreaded process such as the JVM; create one in a child instead"));
    }

    @Test
    @Privileged
    @Timeout(10)
    void setnsReturnsToTheProcessNamespaceAndChecksTheType() throws Exception {
        String hostname = ProcFiles.read("/proc/sys/kernel/hostname");
        try (Fd uts = ProcFiles.open("/proc/self/ns/uts")) {
            DedicatedThread.run(() -> {
                NamespaceSyscalls.unshare(EnumSet.of(NamespaceType.UTS));
                NamespaceSyscalls.sethostname("elsewhere");
                NamespaceSyscalls.setns(uts, NamespaceType.UTS);
                assertThat(ProcFiles.read("/proc/sys/kernel/hostname")).isEqualTo(hostname);
                NamespaceSyscalls.unshare(EnumSet.of(NamespaceType.UTS));
                NamespaceSyscalls.setns(uts);
                assertThat(ProcFiles.link("/proc/thread-self/ns/uts")).isEqualTo(ProcFiles.link("/proc/self/ns/uts"));
            });
            assertThatThrownBy(() -> NamespaceSyscalls.setns(uts, NamespaceType.NET))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("setns(" + uts.value() + ", CLONE_NEWNET) failed: EINVAL (Invalid argument)");
        }
    }

    @Test
    @Privileged
    @Timeout(10)
    void setnsWithAPidfdJoinsSeveralNamespacesAtOnce() throws Exception {
        String hostname = ProcFiles.read("/proc/sys/kernel/hostname");
        try (Fd self = ProcessSyscalls.pidfdOpen(ProcessSyscalls.getpid(), false)) {
            DedicatedThread.run(() -> {
                NamespaceSyscalls.unshare(EnumSet.of(NamespaceType.UTS, NamespaceType.IPC));
                NamespaceSyscalls.sethostname("elsewhere");
                NamespaceSyscalls.setns(self, EnumSet.of(NamespaceType.UTS, NamespaceType.IPC));
                assertThat(ProcFiles.read("/proc/sys/kernel/hostname")).isEqualTo(hostname);
                assertThat(ProcFiles.link("/proc/thread-self/ns/ipc")).isEqualTo(ProcFiles.link("/proc/self/ns/ipc"));
            });
            assertThatThrownBy(() -> NamespaceSyscalls.setns(self, Set.<NamespaceType>of()))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("setns(" + self.value() + ", 0) failed: EINVAL (Invalid argument)");
        }
    }

    @Test
    @Privileged
    @Timeout(10)
    void sethostnameWithoutCapSysAdminFailsWithEperm() throws Exception {
        DedicatedThread.run(() -> {
            NamespaceSyscalls.unshare(EnumSet.of(NamespaceType.UTS));
            CapabilitySets caps = CapabilitySyscalls.capget(0);
            CapabilitySyscalls.capset(caps.withoutEffective(Set.of(Capability.SYS_ADMIN)));
            assertThatThrownBy(() -> NamespaceSyscalls.sethostname("nope"))
                    .isInstanceOf(SyscallException.class)
                    .hasMessageStartingWith("sethostname(\"nope\", 4) failed: EPERM (Operation not permitted): needs"
                            + " CAP_SYS_ADMIN");
            assertThatThrownBy(() -> NamespaceSyscalls.setdomainname("nope"))
                    .isInstanceOf(SyscallException.class)
                    .hasMessageStartingWith("setdomainname(\"nope\", 4) failed: EPERM (Operation not permitted)");
        });
    }

    @Test
    void namesTheKernelWouldRefuseOrCutAreRejectedBeforeTheCall() {
        String tooLong = "h".repeat(65);
        assertThatThrownBy(() -> NamespaceSyscalls.sethostname(tooLong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hostname must be at most 64 bytes, got 65: \"" + tooLong + '"');
        // Bytes, not characters: 33 two-byte characters are 66 bytes.
        assertThatThrownBy(() -> NamespaceSyscalls.setdomainname("é".repeat(33)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("domainname must be at most 64 bytes, got 66: ");
        assertThatThrownBy(() -> NamespaceSyscalls.sethostname("a\0b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hostname contains a NUL byte, which C strings cannot hold: a\\0b");
        assertThat(NamespaceSyscalls.MAX_NAME_BYTES).isEqualTo(64);
    }

    @Test
    void nsfsIoctlsDescribeANamespace() throws Exception {
        try (Fd uts = ProcFiles.open("/proc/self/ns/uts"); Fd user = NamespaceSyscalls.nsGetUserns(uts)) {
            assertThat(NamespaceSyscalls.nsGetNstype(uts)).isEqualTo(NamespaceType.UTS);
            assertThat(NamespaceSyscalls.nsGetNstype(user)).isEqualTo(NamespaceType.USER);
            assertThat(ProcFiles.link(user)).isEqualTo(ProcFiles.link("/proc/self/ns/user"));
            assertThat(Descriptors.flags(user.value()) & 02000000).as("O_CLOEXEC").isNotZero();
            // The initial user namespace was created by the kernel, for uid 0.
            assertThat(NamespaceSyscalls.nsGetOwnerUid(user)).isZero();
            assertThatThrownBy(() -> NamespaceSyscalls.nsGetOwnerUid(uts))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("ioctl(" + uts.value() + ", NS_GET_OWNER_UID) failed: EINVAL (Invalid argument)");
        }
    }

    @Test
    void nsfsIoctlsOnOtherFilesAndAtTheTopFail() throws Exception {
        try (FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false); Fd user = ProcFiles.open("/proc/self/ns/user")) {
            assertThatThrownBy(() -> NamespaceSyscalls.nsGetNstype(pipe.read()))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("ioctl(" + pipe.read().value() + ", NS_GET_NSTYPE) failed: ENOTTY (Inappropriate ioctl"
                            + " for device): not a namespace; open /proc/PID/ns/NAME for one");
            assertThatThrownBy(() -> NamespaceSyscalls.nsGetParent(user).close())
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("ioctl(" + user.value() + ", NS_GET_PARENT) failed: EPERM (Operation not permitted):"
                            + " the namespace has no parent, or its parent is outside the caller's user namespace");
            assertThatThrownBy(() -> NamespaceSyscalls.nsGetUserns(pipe.read()).close())
                    .isInstanceOf(SyscallException.class)
                    .hasMessageStartingWith("ioctl(" + pipe.read().value() + ", NS_GET_USERNS) failed: ENOTTY");
        }
    }

    @Test
    @Privileged(value = Requirement.USER_NAMESPACES, programs = "unshare")
    @Timeout(30)
    void nsGetParentOfAChildsUserNamespaceIsTheJvms() throws Exception {
        // A new namespace's parent can only be asked for once something lives in it; a
        // user namespace cannot be made in the JVM, so a child process makes one.
        Process child = new ProcessBuilder("unshare", "--user", "sleep", "60").start();
        try {
            String nsPath = "/proc/" + child.pid() + "/ns/user";
            while (ProcFiles.link(nsPath).equals(ProcFiles.link("/proc/self/ns/user"))) {
                Thread.sleep(5); // until the child has called unshare
            }
            try (Fd user = ProcFiles.open(nsPath); Fd parent = NamespaceSyscalls.nsGetParent(user)) {
                assertThat(NamespaceSyscalls.nsGetNstype(user)).isEqualTo(NamespaceType.USER);
                assertThat(ProcFiles.link(parent)).isEqualTo(ProcFiles.link("/proc/self/ns/user"));
                assertThat(NamespaceSyscalls.nsGetOwnerUid(user)).isEqualTo(ProcFiles.uid());
            }
        } finally {
            child.destroyForcibly().waitFor();
        }
    }
}
