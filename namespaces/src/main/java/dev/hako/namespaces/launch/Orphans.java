package dev.hako.namespaces.launch;

import dev.hako.syscalls.ChildStatus;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.ProcessControl;
import dev.hako.syscalls.ProcessSyscalls;
import dev.hako.syscalls.SyscallException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command of a supervised start whose supervisor was killed from outside, when this JVM
 * is the one that adopts it.
 *
 * <p>The command is the supervisor's child but lives in the new pid namespace, whose PID 1
 * is this JVM's child. A supervisor killed before it reaped the command leaves it to the
 * nearest child subreaper among its ancestors, or to the init of its own pid namespace; and
 * a PID 1 is reaped only after every process of its namespace, so PID 1, and with it the
 * container's end, waits until that adopter has reaped the command. An init or a subreaper
 * does so at once; but when the adopter is this JVM (PID 1 of its own pid namespace, as in a
 * container started without an init, or a subreaper) nothing would, and the container would
 * never end. So this JVM reaps it then, like any process it watches.
 *
 * @see <a href="https://man7.org/linux/man-pages/man7/pid_namespaces.7.html">pid_namespaces(7)</a>
 * @see <a href="https://man7.org/linux/man-pages/man2/prctl.2.html">prctl(2), PR_SET_CHILD_SUBREAPER</a>
 */
public final class Orphans {

    private static final boolean INIT_OF_ITS_NAMESPACE = innermostPid("self") == 1;

    private Orphans() {
    }

    /**
     * Called once a supervisor has been reaped before its PID 1 {@code pid1}: if this JVM
     * adopts orphans, watches (and so reaps) its children in PID 1's pid namespace that
     * nothing watches yet. Does nothing otherwise, or if PID 1 is gone.
     */
    public static void reapCommandAdoptedFrom(int pid1) {
        if (!adoptsOrphans()) {
            return;
        }
        Path namespace;
        try {
            namespace = Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid1), "ns", "pid"));
        } catch (IOException e) {
            return;
        }
        for (long child : childrenOfSelf()) {
            try {
                if (Reaper.INSTANCE.watches(child) || !Files.readSymbolicLink(Path.of("/proc", Long.toString(child), "ns",
                        "pid")).equals(namespace)) {
                    continue;
                }
                // Our child: its pid cannot be reused before we reap it, so it names it.
                watch(child, ProcessSyscalls.pidfdOpen((int) child, false));
            } catch (IOException | IllegalStateException e) {
                // reaped meanwhile by its own watcher, or cannot be watched (watch() killed it)
            }
        }
    }

    private static void watch(long pid, Fd pidfd) {
        Reaper.INSTANCE.watch(new Reaper.Watch(pid, pidfd, true) {
            @Override
            public void exited(ChildStatus status) {
                pidfd.close();
            }

            @Override
            public void watchFailed(Throwable failure) {
                Launcher.killAndReap(pidfd);
            }
        });
    }

    /** Whether orphaned descendants of this JVM become its children: it is an init, or a subreaper. */
    private static boolean adoptsOrphans() {
        try {
            return INIT_OF_ITS_NAMESPACE || ProcessControl.getChildSubreaper();
        } catch (SyscallException e) {
            return false;
        }
    }

    /** The children of every thread of this JVM. */
    private static List<Long> childrenOfSelf() {
        List<Long> children = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    for (String child : Files.readString(task.resolve("children")).trim().split(" ")) {
                        if (!child.isEmpty()) {
                            children.add(Long.parseLong(child));
                        }
                    }
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc: nothing to find
        }
        return children;
    }

    /** The last NSpid value of {@code pid} ("self" for this JVM): its pid in its own namespace. */
    private static long innermostPid(String pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith("NSpid:")) {
                    String[] values = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(values[values.length - 1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return -1;
    }
}
