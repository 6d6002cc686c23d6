package dev.hako.namespaces.launch;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.ChildStatus;
import dev.hako.syscalls.EpollEvent;
import dev.hako.syscalls.EventSyscalls;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.ProcessSyscalls;
import dev.hako.syscalls.SyscallException;
import dev.hako.syscalls.WaitOption;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One daemon thread that watches the pidfds of all container processes with epoll. A pidfd
 * becomes readable when its process exits; the thread then reaps it with
 * {@code waitid(P_PIDFD)} and completes the process's exit future. One thread serves any
 * number of processes, unlike a thread blocked in waitpid per child.
 */
public final class Reaper {

    /** The one reaper thread of the JVM. */
    public static final Reaper INSTANCE = new Reaper();

    /** A process the reaper watches: {@code ContainerProcess} through a private adapter. */
    public interface Watched {
        /** The process id, for messages. */
        long pid();

        /** The pidfd to watch; the reaper never closes it itself. */
        Fd pidfd();

        /** Called by the reaper thread once the process has been reaped. */
        void exited(ChildStatus status);

        /** Called if watching failed; the process must be killed and reaped. */
        void watchFailed(Throwable failure);
    }

    private final Map<Long, Watched> watched = new ConcurrentHashMap<>();
    private final AtomicLong nextKey = new AtomicLong();
    private final Fd epoll;

    private Reaper() {
        try {
            epoll = EventSyscalls.epollCreate1();
        } catch (SyscallException e) {
            throw new IllegalStateException("cannot create the reaper's epoll instance: " + e.getMessage(), e);
        }
        Thread thread = Thread.ofPlatform().daemon().name("hako-reaper").unstarted(this::run);
        thread.start();
    }

    /** Watches the process until it exits; throws (after {@link Watched#watchFailed}) if it cannot. */
    public void watch(Watched process) {
        long key = nextKey.incrementAndGet();
        watched.put(key, process);
        try {
            EventSyscalls.epollCtl(epoll, EventSyscalls.EpollOp.ADD, process.pidfd(), EnumSet.of(EpollEvent.IN), key);
        } catch (SyscallException | RuntimeException e) {
            watched.remove(key);
            process.watchFailed(e);
            throw new IllegalStateException("cannot watch pid " + process.pid() + ": " + e.getMessage(), e);
        }
    }

    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = EventSyscalls.allocateEvents(arena, 64);
            while (true) {
                int ready;
                try {
                    ready = EventSyscalls.epollWait(epoll, events, null);
                } catch (SyscallException e) {
                    if (e.errno() == Linux.EINTR()) {
                        continue;
                    }
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < ready; i++) {
                    reap(EventSyscalls.eventData(events, i));
                }
            }
        }
    }

    private void reap(long key) {
        Watched process = watched.get(key);
        if (process == null) {
            return;
        }
        try {
            Optional<ChildStatus> status = ProcessSyscalls.waitidPidfd(process.pidfd(),
                    EnumSet.of(WaitOption.EXITED, WaitOption.NOHANG));
            if (status.isEmpty()) {
                return; // readable but not yet waitable: try again on the next event
            }
            watched.remove(key);
            EventSyscalls.epollCtl(epoll, EventSyscalls.EpollOp.DELETE, process.pidfd(), EnumSet.noneOf(EpollEvent.class), 0);
            process.exited(status.get());
        } catch (SyscallException | RuntimeException e) {
            watched.remove(key);
            process.watchFailed(e);
        }
    }
}
