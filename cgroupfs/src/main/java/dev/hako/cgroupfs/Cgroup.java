package dev.hako.cgroupfs;

import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.OpenFlag;
import dev.hako.syscalls.SyscallException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A handle on one control group, by path, across the hierarchies of a {@link CgroupLayout}.
 *
 * <p>On a unified layout a group is one directory. On hybrid and legacy layouts it is one
 * directory per hierarchy (same relative path in each v1 controller mount, and in the v2
 * mount when there is one, which provides {@code cgroup.kill}, {@code cgroup.freeze},
 * {@code cgroup.events} and pressure files even with no controllers). Paths are relative to
 * each hierarchy's mount point, e.g. {@code /hako/web}.
 *
 * <p>The handle holds no open file; it is a path plus the layout, and every method reads
 * or writes the control files anew. See
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html">cgroup v2</a> and
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v1/cgroups.html">cgroup v1</a>.
 */
public final class Cgroup {
    private final CgroupLayout layout;
    private final String path;
    private final List<Hierarchy> hierarchies;

    private Cgroup(CgroupLayout layout, String path, List<Hierarchy> hierarchies) {
        this.layout = layout;
        this.path = path;
        this.hierarchies = List.copyOf(hierarchies);
    }

    /**
     * Creates a group (and missing parents) in every hierarchy of the layout, enabling the
     * given v2 controllers in {@code cgroup.subtree_control} from the root down to the parent.
     *
     * <p>An existing group is opened rather than an error. cgroup v2's "no internal processes"
     * rule is checked before anything is changed: a non-root ancestor that must newly enable a
     * controller may not hold processes. On v1, a new cpuset group gets its parent's CPUs and
     * memory nodes, since an empty cpuset cannot hold tasks. If creation fails, directories
     * made by this call are removed again.
     *
     * @param layout the layout
     * @param path the group path, not the root
     * @param controllers the controllers the group needs; each must be available in the layout
     * @return the group
     * @throws InvalidSpecException if a controller is not available in this layout
     * @throws CgroupException if the no-internal-processes rule would be broken
     * @throws IOException if a directory or control file cannot be written
     */
    public static Cgroup create(CgroupLayout layout, String path, Set<Controller> controllers) throws IOException {
        String normal = GroupPaths.normalize(path);
        if (normal.equals("/")) {
            throw new IllegalArgumentException("cannot create the root group");
        }
        Set<Controller> v2 = EnumSet.noneOf(Controller.class);
        for (Controller c : controllers) {
            if (c == Controller.DEVICES && DeviceFilters.usesProgram(layout)) {
                continue; // v2 device rules are a BPF program on the group's directory: nothing to enable
            }
            CgroupVersion version = layout.versionOf(c).orElseThrow(() -> notAvailable(layout, c));
            if (version == CgroupVersion.V2) {
                v2.add(c);
            }
        }
        List<Path> created = new ArrayList<>();
        try {
            for (Hierarchy h : layout.groupHierarchies()) {
                if (h.version() == CgroupVersion.V2) {
                    GroupCreation.createV2(h, normal, v2, created);
                } else {
                    GroupCreation.createV1(h, normal, created);
                }
            }
        } catch (IOException | RuntimeException e) {
            GroupCreation.removeCreated(created, e);
            throw e;
        }
        return new Cgroup(layout, normal, layout.groupHierarchies());
    }

    static InvalidSpecException notAvailable(CgroupLayout layout, Controller c) {
        return new InvalidSpecException("controller " + c.v2Name().orElse(c.v1Name()) + " is not available in this "
                + layout.mode() + " layout (available: " + layout.availableControllers() + ")");
    }

    /**
     * Opens an existing group: the hierarchies in which its directory exists.
     *
     * @param layout the layout
     * @param path the group path
     * @return the group
     * @throws NoSuchFileException if the group exists in no hierarchy
     */
    public static Cgroup open(CgroupLayout layout, String path) throws NoSuchFileException {
        String normal = GroupPaths.normalize(path);
        List<Hierarchy> present = layout.groupHierarchies().stream()
                .filter(h -> Files.isDirectory(h.directory(normal))).toList();
        if (present.isEmpty()) {
            throw new NoSuchFileException(normal, null, "no such cgroup in any hierarchy of " + layout);
        }
        return new Cgroup(layout, normal, present);
    }

    /** {@return the group path, relative to each hierarchy's mount point} */
    public String path() {
        return path;
    }

    /** {@return the layout this handle resolves paths in} */
    public CgroupLayout layout() {
        return layout;
    }

    /** {@return the hierarchies in which this group has a directory} */
    public List<Hierarchy> hierarchies() {
        return hierarchies;
    }

    /**
     * Whether {@link DevicesSpec} rules can govern this group: it is in the v1 devices
     * controller's hierarchy, or, on a layout without one, has a v2 directory to attach a
     * device program to.
     */
    public boolean acceptsDeviceRules() {
        if (DeviceFilters.usesProgram(layout)) {
            return unifiedDirectory().isPresent();
        }
        return layout.hierarchyFor(Controller.DEVICES).map(hierarchies()::contains).orElse(false);
    }

    /** {@return the group's directory in the v2 hierarchy, if it has one} */
    public Optional<Path> unifiedDirectory() {
        return hierarchies.stream().filter(h -> h.version() == CgroupVersion.V2).findFirst()
                .map(h -> h.directory(path));
    }

    /**
     * The directory holding a controller's files for this group.
     *
     * @param controller the controller
     * @return the directory
     * @throws InvalidSpecException if the controller is not available in this layout
     * @throws CgroupException if the group has no directory in that controller's hierarchy
     */
    public Path directory(Controller controller) throws CgroupException {
        Hierarchy h = layout.hierarchyFor(controller).orElseThrow(() -> notAvailable(layout, controller));
        if (!hierarchies.contains(h)) {
            throw new CgroupException("cgroup " + path + " has no directory in " + h);
        }
        return h.directory(path);
    }

    /**
     * The controllers usable in this group: on v2 those in its {@code cgroup.controllers},
     * on v1 those of the hierarchies it exists in.
     *
     * @return the controllers
     * @throws IOException if a file cannot be read
     */
    public Set<Controller> controllers() throws IOException {
        Set<Controller> out = EnumSet.noneOf(Controller.class);
        for (Hierarchy h : hierarchies) {
            if (h.version() == CgroupVersion.V2) {
                out.addAll(ControlFiles.controllerList(h.directory(path).resolve("cgroup.controllers")));
            } else {
                out.addAll(h.controllers());
            }
        }
        return out;
    }

    /**
     * The child groups (union over hierarchies), by name.
     *
     * @return the children, sorted by name
     * @throws IOException if a directory cannot be listed
     */
    public List<Cgroup> children() throws IOException {
        Set<String> names = new TreeSet<>();
        for (Hierarchy h : hierarchies) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(h.directory(path), Files::isDirectory)) {
                entries.forEach(p -> names.add(p.getFileName().toString()));
            }
        }
        List<Cgroup> out = new ArrayList<>();
        for (String name : names) {
            out.add(open(layout, GroupPaths.child(path, name)));
        }
        return out;
    }

    /**
     * Creates (or opens) a child group.
     *
     * @param name the child's name
     * @param controllers controllers the child needs (v2: enabled in this group's subtree_control)
     * @return the child
     * @throws IOException as {@link #create}
     */
    public Cgroup createChild(String name, Set<Controller> controllers) throws IOException {
        return create(layout, GroupPaths.child(path, name), controllers);
    }

    /**
     * The processes (thread-group ids) in this group, not its descendants, over all hierarchies.
     *
     * @return the pids, ascending
     * @throws IOException if a {@code cgroup.procs} file cannot be read
     */
    public List<Long> processes() throws IOException {
        Set<Long> pids = new TreeSet<>();
        for (Hierarchy h : hierarchies) {
            try {
                pids.addAll(ControlFiles.pids(h.directory(path).resolve("cgroup.procs")));
            } catch (NoSuchFileException e) {
                // removed meanwhile: no processes there
            }
        }
        return List.copyOf(pids);
    }

    /**
     * The processes in this group and all its descendants.
     *
     * @return the pids, ascending
     * @throws IOException if a file cannot be read
     */
    public List<Long> allProcesses() throws IOException {
        Set<Long> pids = new TreeSet<>();
        for (Hierarchy h : hierarchies) {
            collectProcesses(h.directory(path), pids);
        }
        return List.copyOf(pids);
    }

    private static void collectProcesses(Path dir, Collection<Long> pids) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path child : entries) {
                collectProcesses(child, pids);
            }
            pids.addAll(ControlFiles.pids(dir.resolve("cgroup.procs")));
        } catch (NoSuchFileException e) {
            // the group went away while walking
        }
    }

    /**
     * Moves a process (all its threads) into this group, in every hierarchy.
     *
     * @param pid the process id
     * @throws CgroupWriteException if the first hierarchy refuses (nothing moved)
     * @throws CgroupException if a later hierarchy refuses; the message names those that already hold the process
     */
    public void attach(long pid) throws CgroupException {
        List<Path> done = new ArrayList<>();
        for (Hierarchy h : hierarchies) {
            Path procs = h.directory(path).resolve("cgroup.procs");
            try {
                ControlFiles.write(procs, Long.toString(pid));
            } catch (CgroupWriteException e) {
                if (done.isEmpty()) {
                    throw e;
                }
                throw new CgroupException(e.getMessage() + "; pid " + pid + " was already moved in " + done, e);
            }
            done.add(procs);
        }
    }

    /**
     * Moves a process into this group.
     *
     * @param process the process
     * @throws CgroupException as {@link #attach(long)}
     */
    public void attach(ProcessHandle process) throws CgroupException {
        attach(process.pid());
    }

    /**
     * Moves the process a pidfd refers to into this group.
     *
     * <p>cgroup.procs takes pids, so the pid is read from {@code /proc/self/fdinfo}; after
     * the move the pidfd is checked again, and if the process exited meanwhile (its pid
     * could have been reused by the process just moved) the call fails and says so.
     *
     * @param pidfd a pidfd (pidfd_open(2) or CLONE_PIDFD)
     * @throws CgroupException if the process has exited or a hierarchy refuses
     * @throws IOException if fdinfo cannot be read
     */
    public void attach(Fd pidfd) throws IOException {
        long pid = Pidfds.pid(pidfd);
        if (pid <= 0) {
            throw new CgroupException("cannot attach: the process of pidfd " + pidfd.value() + " has exited");
        }
        attach(pid);
        if (Pidfds.pid(pidfd) != pid) {
            throw new CgroupException("the process of pidfd " + pidfd.value() + " exited while being attached; pid "
                    + pid + " in cgroup " + path + " may now be another process");
        }
    }

    /**
     * Opens the group's v2 directory for clone3's {@code CLONE_INTO_CGROUP} (Linux 5.7),
     * which starts a child directly in the group instead of moving it after fork.
     *
     * <p>The descriptor is {@code O_RDONLY|O_DIRECTORY|O_CLOEXEC}; the caller closes it.
     * Only the v2 directory can be used: on hybrid layouts the child still has to be
     * attached to the v1 hierarchies afterwards.
     *
     * @return the directory descriptor
     * @throws CgroupException if the group has no v2 directory
     * @throws IOException if it cannot be opened
     */
    public Fd openDirectory() throws IOException {
        Path dir = unifiedDirectory().orElseThrow(() -> new CgroupException(
                "CLONE_INTO_CGROUP needs a cgroup v2 directory; cgroup " + path + " has none in this "
                        + layout.mode() + " layout"));
        return FileSyscalls.openat2(null, dir.toString(), EnumSet.of(OpenFlag.READ_ONLY, OpenFlag.DIRECTORY), 0,
                Set.of());
    }

    /**
     * Writes controller specs to this group: every file, in order, or an exception that
     * says which file failed, with which errno, and what was already applied.
     *
     * <p>Everything that can be checked without writing is checked first: that each
     * controller is available and (v2) enabled for this group, that each file exists, that
     * cpuset CPUs and nodes are online, and each spec's own rules. A {@link DevicesSpec} on a
     * layout without a v1 devices controller is an eBPF program: it is loaded (so the
     * verifier has accepted it) before the first write and attached to the group's v2
     * directory after the last, replacing the device program attached there before.
     *
     * @param specs the specs
     * @throws InvalidSpecException before any write, for a value or controller this machine cannot take
     * @throws CgroupWriteException when the kernel refuses a write
     * @throws IOException if a file needed for the checks cannot be read
     */
    public void apply(ControllerSpec... specs) throws IOException {
        apply(List.of(specs));
    }

    /**
     * As {@link #apply(ControllerSpec...)}.
     *
     * @param specs the specs
     * @throws IOException as {@link #apply(ControllerSpec...)}
     */
    public void apply(List<? extends ControllerSpec> specs) throws IOException {
        List<Map.Entry<Path, Setting>> writes = new ArrayList<>();
        List<DevicesSpec> programs = new ArrayList<>();
        for (ControllerSpec spec : specs) {
            Controller c = spec.controller();
            if (spec instanceof DevicesSpec devices && DeviceFilters.usesProgram(layout)) {
                unifiedDirectory().orElseThrow(() -> new CgroupException("cgroup " + path
                        + " has no v2 directory to attach its device program to"));
                programs.add(devices);
                continue;
            }
            Hierarchy h = layout.hierarchyFor(c).orElseThrow(() -> notAvailable(layout, c));
            Path dir = directory(c);
            if (h.version() == CgroupVersion.V2
                    && !ControlFiles.controllerList(dir.resolve("cgroup.controllers")).contains(c)) {
                throw new InvalidSpecException("controller " + c.v2Name().orElseThrow() + " is not enabled for cgroup "
                        + path + ": the parent's cgroup.subtree_control lacks it (create the group with it)");
            }
            if (spec instanceof CpusetSpec cpuset) {
                SystemTopology.checkOnline(cpuset);
            }
            List<Setting> settings = spec.render(h.version());
            if (h.version() == CgroupVersion.V1 && c == Controller.MEMORY) {
                settings = MemoryOrder.v1(settings, dir);
            }
            for (Setting s : settings) {
                Path file = dir.resolve(s.file());
                if (!Files.exists(file)) {
                    throw new InvalidSpecException(s.file() + " does not exist in " + dir
                            + ": this kernel or layout lacks that setting (" + s + ")");
                }
                writes.add(Map.entry(file, s));
            }
        }
        List<Fd> loaded = new ArrayList<>();
        try {
            for (DevicesSpec devices : programs) {
                try {
                    loaded.add(DeviceFilters.load(devices.program()));
                } catch (SyscallException e) {
                    throw new CgroupException("loading the device program for cgroup " + path + " failed, nothing"
                            + " was applied: " + e.getMessage(), e);
                }
            }
            List<Setting> applied = new ArrayList<>();
            for (Map.Entry<Path, Setting> w : writes) {
                try {
                    ControlFiles.write(w.getKey(), w.getValue().value());
                } catch (CgroupWriteException e) {
                    throw e.withApplied(applied);
                }
                applied.add(w.getValue());
            }
            Path dir = programs.isEmpty() ? null : unifiedDirectory().orElseThrow();
            for (Fd program : loaded) {
                try {
                    DeviceFilters.install(dir, program);
                } catch (IOException e) {
                    throw new CgroupException("attaching the device program to " + dir + " failed: " + e.getMessage()
                            + (applied.isEmpty() ? "; nothing was applied before it" : "; already applied: " + applied),
                            e);
                }
            }
        } finally {
            loaded.forEach(Fd::close);
        }
    }

    /**
     * Reads one control file of this group.
     *
     * @param controller the controller whose hierarchy holds the file
     * @param file the file name, e.g. {@code memory.max}
     * @return the content
     * @throws IOException if it cannot be read
     */
    public String read(Controller controller, String file) throws IOException {
        Path path = directory(controller).resolve(file);
        try {
            return ControlFiles.read(path);
        } catch (java.nio.file.NoSuchFileException e) {
            // On v2 a controller's files exist only where the parent enabled it: say so
            // rather than leave the caller with a bare missing file.
            if (layout.versionOf(controller).orElse(null) == CgroupVersion.V2 && !controllers().contains(controller)) {
                throw new CgroupException("cannot read " + path + ": the " + controller.v2Name().orElse(controller.v1Name())
                        + " controller is not enabled for cgroup " + this.path + "; create it with Controller."
                        + controller.name());
            }
            throw e;
        }
    }

    /**
     * Freezes every process in the group and its descendants and waits until they are frozen.
     *
     * <p>v2: writes {@code cgroup.freeze} and waits for {@code frozen 1} in {@code cgroup.events};
     * used whenever the group has a v2 directory, hybrid layouts included. Otherwise v1:
     * writes {@code FROZEN} to {@code freezer.state} until it reads back {@code FROZEN}.
     *
     * @param timeout how long to wait
     * @throws CgroupException if the group is not frozen in time or no freezer exists
     * @throws IOException if a file cannot be written
     */
    public void freeze(Duration timeout) throws IOException {
        GroupFreezer.of(this).set(true, Deadline.after(timeout));
    }

    /**
     * Thaws the group and waits until it is no longer frozen.
     *
     * @param timeout how long to wait
     * @throws CgroupException if the group is still frozen after the timeout
     * @throws IOException if a file cannot be written
     */
    public void thaw(Duration timeout) throws IOException {
        GroupFreezer.of(this).set(false, Deadline.after(timeout));
    }

    /**
     * Whether the group is frozen now.
     *
     * @return true when every task is frozen
     * @throws IOException if the state cannot be read
     */
    public boolean frozen() throws IOException {
        return GroupFreezer.of(this).frozen();
    }

    /**
     * Kills every process in the group and its descendants with SIGKILL and waits until the
     * group is empty.
     *
     * <p>Uses {@code cgroup.kill} (kernel 5.14+) when the group has a v2 directory; otherwise,
     * or for processes left in v1 hierarchies, freezes the group so nothing can fork or exit
     * unseen, signals each member, then thaws so the signals are delivered.
     *
     * @param timeout how long to wait for the group to empty
     * @throws CgroupNotEmptyException listing the survivors after the timeout
     * @throws IOException if a file cannot be read or written
     */
    public void kill(Duration timeout) throws IOException {
        GroupRemoval.kill(this, Deadline.after(timeout));
    }

    /**
     * Removes the group and its descendants, deepest first, in every hierarchy, retrying
     * while the kernel answers EBUSY (exiting tasks are still being released).
     *
     * <p>A group already gone is not an error.
     *
     * @param timeout how long to keep retrying
     * @param killFirst whether to {@link #kill} the members first
     * @throws CgroupNotEmptyException if processes remain after the timeout, listing them
     * @throws IOException if a directory cannot be removed for another reason
     */
    public void delete(Duration timeout, boolean killFirst) throws IOException {
        Deadline deadline = Deadline.after(timeout);
        if (killFirst) {
            GroupRemoval.kill(this, deadline);
        }
        GroupRemoval.delete(this, deadline);
    }

    /**
     * CPU time and throttling: v1 from cpuacct and cpu files, v2 from {@code cpu.stat}.
     *
     * @return the statistics
     * @throws IOException if a file cannot be read
     */
    public CpuStats cpuStats() throws IOException {
        Optional<Hierarchy> acct = layout.hierarchyFor(Controller.CPUACCT);
        if (acct.isPresent() && hierarchies.contains(acct.get())) {
            Path dir = acct.get().directory(path);
            Optional<Hierarchy> cpu = layout.hierarchyFor(Controller.CPU)
                    .filter(h -> h.version() == CgroupVersion.V1 && hierarchies.contains(h));
            return CpuStats.parseV1(ControlFiles.read(dir.resolve("cpuacct.usage")),
                    ControlFiles.read(dir.resolve("cpuacct.usage_user")),
                    ControlFiles.read(dir.resolve("cpuacct.usage_sys")),
                    cpu.isPresent() ? ControlFiles.read(cpu.get().directory(path).resolve("cpu.stat")) : null);
        }
        Path dir = unifiedDirectory().orElseThrow(() -> new CgroupException(
                "no cpuacct hierarchy and no v2 directory for cgroup " + path));
        return CpuStats.parseV2(ControlFiles.read(dir.resolve("cpu.stat")));
    }

    /**
     * Memory use now, at peak, and the {@code memory.stat} breakdown.
     *
     * @return the statistics
     * @throws IOException if a file cannot be read
     */
    public MemoryStats memoryStats() throws IOException {
        Path dir = directory(Controller.MEMORY);
        boolean v2 = layout.versionOf(Controller.MEMORY).orElseThrow() == CgroupVersion.V2;
        Path peak = dir.resolve(v2 ? "memory.peak" : "memory.max_usage_in_bytes");
        return MemoryStats.parse(ControlFiles.read(dir.resolve(v2 ? "memory.current" : "memory.usage_in_bytes")),
                Files.exists(peak) ? ControlFiles.read(peak) : null, ControlFiles.read(dir.resolve("memory.stat")));
    }

    /**
     * The v2 {@code memory.events} counters (v1 has no such file; see {@link #memoryOomControl()}).
     *
     * @return the counters
     * @throws CgroupException on a v1 memory hierarchy
     * @throws IOException if the file cannot be read
     */
    public MemoryEvents memoryEvents() throws IOException {
        requireVersion(Controller.MEMORY, CgroupVersion.V2, "memory.events; on v1 use memoryOomControl()");
        return MemoryEvents.parse(read(Controller.MEMORY, "memory.events"));
    }

    /**
     * The v1 {@code memory.oom_control} state (v2 reports through {@link #memoryEvents()}).
     *
     * @return the state
     * @throws CgroupException on a v2 memory hierarchy
     * @throws IOException if the file cannot be read
     */
    public MemoryOomControl memoryOomControl() throws IOException {
        requireVersion(Controller.MEMORY, CgroupVersion.V1, "memory.oom_control; on v2 use memoryEvents()");
        return MemoryOomControl.parse(read(Controller.MEMORY, "memory.oom_control"));
    }

    /**
     * Block I/O per device: v2 {@code io.stat}, v1 the blkio throttle statistics.
     *
     * @return the statistics
     * @throws IOException if a file cannot be read
     */
    public IoStats ioStats() throws IOException {
        if (layout.versionOf(Controller.IO).orElseThrow(() -> notAvailable(layout, Controller.IO))
                == CgroupVersion.V2) {
            return IoStats.parseV2(read(Controller.IO, "io.stat"));
        }
        return IoStats.parseV1(read(Controller.IO, "blkio.throttle.io_service_bytes_recursive"),
                read(Controller.IO, "blkio.throttle.io_serviced_recursive"));
    }

    /**
     * Task counts: {@code pids.current} and, where the kernel has it, {@code pids.peak}.
     *
     * @return the counts
     * @throws IOException if a file cannot be read
     */
    public PidsStats pidsStats() throws IOException {
        Path dir = directory(Controller.PIDS);
        Path peak = dir.resolve("pids.peak");
        return PidsStats.parse(ControlFiles.read(dir.resolve("pids.current")),
                Files.exists(peak) ? ControlFiles.read(peak) : null);
    }

    /**
     * Pressure stall information of this group (v2 only, hybrid layouts included: the v2
     * mount has pressure files even without controllers).
     *
     * @param resource which pressure file
     * @return the pressure
     * @throws CgroupException if the group has no v2 directory
     * @throws IOException if the file cannot be read
     */
    public Pressure pressure(Pressure.Resource resource) throws IOException {
        Path dir = unifiedDirectory().orElseThrow(() -> new CgroupException(
                "pressure files exist only in cgroup v2; cgroup " + path + " has no v2 directory"));
        return Pressure.parse(ControlFiles.read(dir.resolve(resource.file())));
    }

    /**
     * Subscribes to this group's events: OOM and OOM kills, populated and frozen changes,
     * and the given PSI triggers. The listener runs on the subscription's own thread.
     *
     * @param listener receives each event
     * @param triggers PSI triggers to install (v2 directory needed)
     * @return the subscription; close it to stop
     * @throws CgroupException if the group has no event source here
     * @throws IOException if a file or descriptor cannot be opened
     */
    public CgroupEvents watch(Consumer<CgroupEvent> listener, PressureTrigger... triggers) throws IOException {
        return CgroupEvents.open(this, List.of(triggers), listener);
    }

    private void requireVersion(Controller c, CgroupVersion version, String what) throws CgroupException {
        CgroupVersion actual = layout.versionOf(c).orElseThrow(() -> notAvailable(layout, c));
        if (actual != version) {
            throw new CgroupException(what + " needs " + c.v1Name() + " on " + version + ", but this layout has it on "
                    + actual);
        }
    }

    @Override
    public String toString() {
        return "cgroup " + path + " in " + hierarchies.size() + " hierarchies";
    }
}
