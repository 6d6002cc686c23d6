package dev.hako.samples.cli;

import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Pressure;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One table of groups with live numbers, shared by {@code ps} (one sample) and {@code top}
 * (refreshing). CPU% needs two readings of the usage counter, so each table row compares
 * the latest reading with the one before.
 */
final class GroupTable {

    private static final String FORMAT = "%-28s %5s %6s %9s %9s %20s%n";

    private final CgroupLayout layout;
    private final List<String> extraPaths;
    private final Map<String, Long> lastUsageNanos = new HashMap<>();
    private long lastSampleNanos;

    GroupTable(CgroupLayout layout, List<String> extraPaths) {
        this.layout = layout;
        this.extraPaths = List.copyOf(extraPaths);
    }

    /** The groups to show: Hako's own, then the paths given (missing ones are skipped). */
    List<Cgroup> groups() throws IOException {
        Map<String, Cgroup> groups = new LinkedHashMap<>();
        for (Cgroup group : Groups.hakoGroups(layout)) {
            groups.put(group.path(), group);
        }
        for (String path : extraPaths) {
            try {
                Cgroup group = Cgroup.open(layout, path);
                groups.putIfAbsent(group.path(), group);
            } catch (NoSuchFileException e) {
                // Gone since the last refresh, or never there: nothing to show.
            }
        }
        return new ArrayList<>(groups.values());
    }

    /** Reads the CPU counters only, so the next {@link #print} has a base for CPU%. */
    void prime() throws IOException {
        for (Cgroup group : groups()) {
            cpuPercent(group, System.nanoTime());
        }
        lastSampleNanos = System.nanoTime();
    }

    /** Prints the header and one line per group. */
    void print(PrintWriter out) throws IOException {
        long now = System.nanoTime();
        List<Cgroup> groups = groups();
        out.printf(Locale.ROOT, FORMAT, "GROUP", "PIDS", "CPU%", "MEM", "PEAK", "PSI cpu/mem/io avg10");
        for (Cgroup group : groups) {
            out.printf(Locale.ROOT, FORMAT, group.path(), pids(group), cpuPercent(group, now), memory(group, false),
                    memory(group, true), pressure(group));
        }
        if (groups.isEmpty()) {
            out.println("(no groups under " + Groups.PREFIX + "; start one with hako run)");
        }
        lastSampleNanos = now;
        out.flush();
    }

    private String cpuPercent(Cgroup group, long now) {
        try {
            long usage = group.cpuStats().usage().toNanos();
            Long before = lastUsageNanos.put(group.path(), usage);
            if (before == null || lastSampleNanos == 0 || now <= lastSampleNanos) {
                return "-";
            }
            return String.format(Locale.ROOT, "%.1f", 100.0 * (usage - before) / (now - lastSampleNanos));
        } catch (IOException | RuntimeException e) {
            return "-";
        }
    }

    private static String pids(Cgroup group) {
        try {
            return Long.toString(group.pidsStats().current());
        } catch (IOException | RuntimeException e) {
            try {
                return Integer.toString(group.allProcesses().size());
            } catch (IOException | RuntimeException e2) {
                return "-";
            }
        }
    }

    private static String memory(Cgroup group, boolean peak) {
        try {
            var stats = group.memoryStats();
            if (peak) {
                return stats.peak().isPresent() ? Sizes.human(stats.peak().getAsLong()) : "-";
            }
            return Sizes.human(stats.current());
        } catch (IOException | RuntimeException e) {
            return "-";
        }
    }

    private static String pressure(Cgroup group) {
        StringBuilder text = new StringBuilder();
        for (Pressure.Resource resource : List.of(Pressure.Resource.CPU, Pressure.Resource.MEMORY,
                Pressure.Resource.IO)) {
            if (!text.isEmpty()) {
                text.append('/');
            }
            try {
                text.append(String.format(Locale.ROOT, "%.2f", group.pressure(resource).some().avg10()));
            } catch (IOException | RuntimeException e) {
                text.append('-');
            }
        }
        return text.toString();
    }
}
