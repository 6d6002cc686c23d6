package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/** Options of waitid(2) ({@code W*}). @see <a href="https://man7.org/linux/man-pages/man2/waitid.2.html">waitid(2)</a> */
public enum WaitOption implements Flag {
    /** Wait for children that have terminated ({@code WEXITED}). */
    EXITED(Linux.WEXITED(), "WEXITED"),
    /** Wait for children stopped by a signal ({@code WSTOPPED}). */
    STOPPED(Linux.WSTOPPED(), "WSTOPPED"),
    /** Wait for stopped children resumed by SIGCONT ({@code WCONTINUED}). */
    CONTINUED(Linux.WCONTINUED(), "WCONTINUED"),
    /** Return at once if no child has changed state ({@code WNOHANG}). */
    NOHANG(Linux.WNOHANG(), "WNOHANG"),
    /** Leave the child waitable (do not reap) ({@code WNOWAIT}). */
    NOWAIT(Linux.WNOWAIT(), "WNOWAIT"),
    /** Wait for all children, clone or not ({@code __WALL}). */
    ALL(Linux.__WALL(), "__WALL");

    private final long bits;
    private final String cName;

    WaitOption(long bits, String cName) {
        this.bits = bits;
        this.cName = cName;
    }

    @Override
    public long bits() {
        return bits;
    }

    @Override
    public String cName() {
        return cName;
    }
}
