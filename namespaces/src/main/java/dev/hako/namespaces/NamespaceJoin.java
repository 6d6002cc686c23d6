package dev.hako.namespaces;

import dev.hako.syscalls.Fd;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An existing namespace for a new process to join (setns(2)) instead of creating one.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/setns.2.html">setns(2)</a>
 */
public sealed interface NamespaceJoin {

    /** The namespace of a running process, opened from /proc/PID/ns when the process starts. */
    static NamespaceJoin ofPid(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive: " + pid);
        }
        return new OfPid(pid);
    }

    /**
     * A namespace file: /proc/PID/ns/KIND or a bind mount of one (as {@code ip netns add}
     * makes under /run/netns).
     */
    static NamespaceJoin ofPath(Path path) {
        return new OfPath(Objects.requireNonNull(path, "path"));
    }

    /**
     * The namespace of the process a pidfd refers to (Linux 5.8 setns with a pidfd). The
     * caller keeps ownership of the pidfd.
     */
    static NamespaceJoin ofPidfd(Fd pidfd) {
        return new OfPidfd(Objects.requireNonNull(pidfd, "pidfd"));
    }

    /** See {@link #ofPid(long)}. */
    record OfPid(long pid) implements NamespaceJoin {
    }

    /** See {@link #ofPath(Path)}. */
    record OfPath(Path path) implements NamespaceJoin {
    }

    /** See {@link #ofPidfd(Fd)}. */
    record OfPidfd(Fd pidfd) implements NamespaceJoin {
    }
}
