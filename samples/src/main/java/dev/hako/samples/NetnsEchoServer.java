package dev.hako.samples;

import dev.hako.namespaces.NamespaceExecutor;
import dev.hako.namespaces.NamespaceRef;
import dev.hako.syscalls.AddressFamily;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.InterfaceFlag;
import dev.hako.syscalls.NamespaceSyscalls;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.NetworkSyscalls;
import dev.hako.syscalls.SocketType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An echo server on a Java thread that lives in a network namespace of its own: no
 * container process, just one JVM thread that unshared its network. Only code that enters
 * the same namespace can reach it; the rest of the JVM and the host cannot.
 */
public final class NetnsEchoServer implements AutoCloseable {

    private final ServerSocket server;
    private final NamespaceRef namespace;
    private final Thread thread;

    private NetnsEchoServer(ServerSocket server, NamespaceRef namespace, Thread thread) {
        this.server = server;
        this.namespace = namespace;
        this.thread = thread;
    }

    /**
     * Starts the server thread: it moves itself into a fresh network namespace (unshare is
     * per thread, so the rest of the JVM stays where it is), brings loopback up (a new
     * namespace has it down), listens on 127.0.0.1 and echoes each line back.
     */
    public static NetnsEchoServer start() throws Exception {
        CompletableFuture<NetnsEchoServer> started = new CompletableFuture<>();
        // A platform thread: a virtual thread would hop between carriers and namespaces.
        Thread thread = Thread.ofPlatform().daemon().name("netns-echo").unstarted(() -> {
            ServerSocket server;
            try {
                NamespaceSyscalls.unshare(Set.of(NamespaceType.NET));
                loopbackUp();
                server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                started.complete(new NetnsEchoServer(server, NamespaceRef.ofCurrentThread(NamespaceType.NET),
                        Thread.currentThread()));
            } catch (Exception e) {
                started.completeExceptionally(e);
                return;
            }
            serve(server);
        });
        thread.start();
        return started.get();
    }

    /** The port on 127.0.0.1 inside the namespace. */
    public int port() {
        return server.getLocalPort();
    }

    /** The server's network namespace, for code that should talk to it. */
    public NamespaceRef namespace() {
        return namespace;
    }

    /** Sends one line from a thread inside the server's namespace and returns the reply. */
    public String ask(String line) throws Exception {
        return NamespaceExecutor.run(Set.of(namespace), () -> {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port());
                 PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
                 BufferedReader in = new BufferedReader(
                         new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
                out.println(line);
                return in.readLine();
            }
        }).get();
    }

    private static void loopbackUp() throws IOException {
        try (Fd socket = NetworkSyscalls.socket(AddressFamily.INET, SocketType.DGRAM, Set.of(), 0)) {
            EnumSet<InterfaceFlag> flags = EnumSet.of(InterfaceFlag.UP);
            flags.addAll(NetworkSyscalls.getInterfaceFlags(socket, "lo"));
            NetworkSyscalls.setInterfaceFlags(socket, "lo", flags);
        }
    }

    private static void serve(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket client = server.accept();
                 BufferedReader in = new BufferedReader(
                         new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(client.getOutputStream(), true, StandardCharsets.UTF_8)) {
                for (String line; (line = in.readLine()) != null; ) {
                    out.println("echo: " + line);
                }
            } catch (IOException e) {
                // A client went away, or close() closed the server: the loop condition decides.
            }
        }
    }

    /** Stops serving; the namespace disappears with its last socket and reference. */
    @Override
    public void close() throws IOException {
        server.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the caller's to handle; the socket is closed anyway
        } finally {
            namespace.close();
        }
    }

    /** Starts the server, asks it one question from inside its namespace, and stops. */
    public static void main(String[] args) throws Exception {
        try (NetnsEchoServer server = start()) {
            System.out.println("listening on 127.0.0.1:" + server.port() + " in " + server.namespace());
            System.out.println(server.ask("hello from the same namespace"));
        }
    }
}
