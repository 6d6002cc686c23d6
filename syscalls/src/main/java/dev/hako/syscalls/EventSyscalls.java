package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.epoll_event;
import dev.hako.bindings.pollfd;
import dev.hako.syscalls.calls.SignalCalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * Waiting for events: epoll, poll and inotify. Every descriptor these return is
 * close-on-exec.
 *
 * <p>aarch64 has no epoll_wait or poll syscalls, only epoll_pwait and ppoll; these
 * wrappers use the latter everywhere with no signal mask, which behaves the same.
 */
public final class EventSyscalls {

    private EventSyscalls() {
    }

    /** The operations of epoll_ctl(2). */
    public enum EpollOp {
        /** EPOLL_CTL_ADD. */
        ADD(Linux.EPOLL_CTL_ADD()),
        /** EPOLL_CTL_MOD. */
        MODIFY(Linux.EPOLL_CTL_MOD()),
        /** EPOLL_CTL_DEL. */
        DELETE(Linux.EPOLL_CTL_DEL());

        private final int value;

        EpollOp(int value) {
            this.value = value;
        }
    }

    /**
     * Creates an epoll instance, close-on-exec (Linux 2.6.27).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/epoll_create1.2.html">epoll_create1(2)</a>
     */
    public static Fd epollCreate1() throws SyscallException {
        long result = Kernel.critical(Linux.SYS_epoll_create1(), Linux.EPOLL_CLOEXEC(), 0, 0);
        if (result < 0) {
            throw Kernel.failure(result, "epoll_create1", "EPOLL_CLOEXEC");
        }
        return Fd.adopt((int) result);
    }

    /**
     * Adds, changes or removes the interest of an epoll instance in a descriptor.
     *
     * @param data the 64-bit value epoll_wait reports with events for {@code fd}
     * @see <a href="https://man7.org/linux/man-pages/man2/epoll_ctl.2.html">epoll_ctl(2)</a>
     */
    public static void epollCtl(Fd epoll, EpollOp op, Fd fd, Set<EpollEvent> events, long data)
            throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = epoll_event.allocate(arena);
            epoll_event.events(event, (int) Flag.combine(events));
            epoll_event.data(event, data);
            long result = Kernel.critical(Linux.SYS_epoll_ctl(), epoll.value(), op.value, fd.value(), event.address(), 0, 0);
            if (result < 0) {
                throw Kernel.failure(result, "epoll_ctl", epoll.value() + ", EPOLL_CTL_" + op.name().substring(0, 3) + ", "
                    + fd.value() + ", " + Flag.describe(events));
            }
        }
    }

    /**
     * Allocates an array for {@link #epollWait}: {@code capacity} {@code struct epoll_event}s.
     * Allocate once and reuse; read entries with {@link #eventData} and {@link #eventBits}.
     */
    public static MemorySegment allocateEvents(Arena arena, int capacity) {
        return epoll_event.allocateArray(capacity, arena);
    }

    /**
     * Waits for events; returns how many entries of {@code events} were filled, 0 on timeout.
     *
     * @param events  an array from {@link #allocateEvents}
     * @param timeout how long to wait; null waits forever
     * @see <a href="https://man7.org/linux/man-pages/man2/epoll_wait.2.html">epoll_wait(2)</a>
     */
    public static int epollWait(Fd epoll, MemorySegment events, Duration timeout) throws SyscallException {
        int capacity = (int) (events.byteSize() / epoll_event.sizeof());
        long result = Kernel.blocking(Linux.SYS_epoll_pwait(), epoll.value(), events.address(), capacity,
                timeoutMillis(timeout), 0, 0);
        if (result < 0) {
            throw Kernel.failure(result, "epoll_wait", Integer.toString(epoll.value()));
        }
        return(int) result;
    }

    /** The {@code data} value of entry {@code index} of an events array. */
    public static long eventData(MemorySegment events, int index) {
        return epoll_event.data(epoll_event.asSlice(events, index));
    }

    /** The event bits of entry {@code index} of an events array. */
    public static EnumSet<EpollEvent> eventBits(MemorySegment events, int index) {
        return Flag.decode(EpollEvent.class, Integer.toUnsignedLong(epoll_event.events(epoll_event.asSlice(events, index))));
    }

    /**
     * Waits until {@code fd} has one of {@code events}; returns the events that occurred
     * (including ERR, HUP, NVAL, which are always reported), empty on timeout.
     *
     * @param timeout how long to wait; null waits forever
     * @see <a href="https://man7.org/linux/man-pages/man2/poll.2.html">poll(2)</a>
     */
    public static EnumSet<PollEvent> poll(Fd fd, Set<PollEvent> events, Duration timeout) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment entry = pollfd.allocate(arena);
            pollfd.fd(entry, fd.value());
            pollfd.events(entry, (short) Flag.combine(events));
            Kernel.run(SignalCalls.ppoll(arena, entry, timeout));
            return Flag.decode(PollEvent.class, Short.toUnsignedLong(pollfd.revents(entry)));
        }
    }

    /**
     * Creates an inotify instance; IN_CLOEXEC is always added (Linux 2.6.27).
     *
     * @param nonblock add IN_NONBLOCK
     * @see <a href="https://man7.org/linux/man-pages/man2/inotify_init1.2.html">inotify_init1(2)</a>
     */
    public static Fd inotifyInit1(boolean nonblock) throws SyscallException {
        int flags = Linux.IN_CLOEXEC() | (nonblock ? Linux.IN_NONBLOCK() : 0);
        long result = Kernel.critical(Linux.SYS_inotify_init1(), flags, 0, 0);
        if (result < 0) {
            throw Kernel.failure(result, "inotify_init1", nonblock ? "IN_CLOEXEC|IN_NONBLOCK" : "IN_CLOEXEC");
        }
        return Fd.adopt((int) result);
    }

    /**
     * Watches a path for events; returns the watch descriptor.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/inotify_add_watch.2.html">inotify_add_watch(2)</a>
     */
    public static int inotifyAddWatch(Fd inotify, String path, Set<InotifyEvent> events) throws SyscallException {
        Native.requireNoNul(path, "inotify_add_watch path");
        try (Arena arena = Arena.ofConfined()) {
            long result = Kernel.blocking(Linux.SYS_inotify_add_watch(), inotify.value(), arena.allocateFrom(path).address(),
                    Flag.combine(events));
            if (result < 0) {
                throw Kernel.failure(result, "inotify_add_watch", '"' + path + "\", " + Flag.describe(events));
            }
            return(int) result;
        }
    }

    /**
     * Removes a watch.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/inotify_rm_watch.2.html">inotify_rm_watch(2)</a>
     */
    public static void inotifyRmWatch(Fd inotify, int watch) throws SyscallException {
        long result = Kernel.critical(Linux.SYS_inotify_rm_watch(), inotify.value(), watch, 0);
        if (result < 0) {
            throw Kernel.failure(result, "inotify_rm_watch", inotify.value() + ", " + watch);
        }
    }

    private static long timeoutMillis(Duration timeout) {
        if (timeout == null) {
            return -1;
        }
        long millis = timeout.toMillis();
        return millis > Integer.MAX_VALUE ? Integer.MAX_VALUE : millis;
    }
}
