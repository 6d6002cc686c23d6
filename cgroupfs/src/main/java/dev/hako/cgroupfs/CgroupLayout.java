package dev.hako.cgroupfs;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.FileSyscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which cgroup hierarchies are mounted and where each controller lives.
 *
 * <p>Found from {@code /proc/self/mountinfo} (filesystem types {@code cgroup} and
 * {@code cgroup2}), each mount point cross-checked with its statfs(2) magic; a v2 mount's
 * controllers come from its {@code cgroup.controllers}.
 * Three layouts exist in practice: {@link Mode#UNIFIED} (v2 only), {@link Mode#HYBRID}
 * (v1 controllers plus a v2 mount, often at {@code /sys/fs/cgroup/unified}, holding few or
 * no controllers) and {@link Mode#LEGACY} (v1 only). A controller is bound to at most one
 * hierarchy, so {@link #hierarchyFor(Controller)} is unambiguous. See
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#mounting">mounting cgroup v2</a>.
 */
public final class CgroupLayout {
    /** The three layouts. */
    public enum Mode {
        /** Only the v2 hierarchy is mounted. */
        UNIFIED,
        /** v1 controller hierarchies and a v2 hierarchy are both mounted. */
        HYBRID,
        /** Only v1 hierarchies are mounted. */
        LEGACY
    }

    private final Mode mode;
    private final Optional<Hierarchy> unified;
    private final List<Hierarchy> v1;

    private CgroupLayout(Mode mode, Optional<Hierarchy> unified, List<Hierarchy> v1) {
        this.mode = mode;
        this.unified = unified;
        this.v1 = List.copyOf(v1);
    }

    /**
     * Detects the layout this process sees.
     *
     * @return the layout
     * @throws IOException if mountinfo cannot be read
     * @throws CgroupException if no cgroup hierarchy is mounted
     */
    public static CgroupLayout detect() throws IOException {
        String mountinfo = Files.readString(Path.of("/proc/self/mountinfo"));
        CgroupLayout layout = fromMountinfo(mountinfo, CgroupLayout::readControllers);
        layout.verifyMagic();
        return layout;
    }

    /**
     * Cross-checks mountinfo with statfs(2): each mount point's filesystem magic must be
     * that of its version, so a stale or spoofed mountinfo line is caught.
     */
    void verifyMagic() throws IOException {
        for (Hierarchy h : groupHierarchies()) {
            long expected = h.version() == CgroupVersion.V2 ? Linux.CGROUP2_SUPER_MAGIC() : Linux.CGROUP_SUPER_MAGIC();
            long magic = FileSyscalls.statfs(h.mountPoint().toString()).type();
            if (magic != expected) {
                throw new CgroupException(h.mountPoint() + " is listed as " + h.version() + " in mountinfo but statfs "
                        + "reports filesystem magic 0x" + Long.toHexString(magic) + ", not 0x"
                        + Long.toHexString(expected));
            }
        }
    }

    /**
     * Builds a layout from mountinfo text; for tests and for inspecting another process.
     *
     * @param mountinfo the content of a {@code mountinfo} file
     * @param v2Controllers reads a v2 mount point's {@code cgroup.controllers}
     * @return the layout
     * @throws CgroupException if no cgroup hierarchy is mounted
     */
    static CgroupLayout fromMountinfo(String mountinfo, Function<Path, Set<Controller>> v2Controllers)
            throws CgroupException {
        Hierarchy unified = null;
        Map<Controller, Hierarchy> byController = new LinkedHashMap<>();
        List<Hierarchy> v1 = new ArrayList<>();
        for (MountEntry mount : MountEntry.parseAll(mountinfo)) {
            if (mount.fsType().equals("cgroup2")) {
                // The first mount wins: later ones are bind mounts or nested container views.
                if (unified == null) {
                    unified = new Hierarchy(CgroupVersion.V2, mount.mountPoint(), mount.root(),
                            v2Controllers.apply(mount.mountPoint()), Optional.empty());
                }
            } else if (mount.fsType().equals("cgroup")) {
                Set<Controller> controllers = EnumSet.noneOf(Controller.class);
                String name = null;
                for (String option : mount.superOptions()) {
                    if (option.startsWith("name=")) {
                        name = option.substring(5);
                    } else {
                        Controller.fromV1Name(option).ifPresent(controllers::add);
                    }
                }
                if (controllers.stream().anyMatch(byController::containsKey)) {
                    continue; // same hierarchy mounted twice
                }
                if (controllers.isEmpty() && name != null
                        && v1.stream().anyMatch(h -> h.controllers().isEmpty() && h.name().isPresent())) {
                    continue;
                }
                Hierarchy h = new Hierarchy(CgroupVersion.V1, mount.mountPoint(), mount.root(), controllers,
                        Optional.ofNullable(name));
                controllers.forEach(c -> byController.put(c, h));
                v1.add(h);
            }
        }
        boolean anyV1Controller = !byController.isEmpty();
        if (unified == null && v1.isEmpty()) {
            throw new CgroupException("no cgroup hierarchy is mounted (no cgroup or cgroup2 line in mountinfo)");
        }
        Mode mode = unified == null ? Mode.LEGACY : anyV1Controller ? Mode.HYBRID : Mode.UNIFIED;
        return new CgroupLayout(mode, Optional.ofNullable(unified), v1);
    }

    static Set<Controller> readControllers(Path mountPoint) {
        Set<Controller> out = EnumSet.noneOf(Controller.class);
        try {
            for (String name : Files.readString(mountPoint.resolve("cgroup.controllers")).split("\\s+")) {
                Controller.fromV2Name(name).ifPresent(out::add);
            }
        } catch (IOException e) {
            // An unreadable file means no usable controllers; the mount still serves core files.
        }
        return out;
    }

    /** {@return which of the three layouts this is} */
    public Mode mode() {
        return mode;
    }

    /** {@return the v2 hierarchy, if mounted} */
    public Optional<Hierarchy> unified() {
        return unified;
    }

    /** {@return the v1 hierarchies, including named ones such as {@code name=systemd}} */
    public List<Hierarchy> v1Hierarchies() {
        return v1;
    }

    /**
     * The hierarchy that holds a controller: v2 if the unified mount lists it, else its v1 mount.
     *
     * @param controller the controller
     * @return the hierarchy, or empty if the controller is not available here
     */
    public Optional<Hierarchy> hierarchyFor(Controller controller) {
        if (unified.isPresent() && unified.get().controllers().contains(controller)) {
            return unified;
        }
        return v1.stream().filter(h -> h.controllers().contains(controller)).findFirst();
    }

    /**
     * The interface through which a controller is used here.
     *
     * @param controller the controller
     * @return V1 or V2, or empty if not available
     */
    public Optional<CgroupVersion> versionOf(Controller controller) {
        return hierarchyFor(controller).map(Hierarchy::version);
    }

    /** {@return every controller available, through either interface} */
    public Set<Controller> availableControllers() {
        Set<Controller> out = EnumSet.noneOf(Controller.class);
        unified.ifPresent(h -> out.addAll(h.controllers()));
        v1.forEach(h -> out.addAll(h.controllers()));
        return out;
    }

    /**
     * The hierarchies in which a group lives: the unified one (for the core files such as
     * {@code cgroup.kill} and for CLONE_INTO_CGROUP) and every v1 hierarchy that holds a controller.
     *
     * @return the hierarchies, unified first
     */
    public List<Hierarchy> groupHierarchies() {
        List<Hierarchy> out = new ArrayList<>();
        unified.ifPresent(out::add);
        v1.stream().filter(h -> !h.controllers().isEmpty()).forEach(out::add);
        return out;
    }

    /**
     * The calling process's own groups, from {@code /proc/self/cgroup}.
     *
     * @return one line per hierarchy
     * @throws IOException if the file cannot be read
     */
    public static List<Membership> self() throws IOException {
        return Membership.parse(Files.readString(Path.of("/proc/self/cgroup")));
    }

    /**
     * The group directories of a process, one per hierarchy with controllers (and the v2
     * one), from {@code /proc/PID/cgroup}: where a process must be attached to share its
     * groups, as {@code hako enter} does.
     *
     * @param pid the process
     * @return hierarchy to the directory of the group the process is in, v2 first
     * @throws IOException if the process is gone or a hierarchy holds no group of it
     */
    public Map<Hierarchy, Path> groupDirectories(long pid) throws IOException {
        List<Membership> memberships = Membership.parse(Files.readString(Path.of("/proc/" + pid + "/cgroup")));
        Map<Hierarchy, Path> directories = new LinkedHashMap<>();
        for (Hierarchy h : groupHierarchies()) {
            String relative = selfPath(h, memberships);
            directories.put(h, h.mountPoint().resolve(relative.substring(1)));
        }
        return directories;
    }

    /**
     * The group path of the calling process in the hierarchy holding {@code controller},
     * relative to that hierarchy's mount point.
     *
     * @param controller the controller
     * @return the path, e.g. {@code /process_api/2def}
     * @throws IOException if not found or not readable
     */
    public String selfPath(Controller controller) throws IOException {
        Hierarchy h = hierarchyFor(controller).orElseThrow(() -> new CgroupException(
                "controller " + controller.v1Name() + " is not available in this " + mode + " layout"));
        return selfPath(h, self());
    }

    static String selfPath(Hierarchy h, List<Membership> memberships) throws CgroupException {
        for (Membership m : memberships) {
            boolean match = h.version() == CgroupVersion.V2 ? m.unified()
                    : m.controllers().stream().anyMatch(name -> h.controllers().stream()
                            .anyMatch(c -> c.v1Name().equals(name)) || h.name().map(n -> name.equals("name=" + n))
                            .orElse(false));
            if (match) {
                return relativeToMount(h, m.path());
            }
        }
        throw new CgroupException("this process is in no group of " + h);
    }

    /** Converts a hierarchy path to a path under the mount point, which shows {@code root}. */
    static String relativeToMount(Hierarchy h, String hierarchyPath) {
        String root = GroupPaths.normalize(h.root());
        String path = GroupPaths.normalize(hierarchyPath);
        if (root.equals("/")) {
            return path;
        }
        if (path.equals(root)) {
            return "/";
        }
        return path.startsWith(root + "/") ? path.substring(root.length()) : path;
    }

    /**
     * The controllers enabled in {@code cgroup.subtree_control} of each v2 group from the
     * root down to {@code path} (inclusive).
     *
     * @param path a group path
     * @return path to enabled controllers, root first; empty when there is no v2 hierarchy
     * @throws IOException if a file cannot be read
     */
    public Map<String, Set<Controller>> subtreeControlAlong(String path) throws IOException {
        Map<String, Set<Controller>> out = new LinkedHashMap<>();
        if (unified.isEmpty()) {
            return out;
        }
        String current = "/";
        List<String> parts = new ArrayList<>(List.of(GroupPaths.normalize(path).substring(1).split("/")));
        parts.removeIf(String::isEmpty);
        out.put(current, ControlFiles.controllerList(unified.get().directory(current).resolve("cgroup.subtree_control")));
        for (String part : parts) {
            current = GroupPaths.child(current, part);
            out.put(current, ControlFiles.controllerList(
                    unified.get().directory(current).resolve("cgroup.subtree_control")));
        }
        return out;
    }

    @Override
    public String toString() {
        return mode + " layout: " + groupHierarchies();
    }
}
