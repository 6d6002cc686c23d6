package dev.hako.checkpoint;

import dev.hako.checkpoint.internal.ImageStore;
import dev.hako.checkpoint.internal.TaskImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a checkpoint image holds: its tasks with their pids, process groups and sessions,
 * programs, memory and descriptors. {@link #describe()} prints it for people.
 */
public final class ImageDescription {

    /**
     * One task of the image. A class, not a record, so that what a description shows can
     * grow without breaking callers (a record's constructor and patterns change with it).
     */
    public static final class Task {
        private final int pid;
        private final int ppid;
        private final int pgid;
        private final int sid;
        private final String command;
        private final String executable;
        private final int mappings;
        private final long dumpedBytes;
        private final List<String> descriptors;

        private Task(TaskImage image, List<String> descriptors) {
            this.pid = image.pid;
            this.ppid = image.ppid;
            this.pgid = image.pgid;
            this.sid = image.sid;
            this.command = image.comm;
            this.executable = image.exe;
            this.mappings = image.vmas.size();
            this.dumpedBytes = image.pagesBytes;
            this.descriptors = List.copyOf(descriptors);
        }

        /** Its pid in the container's pid namespace. */
        public int pid() {
            return pid;
        }

        /** Its parent's pid (0 for the root of the dumped tree). */
        public int ppid() {
            return ppid;
        }

        /** Its process group. */
        public int pgid() {
            return pgid;
        }

        /** Its session. */
        public int sid() {
            return sid;
        }

        /** Its command name ({@code comm}, at most 15 bytes). */
        public String command() {
            return command;
        }

        /** The path of the program it runs, as the container sees it. */
        public String executable() {
            return executable;
        }

        /** How many memory mappings were saved. */
        public int mappings() {
            return mappings;
        }

        /** How many bytes of pages were saved. */
        public long dumpedBytes() {
            return dumpedBytes;
        }

        /** Its open descriptors, one line each: number, what is open, position, sharing, cloexec. */
        public List<String> descriptors() {
            return descriptors;
        }

        @Override
        public String toString() {
            return "Task[pid=" + pid + ", ppid=" + ppid + ", pgid=" + pgid + ", sid=" + sid + ", command=" + command
                    + ", executable=" + executable + ", mappings=" + mappings + ", dumpedBytes=" + dumpedBytes
                    + ", descriptors=" + descriptors + "]";
        }
    }

    private final Path directory;
    private final List<Task> tasks;

    private ImageDescription(Path directory, List<Task> tasks) {
        this.directory = directory;
        this.tasks = List.copyOf(tasks);
    }

    /** Reads the description of the image in {@code directory}. */
    public static ImageDescription read(Path directory) throws IOException {
        return of(directory, ImageStore.read(directory));
    }

    static ImageDescription of(Path directory, List<TaskImage> images) {
        // How many descriptors of the whole image hold each open file.
        Map<Integer, Long> holders = images.stream().flatMap(t -> t.fds.stream())
                .filter(fd -> fd.kind != TaskImage.FdKind.PIPE)
                .collect(Collectors.groupingBy(fd -> fd.fileId, Collectors.counting()));
        return new ImageDescription(directory, images.stream().map(t -> task(t, holders)).toList());
    }

    private static Task task(TaskImage t, Map<Integer, Long> holders) {
        List<String> fds = t.fds.stream().map(fd -> fd.fd + ": " + switch (fd.kind) {
            case PIPE -> "pipe:[" + fd.pipeId + "]" + (fd.pipeData != null && fd.pipeData.length > 0
                    ? " (" + fd.pipeData.length + " unread bytes)" : "");
            case DEV_NULL -> "/dev/null";
            case REGULAR -> fd.path + " at " + fd.position;
        } + (fd.kind != TaskImage.FdKind.PIPE && holders.getOrDefault(fd.fileId, 0L) > 1
                ? " (open file " + fd.fileId + ", shared)" : "") + (fd.cloexec ? " cloexec" : "")).toList();
        return new Task(t, fds);
    }

    /** The image's directory. */
    public Path directory() {
        return directory;
    }

    /** The tasks, parents before children. */
    public List<Task> tasks() {
        return tasks;
    }

    /** A human-readable listing, one block per task. */
    public String describe() {
        StringBuilder text = new StringBuilder("Hako checkpoint image v" + ImageStore.HAKO_IMAGE_VERSION + " in "
                + directory + ": " + tasks.size() + " task(s)\n");
        for (Task task : tasks) {
            text.append("pid ").append(task.pid()).append(" ppid ").append(task.ppid()).append(" pgid ")
                    .append(task.pgid()).append(" sid ").append(task.sid()).append(" (").append(task.command())
                    .append(") ").append(task.executable()).append('\n');
            text.append("  memory: ").append(task.mappings()).append(" mappings, ").append(task.dumpedBytes())
                    .append(" bytes of pages\n");
            for (String fd : task.descriptors()) {
                text.append("  fd ").append(fd).append('\n');
            }
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
