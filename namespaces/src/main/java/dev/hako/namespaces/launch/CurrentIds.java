package dev.hako.namespaces.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The JVM's own ids and signal dispositions, read from /proc/self/status. */
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
        return Long.parseUnsignedLong(line("SigIgn:").trim(), 16);
    }

    private static long field(String name, int index) {
        return Long.parseLong(line(name).trim().split("\\s+")[index]);
    }

    private static String line(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return line.substring(name.length());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("/proc/self/status has no " + name + " line");
    }
}
