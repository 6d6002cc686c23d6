package dev.hako.namespaces.internal;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import java.io.IOException;

/**
 * A start whose child waits on its sync pipe until a gate has run in the parent: the
 * checkpoint module's restore seizes the child with ptrace there, so it is traced before
 * it executes anything of its own. Internal: exported to {@code dev.hako.checkpoint} only.
 *
 * <p>The gate runs on the starting thread after clone3 and the parent's own steps (user
 * maps, cgroup attach) and before the child is released; if it throws, the start fails
 * like any other step and the child is killed and reaped.
 */
public final class StartGate {

    /** Work done in the parent while the new child waits. */
    @FunctionalInterface
    public interface Gate {
        /**
         * Called with the child's pid (in the starting process's pid namespace).
         *
         * @throws IOException to fail the start
         */
        void beforeRelease(int pid) throws IOException;
    }

    private static final ThreadLocal<Gate> CURRENT = new ThreadLocal<>();

    private StartGate() {
    }

    /** Starts {@code builder}'s process, running {@code gate} before the child goes on. */
    public static ContainerProcess start(ContainerBuilder builder, Gate gate) throws IOException {
        CURRENT.set(gate);
        try {
            return builder.start();
        } finally {
            CURRENT.remove();
        }
    }

    /** The gate of the start running on this thread, or null. For the launch engine. */
    public static Gate current() {
        return CURRENT.get();
    }
}
