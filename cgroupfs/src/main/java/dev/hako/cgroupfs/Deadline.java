package dev.hako.cgroupfs;

import java.time.Duration;

/** A point in time by which a waiting loop gives up, with a growing sleep between checks. */
final class Deadline {
    private final long end;
    private long sleepMillis = 1;

    private Deadline(long end) {
        this.end = end;
    }

    static Deadline after(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout " + timeout);
        }
        return new Deadline(System.nanoTime() + timeout.toNanos());
    }

    boolean passed() {
        return System.nanoTime() - end >= 0;
    }

    Duration remaining() {
        return Duration.ofNanos(Math.max(0, end - System.nanoTime()));
    }

    /** Sleeps 1, 2, 4 ... up to 32 ms, never past the deadline; false once the deadline has passed. */
    boolean backoff() throws CgroupException {
        if (passed()) {
            return false;
        }
        long left = Math.max(1, (end - System.nanoTime()) / 1_000_000);
        try {
            Thread.sleep(Math.min(sleepMillis, left));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CgroupException("interrupted while waiting", e);
        }
        sleepMillis = Math.min(32, sleepMillis * 2);
        return true;
    }
}
