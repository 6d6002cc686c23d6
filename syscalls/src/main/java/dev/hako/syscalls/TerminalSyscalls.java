package dev.hako.syscalls;

import dev.hako.bindings.winsize;
import dev.hako.syscalls.calls.FileCalls;
import dev.hako.syscalls.calls.TerminalCalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.Set;

/**
 * Pseudo-terminals: open a master on a devpts instance's ptmx, unlock it, open its peer,
 * make a terminal the controlling one, and read or set the window size. Every descriptor
 * these return is close-on-exec.
 *
 * @see <a href="https://man7.org/linux/man-pages/man4/pts.4.html">pts(4)</a>
 * @see <a href="https://man7.org/linux/man-pages/man2/ioctl_tty.2.html">ioctl_tty(2)</a>
 */
public final class TerminalSyscalls {

    private TerminalSyscalls() {
    }

    /**
     * The size of a terminal's window, in characters.
     *
     * @param rows    lines ({@code ws_row})
     * @param columns characters per line ({@code ws_col})
     */
    public record WindowSize(int rows, int columns) {
        /** Checks that both fit the kernel's unsigned short. */
        public WindowSize {
            if (rows < 0 || rows > 0xffff || columns < 0 || columns > 0xffff) {
                throw new IllegalArgumentException("window size " + rows + "x" + columns + " is outside 0..65535");
            }
        }
    }

    /**
     * Opens a new pty master on the multiplexer {@code ptmx} (normally /dev/ptmx, or
     * pts/ptmx of a devpts instance), read-write, without making it a controlling
     * terminal, and unlocks its peer (what posix_openpt(3) and unlockpt(3) do).
     *
     * @see <a href="https://man7.org/linux/man-pages/man4/pts.4.html">pts(4)</a>
     */
    public static Fd openMaster(String ptmx) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            Fd master = Fd.adopt((int) Kernel.run(FileCalls.openat(arena, FileCalls.AT_FDCWD, ptmx,
                    EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.NOCTTY, OpenFlag.CLOEXEC), 0)));
            try {
                Kernel.runCritical(TerminalCalls.setPeerLock(arena, master.value(), false));
            } catch (SyscallException e) {
                master.close();
                throw e;
            }
            return master;
        }
    }

    /**
     * Opens the peer (slave) of pty master {@code master} with {@code flags} plus
     * O_CLOEXEC (ioctl TIOCGPTPEER, Linux 4.13): the peer of this very master, whatever
     * devpts instance holds it and whatever a path to it would resolve to.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/TIOCGPTPEER.2const.html">TIOCGPTPEER(2const)</a>
     */
    public static Fd openPeer(Fd master, Set<OpenFlag> flags) throws SyscallException {
        EnumSet<OpenFlag> all = flags.isEmpty() ? EnumSet.noneOf(OpenFlag.class) : EnumSet.copyOf(flags);
        all.add(OpenFlag.CLOEXEC);
        return Fd.adopt((int) Kernel.runCritical(TerminalCalls.openPeer(master.value(), all)));
    }

    /**
     * The number N of pty master {@code master}'s peer, /dev/pts/N in its devpts instance
     * (ioctl TIOCGPTN).
     *
     * @see <a href="https://man7.org/linux/man-pages/man3/ptsname.3.html">ptsname(3)</a>
     */
    public static int peerNumber(Fd master) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment number = arena.allocate(ValueLayout.JAVA_INT);
            Kernel.runCritical(TerminalCalls.peerNumber(master.value(), number));
            return number.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /**
     * The window size of terminal {@code fd} (ioctl TIOCGWINSZ).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/TIOCGWINSZ.2const.html">TIOCGWINSZ(2const)</a>
     */
    public static WindowSize windowSize(Fd fd) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = winsize.allocate(arena);
            Kernel.runCritical(TerminalCalls.getWindowSize(fd.value(), size));
            return new WindowSize(Short.toUnsignedInt(winsize.ws_row(size)), Short.toUnsignedInt(winsize.ws_col(size)));
        }
    }

    /**
     * Sets the window size of terminal {@code fd} (ioctl TIOCSWINSZ); the kernel sends
     * SIGWINCH to the foreground process group when it changes.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/TIOCSWINSZ.2const.html">TIOCSWINSZ(2const)</a>
     */
    public static void setWindowSize(Fd fd, WindowSize size) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            Kernel.runCritical(TerminalCalls.setWindowSize(arena, fd.value(), size.rows(), size.columns()));
        }
    }
}
