package dev.hako.syscalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/** Test helper: what /proc says, read by the calling thread (so in its namespaces). */
final class ProcFiles {

    private ProcFiles() {
    }

    static String read(String path) throws IOException {
        return Files.readString(Path.of(path)).strip();
    }

    /** The target of a /proc symlink, e.g. {@code "uts:[4026531838]"} for a namespace. */
    static String link(String path) throws IOException {
        return Files.readSymbolicLink(Path.of(path)).toString();
    }

    /** The namespace a descriptor refers to, as /proc/self/fd shows it. */
    static String link(Fd fd) throws IOException {
        return link("/proc/self/fd/" + fd.value());
    }

    /** The mount table of the test JVM's main namespace. */
    static String mountinfo() throws IOException {
        return Files.readString(Path.of("/proc/self/mountinfo"));
    }

    /** A line of /proc/thread-self/status, such as "CapEff", without the name. */
    static String threadStatus(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).strip();
            }
        }
        throw new IllegalStateException("no " + field + " in /proc/thread-self/status");
    }

    /** The real user id of the test process, from /proc/self/status. */
    static int uid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.substring(4).strip().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no Uid line in /proc/self/status");
    }

    static Fd open(String path) throws SyscallException {
        return FileSyscalls.openat2(null, path, EnumSet.of(OpenFlag.READ_ONLY), 0, Set.of());
    }
}
