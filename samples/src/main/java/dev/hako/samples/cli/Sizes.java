package dev.hako.samples.cli;

import dev.hako.cgroupfs.Bytes;
import java.util.Locale;

/**
 * Sizes as people type them on a command line: {@code 256M}, {@code 1.5G}, {@code 64MiB},
 * {@code 4096}, {@code max}. Suffixes are binary (K = 1024), as in docker and systemd,
 * because memory limits are page multiples and nobody means 256,000,000 bytes.
 */
final class Sizes {

    private Sizes() {
    }

    /**
     * Parses a size.
     *
     * @throws IllegalArgumentException with the accepted forms, for anything else
     */
    static Bytes parse(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT);
        if (t.equals("MAX")) {
            return Bytes.MAX;
        }
        t = t.endsWith("IB") ? t.substring(0, t.length() - 2) : t.endsWith("B") ? t.substring(0, t.length() - 1) : t;
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                case 'T' -> unit = 1L << 40;
                default -> unit = 1;
            }
        }
        String number = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            double value = Double.parseDouble(number);
            if (!number.matches("[0-9]+(\\.[0-9]+)?") || value * unit >= Long.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return Bytes.of((long) Math.floor(value * unit));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write bytes or a number with K, M, G or T"
                    + " (binary units), e.g. 256M, or max");
        }
    }

    /** Renders a byte count for a table column: 1023B, 12.0M, 1.5G. */
    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        String[] units = {"K", "M", "G", "T", "P"};
        double value = bytes;
        int i = -1;
        while (value >= 1024 && i < units.length - 1) {
            value /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f%s", value, units[i]);
    }
}
