package dev.hako.syscalls;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Test helper: runs code on a new platform thread that ends afterwards. Namespaces,
 * capabilities, no_new_privs and the thread name belong to a thread, so whatever the
 * code changes dies with the thread and the test JVM's other threads never see it.
 * Callers put a {@code @Timeout} on the test: the join here waits as long as it takes.
 */
final class DedicatedThread {

    interface Body {
        void run() throws Exception;
    }

    private DedicatedThread() {
    }

    static void run(Body body) throws Exception {
        call(() -> {
            body.run();
            return null;
        });
    }

    static <T> T call(Callable<T> body) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name("hako-dedicated-test-thread").start(() -> {
            try {
                result.set(body.call());
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        thread.join();
        Throwable t = failure.get();
        if (t instanceof Exception e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return result.get();
    }
}
