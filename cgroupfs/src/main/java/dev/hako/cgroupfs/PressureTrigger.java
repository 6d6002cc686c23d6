package dev.hako.cgroupfs;

import java.time.Duration;
import java.util.Objects;

/**
 * A PSI trigger: notify when tasks stalled on a resource for at least {@code stall} within
 * any {@code window}; see <a href="https://docs.kernel.org/accounting/psi.html#monitoring-for-pressure-thresholds">PSI
 * thresholds</a>.
 *
 * <p>The kernel takes windows from 500 ms to 10 s, a stall threshold above 0 and not above
 * the window (unprivileged users: windows that are multiples of 2 s); both are written in
 * microseconds as {@code some|full <stall> <window>}. A process without CAP_SYS_RESOURCE
 * may only use windows that are multiples of 2 s; that is checked when the trigger is installed.
 *
 * @param resource which pressure file
 * @param full {@code full} (all non-idle tasks stalled) instead of {@code some}
 * @param stall the stall threshold
 * @param window the tracking window
 */
public record PressureTrigger(Pressure.Resource resource, boolean full, Duration stall, Duration window) {
    static final Duration MIN_WINDOW = Duration.ofMillis(500);
    static final Duration MAX_WINDOW = Duration.ofSeconds(10);

    /**
     * Checks the kernel's rules.
     *
     * @param resource the resource
     * @param full full or some
     * @param stall the threshold
     * @param window the window
     * @throws InvalidSpecException naming the rule broken
     */
    public PressureTrigger {
        Objects.requireNonNull(resource, "resource");
        Durations.micros(window, "PSI window");
        Durations.micros(stall, "PSI stall threshold");
        if (window.compareTo(MIN_WINDOW) < 0 || window.compareTo(MAX_WINDOW) > 0) {
            throw new InvalidSpecException("PSI window " + Durations.format(window) + " is outside the kernel's 500ms..10s");
        }
        if (stall.isZero() || stall.compareTo(window) > 0) {
            throw new InvalidSpecException("PSI stall threshold " + Durations.format(stall)
                    + " must be above 0 and not above the window " + Durations.format(window));
        }
    }

    /**
     * A {@code some} trigger.
     *
     * @param resource the resource
     * @param stall the threshold
     * @param window the window
     * @return the trigger
     */
    public static PressureTrigger some(Pressure.Resource resource, Duration stall, Duration window) {
        return new PressureTrigger(resource, false, stall, window);
    }

    /**
     * Checks the rule that depends on the caller: without CAP_SYS_RESOURCE the kernel takes
     * only windows that are whole multiples of 2 s (since Linux 6.5, when unprivileged
     * triggers were allowed).
     *
     * @param hasSysResource whether the process opening the file has CAP_SYS_RESOURCE
     * @throws InvalidSpecException if the window breaks that rule
     */
    void checkPrivilege(boolean hasSysResource) {
        if (!hasSysResource && window.toNanos() % 2_000_000_000L != 0) {
            throw new InvalidSpecException("PSI window " + Durations.format(window) + " must be a multiple of 2s: "
                    + "this process lacks CAP_SYS_RESOURCE, and the kernel allows other windows only with it");
        }
    }

    static boolean hasSysResource() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << 24)) != 0;
            }
        }
        return false;
    }

    /** {@return the text written to the pressure file} */
    public String render() {
        return (full ? "full " : "some ") + Durations.micros(stall, "stall") + " " + Durations.micros(window, "window");
    }
}
