package dev.hako.samples;

import dev.hako.cgroupfs.Bytes;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.CgroupVersion;
import dev.hako.cgroupfs.Controller;
import dev.hako.cgroupfs.CpuSpec;
import dev.hako.cgroupfs.MemorySpec;
import dev.hako.cgroupfs.PidsSpec;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Redirect;
import dev.hako.syscalls.NamespaceType;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A resource guard for add-on programs installed after the host application: each runs in
 * its own namespaces and control group with a memory, CPU and task cap, and afterwards the
 * guard reports which add-on hit which limit. One misbehaving add-on cannot starve the
 * application or the others, and the report says which one to blame.
 */
public final class AddonGuard {

    /** The caps every add-on gets. */
    public record Caps(Bytes memory, double cpus, long pids) {
    }

    /**
     * What happened to one add-on.
     *
     * @param name        the add-on
     * @param exitStatus  its status as a shell reports it (128+N when signal N killed it)
     * @param limitsHit   the limits it ran into: "memory" (OOM kill), "pids" (fork refused),
     *                    "cpu" (throttled)
     */
    public record Outcome(String name, int exitStatus, List<String> limitsHit) {
    }

    private final CgroupLayout layout;
    private final Caps caps;

    /** A guard that gives each add-on these caps. */
    public AddonGuard(Caps caps) throws IOException {
        this.layout = CgroupLayout.detect();
        this.caps = caps;
    }

    /**
     * Runs the add-ons one after another (name → command line) and reports on each. Every
     * group is removed afterwards, whatever happened.
     */
    public List<Outcome> runAll(Map<String, List<String>> addons) throws IOException, InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        for (Map.Entry<String, List<String>> addon : new LinkedHashMap<>(addons).entrySet()) {
            outcomes.add(run(addon.getKey(), addon.getValue()));
        }
        return outcomes;
    }

    private Outcome run(String name, List<String> command) throws IOException, InterruptedException {
        Cgroup group = Cgroup.create(layout, "/hako/addon-" + name,
                EnumSet.of(Controller.MEMORY, Controller.CPU, Controller.PIDS));
        try {
            group.apply(MemorySpec.limit(caps.memory()), CpuSpec.cpus(caps.cpus()), PidsSpec.max(caps.pids()));
            ContainerBuilder builder = new ContainerBuilder(command)
                    .namespaces(NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.IPC, NamespaceType.UTS,
                            NamespaceType.NET)
                    .redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD)
                    .cgroup(CgroupPlacement.of(group));
            int status;
            try (ContainerProcess process = builder.start()) {
                status = process.waitFor();
            }
            return new Outcome(name, status, limitsHit(group));
        } finally {
            group.delete(Duration.ofSeconds(10), true);
        }
    }

    /** Reads the kernel's own counters of limit hits; they count even when the add-on hides them. */
    private List<String> limitsHit(Cgroup group) throws IOException {
        List<String> hits = new ArrayList<>();
        boolean memoryV2 = layout.versionOf(Controller.MEMORY).orElseThrow() == CgroupVersion.V2;
        long oomKills = memoryV2 ? group.memoryEvents().oomKill() : group.memoryOomControl().oomKill();
        if (oomKills > 0) {
            hits.add("memory");
        }
        // pids.events has one line, "max N": how many forks the limit refused (v1 and v2 alike).
        String pidsEvents = group.read(Controller.PIDS, "pids.events").strip();
        if (!pidsEvents.endsWith(" 0")) {
            hits.add("pids");
        }
        var throttling = group.cpuStats().throttling();
        if (throttling.isPresent() && throttling.get().throttledPeriods() > 0) {
            hits.add("cpu");
        }
        return hits;
    }

    /** Runs three example add-ons: a well-behaved one, a memory hog and a fork bomb. */
    public static void main(String[] args) throws Exception {
        AddonGuard guard = new AddonGuard(new Caps(Bytes.mib(32), 0.5, 8));
        for (Outcome outcome : guard.runAll(examples())) {
            System.out.println(outcome.name() + ": exit " + outcome.exitStatus() + ", limits hit: "
                    + (outcome.limitsHit().isEmpty() ? "none" : String.join(", ", outcome.limitsHit())));
        }
    }

    /** The example add-ons of {@link #main}: shell one-liners, so no download is needed. */
    public static Map<String, List<String>> examples() {
        Map<String, List<String>> addons = new LinkedHashMap<>();
        addons.put("polite", List.of("/bin/sh", "-c", "echo hello"));
        addons.put("hog", List.of("/bin/sh", "-c", "dd if=/dev/zero of=/dev/null bs=128M count=1"));
        addons.put("forker", List.of("/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 1 & done; wait"));
        addons.put("spinner", List.of("/bin/sh", "-c", "timeout 1 sh -c 'while :; do :; done'; true"));
        return addons;
    }
}
