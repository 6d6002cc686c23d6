package dev.hako.syscalls;

import dev.hako.syscalls.calls.FileCalls;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open file descriptor owned by Java code.
 *
 * <p>Closing twice is harmless; using a closed descriptor throws
 * {@link IllegalStateException} instead of reaching the kernel with a number that may
 * already belong to another open file. A descriptor that becomes unreachable without
 * being closed is closed by a {@link Cleaner}, a safety net and not a way to manage them.
 * Hako opens descriptors with {@code O_CLOEXEC} (or the call's equivalent) unless a
 * method says otherwise, so they do not leak into programs a process executes.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/close.2.html">close(2)</a>
 */
public final class Fd implements AutoCloseable {

    private static final Cleaner CLEANER = Cleaner.create();
    private static final int CLOSED = -1;

    /** Shared with the cleaning action, which must not reference this object. */
    private final AtomicInteger number;
    private final Cleaner.Cleanable cleanable;

    private Fd(int number) {
        this.number = new AtomicInteger(number);
        this.cleanable = CLEANER.register(this, new CloseOnClean(this.number));
    }

    /**
     * Takes ownership of an open descriptor number: the returned object closes it.
     *
     * @throws IllegalArgumentException if {@code number} is negative
     */
    public static Fd adopt(int number) {
        if (number < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + number);
        }
        return new Fd(number);
    }

    /**
     * The descriptor number.
     *
     * @throws IllegalStateException if this descriptor was closed or released
     */
    public int value() {
        int n = number.get();
        if (n == CLOSED) {
            throw new IllegalStateException("file descriptor used after close");
        }
        return n;
    }

    /** Whether this descriptor is still open (not closed or released). */
    public boolean isOpen() {
        return number.get() != CLOSED;
    }

    /**
     * Gives up ownership without closing: the caller now owns the number.
     *
     * @throws IllegalStateException if already closed or released
     */
    public int release() {
        int n = number.getAndSet(CLOSED);
        if (n == CLOSED) {
            throw new IllegalStateException("file descriptor used after close");
        }
        cleanable.clean();
        return n;
    }

    /**
     * Closes the descriptor; a second call does nothing. Errors from close(2) are ignored,
     * as the descriptor is released by the kernel in every case on Linux.
     */
    @Override
    public void close() {
        cleanable.clean();
    }

    @Override
    public String toString() {
        int n = number.get();
        return n == CLOSED ? "Fd[closed]" : "Fd[" + n + "]";
    }

    private record CloseOnClean(AtomicInteger number) implements Runnable {
        @Override
        public void run() {
            int n = number.getAndSet(CLOSED);
            if (n != CLOSED) {
                Kernel.invoke(FileCalls.close(n));
            }
        }
    }
}
