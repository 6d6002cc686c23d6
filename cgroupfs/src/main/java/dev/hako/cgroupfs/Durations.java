package dev.hako.cgroupfs;

import java.time.Duration;

/** Duration helpers for files that count microseconds. */
final class Durations {
    private Durations() {
    }

    /** Whole microseconds, refusing a sub-microsecond remainder the kernel would silently drop. */
    static long micros(Duration d, String what) {
        if (d.isNegative()) {
            throw new InvalidSpecException(what + " " + format(d) + " is negative");
        }
        if (d.toNanosPart() % 1000 != 0) {
            throw new InvalidSpecException(what + " " + format(d) + " is not a whole number of microseconds");
        }
        try {
            return Math.multiplyExact(d.getSeconds(), 1_000_000L) + d.toNanosPart() / 1000;
        } catch (ArithmeticException e) {
            throw new InvalidSpecException(what + " " + format(d) + " does not fit in 64 bits of microseconds");
        }
    }

    /** Short human form: 500us, 20ms, 1s, 1500us. */
    static String format(Duration d) {
        long nanos;
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException e) {
            return d.toString();
        }
        if (nanos != 0 && nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos != 0 && nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        if (nanos % 1000L == 0) {
            return nanos / 1000L + "us";
        }
        return nanos + "ns";
    }
}
