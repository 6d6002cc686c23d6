package dev.hako.cgroupfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The online CPUs and memory nodes, which bound what a cpuset may hold. */
final class SystemTopology {
    static final Path CPUS_ONLINE = Path.of("/sys/devices/system/cpu/online");
    static final Path NODES_ONLINE = Path.of("/sys/devices/system/node/online");

    private SystemTopology() {
    }

    static IndexList onlineCpus() throws IOException {
        return IndexList.parse(Files.readString(CPUS_ONLINE));
    }

    /** Without NUMA support there is no node directory and node 0 is the only one. */
    static IndexList onlineNodes() throws IOException {
        return Files.exists(NODES_ONLINE) ? IndexList.parse(Files.readString(NODES_ONLINE)) : IndexList.of(0);
    }

    static void checkOnline(CpusetSpec spec) throws IOException {
        check(spec, onlineCpus(), onlineNodes());
    }

    static void check(CpusetSpec spec, IndexList cpus, IndexList nodes) {
        if (spec.cpus() != null && !spec.cpus().isSubsetOf(cpus)) {
            throw new InvalidSpecException("cpuset cpus " + spec.cpus() + " include CPUs that are not online: "
                    + spec.cpus().minus(cpus) + " (online: " + cpus + ")");
        }
        if (spec.mems() != null && !spec.mems().isSubsetOf(nodes)) {
            throw new InvalidSpecException("cpuset mems " + spec.mems() + " include memory nodes that are not online: "
                    + spec.mems().minus(nodes) + " (online: " + nodes + ")");
        }
    }
}
