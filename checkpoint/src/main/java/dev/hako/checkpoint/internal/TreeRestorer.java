package dev.hako.checkpoint.internal;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.Resource;
import dev.hako.syscalls.ResourceLimit;
import dev.hako.syscalls.ResourceSyscalls;
import dev.hako.syscalls.SyscallException;
import dev.hako.syscalls.TraceStatus;
import dev.hako.syscalls.TraceSyscalls;
import dev.hako.syscalls.calls.ProcessCalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a saved tree of tasks under the restored PID 1, on the tracer thread.
 *
 * <p>Top-down: each task is made by its own parent, which is made to run {@code clone3}
 * with {@code set_tid} (so the child gets its saved pid) while the parent is still a
 * fresh exec of its program; the traced child stops at once and is made to execve its
 * own program. A parent is exec'd before it clones (the kernel resets a child's
 * exit_signal when its parent execs later). A session leader calls setsid before its
 * children are cloned, so they are born in its session; process groups are joined once
 * every task exists, leaders first. Zombies end with their saved status before their
 * parents are rebuilt, so the SIGCHLD they raise is drained with the restore's other
 * signals. Then every live task is rebuilt by a {@link Restorer}.
 */
public final class TreeRestorer {

    private final List<TaskImage> tasks;
    private final Path imageDir;
    private final Fd control;
    private final int controlTarget;
    private final Steps steps;
    /** Saved pid to the pid in the JVM's namespace. */
    private final Map<Integer, Integer> hosts = new LinkedHashMap<>();

    /**
     * @param tasks the image's tasks in the order {@link #order} returns
     */
    public TreeRestorer(List<TaskImage> tasks, Path imageDir, Fd control, int controlTarget, Steps steps) {
        this.tasks = tasks;
        this.imageDir = imageDir;
        this.control = control;
        this.controlTarget = controlTarget;
        this.steps = steps;
    }

    /**
     * The tasks parents first, or a refusal naming the task if the tree cannot be rebuilt
     * by cloning: a root that is not PID 1, a task whose parent is missing, a task in a
     * session other than its parent's that does not lead it, a process group whose leader
     * is not in the image.
     */
    public static List<TaskImage> order(List<TaskImage> saved, Path dir) throws IOException {
        Map<Integer, TaskImage> byPid = new HashMap<>();
        for (TaskImage task : saved) {
            byPid.put(task.pid, task);
        }
        List<TaskImage> roots = saved.stream().filter(t -> t.ppid == 0).toList();
        if (roots.size() != 1) {
            throw new IOException("cannot restore " + dir + ": it holds " + roots.size() + " root tasks, not one");
        }
        TaskImage root = roots.getFirst();
        if (root.pid != 1) {
            throw new IOException("cannot restore " + dir + ": its root task had pid " + root.pid
                    + " and only a container's PID 1 can be restored (start it with its own pid namespace)");
        }
        if (root.zombie) {
            throw new IOException("cannot restore " + dir + ": its PID 1 is a zombie");
        }
        List<TaskImage> order = new ArrayList<>();
        order.add(root);
        for (int i = 0; i < order.size(); i++) {
            int parent = order.get(i).pid;
            for (TaskImage task : saved) {
                if (task.ppid == parent && task != root) {
                    order.add(task);
                }
            }
        }
        for (TaskImage task : saved) {
            if (!order.contains(task)) {
                throw new IOException("cannot restore " + dir + ": task " + task.pid + " has parent " + task.ppid
                        + ", which is not in the image");
            }
        }
        for (TaskImage task : order) {
            if (task == root) {
                continue;
            }
            TaskImage parent = byPid.get(task.ppid);
            if (task.sid != task.pid && task.sid != parent.sid) {
                throw new IOException("cannot restore task " + task.pid + ": it is in session " + task.sid
                        + " but its parent " + parent.pid + " is in session " + parent.sid
                        + ", and a cloned child can only join its parent's session or lead a new one");
            }
            if (task.pgid == 0 ? parent.pgid != 0 : task.pgid != task.pid && !byPid.containsKey(task.pgid)) {
                throw new IOException("cannot restore task " + task.pid + ": its process group " + task.pgid
                        + " has no leader in the image");
            }
            if (task.pgid != 0 && task.pgid != task.pid && byPid.get(task.pgid).sid != task.sid) {
                throw new IOException("cannot restore task " + task.pid + ": its process group " + task.pgid
                        + " belongs to another session");
            }
        }
        return order;
    }

    /** Saved pid to host pid of every task made so far. */
    public Map<Integer, Integer> hosts() {
        return hosts;
    }

    /**
     * The live tasks that resume at a syscall instruction, to wait for after they are let
     * go ({@link CallReentry}); read while they are still stopped.
     */
    public CallReentry callsToReenter() throws IOException {
        return CallReentry.of(tasks, hosts);
    }

    /** Host pids of the tasks still traced (the live ones), parents first. */
    public List<Integer> live() {
        List<Integer> live = new ArrayList<>();
        for (TaskImage task : tasks) {
            Integer host = hosts.get(task.pid);
            if (host != null && !task.zombie) {
                live.add(host);
            }
        }
        return live;
    }

    /**
     * Rebuilds the tree under {@code rootHost}, the restored PID 1 seized before its
     * execve. On return every live task is stopped with its saved registers.
     */
    public void restore(int rootHost) throws IOException {
        TaskImage root = tasks.getFirst();
        Map<Long, FileSyscalls.Pipe> pipes = new HashMap<>();
        Map<Long, byte[]> pipeData = new HashMap<>();
        Map<Integer, Fd> files = new HashMap<>();
        for (TaskImage task : tasks) {
            for (TaskImage.FdImage fd : task.fds) {
                if (fd.kind == TaskImage.FdKind.PIPE && fd.pipeData != null) {
                    pipeData.putIfAbsent(fd.pipeId, fd.pipeData);
                }
            }
        }
        try {
            Map<Integer, Restorer> restorers = new HashMap<>();
            steps.reach("execve of task 1");
            Restorer rootRestorer = new Restorer(rootHost, root, imageDir, control, controlTarget, pipes, pipeData, files,
                    steps);
            rootRestorer.awaitExec();
            hosts.put(root.pid, rootHost);
            TraceSyscalls.setSigmask(rootHost, -1L);
            restorers.put(root.pid, rootRestorer);
            session(root, rootHost);
            for (TaskImage task : tasks) {
                if (task == root) {
                    continue;
                }
                steps.reach("clone3 of task " + task.pid);
                int host = cloneChild(hosts.get(task.ppid), task);
                hosts.put(task.pid, host);
                if (!task.zombie) {
                    restorers.put(task.pid, new Restorer(host, task, imageDir, control, controlTarget, pipes, pipeData,
                            files, steps));
                }
                session(task, host);
            }
            steps.reach("process groups");
            for (TaskImage task : tasks) {
                if (task.pgid == task.pid && task.sid != task.pid) {
                    setpgid(task, 0);
                }
            }
            for (TaskImage task : tasks) {
                if (task.pgid != 0 && task.pgid != task.pid) {
                    setpgid(task, task.pgid);
                }
            }
            for (TaskImage task : tasks) {
                if (task.zombie) {
                    steps.reach("exit of zombie " + task.pid);
                    bury(task, hosts.get(task.pid));
                }
            }
            for (TaskImage task : tasks) {
                if (!task.zombie) {
                    restorers.get(task.pid).rebuild();
                }
            }
        } finally {
            for (FileSyscalls.Pipe pipe : pipes.values()) {
                pipe.close();
            }
            for (Fd file : files.values()) {
                file.close();
            }
        }
    }

    /** A session leader leads its session; any other task must already be in its saved one. */
    private void session(TaskImage task, int host) throws IOException {
        int current = (int) ProcFiles.innermost(ProcFiles.status(host), "NSsid");
        if (current == task.sid) {
            return;
        }
        if (task.sid == task.pid) {
            try (Injector inject = Injector.of(host)) {
                inject.check(ProcessCalls.setsid());
            }
            return;
        }
        throw new IOException("cannot restore task " + task.pid + ": it was in session " + task.sid
                + " but starts in session " + current + (task.pid == 1
                ? " (the new container's newSession setting differs from the dumped one's)" : ""));
    }

    private void setpgid(TaskImage task, int pgid) throws IOException {
        int host = hosts.get(task.pid);
        int current = (int) ProcFiles.innermost(ProcFiles.status(host), "NSpgid");
        if (current == task.pgid) {
            return;
        }
        try (Injector inject = Injector.of(host)) {
            inject.check("setpgid", Linux.SYS_setpgid(), 0, pgid);
        }
    }

    /**
     * Makes the parent clone a child with the task's saved pid, and has that child execve
     * the task's program (not a zombie: it stays a copy of its parent until it ends).
     */
    private int cloneChild(int parentHost, TaskImage task) throws IOException {
        try (Injector parent = Injector.of(parentHost); Arena arena = Arena.ofConfined()) {
            long scratch = parent.scratch();
            long tidAt = scratch + 512;
            long argvAt = scratch + 768;
            long pathAt = scratch + 1024;
            MemorySegment args = ProcessCalls.cloneArgs(arena,
                    ProcessCalls.CloneArgs.exitSignal(task.exitSignal).setTid(tidAt, 1));
            parent.write(scratch, args);
            MemorySegment tid = arena.allocate(4, 4);
            tid.set(ValueLayout.JAVA_INT, 0, task.pid);
            parent.write(tidAt, tid);
            if (!task.zombie) {
                byte[] path = (task.exe + "\0").getBytes(StandardCharsets.UTF_8);
                if (path.length > 4096) {
                    throw new IOException("task " + task.pid + ": program path too long");
                }
                parent.write(pathAt, path);
                MemorySegment argv = arena.allocate(24, 8);
                argv.set(ValueLayout.JAVA_LONG, 0, pathAt); // argv = {path, NULL}; envp = {NULL}
                parent.write(argvAt, argv);
            }
            long result = parent.call(Linux.SYS_clone3(), scratch, args.byteSize());
            if (result < 0 && result > -4096) {
                throw new SyscallException("clone3", "set_tid " + task.pid + ", injected into task " + task.ppid,
                        (int) -result, (int) -result == Linux.EPERM()
                        ? "the new container needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE to choose pids"
                        : (int) -result == Linux.EEXIST() ? "pid " + task.pid + " is taken in the new container"
                        : null);
            }
            int child = parent.forked();
            if (result != task.pid || child <= 0) {
                throw new IOException("task " + task.pid + ": clone3 in its parent gave pid " + result);
            }
            TraceStatus first = TraceSyscalls.wait4(child, false);
            if (!first.stopped()) {
                throw new IOException("task " + task.pid + " ended before its first stop: " + first);
            }
            if (!task.zombie) {
                steps.reach("execve of task " + task.pid);
                try (Injector inject = new Injector(child, parent.gadget())) {
                    inject.check("execve", Linux.SYS_execve(), pathAt, argvAt, argvAt + 8);
                }
            }
            parent.releaseScratch();
            return child;
        }
    }

    /** Ends a zombie with its saved wait status; the tracer's reap leaves it to its parent. */
    private void bury(TaskImage task, int host) throws IOException {
        int status = task.exitStatus;
        int signal = status & 0x7f;
        TraceStatus end;
        try (Injector inject = Injector.of(host)) {
            if (signal == 0) {
                end = inject.callToExit(ProcessCalls.exitGroup((status >> 8) & 0xff));
            } else {
                // No core file from a restore: the dumped task's core, if any, was written then.
                ResourceSyscalls.prlimit(host, Resource.CORE, new ResourceLimit(0, 0));
                TraceSyscalls.setSigmask(host, 0);
                end = inject.callToExit(ProcessCalls.kill(task.pid, signal));
            }
        }
        if (end.stopped() || (signal == 0 ? end.exitCode() != ((status >> 8) & 0xff) : end.termSignal() != signal)) {
            throw new IOException("zombie " + task.pid + " ended as " + end + ", not with status " + status);
        }
    }
}
