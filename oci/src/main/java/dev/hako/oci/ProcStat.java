package dev.hako.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Fields of /proc/PID/stat: the start time (clock ticks since boot, field 22) names a
 * process across calls, since a pid alone may be reused once the process is reaped.
 *
 * @see <a href="https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html">proc_pid_stat(5)</a>
 */
final class ProcStat {

    private ProcStat() {
    }

    /** Fields 3 onwards (after the command name, which may hold spaces and parentheses). */
    private static String[] fields(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            return null;
        }
    }

    static OptionalLong startTime(int pid) {
        String[] fields = fields(pid);
        return fields == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(fields[19]));
    }

    static boolean zombie(int pid) {
        String[] fields = fields(pid);
        return fields == null || fields[0].equals("Z") || fields[0].equals("X");
    }
}
