package dev.hako.launchprobe;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.syscalls.NamespaceType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts from a busy JVM, through the default launcher (a quarter of them with an init
 * reaper, whose supervisor loops and forks twice more): one thread allocates, one calls
 * System.gc() and Thread.getAllStackTraces() (a handshake with every thread) in a loop. A
 * child that touched JVM machinery would hang on a lock held at the fork; the exec timeout
 * then turns the hang into a failed start. {@link #main} runs it in a JVM of its own (with
 * the flags a test chooses, such as C1 only) and prints {@code N starts, F failed}, then
 * each failure.
 */
public final class StressLoop {

    private StressLoop() {
    }

    /**
     * Runs {@code starts} starts under GC and handshake pressure.
     *
     * @return one line for each start that failed or did not exit in time
     */
    public static List<String> run(int starts) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> noise = new ArrayList<>();
        noise.add(Thread.ofPlatform().daemon().start(() -> {
            List<byte[]> keep = new ArrayList<>();
            while (!stop.get()) {
                keep.add(new byte[64 * 1024]);
                if (keep.size() > 200) {
                    keep.clear();
                }
            }
        }));
        noise.add(Thread.ofPlatform().daemon().start(() -> {
            while (!stop.get()) {
                System.gc();
                Thread.getAllStackTraces();
            }
        }));
        List<String> failures = new ArrayList<>();
        try {
            for (int i = 0; i < starts; i++) {
                ContainerBuilder builder = new ContainerBuilder("/bin/true");
                if (i % 2 == 1) {
                    builder.namespaces(NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.IPC, NamespaceType.UTS);
                }
                if (i % 4 == 3) {
                    builder.init(true); // a supervisor and a reaper: the loop and two forks in the child
                }
                try (ContainerProcess process = builder.start()) {
                    if (!process.waitFor(30, TimeUnit.SECONDS)) {
                        failures.add(i + ": did not exit within 30 s");
                    } else if (process.exitValue() != 0) {
                        failures.add(i + ": exit status " + process.exitValue());
                    }
                } catch (IOException e) {
                    failures.add(i + ": " + e.getMessage());
                }
            }
        } finally {
            stop.set(true);
            for (Thread thread : noise) {
                thread.join();
            }
        }
        return failures;
    }

    /**
     * Entry point: the number of starts as the only argument.
     *
     * @param args the number of starts
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        int starts = Integer.parseInt(args[0]);
        List<String> failures = run(starts);
        System.out.println(starts + " starts, " + failures.size() + " failed");
        failures.forEach(System.out::println);
    }
}
