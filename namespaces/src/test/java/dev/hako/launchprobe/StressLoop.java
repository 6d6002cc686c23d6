package dev.hako.launchprobe;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.launch.ChildInterpreter;
import dev.hako.syscalls.NamespaceType;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Starts from a busy JVM, through the default launcher (a quarter of them with an init
 * reaper, whose supervisor loops and forks twice more; one in eight fails at its execve, so
 * that the child's failure report runs too): one thread allocates, one calls
 * System.gc() and Thread.getAllStackTraces() (a handshake with every thread) every 3 ms. A
 * child that touched JVM machinery would hang on a lock held at the fork; the exec timeout
 * then turns the hang into a failed start. The loop stops at its budget even if not every
 * start has run, and its {@link Outcome} says where the time went, so that a slow machine
 * gives a report rather than a test killed by its timeout. {@link #main} runs it in a JVM of
 * its own (with the flags a test chooses, such as C1 only) and prints
 * {@code N starts, F failed}, then each failure and the timing.
 */
public final class StressLoop {

    /** A start slower than this is listed in the report. */
    private static final long SLOW_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int SLOW_LISTED = 10;
    private static final long PRESSURE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(3);
    private static final String MISSING_COMMAND = "/nonexistent/hako-stress-command";

    private StressLoop() {
    }

    /**
     * What a run did.
     *
     * @param done     starts made before the budget ran out (at most the number asked for)
     * @param failures one line for each start that failed or did not exit in time
     * @param timing   percentiles of start() and of the wait for exit, and the slow starts
     */
    public record Outcome(int done, List<String> failures, String timing) {
        /** One paragraph for an assertion message. */
        public String summary() {
            return done + " starts, " + failures.size() + " failed; " + timing;
        }
    }

    /**
     * Runs up to {@code starts} starts under GC and handshake pressure, for at most
     * {@code budget} (a start under way at the deadline finishes).
     */
    public static Outcome run(int starts, Duration budget) throws InterruptedException {
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
            // A full collection and a handshake every 3 ms, the pressure the launch design
            // was measured under: back to back, full collections of a big test JVM (its
            // whole suite's classes and objects) left the starting thread almost no time.
            while (!stop.get()) {
                System.gc();
                Thread.getAllStackTraces();
                LockSupport.parkNanos(PRESSURE_INTERVAL_NANOS);
            }
        }));
        List<String> failures = new ArrayList<>();
        long[] startNanos = new long[starts];
        long[] waitNanos = new long[starts];
        List<String> slow = new ArrayList<>();
        long deadline = System.nanoTime() + budget.toNanos();
        int done = 0;
        try {
            for (int i = 0; i < starts && System.nanoTime() < deadline; i++, done++) {
                // One start in eight fails at its execve: the child then reads errno and
                // writes its report, paths a successful start never takes.
                boolean failing = i % 8 == 5;
                ContainerBuilder builder = new ContainerBuilder(failing ? MISSING_COMMAND : "/bin/true");
                String kind = failing ? "failing" : "plain";
                if (i % 2 == 1) {
                    builder.namespaces(NamespaceType.PID, NamespaceType.MOUNT, NamespaceType.IPC, NamespaceType.UTS);
                    kind += ", namespaces";
                }
                if (i % 4 == 3) {
                    builder.init(true); // a supervisor and a reaper: the loop and two forks in the child
                    kind += ", init";
                }
                long t0 = System.nanoTime();
                long t1 = t0;
                try (ContainerProcess process = builder.start()) {
                    t1 = System.nanoTime();
                    if (failing) {
                        failures.add(i + " (" + kind + "): started " + MISSING_COMMAND);
                    } else if (!process.waitFor(30, TimeUnit.SECONDS)) {
                        failures.add(i + " (" + kind + "): did not exit within 30 s");
                    } else if (process.exitValue() != 0) {
                        failures.add(i + " (" + kind + "): exit status " + process.exitValue());
                    }
                } catch (IOException e) {
                    if (!failing || !e.getMessage().startsWith("Cannot run program \"" + MISSING_COMMAND + "\"")) {
                        failures.add(i + " (" + kind + "): " + e.getMessage());
                    }
                }
                long t2 = System.nanoTime();
                startNanos[i] = t1 - t0;
                waitNanos[i] = t2 - t1;
                if (t2 - t0 > SLOW_NANOS && slow.size() < SLOW_LISTED) {
                    slow.add(i + " (" + kind + ") start " + millis(t1 - t0) + " wait " + millis(t2 - t1));
                }
            }
        } finally {
            stop.set(true);
            for (Thread thread : noise) {
                thread.join();
            }
        }
        String timing = "start() " + percentiles(startNanos, done) + "; wait for exit " + percentiles(waitNanos, done)
                + "; starts over 5 s: " + (slow.isEmpty() ? "none" : String.join(", ", slow))
                + "; interpreter: " + ChildInterpreter.warmUpSummary();
        return new Outcome(done, failures, timing);
    }

    private static String percentiles(long[] nanos, int count) {
        if (count == 0) {
            return "no starts";
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        return "p50 " + millis(sorted[count / 2]) + ", p99 " + millis(sorted[(int) (count * 0.99)]) + ", max "
                + millis(sorted[count - 1]);
    }

    private static String millis(long nanos) {
        return String.format("%.1f ms", nanos / 1e6);
    }

    /**
     * Entry point: the number of starts and the budget in seconds.
     *
     * @param args the number of starts, then the budget in seconds
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        Outcome outcome = run(Integer.parseInt(args[0]), Duration.ofSeconds(Long.parseLong(args[1])));
        System.out.println(outcome.done() + " starts, " + outcome.failures().size() + " failed");
        outcome.failures().forEach(System.out::println);
        System.out.println(outcome.timing());
    }
}
