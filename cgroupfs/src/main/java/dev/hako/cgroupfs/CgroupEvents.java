package dev.hako.cgroupfs;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.EpollEvent;
import dev.hako.syscalls.EventFdFlag;
import dev.hako.syscalls.EventSyscalls;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.InotifyEvent;
import dev.hako.syscalls.OpenFlag;
import dev.hako.syscalls.SyscallException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A subscription to a group's events, delivered to a listener on one platform thread
 * until {@link #close()}.
 *
 * <p>Sources, whichever this group and layout have:
 * <ul>
 * <li>v2 {@code cgroup.events} (populated, frozen) and {@code memory.events} (oom, oom_kill),
 *   watched with inotify: the kernel reports a modification when a value changes, and the
 *   file is re-read and compared with the last reading;</li>
 * <li>v1 OOM notification: an eventfd registered with {@code memory.oom_control} through
 *   {@code cgroup.event_control}
 *   (<a href="https://docs.kernel.org/admin-guide/cgroup-v1/memory.html">memory v1, section 10</a>);</li>
 * <li>PSI triggers written to a v2 {@code *.pressure} file, which then reports POLLPRI.</li>
 * </ul>
 * Everything is multiplexed with epoll; an eventfd wakes the thread for close.
 */
public final class CgroupEvents implements AutoCloseable {
    private static final long WAKE = -1;

    private final String path;
    private final Fd epoll;
    private final Fd wake;
    private final List<Source> sources;
    private final Consumer<CgroupEvent> listener;
    private final Thread thread;
    private volatile Throwable failure;

    /** One descriptor the thread waits on, and what its readiness means. */
    private interface Source extends AutoCloseable {
        Fd fd();

        Set<EpollEvent> interest();

        /** Handles readiness; false to stop watching this source (e.g. its group is gone). */
        boolean ready(Set<EpollEvent> events, Consumer<CgroupEvent> out) throws IOException;

        @Override
        void close();
    }

    private CgroupEvents(String path, Fd epoll, Fd wake, List<Source> sources, Consumer<CgroupEvent> listener) {
        this.path = path;
        this.epoll = epoll;
        this.wake = wake;
        this.sources = sources;
        this.listener = listener;
        this.thread = Thread.ofPlatform().daemon().name("hako-cgroup-events " + path).unstarted(this::run);
    }

    static CgroupEvents open(Cgroup group, List<PressureTrigger> triggers, Consumer<CgroupEvent> listener)
            throws IOException {
        List<Source> sources = new ArrayList<>();
        Fd epoll = null;
        Fd wake = null;
        try {
            Optional<Path> v2 = group.unifiedDirectory();
            CgroupLayout layout = group.layout();
            Optional<CgroupVersion> memory = layout.versionOf(Controller.MEMORY);
            if (v2.isPresent()) {
                boolean memoryV2 = memory.orElse(null) == CgroupVersion.V2
                        && Files.exists(v2.get().resolve("memory.events"));
                sources.add(new KeyedFileWatch(group.path(), v2.get(), memoryV2));
            }
            if (memory.orElse(null) == CgroupVersion.V1 && group.hierarchies().contains(
                    layout.hierarchyFor(Controller.MEMORY).orElseThrow())) {
                sources.add(new V1OomNotification(group.path(), group.directory(Controller.MEMORY)));
            }
            boolean sysResource = triggers.isEmpty() || PressureTrigger.hasSysResource();
            triggers.forEach(t -> t.checkPrivilege(sysResource));
            for (PressureTrigger trigger : triggers) {
                Path dir = v2.orElseThrow(() -> new CgroupException("PSI triggers need a cgroup v2 directory; cgroup "
                        + group.path() + " has none"));
                sources.add(new PressureWatch(group.path(), dir, trigger));
            }
            if (sources.isEmpty()) {
                throw new CgroupException("cgroup " + group.path() + " has no event source in this "
                        + layout.mode() + " layout");
            }
            epoll = EventSyscalls.epollCreate1();
            wake = FileSyscalls.eventfd(0, EnumSet.of(EventFdFlag.NONBLOCK));
            EventSyscalls.epollCtl(epoll, EventSyscalls.EpollOp.ADD, wake, EnumSet.of(EpollEvent.IN), WAKE);
            for (int i = 0; i < sources.size(); i++) {
                Source s = sources.get(i);
                EventSyscalls.epollCtl(epoll, EventSyscalls.EpollOp.ADD, s.fd(), s.interest(), i);
            }
            CgroupEvents events = new CgroupEvents(group.path(), epoll, wake, sources, listener);
            events.thread.start();
            return events;
        } catch (IOException | RuntimeException e) {
            sources.forEach(Source::close);
            if (wake != null) {
                wake.close();
            }
            if (epoll != null) {
                epoll.close();
            }
            throw e;
        }
    }

    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = EventSyscalls.allocateEvents(arena, 8);
            while (true) {
                int n;
                try {
                    n = EventSyscalls.epollWait(epoll, events, null);
                } catch (SyscallException e) {
                    if (e.errno() == Linux.EINTR()) {
                        continue;
                    }
                    throw e;
                }
                for (int i = 0; i < n; i++) {
                    long data = EventSyscalls.eventData(events, i);
                    if (data == WAKE) {
                        return;
                    }
                    Source source = sources.get((int) data);
                    if (!source.ready(EventSyscalls.eventBits(events, i), this::deliver)) {
                        EventSyscalls.epollCtl(epoll, EventSyscalls.EpollOp.DELETE, source.fd(), Set.of(), data);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
    }

    /** A listener's exception must not end the subscription; it is kept for {@link #failure()}. */
    private void deliver(CgroupEvent event) {
        try {
            listener.accept(event);
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** {@return the group path this subscription watches} */
    public String path() {
        return path;
    }

    /** {@return the last error of the event thread or listener, if any} */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Stops the thread and closes every descriptor; waits for the thread to end. */
    @Override
    public void close() {
        try {
            if (wake.isOpen()) {
                FileSyscalls.writeFully(wake, new byte[] {1, 0, 0, 0, 0, 0, 0, 0});
            }
            thread.join();
        } catch (SyscallException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sources.forEach(Source::close);
            wake.close();
            epoll.close();
        }
    }

    /** Drains a non-blocking descriptor; reading is what clears its readiness. */
    private static long drain(Fd fd) throws SyscallException {
        long total = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096, 8);
            while (true) {
                long n;
                try {
                    n = FileSyscalls.read(fd, buffer);
                } catch (SyscallException e) {
                    if (e.errno() == Linux.EAGAIN()) {
                        return total;
                    }
                    throw e;
                }
                if (n == 8) {
                    total += buffer.get(ValueLayout.JAVA_LONG, 0); // an eventfd counter
                }
                if (n <= 0) {
                    return total;
                }
            }
        }
    }

    /** v2 cgroup.events and memory.events through inotify. */
    private static final class KeyedFileWatch implements Source {
        private final String path;
        private final Path events;
        private final Path memoryEvents;
        private final Fd inotify;
        private Map<String, Long> lastEvents;
        private MemoryEvents lastMemory;

        KeyedFileWatch(String path, Path dir, boolean memory) throws IOException {
            this.path = path;
            this.events = dir.resolve("cgroup.events");
            this.memoryEvents = memory ? dir.resolve("memory.events") : null;
            this.inotify = EventSyscalls.inotifyInit1(true);
            try {
                // Watch first, then read: a change between the two is then seen twice, never missed.
                EventSyscalls.inotifyAddWatch(inotify, events.toString(), EnumSet.of(InotifyEvent.MODIFY));
                if (memoryEvents != null) {
                    EventSyscalls.inotifyAddWatch(inotify, memoryEvents.toString(), EnumSet.of(InotifyEvent.MODIFY));
                    lastMemory = MemoryEvents.parse(ControlFiles.read(memoryEvents));
                }
                lastEvents = KeyedFile.flat(ControlFiles.read(events), "cgroup.events");
            } catch (IOException | RuntimeException e) {
                inotify.close();
                throw e;
            }
        }

        @Override
        public Fd fd() {
            return inotify;
        }

        @Override
        public Set<EpollEvent> interest() {
            return EnumSet.of(EpollEvent.IN);
        }

        @Override
        public boolean ready(Set<EpollEvent> ready, Consumer<CgroupEvent> out) throws IOException {
            drain(inotify);
            if (!Files.exists(events)) {
                return false; // the group was removed
            }
            Map<String, Long> now;
            try {
                now = KeyedFile.flat(ControlFiles.read(events), "cgroup.events");
            } catch (java.nio.file.NoSuchFileException e) {
                return false;
            }
            if (now.containsKey("populated") && !now.get("populated").equals(lastEvents.get("populated"))) {
                out.accept(new CgroupEvent.Populated(path, now.get("populated") == 1));
            }
            if (now.containsKey("frozen") && !now.get("frozen").equals(lastEvents.get("frozen"))) {
                out.accept(new CgroupEvent.Frozen(path, now.get("frozen") == 1));
            }
            lastEvents = now;
            if (memoryEvents != null) {
                MemoryEvents memory = MemoryEvents.parse(ControlFiles.read(memoryEvents));
                if (memory.oom() > lastMemory.oom()) {
                    out.accept(new CgroupEvent.Oom(path, memory.oom()));
                }
                if (memory.oomKill() > lastMemory.oomKill()) {
                    out.accept(new CgroupEvent.OomKill(path, memory.oomKill()));
                }
                lastMemory = memory;
            }
            return true;
        }

        @Override
        public void close() {
            inotify.close();
        }
    }

    /** v1: an eventfd the kernel signals on OOM in the group. */
    private static final class V1OomNotification implements Source {
        private final String path;
        private final Path oomControl;
        private final Fd eventfd;
        private long notifications;
        private long lastKills;

        V1OomNotification(String path, Path dir) throws IOException {
            this.path = path;
            this.oomControl = dir.resolve("memory.oom_control");
            this.eventfd = FileSyscalls.eventfd(0, EnumSet.of(EventFdFlag.NONBLOCK));
            try (Fd control = FileSyscalls.openat2(null, oomControl.toString(), EnumSet.of(OpenFlag.READ_ONLY), 0,
                    Set.of())) {
                // The kernel keeps the eventfd; the oom_control descriptor is needed only to register.
                ControlFiles.write(dir.resolve("cgroup.event_control"), eventfd.value() + " " + control.value());
                lastKills = MemoryOomControl.parse(ControlFiles.read(oomControl)).oomKill();
            } catch (IOException | RuntimeException e) {
                eventfd.close();
                throw e;
            }
        }

        @Override
        public Fd fd() {
            return eventfd;
        }

        @Override
        public Set<EpollEvent> interest() {
            return EnumSet.of(EpollEvent.IN);
        }

        @Override
        public boolean ready(Set<EpollEvent> ready, Consumer<CgroupEvent> out) throws IOException {
            long count = drain(eventfd);
            // The kernel also signals the eventfd when the group is removed: that is no OOM.
            MemoryOomControl state;
            try {
                state = MemoryOomControl.parse(ControlFiles.read(oomControl));
            } catch (java.nio.file.NoSuchFileException e) {
                return false;
            }
            notifications += count;
            out.accept(new CgroupEvent.Oom(path, notifications));
            // The kernel notifies before the OOM killer picks a victim; the kill counter moves
            // microseconds later, so look again briefly (not at all if the killer is disabled).
            for (int i = 0; i < 100 && state.oomKill() <= lastKills && !state.oomKillDisable(); i++) {
                try {
                    Thread.sleep(1);
                    state = MemoryOomControl.parse(ControlFiles.read(oomControl));
                } catch (java.nio.file.NoSuchFileException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (state.oomKill() > lastKills) {
                out.accept(new CgroupEvent.OomKill(path, state.oomKill()));
                lastKills = state.oomKill();
            }
            return true;
        }

        @Override
        public void close() {
            eventfd.close();
        }
    }

    /** A PSI trigger: the file stays open (closing it removes the trigger) and reports POLLPRI. */
    private static final class PressureWatch implements Source {
        private final String path;
        private final PressureTrigger trigger;
        private final Fd fd;

        PressureWatch(String path, Path dir, PressureTrigger trigger) throws IOException {
            this.path = path;
            this.trigger = trigger;
            Path file = dir.resolve(trigger.resource().file());
            this.fd = FileSyscalls.openat2(null, file.toString(), EnumSet.of(OpenFlag.READ_WRITE, OpenFlag.NONBLOCK),
                    0, Set.of());
            try {
                // The kernel replaces the last byte written with a NUL, so the NUL must be sent.
                FileSyscalls.writeFully(fd, (trigger.render() + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            } catch (SyscallException e) {
                fd.close();
                throw new CgroupWriteException(file, trigger.render(), e.errnoName(), List.of(), e);
            }
        }

        @Override
        public Fd fd() {
            return fd;
        }

        @Override
        public Set<EpollEvent> interest() {
            return EnumSet.of(EpollEvent.PRI);
        }

        @Override
        public boolean ready(Set<EpollEvent> ready, Consumer<CgroupEvent> out) {
            if (ready.contains(EpollEvent.ERR) || ready.contains(EpollEvent.HUP)) {
                return false; // the group is gone
            }
            out.accept(new CgroupEvent.PressureStall(path, trigger));
            return true;
        }

        @Override
        public void close() {
            fd.close();
        }
    }
}
