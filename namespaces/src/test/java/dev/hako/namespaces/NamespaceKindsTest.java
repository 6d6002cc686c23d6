package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each namespace kind, observed from inside the payload. */
@Privileged
@Timeout(30)
class NamespaceKindsTest {

    private static final String BUSYBOX = "/bin/busybox";

    private static String hostInode(NamespaceType type) throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/self/ns/" + type.procName())).toString();
    }

    private static ContainerBuilder busybox(String script) {
        return new ContainerBuilder(BUSYBOX, "sh", "-c", script);
    }

    @Test
    void everyNewKindHasAnotherInodeThanTheHost() throws Exception {
        String out = Payloads.run(busybox("for k in mnt uts ipc user pid net cgroup; do readlink /proc/self/ns/$k;"
                + " done; readlink /proc/self/ns/time_for_children")
                .namespaces(NamespaceType.values()).mapRootToCurrentUser()).out();
        for (NamespaceType type : NamespaceType.values()) {
            assertThat(out).as(type.procName()).contains(type.procName() + ":[").doesNotContain(hostInode(type));
        }
    }

    @Test
    void utsHostnameAndDomainname() throws Exception {
        String out = Payloads.run(busybox("hostname; cat /proc/sys/kernel/domainname")
                .hostname("box").domainname("example")).out();
        assertThat(out).isEqualTo("box\nexample\n");
    }

    @Test
    void userMapIsWhatWasAsked() throws Exception {
        String out = Payloads.run(busybox("cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u")
                .namespaces(NamespaceType.USER)
                .uidMap(new IdMapping(0, 100000, 65536)).gidMap(new IdMapping(0, 100000, 65536)).user(0, 0)).out();
        assertThat(out.replaceAll(" +", " ")).isEqualTo(" 0 100000 65536\n 0 100000 65536\ndeny\n0\n");
    }

    @Test
    void payloadIsPid1() throws Exception {
        assertThat(Payloads.run(busybox("echo $$").namespaces(NamespaceType.PID)).out()).isEqualTo("1\n");
    }

    @Test
    void newNetworkNamespaceHasOnlyLoopbackAndItIsUp() throws Exception {
        String out = Payloads.run(busybox("ip -o link show")
                .namespaces(NamespaceType.NET)).out();
        assertThat(out.lines()).hasSize(1);
        assertThat(out).contains("lo:").contains("UP");
    }

    @Test
    void loopbackUpIsAVisibleStep() {
        assertThat(new ContainerBuilder("/bin/true").namespaces(NamespaceType.NET).plan().describe())
                .contains("ioctl(<socket>, SIOCSIFFLAGS, {ifr_name=\"lo\", ifr_flags=IFF_UP|IFF_LOOPBACK|IFF_RUNNING})");
    }

    @Test
    void ipcAndCgroupNamespacesAreNew() throws Exception {
        String out = Payloads.run(busybox("readlink /proc/self/ns/ipc; readlink /proc/self/ns/cgroup; cat /proc/self/cgroup")
                .namespaces(NamespaceType.IPC, NamespaceType.CGROUP)).out();
        assertThat(out).doesNotContain(hostInode(NamespaceType.IPC)).doesNotContain(hostInode(NamespaceType.CGROUP));
        // In a new cgroup namespace the process's own cgroup is its root.
        assertThat(out).contains("0::/\n");
    }

    @Test
    void joiningByPidSharesTheNamespace() throws Exception {
        try (ContainerProcess holder = new ContainerBuilder(BUSYBOX, "sleep", "30").namespaces(NamespaceType.UTS)
                .hostname("joined").start()) {
            String out = Payloads.run(busybox("hostname").join(NamespaceType.UTS, NamespaceJoin.ofPid(holder.pid())))
                    .out();
            assertThat(out).isEqualTo("joined\n");
            try (var pidfd = dev.hako.syscalls.ProcessSyscalls.pidfdOpen((int) holder.pid(), false)) {
                assertThat(Payloads.run(busybox("hostname").join(NamespaceType.UTS, NamespaceJoin.ofPidfd(pidfd))).out())
                        .isEqualTo("joined\n");
            }
            holder.destroyForcibly().waitFor();
        }
    }
}
