package dev.hako.namespaces;

import dev.hako.namespaces.launch.Launcher;
import java.io.IOException;
import java.util.Locale;

/**
 * Which process forks a container: Hako's launch server (the default), or this JVM.
 *
 * <p>{@link #server()} forks through a second, small JVM that Hako starts once per JVM: a
 * tiny serial-GC heap, Hako's own jars, connected by a socketpair. The container is still
 * this JVM's child (clone3 with CLONE_PARENT), so {@link ContainerProcess}, its pidfd and
 * exit status behave as for any child; the cost of a start does not grow with this JVM's
 * heap, and {@link ContainerBuilder#init(boolean) init} supervisors and reapers are copies
 * of the small server, not of this JVM and its heap. The server exits with this JVM. Its
 * price: one more process (tens of MiB resident) and the wait for it to come up, at the
 * first start or at {@link #prepare()}. It needs Hako loaded from jars or class
 * directories (the class path, the module path or a shaded jar), not from a runtime image
 * made by jlink.
 *
 * <p>{@link #inProcess()} forks the calling JVM itself, with no second process. clone3
 * without CLONE_VM copies the caller's page tables, so a start costs more the more memory
 * the JVM has resident (see {@code benchmarks/RESULTS.md}, B2), and an init supervisor
 * and reaper are copies of the whole JVM. It suits short-lived JVMs with small heaps that
 * start one or two containers (Hako's OCI runtime chooses it), where starting the server
 * would cost more than it saves. A JVM that compiles with C1 only
 * ({@code -XX:TieredStopAtLevel} below 4) is refused in-process.
 *
 * <p>The default, used by every {@link ContainerBuilder} whose
 * {@link ContainerBuilder#launcher(Launchers) launcher} is not set, is
 * {@link #fromSystemProperty()}: the system property {@value #PROPERTY} set to
 * {@code server} or {@code in-process} ({@code -Dhako.launcher=in-process} on the command
 * line), and the launch server when it is not set.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/clone3.2.html">clone3(2)</a>
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
     * {@return the choice of the system property {@value #PROPERTY}, read now; the launch
     * server when it is not set}
     *
     * @throws IllegalArgumentException if it is set to something else than {@code server}
     *                                  or {@code in-process}
     */
    public static Launchers fromSystemProperty() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return SERVER;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "server" -> SERVER;
            case "in-process" -> IN_PROCESS;
            default -> throw new IllegalArgumentException("system property " + PROPERTY + " is \"" + value
                    + "\"; it takes server or in-process");
        };
    }

    /**
     * Does now what the first start would otherwise wait for, so that it costs no more than
     * the next ones: for {@link #server()}, starts the launch server if none is running (the
     * start is lazy otherwise), and returns once it is ready to fork; for
     * {@link #inProcess()}, checks that this JVM can fork (not C1 only) and compiles the
     * child program's interpreter. Calling it again costs nothing while the server runs; a
     * server that died since is replaced.
     *
     * @return this
     * @throws IOException if the server cannot be started, or this JVM cannot fork
     *                     in-process (the message says why)
     */
    public Launchers prepare() throws IOException {
        Launcher.prepare(server);
        return this;
    }

    /**
     * {@return one line naming the process that forks: the launch server's pid, flags and
     * starts if it runs, else the command that will start it; or this JVM's pid}
     */
    public String describe() {
        return Launcher.forker(server);
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
