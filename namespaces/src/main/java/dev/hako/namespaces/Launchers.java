package dev.hako.namespaces;

import dev.hako.namespaces.launch.ChildInterpreter;
import dev.hako.namespaces.launch.LaunchServer;
import java.io.IOException;
import java.util.Locale;

/**
 * Which process forks a container: this JVM, or Hako's launch server.
 *
 * <p>{@link #inProcess()} forks the calling JVM itself. clone3 without CLONE_VM copies the
 * caller's page tables, so a start costs more the more memory the JVM has resident (see
 * {@code benchmarks/RESULTS.md}, B2), and an {@link ContainerBuilder#init(boolean) init}
 * supervisor and reaper are copies of the whole JVM, heap included.
 *
 * <p>{@link #server()} forks through a second, small JVM that Hako starts once, at the
 * first start that uses it: a tiny serial-GC heap, Hako's own jars, connected by a
 * socketpair. The container is still this JVM's child (clone3 with CLONE_PARENT), so
 * {@link ContainerProcess}, its pidfd and exit status behave the same; the cost of a start
 * no longer grows with this JVM, and supervisors and reapers are copies of the small server.
 * The server exits with this JVM. Its price: one more process (tens of MiB resident) and a
 * first start that waits for it to come up.
 *
 * <p>The default is {@link #fromSystemProperty()}: the system property
 * {@code hako.launcher} set to {@code server} or {@code in-process}; in-process when it
 * is not set.
 */
public final class Launchers {

    /** The system property that chooses the default: {@code server} or {@code in-process}. */
    public static final String PROPERTY = "hako.launcher";

    private static final Launchers IN_PROCESS = new Launchers(false);
    private static final Launchers SERVER = new Launchers(true);

    private final boolean server;

    private Launchers(boolean server) {
        this.server = server;
    }

    /** {@return starts that fork this JVM} */
    public static Launchers inProcess() {
        return IN_PROCESS;
    }

    /** {@return starts that fork through the launch server} */
    public static Launchers server() {
        return SERVER;
    }

    /**
     * {@return the choice of the system property {@value #PROPERTY}, read now; in-process
     * when it is not set}
     *
     * @throws IllegalArgumentException if it is set to something else than {@code server}
     *                                  or {@code in-process}
     */
    public static Launchers fromSystemProperty() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return IN_PROCESS;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "server" -> SERVER;
            case "in-process" -> IN_PROCESS;
            default -> throw new IllegalArgumentException("system property " + PROPERTY + " is \"" + value
                    + "\"; it takes server or in-process");
        };
    }

    /**
     * Readies this way of starting before a first start needs it, so that a short-lived
     * program can do it on a thread of its own while it prepares its container: in-process,
     * compiles the code the forked child runs (the first start in a fresh JVM otherwise
     * waits for that, up to a second); through the launch server, starts the server. Each
     * start still checks, as always, that the child's code is compiled when it forks.
     *
     * @throws IOException if the launch server cannot be started
     * @see <a href="https://man7.org/linux/man-pages/man2/clone3.2.html">clone3(2)</a>
     */
    public void prepare() throws IOException {
        if (server) {
            LaunchServer.get();
        } else {
            ChildInterpreter.prepare();
        }
    }

    /** Whether this is the launch server. */
    boolean isServer() {
        return server;
    }

    @Override
    public String toString() {
        return server ? "launch server" : "in-process";
    }
}
