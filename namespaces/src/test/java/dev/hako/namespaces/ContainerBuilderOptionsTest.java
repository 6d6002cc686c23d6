package dev.hako.namespaces;

import static dev.hako.namespaces.Payloads.sh;
import static dev.hako.namespaces.Payloads.statusField;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.namespaces.launch.FdStreams;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.Resource;
import dev.hako.syscalls.ResourceLimit;
import dev.hako.testing.Privileged;
import dev.hako.testing.Tags;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Each option of the builder, observed from inside the payload. */
@Timeout(60)
@Tag(Tags.GUEST)
class ContainerBuilderOptionsTest {

    private static ContainerBuilder builder() {
        return new ContainerBuilder("/bin/true");
    }

    @Test
    void environmentIsExactlyWhatWasSet() throws Exception {
        ContainerBuilder builder = builder();
        builder.environment().clear();
        builder.environment().put("HAKO", "1");
        builder.environment().put("EMPTY", "");
        assertThat(Payloads.run(builder.command("/usr/bin/env")).out()).isEqualTo("HAKO=1\nEMPTY=\n");
    }

    @Test
    void workingDirectory(@TempDir Path dir) throws Exception {
        assertThat(sh(builder().directory(dir), "/bin/pwd")).isEqualTo(dir.toRealPath() + "\n");
    }

    @Test
    void programIsFoundOnPath() throws Exception {
        assertThat(Payloads.run(new ContainerBuilder("echo", "found")).out()).isEqualTo("found\n");
    }

    @Test
    void redirectsToAndFromFiles(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in");
        Path out = dir.resolve("out");
        Files.writeString(in, "from a file\n");
        Files.writeString(out, "old content that is truncated\n");
        try (ContainerProcess p = new ContainerBuilder("/bin/cat").redirectInput(Redirect.from(in))
                .redirectOutput(Redirect.to(out)).start()) {
            assertThat(p.waitFor()).isZero();
        }
        assertThat(Files.readString(out)).isEqualTo("from a file\n");
        try (ContainerProcess p = new ContainerBuilder("/bin/echo", "appended").redirectOutput(Redirect.appendTo(out))
                .redirectError(Redirect.DISCARD).start()) {
            assertThat(p.waitFor()).isZero();
        }
        assertThat(Files.readString(out)).isEqualTo("from a file\nappended\n");
    }

    @Test
    void pipesInBothDirections() throws Exception {
        try (ContainerProcess p = new ContainerBuilder("/bin/sh", "-c", "read line; echo \"got $line\"; echo oops >&2")
                .redirectInput(Redirect.PIPE).redirectOutput(Redirect.PIPE).redirectError(Redirect.PIPE).start()) {
            p.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("got ping\n");
            assertThat(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("oops\n");
            assertThat(p.waitFor()).isZero();
        }
    }

    @Test
    void anOpenDescriptorAsStdout() throws Exception {
        try (FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false)) {
            try (ContainerProcess p = new ContainerBuilder("/bin/echo", "via fd").redirectOutput(Redirect.fd(pipe.write()))
                    .start()) {
                assertThat(p.waitFor()).isZero();
            }
            pipe.write().close();
            assertThat(new String(new FdStreams.Input(pipe.read()).readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("via fd\n");
        }
    }

    @Test
    void payloadSeesOnlyStdioAndPassedDescriptors() throws Exception {
        try (FileSyscalls.Pipe pipe = FileSyscalls.pipe2(false); FileSyscalls.Pipe other = FileSyscalls.pipe2(false)) {
            String fds = sh(builder().passFd(pipe.write(), 5).passFd(other.read(), 9),
                    "echo through5 >&5; ls /proc/$$/fd");
            assertThat(fds.lines().toList()).containsExactly("0", "1", "2", "5", "9");
            pipe.write().close();
            assertThat(new String(new FdStreams.Input(pipe.read()).readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("through5\n");
        }
    }

    @Test
    void descriptorsPassedAtEachOthersNumbersDoNotClobber() throws Exception {
        // Source numbers are arbitrary; moving them above all targets first keeps each intact.
        try (FileSyscalls.Pipe a = FileSyscalls.pipe2(false); FileSyscalls.Pipe b = FileSyscalls.pipe2(false);
             Fd aAt8 = FileSyscalls.dup3(a.write(), 8, true); Fd bAt7 = FileSyscalls.dup3(b.write(), 7, true)) {
            // Pass the descriptor now at 8 as 7 and the one at 7 as 8 (dash knows fds 0-9 only).
            sh(builder().passFd(aAt8, 7).passFd(bAt7, 8), "echo to-a >&7; echo to-b >&8");
            a.write().close();
            b.write().close();
            aAt8.close();
            bAt7.close();
            assertThat(new String(new FdStreams.Input(a.read()).readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("to-a\n");
            assertThat(new String(new FdStreams.Input(b.read()).readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("to-b\n");
        }
    }

    @Test
    void signalsAreUnblockedAndDefaultInThePayload() throws Exception {
        // /proc/self: the shell itself blocks signals while it waits for its child.
        String status = sh(builder(), "cat /proc/self/status");
        assertThat(statusField(status, "SigBlk")).isEqualTo("0000000000000000");
        assertThat(statusField(status, "SigIgn")).isEqualTo("0000000000000000");
    }

    @Test
    void umaskAndNoNewPrivileges() throws Exception {
        String status = sh(builder().umask(027), "cat /proc/$$/status");
        assertThat(statusField(status, "Umask")).isEqualTo("0027");
        assertThat(statusField(status, "NoNewPrivs")).as("on by default").isEqualTo("1");
        assertThat(statusField(sh(builder().noNewPrivileges(false), "cat /proc/$$/status"), "NoNewPrivs"))
                .isEqualTo("0");
        assertThat(statusField(sh(builder().privileged(), "cat /proc/$$/status"), "NoNewPrivs")).isEqualTo("0");
    }

    @Test
    void newSessionMakesThePayloadItsLeader() throws Exception {
        String out = sh(builder().newSession(true), "echo $$; cut -d' ' -f6 /proc/$$/stat");
        List<String> lines = out.lines().toList();
        assertThat(lines.get(1)).isEqualTo(lines.get(0));
    }

    @Test
    @Privileged
    void userAndGroups() throws Exception {
        String status = sh(builder().user(65534, 65534, 100, 200), "cat /proc/$$/status");
        assertThat(statusField(status, "Uid")).isEqualTo("65534\t65534\t65534\t65534");
        assertThat(statusField(status, "Gid")).isEqualTo("65534\t65534\t65534\t65534");
        assertThat(statusField(status, "Groups")).isEqualTo("100 200");
    }

    @Test
    void resourceLimits() throws Exception {
        String limits = sh(builder().resourceLimit(Resource.NOFILE, new ResourceLimit(64, 128))
                .resourceLimit(Resource.CORE, ResourceLimit.of(0)), "cat /proc/self/limits");
        assertThat(limits).containsPattern("Max open files\\s+64\\s+128\\s+files");
        assertThat(limits).containsPattern("Max core file size\\s+0\\s+0\\s+bytes");
    }

    @Test
    @Privileged
    void capabilitiesAreReducedToTheKeptSets() throws Exception {
        String status = sh(builder().capabilities(Capabilities.keep("CHOWN", "CAP_NET_BIND_SERVICE")),
                "cat /proc/self/status");
        // CAP_CHOWN is bit 0, CAP_NET_BIND_SERVICE bit 10.
        for (String set : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
            assertThat(statusField(status, set)).as(set).isEqualTo("0000000000000401");
        }
    }

    @Test
    @Privileged
    void ambientCapabilitiesSurviveASwitchToAnUnprivilegedUser() throws Exception {
        String status = sh(builder().user(65534, 65534).capabilities(Capabilities.keep("NET_BIND_SERVICE")),
                "cat /proc/self/status");
        assertThat(statusField(status, "Uid")).startsWith("65534");
        assertThat(statusField(status, "CapEff")).isEqualTo("0000000000000400");
        assertThat(statusField(status, "CapAmb")).isEqualTo("0000000000000400");
    }

    @Test
    @Privileged
    void everyNamespaceKindIsNew() throws Exception {
        List<String> kinds = new ArrayList<>();
        for (NamespaceType type : NamespaceType.values()) {
            kinds.add(type.procName());
        }
        // /proc/self, not /proc/$$: /proc is still the host's, where pid 1 is the host's init.
        String script = "for k in " + String.join(" ", kinds) + "; do readlink /proc/self/ns/$k; done";
        ContainerBuilder builder = builder().namespaces(NamespaceType.values()).user(0, 0)
                .uidMap(new IdMapping(0, 100000, 65536)).gidMap(new IdMapping(0, 100000, 65536));
        List<String> inside = sh(builder, script).lines().toList();
        for (int i = 0; i < kinds.size(); i++) {
            String host = Files.readSymbolicLink(Path.of("/proc/self/ns/" + kinds.get(i))).toString();
            assertThat(inside.get(i)).as(kinds.get(i)).startsWith(kinds.get(i) + ":[").isNotEqualTo(host);
        }
    }

    @Test
    @Privileged
    void pidNamespaceMakesThePayloadPid1AndHostnameIsSet() throws Exception {
        ContainerBuilder builder = builder().namespaces(NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.IPC)
                .hostname("box").domainname("example");
        assertThat(sh(builder, "echo $$; hostname; cat /proc/sys/kernel/domainname")).isEqualTo("1\nbox\nexample\n");
    }

    @Test
    @Privileged
    void userNamespaceMaps() throws Exception {
        ContainerBuilder builder = builder().namespaces(NamespaceType.USER).user(0, 0)
                .uidMap(new IdMapping(0, 100000, 1000)).uidMap(new IdMapping(1000, 200000, 10))
                .gidMap(new IdMapping(0, 100000, 1000));
        List<String> lines = sh(builder, "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u").lines()
                .map(l -> l.trim().replaceAll("\\s+", " ")).toList();
        assertThat(lines).containsExactly("0 100000 1000", "1000 200000 10", "0 100000 1000", "deny", "0");
    }

    @Test
    @Privileged
    void joinsExistingNamespacesByPidPidfdAndPath() throws Exception {
        try (ContainerProcess holder = new ContainerBuilder("/bin/sleep", "60").hostname("joined").start();
                Fd holderPidfd = holder.pidfd()) {
            String byPid = sh(builder().join(NamespaceType.UTS, NamespaceJoin.ofPid(holder.pid())), "hostname");
            String byPidfd = sh(builder().join(NamespaceType.UTS, NamespaceJoin.ofPidfd(holderPidfd)), "hostname");
            String byPath = sh(builder().join(NamespaceType.UTS,
                    NamespaceJoin.ofPath(Path.of("/proc/" + holder.pid() + "/ns/uts"))), "hostname");
            assertThat(List.of(byPid, byPidfd, byPath)).containsOnly("joined\n");
        }
    }

    @Test
    @Privileged
    void startsInAV2CgroupWithCloneIntoCgroup() throws Exception {
        Path root = dev.hako.cgroupfs.CgroupLayout.detect().unified().orElseThrow().mountPoint();
        Path group = root.resolve("hako-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.createDirectory(group);
        try {
            ContainerBuilder builder = builder().cgroup(CgroupPlacement.v2(group));
            assertThat(builder.plan().describe()).contains("CLONE_INTO_CGROUP");
            assertThat(sh(builder, "cat /proc/$$/cgroup")).contains("0::/" + group.getFileName() + "\n");
        } finally {
            Files.delete(group);
        }
    }
}
