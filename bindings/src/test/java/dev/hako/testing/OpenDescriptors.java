package dev.hako.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * This JVM's open descriptors, for leak checks: "number -> target" from /proc/self/fd,
 * leaving out only what the JVM itself opens and keeps, recognised by its target: class
 * path jars, the JDK's own files ({@code lib/modules} and the rest of {@code java.home}),
 * {@code /dev/random} and {@code /dev/urandom}, and the descriptor of this listing.
 * Directories, O_PATH descriptors, pidfds, pipes and sockets all count.
 *
 * <p>One descriptor the JVM keeps has no path to recognise it by: the first NIO socket
 * makes the JDK open a socket it keeps for the JVM's lifetime (used to close sockets
 * that other threads block on). {@link #openWhatTheJvmKeeps()} makes it exist before a
 * baseline is taken.
 *
 * <p>Take the list before and after and compare at once: no {@code System.gc()} first,
 * because a descriptor that only a Cleaner would close is a leak the code made.
 */
public final class OpenDescriptors {

    private OpenDescriptors() {
    }

    /**
     * Opens what the JVM keeps open once used and cannot be recognised by path: opens and
     * closes a loopback server socket, after which the JDK's own socket stays. Call it
     * before taking a baseline.
     */
    public static void openWhatTheJvmKeeps() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The open descriptors, sorted, without the JVM's own (see the class comment). */
    public static List<String> list() {
        String listing = "/proc/" + ProcessHandle.current().pid() + "/fd";
        List<String> result = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed between the listing and the read
                }
                if (!target.equals(listing) && !openedByTheJvm(target)) {
                    result.add(fd.getFileName() + " -> " + target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        result.sort(null);
        return result;
    }

    /** Whether a descriptor with this target is one the JVM opens for itself and keeps. */
    static boolean openedByTheJvm(String target) {
        String javaHome = Path.of(System.getProperty("java.home")).toAbsolutePath().normalize() + "/";
        return target.endsWith(".jar") // class path and module path entries, opened as classes load
                || target.startsWith(javaHome) // lib/modules (the jimage) and the JDK's other files
                || target.equals("/dev/random") || target.equals("/dev/urandom"); // SecureRandom seeds
    }

    /** The descriptors in {@code now} that are not in {@code before}. */
    public static List<String> added(List<String> before, List<String> now) {
        List<String> added = new ArrayList<>(now);
        added.removeAll(before);
        return added;
    }
}
