package dev.hako.checkpoint.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one platform thread that makes every ptrace request of a checkpoint or restore.
 *
 * <p>A tracee belongs to the thread that attached it: only that thread may send it
 * requests, and the kernel kills tracees seized with {@code PTRACE_O_EXITKILL} if that
 * thread exits. So the work runs here, never on a virtual thread (which may change carrier
 * between two calls), and the thread lives until {@link #close()}.
 */
public final class Tracer implements AutoCloseable {

    /** Work that runs on the tracer thread. */
    @FunctionalInterface
    public interface Work<T> {
        /** Runs on the tracer thread. */
        T run() throws IOException;
    }

    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            runnable -> Thread.ofPlatform().name("hako-tracer").daemon(true).unstarted(runnable));

    /** Runs {@code work} on the tracer thread and returns its result, rethrowing its failure. */
    public <T> T call(Work<T> work) throws IOException {
        Future<T> future = thread.submit(work::run);
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the tracer thread worked");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(cause);
        }
    }

    /**
     * Ends the thread once its work is done and waits (up to 10 s) until it has ended: then
     * tracees still seized with EXITKILL are dead and the others released, so their parents
     * can reap them.
     */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
