package dev.hako.cgroupfs;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.ProcessSyscalls;
import dev.hako.syscalls.Signal;
import dev.hako.syscalls.SyscallException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Empties and removes groups: kill, then depth-first rmdir with retries. */
final class GroupRemoval {
    private GroupRemoval() {
    }

    static void kill(Cgroup group, Deadline deadline) throws IOException {
        Optional<Path> killFile = group.unifiedDirectory().map(d -> d.resolve("cgroup.kill")).filter(Files::exists);
        if (killFile.isPresent()) {
            try {
                ControlFiles.write(killFile.get(), "1");
            } catch (CgroupWriteException e) {
                if (e.errno() != Linux.ENOENT()) {
                    throw e;
                }
                return; // the group is gone, and its processes with it
            }
        }
        // cgroup.kill covers the v2 directory only; members of v1-only hierarchies, or every
        // member where cgroup.kill is missing, are signalled one by one while frozen.
        long graceEnd = System.nanoTime() + 200_000_000L;
        while (true) {
            List<Long> pids = group.allProcesses();
            if (pids.isEmpty()) {
                return;
            }
            if (killFile.isEmpty() || System.nanoTime() - graceEnd > 0) {
                signalWhileFrozen(group, deadline);
            }
            if (!deadline.backoff()) {
                List<Long> left = group.allProcesses();
                if (left.isEmpty()) {
                    return;
                }
                throw new CgroupNotEmptyException(group.path(), left, "kill");
            }
        }
    }

    /**
     * Freezing first means no member can fork a child we do not see; and a frozen task's pid
     * cannot be reused, so the signal reaches the process that was listed.
     */
    private static void signalWhileFrozen(Cgroup group, Deadline deadline) throws IOException {
        GroupFreezer freezer = null;
        try {
            freezer = GroupFreezer.of(group);
        } catch (CgroupException e) {
            // no freezer at all: signal unfrozen, and let the loop in kill() catch late forks
        }
        if (freezer != null) {
            freezer.set(true, deadline);
        }
        try {
            long self = ProcessHandle.current().pid();
            for (long pid : group.allProcesses()) {
                if (pid == self) {
                    throw new CgroupException("refusing to kill cgroup " + group.path()
                            + ": it holds this JVM (pid " + pid + ")");
                }
                signal(pid);
            }
        } finally {
            if (freezer != null) {
                freezer.set(false, deadline.passed() ? Deadline.after(java.time.Duration.ofSeconds(1)) : deadline);
            }
        }
    }

    /** SIGKILL through a pidfd; a process that is already gone is not an error. */
    private static void signal(long pid) throws IOException {
        try (Fd pidfd = ProcessSyscalls.pidfdOpen((int) pid, false)) {
            ProcessSyscalls.pidfdSendSignal(pidfd, Signal.SIGKILL.number());
        } catch (SyscallException e) {
            if (e.errno() != Linux.ESRCH()) {
                throw e;
            }
        }
    }

    static void delete(Cgroup group, Deadline deadline) throws IOException {
        for (Hierarchy h : group.hierarchies()) {
            deleteTree(group, h.directory(group.path()), deadline);
        }
    }

    private static void deleteTree(Cgroup group, Path dir, Deadline deadline) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
            entries.forEach(children::add);
        } catch (NoSuchFileException e) {
            return;
        }
        for (Path child : children) {
            deleteTree(group, child, deadline);
        }
        while (true) {
            try {
                FileSyscalls.rmdir(dir.toString());
                return;
            } catch (SyscallException e) {
                if (e.errno() == Linux.ENOENT()) {
                    return; // removed meanwhile (by another deleter, or the kernel with its parent)
                }
                // EBUSY: members or child groups linger while their exit completes; retry.
                if (e.errno() != Linux.EBUSY() && e.errno() != Linux.ENOTEMPTY()) {
                    throw new CgroupException("cannot remove cgroup directory " + dir + ": " + e.errnoName(), e);
                }
                if (!deadline.backoff()) {
                    List<Long> left = new ArrayList<>();
                    try {
                        left.addAll(ControlFiles.pids(dir.resolve("cgroup.procs")));
                    } catch (NoSuchFileException gone) {
                        return;
                    }
                    if (!left.isEmpty()) {
                        throw new CgroupNotEmptyException(group.path() + " (" + dir + ")", left, "delete");
                    }
                    throw new CgroupException("cgroup directory " + dir + " is still busy (" + e.errnoName()
                            + ") after the deadline, with no processes left", e);
                }
            }
        }
    }
}
