package dev.hako.cgroupfs;

/**
 * A size in bytes, or "max" (no limit), as cgroup memory, swap, I/O and hugetlb files take it.
 *
 * <p>Negative sizes do not exist in any cgroup file, so they are rejected here rather than
 * by the kernel. Rendering differs by version: cgroup v2 writes {@code max}, cgroup v1
 * writes {@code -1}; see
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#memory-interface-files">cgroup v2 memory</a>.
 *
 * @param value the number of bytes; {@link Long#MAX_VALUE} only for {@link #MAX}
 * @param unlimited whether this is "max"
 */
public record Bytes(long value, boolean unlimited) implements Comparable<Bytes> {

    /** No limit: {@code max} in v2 files, {@code -1} in v1 files. */
    public static final Bytes MAX = new Bytes(Long.MAX_VALUE, true);

    /** Zero bytes. */
    public static final Bytes ZERO = new Bytes(0, false);

    /**
     * Checks the invariant.
     *
     * @param value the number of bytes
     * @param unlimited whether this is "max"
     * @throws IllegalArgumentException for a negative size
     */
    public Bytes {
        if (value < 0) {
            throw new IllegalArgumentException("negative size " + value + " bytes: a size is 0 or more bytes");
        }
        if (unlimited && value != Long.MAX_VALUE) {
            throw new IllegalArgumentException("an unlimited size carries Long.MAX_VALUE, not " + value);
        }
    }

    /**
     * A size in bytes.
     *
     * @param bytes 0 or more
     * @return the size
     * @throws IllegalArgumentException if negative
     */
    public static Bytes of(long bytes) {
        return new Bytes(bytes, false);
    }

    /**
     * A size in KiB (1024 bytes).
     *
     * @param kib 0 or more
     * @return the size
     * @throws IllegalArgumentException if negative or if the byte count overflows 64 bits
     */
    public static Bytes kib(long kib) {
        return scaled(kib, 1L << 10, "KiB");
    }

    /**
     * A size in MiB (1024 KiB).
     *
     * @param mib 0 or more
     * @return the size
     * @throws IllegalArgumentException if negative or if the byte count overflows 64 bits
     */
    public static Bytes mib(long mib) {
        return scaled(mib, 1L << 20, "MiB");
    }

    /**
     * A size in GiB (1024 MiB).
     *
     * @param gib 0 or more
     * @return the size
     * @throws IllegalArgumentException if negative or if the byte count overflows 64 bits
     */
    public static Bytes gib(long gib) {
        return scaled(gib, 1L << 30, "GiB");
    }

    private static Bytes scaled(long count, long unit, String unitName) {
        if (count < 0) {
            throw new IllegalArgumentException("negative size " + count + " " + unitName
                    + ": a size is 0 or more bytes");
        }
        try {
            return of(Math.multiplyExact(count, unit));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(count + " " + unitName + " does not fit in 64 bits of bytes", e);
        }
    }

    /**
     * Parses a value as cgroup files print it: a decimal byte count or {@code max}.
     *
     * @param text the value, surrounding whitespace ignored
     * @return the size
     * @throws IllegalArgumentException if the text is neither
     */
    public static Bytes parse(String text) {
        String trimmed = text.strip();
        if (trimmed.equals("max")) {
            return MAX;
        }
        return of(Numbers.parseLong(trimmed, "size"));
    }

    /** {@return whether this is "max"} */
    public boolean isMax() {
        return unlimited;
    }

    /** {@return the cgroup v2 rendering: the decimal byte count or {@code max}} */
    public String v2() {
        return unlimited ? "max" : Long.toString(value);
    }

    /** {@return the cgroup v1 rendering: the decimal byte count or {@code -1}} */
    public String v1() {
        return unlimited ? "-1" : Long.toString(value);
    }

    @Override
    public int compareTo(Bytes other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        if (unlimited) {
            return "max";
        }
        if (value != 0 && value % (1L << 30) == 0) {
            return value / (1L << 30) + " GiB";
        }
        if (value != 0 && value % (1L << 20) == 0) {
            return value / (1L << 20) + " MiB";
        }
        if (value != 0 && value % (1L << 10) == 0) {
            return value / (1L << 10) + " KiB";
        }
        return value + " B";
    }
}
