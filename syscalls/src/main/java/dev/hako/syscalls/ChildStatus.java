package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * A child's change of state as waitid(2) reports it in {@code siginfo_t}.
 *
 * @param pid    the child's process id
 * @param uid    the real user id of the child
 * @param kind   what happened ({@code si_code})
 * @param status the exit code for {@link Kind#EXITED}, otherwise the signal number
 * @see <a href="https://man7.org/linux/man-pages/man2/waitid.2.html">waitid(2)</a>
 */
public record ChildStatus(int pid, int uid, Kind kind, int status) {

    /** The {@code CLD_*} codes of {@code si_code}. */
    public enum Kind {
        /** Exited by calling exit (CLD_EXITED); status is the exit code. */
        EXITED,
        /** Killed by a signal (CLD_KILLED); status is the signal. */
        KILLED,
        /** Killed by a signal and dumped core (CLD_DUMPED); status is the signal. */
        DUMPED,
        /** Stopped by a signal (CLD_STOPPED). */
        STOPPED,
        /** Traced child trapped (CLD_TRAPPED). */
        TRAPPED,
        /** Continued by SIGCONT (CLD_CONTINUED). */
        CONTINUED;

        static Kind of(int code) {
            if (code == Linux.CLD_EXITED()) {
                return EXITED;
            } else if (code == Linux.CLD_KILLED()) {
                return KILLED;
            } else if (code == Linux.CLD_DUMPED()) {
                return DUMPED;
            } else if (code == Linux.CLD_STOPPED()) {
                return STOPPED;
            } else if (code == Linux.CLD_TRAPPED()) {
                return TRAPPED;
            } else if (code == Linux.CLD_CONTINUED()) {
                return CONTINUED;
            }
            throw new IllegalArgumentException("unknown si_code for a child: " + code);
        }
    }

    /** Whether the child has terminated (exited, or killed with or without a core dump). */
    public boolean terminated() {
        return kind == Kind.EXITED || kind == Kind.KILLED || kind == Kind.DUMPED;
    }

    /** The status as a shell reports it: the exit code, or 128 plus the signal number. */
    public int shellStatus() {
        return kind == Kind.EXITED ? status : 128 + status;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case EXITED -> "pid " + pid + " exited with status " + status;
            case KILLED -> "pid " + pid + " killed by " + Signal.name(status);
            case DUMPED -> "pid " + pid + " killed by " + Signal.name(status) + " (core dumped)";
            case STOPPED -> "pid " + pid + " stopped by " + Signal.name(status);
            case TRAPPED -> "pid " + pid + " trapped by " + Signal.name(status);
            case CONTINUED -> "pid " + pid + " continued";
        };
    }
}
