package dev.hako.samples;

import dev.hako.cgroupfs.Bytes;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Controller;
import dev.hako.cgroupfs.MemorySpec;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.syscalls.NamespaceType;
import java.time.Duration;
import java.util.Set;

/** {@code hako run} in miniature: a command in fresh namespaces under a 64 MiB memory cap. */
public final class SandboxRunner {
    private SandboxRunner() { } // static methods only

    /** Runs {@code args} as a command in a sandbox and returns its exit status as a shell reports it. */
    public static int run(String... args) throws Exception {
        Cgroup group = Cgroup.create(CgroupLayout.detect(), "/hako/sandbox-" + ProcessHandle.current().pid(),
                Set.of(Controller.MEMORY));
        try {
            group.apply(MemorySpec.limit(Bytes.mib(64)));
            ContainerBuilder sandbox = new ContainerBuilder(args)
                    .namespaces(NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.IPC, NamespaceType.NET)
                    .hostname("sandbox").cgroup(CgroupPlacement.of(group));
            try (ContainerProcess process = sandbox.start()) { return process.waitFor(); } // close() reaps it
        } finally {
            group.delete(Duration.ofSeconds(10), true); // always: even when start() failed
        }
    }

    /** Runs the command line given and exits with its status. */
    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }
}
