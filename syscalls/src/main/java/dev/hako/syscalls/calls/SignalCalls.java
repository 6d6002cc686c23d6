package dev.hako.syscalls.calls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.pollfd;
import dev.hako.syscalls.Flag;
import dev.hako.syscalls.PollEvent;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.StringJoiner;
import java.util.function.Supplier;

/**
 * Encoders of the signal calls: rt_sigaction, rt_sigprocmask, rt_sigtimedwait, and ppoll,
 * both as a wait for a signal and over descriptors. Signal sets are 64-bit masks, bit {@code n - 1} for signal
 * {@code n}, the kernel's 8-byte sigset_t.
 */
public final class SignalCalls {

    /** The handler value that restores the default action. */
    public static final long SIG_DFL = 0;
    /** The handler value that ignores the signal. */
    public static final long SIG_IGN = 1;
    /** The kernel's sigset_t size, the last argument of the rt_sig* calls. */
    private static final long SIGSET_SIZE = 8;
    /**
     * The kernel's struct sigaction: handler at 0, flags at 8, then (restorer and) mask; the
     * same on x86_64 and aarch64. 32 bytes cover it with the mask zero.
     */
    private static final long SIGACTION_SIZE = 32;
    private static final long SIGACTION_FLAGS = 8;

    private SignalCalls() {
    }

    /**
     * rt_sigaction(2) with a new action and no old one.
     *
     * @param handler {@link #SIG_DFL} or {@link #SIG_IGN}
     * @param flags   {@code SA_*} flags, e.g. {@code SA_NOCLDSTOP}
     */
    public static Call rtSigaction(SegmentAllocator memory, int signal, long handler, long flags) {
        MemorySegment action = memory.allocate(SIGACTION_SIZE, 8);
        action.set(ValueLayout.JAVA_LONG, 0, handler);
        action.set(ValueLayout.JAVA_LONG, SIGACTION_FLAGS, flags);
        String handlerName = handler == SIG_DFL ? "SIG_DFL" : handler == SIG_IGN ? "SIG_IGN"
                : "0x" + Long.toHexString(handler);
        String flagNames = flags == 0 ? "" : flags == Linux.SA_NOCLDSTOP() ? ", SA_NOCLDSTOP"
                : ", 0x" + Long.toHexString(flags);
        return Call.of("rt_sigaction", Linux.SYS_rt_sigaction(), new long[] {signal, action.address(), 0, SIGSET_SIZE},
                () -> new String[] {Show.signal(signal), "{" + handlerName + flagNames + "}", "NULL",
                        Long.toString(SIGSET_SIZE)});
    }

    /**
     * rt_sigprocmask(2) without the old mask.
     *
     * @param how {@code SIG_BLOCK}, {@code SIG_UNBLOCK} or {@code SIG_SETMASK}
     */
    public static Call rtSigprocmask(SegmentAllocator memory, int how, long mask) {
        String howName = how == Linux.SIG_BLOCK() ? "SIG_BLOCK" : how == Linux.SIG_UNBLOCK() ? "SIG_UNBLOCK"
                : how == Linux.SIG_SETMASK() ? "SIG_SETMASK" : Integer.toString(how);
        return Call.of("rt_sigprocmask", Linux.SYS_rt_sigprocmask(), new long[] {how, set(memory, mask), 0,
                SIGSET_SIZE}, () -> new String[] {howName, Show.signalSet(mask), "NULL", Long.toString(SIGSET_SIZE)});
    }

    /** rt_sigtimedwait(2) for one of the signals in {@code mask}, without info or timeout; returns the signal. */
    public static Call rtSigtimedwait(SegmentAllocator memory, long mask) {
        return Call.of("rt_sigtimedwait", Linux.SYS_rt_sigtimedwait(), new long[] {set(memory, mask), 0, 0,
                SIGSET_SIZE}, () -> new String[] {Show.signalSet(mask), "NULL", "NULL", Long.toString(SIGSET_SIZE)});
    }

    /** ppoll(2) on no descriptors without a timeout: sleeps until a signal ends or interrupts the caller. */
    public static Call ppollUntilSignal() {
        return ppoll(0, 0, 0, () -> "NULL", "NULL");
    }

    /**
     * ppoll(2) over {@code fds}, a filled {@code struct pollfd} array whose {@code revents}
     * the kernel sets, with the signal mask unchanged.
     *
     * @param timeout how long to wait; null waits until an event or a signal
     * @see <a href="https://man7.org/linux/man-pages/man2/poll.2.html">poll(2)</a>
     */
    public static Call ppoll(SegmentAllocator memory, MemorySegment fds, Duration timeout) {
        long count = fds.byteSize() / pollfd.sizeof();
        long timespec = 0;
        if (timeout != null) {
            MemorySegment value = memory.allocate(ValueLayout.JAVA_LONG, 2);
            value.setAtIndex(ValueLayout.JAVA_LONG, 0, timeout.getSeconds());
            value.setAtIndex(ValueLayout.JAVA_LONG, 1, timeout.getNano());
            timespec = value.address();
        }
        return ppoll(fds.address(), count, timespec, () -> {
            StringJoiner shown = new StringJoiner(", ", "[", "]");
            for (long i = 0; i < count; i++) {
                MemorySegment entry = pollfd.asSlice(fds, i);
                shown.add("{fd=" + pollfd.fd(entry) + ", events="
                        + Flag.describe(Flag.decode(PollEvent.class, Short.toUnsignedLong(pollfd.events(entry)))) + "}");
            }
            return shown.toString();
        }, timeout == null ? "NULL" : "{tv_sec=" + timeout.getSeconds() + ", tv_nsec=" + timeout.getNano() + "}");
    }

    private static Call ppoll(long fds, long count, long timespec, Supplier<String> fdsShown, String timeoutShown) {
        // sigsetsize is read only with a mask; passing it anyway keeps the call valid if one is added.
        return Call.of("ppoll", Linux.SYS_ppoll(), new long[] {fds, count, timespec, 0, SIGSET_SIZE},
                () -> new String[] {fdsShown.get(), Long.toString(count), timeoutShown, "NULL",
                        Long.toString(SIGSET_SIZE)});
    }

    private static long set(SegmentAllocator memory, long mask) {
        MemorySegment set = memory.allocate(SIGSET_SIZE, 8);
        set.set(ValueLayout.JAVA_LONG, 0, mask);
        return set.address();
    }
}
