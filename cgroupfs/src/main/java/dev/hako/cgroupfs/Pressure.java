package dev.hako.cgroupfs;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Pressure stall information for one resource: the share of time some (or all) tasks
 * waited for it; see <a href="https://docs.kernel.org/accounting/psi.html">PSI</a>.
 *
 * <p>Files {@code cpu.pressure}, {@code memory.pressure}, {@code io.pressure} and
 * {@code irq.pressure} in v2 groups, and {@code /proc/pressure/*} for the whole system.
 *
 * @param some at least one task stalled
 * @param full all non-idle tasks stalled at once (absent in old kernels' cpu.pressure)
 */
public record Pressure(Stall some, Optional<Stall> full) {

    /** The pressure files. */
    public enum Resource {
        /** {@code cpu.pressure}. */
        CPU("cpu.pressure"),
        /** {@code memory.pressure}. */
        MEMORY("memory.pressure"),
        /** {@code io.pressure}. */
        IO("io.pressure"),
        /** {@code irq.pressure} (needs CONFIG_IRQ_TIME_ACCOUNTING). */
        IRQ("irq.pressure");

        private final String file;

        Resource(String file) {
            this.file = file;
        }

        /** {@return the file name in a v2 group} */
        public String file() {
            return file;
        }
    }

    /**
     * One line of a pressure file.
     *
     * @param avg10 percentage of the last 10 s spent stalled
     * @param avg60 percentage of the last 60 s
     * @param avg300 percentage of the last 300 s
     * @param total total stall time
     */
    public record Stall(double avg10, double avg60, double avg300, Duration total) {
    }

    /**
     * Parses a pressure file.
     *
     * @param content the file content
     * @return the pressure
     * @throws CgroupFormatException for a malformed file or a missing {@code some} line
     */
    public static Pressure parse(String content) {
        Map<String, Map<String, String>> lines = KeyedFile.nested(content, "pressure file");
        Map<String, String> some = lines.get("some");
        if (some == null) {
            throw new CgroupFormatException("pressure file lacks the 'some' line");
        }
        Map<String, String> full = lines.get("full");
        return new Pressure(stall(some, "some"), full == null ? Optional.empty() : Optional.of(stall(full, "full")));
    }

    private static Stall stall(Map<String, String> v, String line) {
        String where = "pressure '" + line + "' ";
        long total = Numbers.parseUnsigned(required(v, "total", line), where + "total");
        if (total > Long.MAX_VALUE / 1000) {
            throw new CgroupFormatException(where + "total " + total + "us overflows a Duration in nanoseconds");
        }
        return new Stall(percent(v, "avg10", line), percent(v, "avg60", line), percent(v, "avg300", line),
                Duration.ofNanos(total * 1000));
    }

    private static String required(Map<String, String> v, String key, String line) {
        String text = v.get(key);
        if (text == null) {
            throw new CgroupFormatException("pressure '" + line + "' line lacks " + key);
        }
        return text;
    }

    private static double percent(Map<String, String> v, String key, String line) {
        String text = required(v, key, line);
        if (!text.matches("\\d{1,3}\\.\\d{2}")) {
            throw new CgroupFormatException("pressure '" + line + "' " + key + "=" + text
                    + " is not a percentage like 12.34");
        }
        double value = Double.parseDouble(text);
        if (value > 100.0) {
            throw new CgroupFormatException("pressure '" + line + "' " + key + "=" + text + " is above 100");
        }
        return value;
    }
}
