package dev.hako.namespaces;

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
final class Reaper {

    static final Reaper INSTANCE = new Reaper();

    private final Map<Long, ContainerProcess> watched = new ConcurrentHashMap<>();
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

    void watch(ContainerProcess process) {
        long key = nextKey.incrementAndGet();
        watched.put(key, process);
        try {
            EventSyscalls.epollCtl(epoll, EventSyscalls.EpollOp.ADD, process.pidfdForReaper(), EnumSet.of(EpollEvent.IN), key);
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
        ContainerProcess process = watched.get(key);
        if (process == null) {
            return;
        }
        try {
            EnumSet<WaitOption> options = EnumSet.of(WaitOption.EXITED, WaitOption.NOHANG);
            if (!process.reapedHere()) {
                options.add(WaitOption.NOWAIT); // left a zombie for whoever inherits it
            }
            Optional<ChildStatus> status = ProcessSyscalls.waitidPidfd(process.pidfdForReaper(), options);
            if (status.isEmpty()) {
                return; // readable but not yet waitable: try again on the next event
            }
            watched.remove(key);
            EventSyscalls.epollCtl(epoll, EventSyscalls.EpollOp.DELETE, process.pidfdForReaper(), EnumSet.noneOf(EpollEvent.class), 0);
            process.exited(status.get());
        } catch (SyscallException | RuntimeException e) {
            watched.remove(key);
            process.watchFailed(e);
        }
    }
}
