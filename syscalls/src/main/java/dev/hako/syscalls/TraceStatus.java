package dev.hako.syscalls;

/**
 * A task's wait status as {@link TraceSyscalls#wait4} reports it, decoded the way the
 * W* macros of wait(2) decode it, plus the ptrace event of a {@code PTRACE_EVENT_*} stop.
 *
 * @param tid    the task that changed state
 * @param status the raw status word
 * @see <a href="https://man7.org/linux/man-pages/man2/wait4.2.html">wait4(2)</a>
 */
public record TraceStatus(int tid, int status) {

    /** Whether the task is stopped (a signal-delivery, group, syscall or event stop). */
    public boolean stopped() {
        return (status & 0xff) == 0x7f;
    }

    /** The stop's signal; {@code SIGTRAP | 0x80} for a syscall stop under TRACESYSGOOD. */
    public int stopSignal() {
        return (status >> 8) & 0xff;
    }

    /** The {@code PTRACE_EVENT_*} value of an event stop, 0 for any other stop. */
    public int event() {
        return (status >> 16) & 0xff;
    }

    /** Whether the task exited normally. */
    public boolean exited() {
        return (status & 0x7f) == 0;
    }

    /** The exit code of a task that exited normally. */
    public int exitCode() {
        return (status >> 8) & 0xff;
    }

    /** Whether a signal killed the task. */
    public boolean killed() {
        return !stopped() && !exited() && status != 0xffff;
    }

    /** The signal that killed the task. */
    public int termSignal() {
        return status & 0x7f;
    }

    @Override
    public String toString() {
        if (stopped()) {
            return "tid " + tid + " stopped by " + Signal.name(stopSignal() & 0x7f)
                    + ((stopSignal() & 0x80) != 0 ? "|0x80" : "") + (event() != 0 ? " event " + event() : "");
        }
        return exited() ? "tid " + tid + " exited " + exitCode() : "tid " + tid + " killed by " + Signal.name(termSignal());
    }
}
