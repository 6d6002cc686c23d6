package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import java.util.Optional;

/**
 * The standard Linux signals with their numbers on the running architecture.
 *
 * @see <a href="https://man7.org/linux/man-pages/man7/signal.7.html">signal(7)</a>
 */
public enum Signal {
    /** {@code SIGHUP}. */
    SIGHUP(Linux.SIGHUP()),
    /** {@code SIGINT}. */
    SIGINT(Linux.SIGINT()),
    /** {@code SIGQUIT}. */
    SIGQUIT(Linux.SIGQUIT()),
    /** {@code SIGILL}. */
    SIGILL(Linux.SIGILL()),
    /** {@code SIGTRAP}. */
    SIGTRAP(Linux.SIGTRAP()),
    /** {@code SIGABRT}. */
    SIGABRT(Linux.SIGABRT()),
    /** {@code SIGBUS}. */
    SIGBUS(Linux.SIGBUS()),
    /** {@code SIGFPE}. */
    SIGFPE(Linux.SIGFPE()),
    /** {@code SIGKILL}. */
    SIGKILL(Linux.SIGKILL()),
    /** {@code SIGUSR1}. */
    SIGUSR1(Linux.SIGUSR1()),
    /** {@code SIGSEGV}. */
    SIGSEGV(Linux.SIGSEGV()),
    /** {@code SIGUSR2}. */
    SIGUSR2(Linux.SIGUSR2()),
    /** {@code SIGPIPE}. */
    SIGPIPE(Linux.SIGPIPE()),
    /** {@code SIGALRM}. */
    SIGALRM(Linux.SIGALRM()),
    /** {@code SIGTERM}. */
    SIGTERM(Linux.SIGTERM()),
    /** {@code SIGSTKFLT}. */
    SIGSTKFLT(Linux.SIGSTKFLT()),
    /** {@code SIGCHLD}. */
    SIGCHLD(Linux.SIGCHLD()),
    /** {@code SIGCONT}. */
    SIGCONT(Linux.SIGCONT()),
    /** {@code SIGSTOP}. */
    SIGSTOP(Linux.SIGSTOP()),
    /** {@code SIGTSTP}. */
    SIGTSTP(Linux.SIGTSTP()),
    /** {@code SIGTTIN}. */
    SIGTTIN(Linux.SIGTTIN()),
    /** {@code SIGTTOU}. */
    SIGTTOU(Linux.SIGTTOU()),
    /** {@code SIGURG}. */
    SIGURG(Linux.SIGURG()),
    /** {@code SIGXCPU}. */
    SIGXCPU(Linux.SIGXCPU()),
    /** {@code SIGXFSZ}. */
    SIGXFSZ(Linux.SIGXFSZ()),
    /** {@code SIGVTALRM}. */
    SIGVTALRM(Linux.SIGVTALRM()),
    /** {@code SIGPROF}. */
    SIGPROF(Linux.SIGPROF()),
    /** {@code SIGWINCH}. */
    SIGWINCH(Linux.SIGWINCH()),
    /** {@code SIGIO}. */
    SIGIO(Linux.SIGIO()),
    /** {@code SIGPWR}. */
    SIGPWR(Linux.SIGPWR()),
    /** {@code SIGSYS}. */
    SIGSYS(Linux.SIGSYS());

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    /** The signal number. */
    public int number() {
        return number;
    }

    /** The signal with this number, if it is a standard one (real-time signals are not). */
    public static Optional<Signal> of(int number) {
        for (Signal signal : values()) {
            if (signal.number == number) {
                return Optional.of(signal);
            }
        }
        return Optional.empty();
    }

    /** A signal's name, {@code "SIGKILL"}, or {@code "SIGRTMIN+N"} / {@code "signal N"} for others. */
    public static String name(int number) {
        Optional<Signal> signal = of(number);
        if (signal.isPresent()) {
            return signal.get().name();
        }
        return number >= 34 && number < Linux._NSIG() ? "SIGRTMIN+" + (number - 34) : "signal " + number;
    }
}
