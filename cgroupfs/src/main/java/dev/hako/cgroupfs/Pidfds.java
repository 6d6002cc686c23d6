package dev.hako.cgroupfs;

import dev.hako.syscalls.Fd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a pidfd refers to, from {@code /proc/self/fdinfo}. */
final class Pidfds {
    private Pidfds() {
    }

    /** The pid in the fdinfo "Pid:" line: positive while the process lives, -1 once it has exited (Linux 5.13+). */
    static long pid(Fd pidfd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + pidfd.value()))) {
            if (line.startsWith("Pid:")) {
                return Numbers.parseLong(line.substring(4).strip(), "fdinfo Pid");
            }
        }
        throw new CgroupException("descriptor " + pidfd.value() + " is not a pidfd (no Pid: line in its fdinfo)");
    }
}
