package dev.hako.cgroupfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Freezes and thaws a group through v2 {@code cgroup.freeze} or the v1 freezer controller.
 *
 * <p>Both are asynchronous in the kernel: the write starts the transition, and completion
 * is read back ({@code frozen 1} in {@code cgroup.events}; {@code FROZEN} in
 * {@code freezer.state}, which reads {@code FREEZING} meanwhile). See
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#core-interface-files">cgroup.freeze</a> and
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v1/freezer-subsystem.html">v1 freezer</a>.
 */
abstract sealed class GroupFreezer {
    final String path;

    private GroupFreezer(String path) {
        this.path = path;
    }

    /** The v2 freezer when the group has a v2 directory with cgroup.freeze, else the v1 freezer. */
    static GroupFreezer of(Cgroup group) throws CgroupException {
        Optional<Path> v2 = group.unifiedDirectory().filter(d -> Files.exists(d.resolve("cgroup.freeze")));
        if (v2.isPresent()) {
            return new V2(group.path(), v2.get());
        }
        return v1(group);
    }

    static GroupFreezer v1(Cgroup group) throws CgroupException {
        Optional<Hierarchy> freezer = group.layout().hierarchyFor(Controller.FREEZER)
                .filter(h -> group.hierarchies().contains(h));
        if (freezer.isEmpty()) {
            throw new CgroupException("cgroup " + group.path() + " can be frozen neither through cgroup v2 "
                    + "(no cgroup.freeze) nor through a v1 freezer hierarchy");
        }
        return new V1(group.path(), freezer.get().directory(group.path()));
    }

    abstract void set(boolean frozen, Deadline deadline) throws IOException;

    abstract boolean frozen() throws IOException;

    /** v2: one write, then watch cgroup.events. */
    static final class V2 extends GroupFreezer {
        private final Path dir;

        V2(String path, Path dir) {
            super(path);
            this.dir = dir;
        }

        @Override
        void set(boolean frozen, Deadline deadline) throws IOException {
            ControlFiles.write(dir.resolve("cgroup.freeze"), frozen ? "1" : "0");
            while (frozen() != frozen) {
                if (!deadline.backoff()) {
                    throw new CgroupException("cgroup " + path + " did not report 'frozen " + (frozen ? 1 : 0)
                            + "' in cgroup.events in time");
                }
            }
        }

        @Override
        boolean frozen() throws IOException {
            Map<String, Long> events = KeyedFile.flat(ControlFiles.read(dir.resolve("cgroup.events")), "cgroup.events");
            return events.getOrDefault("frozen", 0L) == 1;
        }
    }

    /** v1: the state reads FREEZING until every task has stopped; the write is repeated meanwhile. */
    static final class V1 extends GroupFreezer {
        private final Path state;

        V1(String path, Path dir) {
            super(path);
            this.state = dir.resolve("freezer.state");
        }

        @Override
        void set(boolean frozen, Deadline deadline) throws IOException {
            String target = frozen ? "FROZEN" : "THAWED";
            while (true) {
                // Re-writing is how v1 retries tasks that could not be frozen on the first pass.
                ControlFiles.write(state, target);
                String current = ControlFiles.readLine(state);
                if (current.equals(target)) {
                    return;
                }
                if (!deadline.backoff()) {
                    throw new CgroupException("cgroup " + path + " freezer.state is " + current + ", not " + target
                            + ", after the deadline");
                }
            }
        }

        @Override
        boolean frozen() throws IOException {
            return ControlFiles.readLine(state).equals("FROZEN");
        }
    }
}
