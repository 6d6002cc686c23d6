package dev.hako.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Controller;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.MountSpec;
import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code hako enter}: a command inside the namespaces of a running container. */
@Privileged
@Timeout(60)
class EnterCommandTest {

    @Test
    void runsInsideTheTargetsNamespaces() throws Exception {
        try (ContainerProcess target = new ContainerBuilder("/bin/sleep", "30")
                .namespaces(NamespaceType.UTS, NamespaceType.NET, NamespaceType.IPC).hostname("inside").start()) {
            Cli.Result result = Cli.run("enter", Long.toString(target.pid()), "--", "/bin/sh", "-c",
                    "hostname; readlink /proc/self/ns/net");
            assertThat(result.status()).as(result.err()).isZero();
            String targetNet = java.nio.file.Files.readSymbolicLink(
                    java.nio.file.Path.of("/proc", Long.toString(target.pid()), "ns", "net")).toString();
            assertThat(result.out()).isEqualTo("inside\n" + targetNet + "\n");
        }
    }

    @Test
    void theCommandIsInTheTargetsPidNamespaceAndGroups() throws Exception {
        Cgroup group = Cgroup.create(CgroupLayout.detect(), "/hako/test-enter-" + ProcessHandle.current().pid(),
                Set.of(Controller.PIDS));
        try (ContainerProcess target = new ContainerBuilder("/bin/sleep", "30").namespaces(NamespaceType.PID)
                .cgroup(CgroupPlacement.of(group)).start()) {
            Cli.Result result = Cli.run("enter", Long.toString(target.pid()), "--", "/bin/sh", "-c",
                    "echo $$; readlink /proc/self/ns/pid; cat /proc/self/cgroup");
            assertThat(result.status()).as(result.err()).isZero();
            String pidNs = Files.readSymbolicLink(Path.of("/proc", Long.toString(target.pid()), "ns", "pid")).toString();
            String groups = Files.readString(Path.of("/proc", Long.toString(target.pid()), "cgroup"));
            // PID 1 is the target; the command is the next process of its namespace.
            assertThat(result.out()).isEqualTo("2\n" + pidNs + "\n" + groups);
        } finally {
            group.delete(java.time.Duration.ofSeconds(10), true);
        }
    }

    @Test
    void entersTheNamespaceOfAnInitContainerNotItsSupervisors() throws Exception {
        try (ContainerProcess target = new ContainerBuilder("/bin/sleep", "30").namespaces(NamespaceType.PID)
                .mounts(MountSpec.builder().hostRootReadOnly().proc().build()).init(true).start()) {
            Cli.Result result = Cli.run("enter", Long.toString(target.pid()), "--", "/bin/sh", "-c",
                    "echo $$; cat /proc/1/comm");
            assertThat(result.status()).as(result.err()).isZero();
            // PID 1 is the reaper, 2 the container's command, 3 this one.
            assertThat(result.out()).isEqualTo("3\nhako-init\n");
        }
    }

    @Test
    void ownProcessHasNothingToEnter() {
        Cli.Result result = Cli.run("enter", Long.toString(ProcessHandle.current().pid()), "--", "/bin/true");
        assertThat(result.status()).isEqualTo(125);
        assertThat(result.err()).contains("nothing to enter");
    }
}
