package dev.hako.namespaces.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The JVM's own ids and signal dispositions (and the launch server's), read from /proc/PID/status. */
public final class CurrentIds {

    private CurrentIds() {
    }

    /** The effective user id. */
    public static long uid() {
        return field("Uid:", 1);
    }

    /** The effective group id. */
    public static long gid() {
        return field("Gid:", 1);
    }

    /** The mask of ignored signals (bit n-1 for signal n). */
    static long ignoredSignals() {
        return Long.parseUnsignedLong(line(SELF, "SigIgn:").trim(), 16);
    }

    /** The mask of signals process {@code pid} ignores (bit n-1 for signal n). */
    static long ignoredSignals(long pid) {
        return Long.parseUnsignedLong(line(Path.of("/proc", Long.toString(pid), "status"), "SigIgn:").trim(), 16);
    }

    private static long field(String name, int index) {
        return Long.parseLong(line(SELF, name).trim().split("\\s+")[index]);
    }

    private static final Path SELF = Path.of("/proc/self/status");

    private static String line(Path status, String name) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(name)) {
                    return line.substring(name.length());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException(status + " has no " + name + " line");
    }
}
