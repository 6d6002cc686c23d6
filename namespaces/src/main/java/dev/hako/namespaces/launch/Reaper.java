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

        /** Whether to reap the process, or only to observe its end (WNOWAIT) and leave the zombie. */
        default boolean reap() {
            return true;
        }
    }

    /** A {@link Watched} process given by its pid and pidfd: the caller says what its end does. */
    public abstract static class Watch implements Watched {
        private final long pid;
        private final Fd pidfd;
        private final boolean reap;

        /** Watches {@code pidfd}, of process {@code pid}; reaps it, or only observes its end. */
        public Watch(long pid, Fd pidfd, boolean reap) {
            this.pid = pid;
            this.pidfd = pidfd;
            this.reap = reap;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public Fd pidfd() {
            return pidfd;
        }

        @Override
        public boolean reap() {
            return reap;
        }
    }

    private final Map<Long, Watched> watched = new ConcurrentHashMap<>();
    private final AtomicLong nextKey = new AtomicLong();
    private volatile Fd epoll;
    private volatile Thread thread;
    /** How many times the thread has started again after an epoll failure. */
    private final AtomicLong restarts = new AtomicLong();

    private Reaper() {
        epoll = newEpoll();
        startThread();
    }

    private static Fd newEpoll() {
        try {
            return EventSyscalls.epollCreate1();
        } catch (SyscallException e) {
            throw new IllegalStateException("cannot create the reaper's epoll instance: " + e.getMessage(), e);
        }
    }

    private void startThread() {
        thread = Thread.ofPlatform().daemon().name("hako-reaper").unstarted(this::run);
        thread.start();
    }

    /** Watches the process until it exits; throws (after {@link Watched#watchFailed}) if it cannot. */
    public synchronized void watch(Watched process) {
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

    /**
     * Waits for exits. An epoll failure other than EINTR (which should not happen: the
     * instance is private) must not leave every waitFor() hanging: the watched processes
     * fail with it (each is killed and reaped), and a new thread takes over with a new
     * epoll instance.
     */
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
                    restartAfter(e);
                    return;
                }
                for (int i = 0; i < ready; i++) {
                    reap(EventSyscalls.eventData(events, i));
                }
            }
        } catch (RuntimeException | Error e) {
            restartAfter(e);
        }
    }

    private synchronized void restartAfter(Throwable cause) {
        IllegalStateException failure = new IllegalStateException("the reaper's epoll_wait failed (" + cause.getMessage()
                + "); every watched process was killed", cause);
        // A new instance at the old number: the JVM's descriptor table looks as before.
        try (Fd fresh = newEpoll()) {
            dev.hako.syscalls.FileSyscalls.dup3(fresh, epoll.value(), true).release();
        } catch (SyscallException e) {
            epoll = newEpoll();
        }
        // Counted before the watchers hear of it: whoever sees the failure sees the restart.
        restarts.incrementAndGet();
        for (Long key : watched.keySet()) {
            Watched process = watched.remove(key);
            if (process != null) {
                process.watchFailed(failure);
            }
        }
        startThread();
    }

    /** Whether a process with this pid is being watched. */
    boolean watches(long pid) {
        return watched.values().stream().anyMatch(process -> process.pid() == pid);
    }

    /** {@return how many times the reaper thread was restarted after an epoll failure} */
    long restarts() {
        return restarts.get();
    }

    /** The epoll instance's descriptor number (tests; it stays the same across restarts). */
    int epollNumberForTests() {
        return epoll.value();
    }

    /**
     * Fault injection for tests: puts /dev/null at the epoll instance's number, so that the
     * next epoll_wait (after the current one returns) fails with EINVAL.
     */
    void breakEpollForTests() throws SyscallException {
        try (Fd devNull = dev.hako.syscalls.FileSyscalls.openat2(null, "/dev/null",
                EnumSet.of(dev.hako.syscalls.OpenFlag.READ_ONLY), 0, java.util.Set.of())) {
            dev.hako.syscalls.FileSyscalls.dup3(devNull, epoll.value(), true).release();
        }
    }

    private void reap(long key) {
        Watched process = watched.get(key);
        if (process == null) {
            return;
        }
        try {
            EnumSet<WaitOption> options = EnumSet.of(WaitOption.EXITED, WaitOption.NOHANG);
            if (!process.reap()) {
                options.add(WaitOption.NOWAIT); // left a zombie for whoever inherits it
            }
            Optional<ChildStatus> status = ProcessSyscalls.waitidPidfd(process.pidfd(), options);
            if (status.isEmpty()) {
                return; // readable but not yet waitable: try again on the next event
            }
            watched.remove(key);
            try {
                EventSyscalls.epollCtl(epoll, EventSyscalls.EpollOp.DELETE, process.pidfd(),
                        EnumSet.noneOf(EpollEvent.class), 0);
            } catch (SyscallException e) {
                // The process is reaped and its status known; a broken epoll instance fails
                // the next epoll_wait, which restarts the thread.
            }
            process.exited(status.get());
        } catch (SyscallException | RuntimeException e) {
            watched.remove(key);
            process.watchFailed(e);
        }
    }
}
