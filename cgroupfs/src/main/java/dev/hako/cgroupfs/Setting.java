package dev.hako.cgroupfs;

import java.util.Objects;

/**
 * One write to one control file: what a controller spec renders to.
 *
 * @param controller the controller whose hierarchy holds the file (decides the directory on v1)
 * @param file the file name inside the group's directory, e.g. {@code memory.max}
 * @param value the exact text written, without a trailing newline
 */
public record Setting(Controller controller, String file, String value) {
    /**
     * Checks the components.
     *
     * @param controller the controller
     * @param file a plain file name
     * @param value the text to write
     */
    public Setting {
        Objects.requireNonNull(controller, "controller");
        Objects.requireNonNull(value, "value");
        if (file.isEmpty() || file.contains("/")) {
            throw new IllegalArgumentException("a control file is a plain name, not '" + file + "'");
        }
    }

    @Override
    public String toString() {
        return file + "=" + value;
    }
}
