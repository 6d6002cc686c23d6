package dev.hako.syscalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: what /proc says about this process's descriptors. */
final class Descriptors {

    private Descriptors() {
    }

    /** The open flags of a descriptor, from /proc/self/fdinfo (octal "flags:" line). */
    static int flags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new IllegalStateException("no flags line for fd " + fd);
    }
}
