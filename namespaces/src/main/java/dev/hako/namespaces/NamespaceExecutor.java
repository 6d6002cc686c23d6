package dev.hako.namespaces;

import dev.hako.syscalls.NamespaceSyscalls;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.UnshareFlag;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs Java code inside namespaces: each task runs on a dedicated platform thread that
 * first enters the namespaces with setns(2), and afterwards returns to the namespaces it
 * started in, verified by comparing /proc/thread-self/ns inodes. A thread that cannot
 * return (or whose return cannot be verified) ends instead of running anything else.
 *
 * <pre>{@code
 * try (NamespaceRef net = NamespaceRef.of(container, NamespaceType.NET)) {
 *     int port = NamespaceExecutor.run(Set.of(net), () -> {
 *         try (ServerSocket s = new ServerSocket(8080, 50, InetAddress.getLoopbackAddress())) {
 *             return s.getLocalPort();   // bound inside the container's network namespace
 *         }
 *     }).get();
 * }
 * }</pre>
 *
 * <p>Why a thread: namespaces belong to a thread, not to the JVM. setns(2) moves the
 * calling OS thread only, so it works for net, uts, ipc, cgroup and time namespaces (and
 * mount, once the thread stops sharing its file system context with unshare(CLONE_FS)).
 * It refuses three things:
 * <ul>
 *   <li>user namespaces: the kernel refuses setns into one for a multithreaded process
 *       (EINVAL), and a JVM always has many threads; start a process instead;</li>
 *   <li>pid namespaces: they apply to children created afterwards, never to running Java code;</li>
 *   <li>virtual threads (from a caller's {@link ThreadFactory}): a virtual thread moves
 *       between carrier threads when it blocks, and would continue in whatever namespaces the
 *       next carrier is in.</li>
 * </ul>
 * Objects created inside stay where they were made: a socket opened inside the namespace
 * belongs to it even when used from other threads later.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/setns.2.html">setns(2)</a>
 */
public final class NamespaceExecutor {

    private static final AtomicInteger THREADS = new AtomicInteger();

    private NamespaceExecutor() {
    }

    /** Runs {@code task} inside {@code namespaces} on a new dedicated platform thread. */
    public static <T> CompletableFuture<T> run(Set<NamespaceRef> namespaces, Callable<T> task) {
        return run(namespaces, task, r -> Thread.ofPlatform().daemon()
                .name("hako-namespace-" + THREADS.incrementAndGet()).unstarted(r));
    }

    /**
     * Runs {@code task} inside {@code namespaces} on a thread made by {@code threads}, which
     * must make platform threads.
     *
     * @throws IllegalArgumentException for a user or pid namespace, two namespaces of one
     *                                  kind, or a factory that makes virtual threads
     */
    public static <T> CompletableFuture<T> run(Set<NamespaceRef> namespaces, Callable<T> task, ThreadFactory threads) {
        Objects.requireNonNull(task, "task");
        Map<NamespaceType, NamespaceRef> targets = check(namespaces);
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = threads.newThread(() -> runHere(targets, task, result));
        if (thread == null) {
            throw new IllegalArgumentException("the thread factory made no thread");
        }
        if (thread.isVirtual()) {
            throw new IllegalArgumentException("namespaces belong to OS threads, and a virtual thread moves between"
                    + " carrier threads whenever it blocks: the task would continue in the namespaces of whichever"
                    + " carrier it lands on. Give a factory of platform threads");
        }
        thread.start();
        return result;
    }

    private static Map<NamespaceType, NamespaceRef> check(Set<NamespaceRef> namespaces) {
        Map<NamespaceType, NamespaceRef> targets = new EnumMap<>(NamespaceType.class);
        for (NamespaceRef ref : namespaces) {
            NamespaceType type = ref.type();
            if (type == NamespaceType.USER) {
                throw new IllegalArgumentException("cannot run Java code in a user namespace: the kernel refuses"
                        + " setns(2) into a user namespace for a multithreaded process (EINVAL), and the JVM always"
                        + " runs many threads. Start a process that joins it (ContainerBuilder.join) instead");
            }
            if (type == NamespaceType.PID) {
                throw new IllegalArgumentException("cannot run Java code in a pid namespace: setns(2) into one"
                        + " affects only children created afterwards, never the calling thread");
            }
            if (targets.put(type, ref) != null) {
                throw new IllegalArgumentException("two " + type.procName() + " namespaces given; a thread is in one"
                        + " namespace of each kind");
            }
        }
        return targets;
    }

    private static <T> void runHere(Map<NamespaceType, NamespaceRef> targets, Callable<T> task,
                                    CompletableFuture<T> result) {
        List<NamespaceRef> originals = new ArrayList<>();
        try {
            if (targets.containsKey(NamespaceType.MOUNT)) {
                // A mount namespace carries the root and working directory, which threads of a
                // process share (CLONE_FS) until one stops sharing them.
                NamespaceSyscalls.unshare(Set.of(), EnumSet.of(UnshareFlag.FS));
            }
            for (NamespaceType type : targets.keySet()) {
                originals.add(NamespaceRef.ofCurrentThread(type));
            }
            for (NamespaceRef target : targets.values()) {
                NamespaceSyscalls.setns(target.fd(), target.type());
                verify(target, "entering");
            }
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(e);
            returnOrEnd(originals, null);
            return;
        }
        T value = null;
        Throwable failure = null;
        try {
            value = task.call();
        } catch (Throwable t) {
            failure = t;
        }
        Throwable back = returnOrEnd(originals, failure);
        if (failure != null) {
            result.completeExceptionally(failure);
        } else if (back != null) {
            result.completeExceptionally(back);
        } else {
            result.complete(value);
        }
    }

    /**
     * Puts the thread back into its original namespaces and checks it arrived; returns what
     * went wrong, or null. The thread ends after this either way, so a failed return can
     * never leak a namespace into unrelated work.
     */
    private static Throwable returnOrEnd(List<NamespaceRef> originals, Throwable taskFailure) {
        Throwable problem = null;
        for (NamespaceRef original : originals) {
            try (original) {
                NamespaceSyscalls.setns(original.fd(), original.type());
                verify(original, "returning to");
            } catch (IOException | RuntimeException e) {
                if (problem == null) {
                    problem = new IOException("the namespace thread could not return to its " + original.type().procName()
                            + " namespace; it ends without running anything else", e);
                } else {
                    problem.addSuppressed(e);
                }
            }
        }
        if (problem != null && taskFailure != null) {
            taskFailure.addSuppressed(problem);
        }
        return problem;
    }

    private static void verify(NamespaceRef expected, String action) throws IOException {
        try (NamespaceRef now = NamespaceRef.ofCurrentThread(expected.type())) {
            if (!now.sameAs(expected)) {
                throw new IOException("after " + action + " " + expected + " the thread is in " + now);
            }
        }
    }
}
