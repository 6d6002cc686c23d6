package dev.hako.syscalls.calls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.winsize;
import dev.hako.syscalls.Flag;
import dev.hako.syscalls.OpenFlag;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.Set;

/**
 * Encoders of the pseudo-terminal ioctls (ioctl_tty(2), pts(4)): unlock a master, open its
 * peer, make a terminal the controlling one, read and set the window size.
 */
public final class TerminalCalls {

    private TerminalCalls() {
    }

    /** ioctl(2) TIOCSPTLCK: locks ({@code true}) or unlocks the peer of pty master {@code master}. */
    public static Call setPeerLock(SegmentAllocator memory, int master, boolean lock) {
        MemorySegment value = memory.allocate(ValueLayout.JAVA_INT);
        value.set(ValueLayout.JAVA_INT, 0, lock ? 1 : 0);
        return Call.of("ioctl", Linux.SYS_ioctl(), new long[] {master, Linux.TIOCSPTLCK(), value.address()},
                () -> new String[] {Integer.toString(master), "TIOCSPTLCK", "[" + (lock ? 1 : 0) + "]"});
    }

    /**
     * ioctl(2) TIOCGPTPEER (Linux 4.13): opens the peer of pty master {@code master} with
     * {@code flags} and returns its descriptor. Unlike opening /dev/pts/N by name, it
     * reaches the peer of this very master, in whatever devpts instance it lives.
     */
    public static Call openPeer(int master, Set<OpenFlag> flags) {
        return Call.of("ioctl", Linux.SYS_ioctl(), new long[] {master, Integer.toUnsignedLong(Linux.TIOCGPTPEER()),
                Flag.combine(flags)}, () -> new String[] {Integer.toString(master), "TIOCGPTPEER",
                        Flag.describe(flags)});
    }

    /** ioctl(2) TIOCGPTN: the kernel writes the pty number of master {@code master} to {@code number} (an int). */
    public static Call peerNumber(int master, MemorySegment number) {
        return Call.of("ioctl", Linux.SYS_ioctl(), new long[] {master, Linux.TIOCGPTN(),
                number.address()}, () -> new String[] {Integer.toString(master), "TIOCGPTN", "&ptn"});
    }

    /**
     * ioctl(2) TIOCSCTTY: makes terminal {@code fd} the controlling terminal of the caller,
     * which must lead a session without one; {@code steal} takes it from another session
     * (needs CAP_SYS_ADMIN).
     */
    public static Call setControllingTerminal(int fd, boolean steal) {
        return Call.of("ioctl", Linux.SYS_ioctl(), new long[] {fd, Integer.toUnsignedLong(Linux.TIOCSCTTY()),
                steal ? 1 : 0}, () -> new String[] {Integer.toString(fd), "TIOCSCTTY", steal ? "1" : "0"});
    }

    /** ioctl(2) TIOCSWINSZ: sets the window size of terminal {@code fd} (the kernel signals SIGWINCH on a change). */
    public static Call setWindowSize(SegmentAllocator memory, int fd, int rows, int columns) {
        MemorySegment size = winsize.allocate(memory);
        winsize.ws_row(size, (short) rows);
        winsize.ws_col(size, (short) columns);
        return Call.of("ioctl", Linux.SYS_ioctl(), new long[] {fd, Integer.toUnsignedLong(Linux.TIOCSWINSZ()),
                size.address()}, () -> new String[] {Integer.toString(fd), "TIOCSWINSZ", "{ws_row=" + rows
                        + ", ws_col=" + columns + "}"});
    }

    /** ioctl(2) TIOCGWINSZ: the kernel writes the window size of terminal {@code fd} to {@code size} (a winsize). */
    public static Call getWindowSize(int fd, MemorySegment size) {
        return Call.of("ioctl", Linux.SYS_ioctl(), new long[] {fd, Integer.toUnsignedLong(Linux.TIOCGWINSZ()),
                size.address()}, () -> new String[] {Integer.toString(fd), "TIOCGWINSZ", "&ws"});
    }
}
