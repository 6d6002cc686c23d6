package dev.hako.checkpoint.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The restored tasks that resume at a {@code syscall} instruction: a blocking call the dump
 * interrupted (pause, a read, a wait), which the restart fix-up rewound so that the task
 * makes it again. Until it has, a signal sent to it is taken into its handler in user space
 * and the call then blocks as if none had come: a pause() never returns. Natively the task
 * would have been inside the call, and the kernel would have ended it with EINTR. So a
 * restore returns only once each such task is back in its call (or has moved past it), as
 * {@code /proc/PID/syscall} shows.
 *
 * @see <a href="https://man7.org/linux/man-pages/man5/proc_pid_syscall.5.html">proc_pid_syscall(5)</a>
 */
public final class CallReentry {

    /** x86_64's {@code syscall} instruction, 0F 05. */
    private static final int SYSCALL_INSN = 0x050f;
    private static final Duration POLL = Duration.ofNanos(100_000);

    /** Host pid to the saved rip of the syscall instruction and the call's number. */
    private final Map<Integer, long[]> pending;

    private CallReentry(Map<Integer, long[]> pending) {
        this.pending = pending;
    }

    /**
     * Finds, among the stopped restored tasks (saved pid to host pid), those whose saved rip
     * is at a syscall instruction, reading it from their memory.
     */
    static CallReentry of(Iterable<TaskImage> tasks, Map<Integer, Integer> hosts) throws IOException {
        Map<Integer, long[]> pending = new LinkedHashMap<>();
        for (TaskImage task : tasks) {
            Integer host = hosts.get(task.pid);
            if (host == null || task.zombie) {
                continue;
            }
            Registers registers = Registers.of(task.registers);
            long rip = registers.get(Registers.RIP);
            try (RandomAccessFile mem = new RandomAccessFile("/proc/" + host + "/mem", "r")) {
                mem.seek(rip);
                int instruction = mem.read() | mem.read() << 8;
                if (instruction == SYSCALL_INSN) {
                    pending.put(host, new long[] {rip, registers.get(Registers.RAX)});
                }
            }
        }
        return new CallReentry(pending);
    }

    /**
     * After the tasks were let go: waits until each is inside its call again, has moved
     * past it, or has exited, for at most {@code timeout} in all (a task that is not
     * scheduled by then is left as it is; the restore has succeeded either way). An
     * interrupt ends the wait and stays set.
     */
    public void await(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (var task : pending.entrySet()) {
                while (!reentered(task.getKey(), task.getValue()[0], task.getValue()[1])
                        && System.nanoTime() < deadline) {
                    Thread.sleep(POLL);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether task {@code host} is in call {@code number}, or no longer at the instruction
     * at {@code rip}: {@code /proc/PID/syscall} reads "running" while it runs, the number,
     * arguments, stack pointer and pc while it is blocked in a call, and -1, stack pointer
     * and pc while it is stopped outside one.
     */
    private static boolean reentered(int host, long rip, long number) {
        String line;
        try {
            line = Files.readString(Path.of("/proc", Integer.toString(host), "syscall")).trim();
        } catch (IOException e) {
            return true; // gone (reaped), or not readable: nothing to wait for
        }
        if (line.equals("running")) {
            return false;
        }
        String[] fields = line.split(" ");
        if (fields[0].equals(Long.toString(number))) {
            return true;
        }
        // Stopped outside a call (still frozen, or not yet scheduled): at the instruction still?
        return Long.parseUnsignedLong(fields[fields.length - 1].substring(2), 16) != rip;
    }
}
