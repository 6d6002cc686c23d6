package dev.hako.benchmarks;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.Launchers;
import java.io.IOException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * The application JVM that {@link ServerStart} starts once a round: it warms Hako's engine
 * with in-process starts, then makes its first start through the launch server (which
 * starts the server), then more, and reports what the server costs. It loads nothing but
 * Hako, so its own memory is a small application's.
 *
 * <pre>
 * java -cp CP dev.hako.benchmarks.ServerStartProbe STARTS
 * </pre>
 *
 * It prints, one per line: {@code main} at entry; {@code inProcess n1,...} and
 * {@code server n1,...}, nanoseconds per start (start to exit of {@code /bin/true} with pid,
 * mount, ipc and uts namespaces), the server's first start first; {@code server-pid P};
 * {@code server-smaps Key=KiB ...} and {@code self-smaps Key=KiB ...} from
 * {@code /proc/PID/smaps_rollup} with VmPTE and RssAnon of {@code /proc/PID/status}, after
 * the starts; and {@code done}.
 */
public final class ServerStartProbe {

    /** The class the server JVM runs, by which its command line is recognised. */
    static final String SERVER_MAIN = "dev.hako.namespaces.launch.LaunchServerMain";

    private ServerStartProbe() {
    }

    /** Entry point; see the class comment. */
    public static void main(String[] args) throws Exception {
        System.out.println("main");
        System.out.flush();
        int starts = Integer.parseInt(args[0]);
        ContainerBuilder inProcess = StartVariant.PID_MNT_IPC_UTS.builder(Launchers.inProcess(), "/bin/true");
        ContainerBuilder server = StartVariant.PID_MNT_IPC_UTS.builder(Launchers.server(), "/bin/true");
        for (int i = 0; i < 3; i++) {
            StartLatencyBenchmark.startAndWait(inProcess); // the engine's warm-up, so the server's start stands alone
        }
        System.out.println("inProcess " + timed(inProcess, starts));
        System.out.println("server " + timed(server, starts + 1)); // the first one starts the server
        long pid = serverPid();
        System.out.println("server-pid " + pid);
        System.out.println("server-smaps " + memory(pid));
        System.out.println("self-smaps " + memory(ProcessHandle.current().pid()));
        System.out.println("done");
        System.out.flush();
    }

    private static String timed(ContainerBuilder builder, int starts) throws IOException, InterruptedException {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < starts; i++) {
            long t0 = System.nanoTime();
            StartLatencyBenchmark.startAndWait(builder);
            line.append(i == 0 ? "" : ",").append(System.nanoTime() - t0);
        }
        return line.toString();
    }

    /**
     * {@return the pid of this JVM's child that runs the launch server} The supervisors it
     * forks are this JVM's children too (CLONE_PARENT) and, forked without exec, carry the
     * same command line; they rename themselves, and the server is the oldest anyway.
     */
    static long serverPid() {
        return ProcessHandle.current().children()
                .filter(c -> c.info().commandLine().orElse("").contains(SERVER_MAIN))
                .filter(c -> !InitMemory.comm(c.pid()).startsWith("hako-"))
                .min(Comparator.comparing(c -> c.info().startInstant().orElse(Instant.MAX)))
                .orElseThrow(() -> new IllegalStateException("no launch server among this JVM's children"))
                .pid();
    }

    /** {@return "Key=KiB ..." from smaps_rollup, then VmPTE and RssAnon from status} */
    static String memory(long pid) throws IOException {
        StringBuilder out = new StringBuilder();
        InitMemory.smapsRollup(pid).forEach((k, v) -> out.append(out.isEmpty() ? "" : " ").append(k).append('=')
                .append(v));
        for (String key : List.of("VmPTE", "RssAnon")) {
            out.append(' ').append(key).append('=').append(InitMemory.status(pid, key));
        }
        return out.toString();
    }
}
