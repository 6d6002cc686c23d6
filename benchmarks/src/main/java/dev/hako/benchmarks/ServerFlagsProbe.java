package dev.hako.benchmarks;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.Launchers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JVM that {@link ServerFlags} starts once per candidate flag set: what a launch server
 * would be, a small JVM that forks containers through today's in-process engine. It loads
 * nothing but Hako (no JMH, no Jackson), so its footprint is the engine's.
 *
 * <pre>
 * java FLAGS -cp CP dev.hako.benchmarks.ServerFlagsProbe STARTS VARIANT
 * </pre>
 *
 * It prints, one per line, each as soon as it happens, so that the parent can time them on
 * its own clock: {@code main} at entry, {@code first} once the first container has exited
 * (the engine's warm-up included), then {@code samples n1,n2,...} (nanoseconds per start,
 * start to exit of {@code /bin/true}), {@code smaps Key=KiB ...} from its own
 * {@code /proc/self/smaps_rollup} and VmPTE after the starts, and {@code done}.
 */
public final class ServerFlagsProbe {

    private ServerFlagsProbe() {
    }

    /** Entry point; see the class comment. */
    public static void main(String[] args) throws Exception {
        System.out.println("main");
        System.out.flush();
        int starts = Integer.parseInt(args[0]);
        // In-process (what a server does) unless a flag set asks for the launch server itself.
        Launchers launcher = System.getProperty(Launchers.PROPERTY) == null ? Launchers.inProcess()
                : Launchers.fromSystemProperty();
        ContainerBuilder builder = StartVariant.of(args[1]).builder(launcher, "/bin/true");
        StartLatencyBenchmark.startAndWait(builder);
        System.out.println("first");
        System.out.flush();
        for (int i = 0; i < 3; i++) {
            StartLatencyBenchmark.startAndWait(builder);
        }
        long[] samples = new long[starts];
        for (int i = 0; i < starts; i++) {
            long t0 = System.nanoTime();
            StartLatencyBenchmark.startAndWait(builder);
            samples[i] = System.nanoTime() - t0;
        }
        StringBuilder line = new StringBuilder("samples ");
        for (int i = 0; i < starts; i++) {
            line.append(i == 0 ? "" : ",").append(samples[i]);
        }
        System.out.println(line);
        StringBuilder smaps = new StringBuilder("smaps");
        for (String l : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
            String[] f = l.trim().split("\\s+");
            if (f.length == 3 && f[2].equals("kB")) {
                smaps.append(' ').append(f[0], 0, f[0].length() - 1).append('=').append(f[1]);
            }
        }
        smaps.append(" VmPTE=").append(vmPte());
        System.out.println(smaps);
        System.out.println("done");
        System.out.flush();
    }

    private static long vmPte() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmPTE:")) {
                return Long.parseLong(l.substring(6).replace("kB", "").strip());
            }
        }
        return -1;
    }
}
