package dev.hako.samples;

import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupEvent;
import dev.hako.cgroupfs.CgroupEvents;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.cgroupfs.Pressure;
import dev.hako.cgroupfs.PressureTrigger;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/**
 * Watches one control group: prints its memory, CPU and task figures every interval, and
 * OOM, populated and pressure events the moment the kernel reports them (through the
 * group's event files, not by polling).
 */
public final class CgroupMonitor implements AutoCloseable {

    private final Cgroup group;
    private final PrintStream out;
    private final CgroupEvents events;

    /**
     * Starts watching {@code path}. A memory pressure trigger (some tasks stalled 100 ms in
     * a 2 s window; windows that are not multiples of 2 s need CAP_SYS_RESOURCE) is
     * installed where the group has a cgroup v2 directory, which PSI needs.
     */
    public CgroupMonitor(String path, PrintStream out) throws IOException {
        this.group = Cgroup.open(CgroupLayout.detect(), path);
        this.out = out;
        PressureTrigger[] triggers = group.unifiedDirectory().isPresent()
                ? new PressureTrigger[] {PressureTrigger.some(Pressure.Resource.MEMORY, Duration.ofMillis(100),
                        Duration.ofSeconds(2))}
                : new PressureTrigger[0];
        this.events = group.watch(this::event, triggers);
    }

    private void event(CgroupEvent event) {
        String text = switch (event) {
            case CgroupEvent.OomKill kill -> "oom-kill (total " + kill.count() + ")";
            case CgroupEvent.Oom oom -> "oom: the group reached its memory limit (total " + oom.count() + ")";
            case CgroupEvent.Populated populated -> populated.populated() ? "populated" : "empty";
            case CgroupEvent.Frozen frozen -> frozen.frozen() ? "frozen" : "thawed";
            case CgroupEvent.PressureStall stall -> "memory pressure above " + stall.trigger().render().strip();
        };
        synchronized (out) {
            out.println(now() + " event " + text);
        }
    }

    /** Prints one line of figures; a figure the group cannot report is shown as "-". */
    public void printStats() {
        String memory = figure(() -> group.memoryStats().current() / 1024 + " KiB");
        String cpu = figure(() -> group.cpuStats().usage().toMillis() + " ms");
        String pids = figure(() -> Long.toString(group.pidsStats().current()));
        synchronized (out) {
            out.println(now() + " stats memory " + memory + ", cpu " + cpu + ", tasks " + pids);
        }
    }

    private static String figure(Reading reading) {
        try {
            return reading.read();
        } catch (IOException | RuntimeException e) {
            return "-";
        }
    }

    private interface Reading {
        String read() throws IOException;
    }

    private static LocalTime now() {
        return LocalTime.now().truncatedTo(ChronoUnit.MILLIS);
    }

    /** Stops watching. */
    @Override
    public void close() {
        events.close();
    }

    /** Watches the group given (e.g. /hako/web) and prints stats every second until interrupted. */
    public static void main(String[] args) throws Exception {
        try (CgroupMonitor monitor = new CgroupMonitor(args[0], System.out)) {
            while (true) {
                monitor.printStats();
                Thread.sleep(1000);
            }
        }
    }
}
