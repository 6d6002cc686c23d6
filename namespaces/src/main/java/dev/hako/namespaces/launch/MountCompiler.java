package dev.hako.namespaces.launch;

import dev.hako.bindings.Linux;
import dev.hako.namespaces.MountSpec;
import dev.hako.syscalls.MountAttr;
import dev.hako.syscalls.MountAttrChange;
import dev.hako.syscalls.MountFlag;
import dev.hako.syscalls.MountSetattrFlag;
import dev.hako.syscalls.MoveMountFlag;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.OpenFlag;
import dev.hako.syscalls.OpenTreeFlag;
import dev.hako.syscalls.Propagation;
import dev.hako.syscalls.ResolveFlag;
import dev.hako.syscalls.UnmountFlag;
import dev.hako.syscalls.calls.Call;
import dev.hako.syscalls.calls.FileCalls;
import dev.hako.syscalls.calls.MountCalls;
import java.io.IOException;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Turns a {@link MountSpec} into child steps, run in the new mount namespace before the
 * user and capabilities change.
 *
 * <p>Order: make "/" private (or slave) before anything is mounted, so that no mount
 * reaches the host; take what must come from the host (device nodes) while it is still
 * visible; bind the rootfs onto itself (or make the host tree read-only); mount; then
 * pivot_root into the rootfs and detach the old root.
 *
 * <p>Each destination in the rootfs is opened with openat2(2) from a descriptor of the
 * root, {@code RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS}, and the child
 * fchdir(2)s into it and mounts onto "." : the mount lands on the directory that was
 * checked, never on whatever a path names later. A link anywhere in the destination fails
 * the start (ELOOP). Targets inside file systems this program just made (the /dev tmpfs,
 * the fresh /proc) are named by absolute path: nothing else can have put a link there.
 *
 * <p>With the new mount API (Linux 5.2, mount_setattr 5.12) fresh file systems come from
 * fsopen/fsconfig/fsmount and binds from open_tree, made read-only (recursively) with
 * mount_setattr before they are attached with move_mount. Without it, mount(2) does the
 * same, with two limits: a read-only bind is remounted read-only after it is attached
 * (top mount only, so recursive read-only binds are refused), and the host view is made
 * read-only mount by mount from the JVM's mount table.
 */
public final class MountCompiler {

    /**
     * Device nodes of a private /dev, bound from the host's (never from the rootfs, which
     * the payload may control), with the device number each must have.
     */
    public static final Map<String, Long> DEVICES = devices();
    /** The OCI runtime spec's default masked paths (config-linux "maskedPaths" of the default spec). */
    public static final List<String> MASKED = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware", "/sys/devices/virtual/powercap");
    /** The OCI runtime spec's default read-only paths. */
    public static final List<String> READ_ONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");

    private static final Set<ResolveFlag> RESOLVE_IN_ROOTFS = EnumSet.of(ResolveFlag.BENEATH, ResolveFlag.NO_SYMLINKS,
            ResolveFlag.NO_MAGICLINKS);

    private final LaunchSpec launch;
    private final MountSpec spec;
    private final ChildProgram program;
    private final SegmentAllocator memory;
    private final boolean newApi;
    private final boolean openat2;
    private final String root;
    private int rootFd;
    private int target;
    private int context;
    private int mount;
    private int hostDev = -1;
    /** Two registers the walk that creates missing directories hands descriptors between. */
    private int walk;
    private int walkNext;
    /** The destination the working directory was last moved to. */
    private String entered;
    private final Map<String, Integer> devices = new LinkedHashMap<>();
    /** Host nodes of {@link MountSpec#nodes()} taken for binding in a user namespace (new mount API). */
    private final Map<MountSpec.DeviceNode, Integer> hostNodes = new LinkedHashMap<>();
    /** Destinations mounted so far: below them is no longer the rootfs on disk. */
    private final List<String> mounted = new ArrayList<>();

    private MountCompiler(LaunchSpec launch, ChildProgram program, boolean newApi, boolean openat2) {
        this.launch = launch;
        this.spec = launch.mounts();
        this.program = program;
        this.memory = program.memory();
        this.newApi = newApi;
        this.openat2 = openat2;
        this.root = spec.hostRoot() ? "/" : spec.rootfs().toString();
    }

    static void compile(LaunchSpec launch, ChildProgram program, boolean newApi, boolean openat2) {
        new MountCompiler(launch, program, newApi, openat2).compile();
    }

    private static Map<String, Long> devices() {
        Map<String, Long> devices = new LinkedHashMap<>();
        devices.put("null", deviceNumber(1, 3));
        devices.put("zero", deviceNumber(1, 5));
        devices.put("full", deviceNumber(1, 7));
        devices.put("random", deviceNumber(1, 8));
        devices.put("urandom", deviceNumber(1, 9));
        devices.put("tty", deviceNumber(5, 0));
        return java.util.Collections.unmodifiableMap(devices);
    }

    /** The kernel's dev_t as glibc's makedev(3) encodes it (what stat's st_rdev holds). */
    static long deviceNumber(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    /** A rule allowing a host device node (read, write, mknod), from its type and number. */
    public static dev.hako.cgroupfs.DeviceRule deviceRule(Path node) {
        try {
            Map<String, Object> attributes = Files.readAttributes(node, "unix:mode,rdev");
            int mode = (Integer) attributes.get("mode");
            long rdev = (Long) attributes.get("rdev");
            int major = (int) (((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfffL));
            int minor = (int) (((rdev >>> 12) & 0xffffff00L) | (rdev & 0xffL));
            return switch (mode & 0170000) {
                case 0020000 -> dev.hako.cgroupfs.DeviceRule.character(major, minor, "rwm");
                case 0060000 -> dev.hako.cgroupfs.DeviceRule.block(major, minor, "rwm");
                default -> throw new IllegalArgumentException("device \"" + node + "\" is not a device node");
            };
        } catch (IOException e) {
            throw new IllegalArgumentException("device \"" + node + "\" cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Checks, in the parent before the fork, that each host node a private /dev binds (and
     * the null device masked files get) is the character device it should be and not a
     * link: the child binds them by these paths in its copy of the host's tree, before it
     * enters the rootfs, so a payload's own /dev never takes part.
     *
     * @throws IOException naming the node and what it is instead
     */
    static void checkHostDevices(MountSpec spec) throws IOException {
        if (!spec.privateDev() && !spec.masked()) {
            return;
        }
        for (Map.Entry<String, Long> device : DEVICES.entrySet()) {
            Path node = Path.of("/dev", device.getKey());
            Map<String, Object> attributes;
            try {
                attributes = Files.readAttributes(node, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | UnsupportedOperationException e) {
                throw new IOException("host device " + node + " cannot be checked for the container's private /dev: "
                        + e.getMessage(), e);
            }
            int mode = (Integer) attributes.get("mode");
            long rdev = (Long) attributes.get("rdev");
            if ((mode & 0170000) != 0020000 || rdev != device.getValue()) {
                throw new IOException("host device " + node + " is not the character device "
                        + (device.getValue() >> 8 & 0xfff) + ":" + (device.getValue() & 0xff) + " it should be (mode 0"
                        + Integer.toOctalString(mode) + ", rdev " + Long.toHexString(rdev) + "); refusing to bind it"
                        + " into a container");
            }
        }
    }

    private void compile() {
        Propagation propagation = spec.propagation() == Propagation.SLAVE ? Propagation.SLAVE : Propagation.PRIVATE;
        add(MountCalls.mount(memory, null, "/", null, EnumSet.of(MountFlag.REC, propagationFlag(propagation)), null));
        rootFd = program.newRegister();
        target = program.newRegister();
        context = program.newRegister();
        mount = program.newRegister();
        walk = program.newRegister();
        walkNext = program.newRegister();
        if (spec.privateDev()) {
            takeHostDevices();
        }
        takeHostNodes();
        if (spec.hostRoot()) {
            hostReadOnly();
        } else {
            add(MountCalls.mount(memory, root, root, null, EnumSet.of(MountFlag.BIND, MountFlag.REC), null));
        }
        add(FileCalls.openat(memory, FileCalls.AT_FDCWD, root, EnumSet.of(OpenFlag.PATH, OpenFlag.DIRECTORY,
                OpenFlag.CLOEXEC), 0)).saveIn(rootFd).then(" = <root>");
        boolean userns = launch.newNamespaces().contains(NamespaceType.USER);
        if (spec.proc()) {
            reach("/proc");
            fresh("proc", "proc", ".", Map.of(), EnumSet.of(MountFlag.NOSUID, MountFlag.NODEV, MountFlag.NOEXEC),
                    EnumSet.of(MountAttr.NOSUID, MountAttr.NODEV, MountAttr.NOEXEC));
            mounted.add("/proc");
        }
        // /dev before /sys, in the order of the runtime spec's default mounts (and runc's),
        // which OCI tools check against /proc/self/mountinfo.
        if (spec.privateDev()) {
            privateDev();
            mounted.add("/dev");
        } else if (!spec.hostRoot()) {
            reach("/dev");
            bind("/dev", ".", false, true);
            mounted.add("/dev");
        }
        if (spec.sysReadOnly()) {
            reach("/sys");
            mounted.add("/sys");
            if (userns && !launch.newNamespaces().contains(NamespaceType.NET)) {
                // sysfs may be mounted only by the owner of the network namespace; a new user
                // namespace that shares the host's network gets the host's /sys, read-only.
                bind("/sys", ".", true, true);
            } else {
                fresh("sysfs", "sysfs", ".", Map.of(), EnumSet.of(MountFlag.RDONLY, MountFlag.NOSUID, MountFlag.NODEV,
                        MountFlag.NOEXEC), EnumSet.of(MountAttr.RDONLY, MountAttr.NOSUID, MountAttr.NODEV,
                        MountAttr.NOEXEC));
            }
        }
        for (MountSpec.Mount entry : spec.mounts()) {
            switch (entry) {
                case MountSpec.Bind bind when Files.isDirectory(bind.source()) -> {
                    reach(bind.destination());
                    bind(bind.source().toString(), ".", bind.readOnly(), bind.recursive());
                }
                case MountSpec.Bind bind -> {
                    String name = reachParent(bind.destination());
                    if (missing(bind.destination())) {
                        // An empty file to bind onto; one that exists already is kept.
                        add(FileCalls.mknodat(memory, FileCalls.AT_FDCWD, name, Linux.S_IFREG() | 0644, 0))
                                .ignoringFailure().then("  (ignored if it exists)");
                    }
                    checkFile(bind.destination());
                    bind(bind.source().toString(), name, bind.readOnly(), bind.recursive());
                }
                case MountSpec.Tmpfs tmpfs -> {
                    reach(tmpfs.destination());
                    Map<String, String> options = new LinkedHashMap<>();
                    options.put("size", Long.toString(tmpfs.sizeBytes()));
                    options.put("mode", "0" + Integer.toOctalString(tmpfs.mode()));
                    fresh("tmpfs", "tmpfs", ".", options, EnumSet.of(MountFlag.NOSUID, MountFlag.NODEV),
                            EnumSet.of(MountAttr.NOSUID, MountAttr.NODEV));
                }
            }
            mounted.add(entry.destination());
        }
        nodes();
        if (spec.masked()) {
            maskPaths();
        }
        if (spec.hostRoot()) {
            close(rootFd, "<root>");
            // The mounts moved the working directory around; put back the JVM's where the
            // new view still has it, else stay at "/" (a tmpfs on /tmp hides a cwd under /tmp).
            String cwd = System.getProperty("user.dir");
            add(FileCalls.chdir(memory, "/"));
            add(FileCalls.chdir(memory, cwd)).ignoringFailure().then("  (ignored if the view hides it)");
        } else {
            add(FileCalls.fchdir(0)).fromSlot(0, rootFd, "<root>");
            close(rootFd, "<root>");
            // pivot_root(".", "."): the old root ends up mounted on top of the new one, and
            // unmounting "." detaches it, with no directory needed for it inside the rootfs.
            add(MountCalls.pivotRoot(memory, ".", "."));
            add(MountCalls.umount2(memory, ".", EnumSet.of(UnmountFlag.DETACH)));
            add(FileCalls.chdir(memory, "/"));
            if (spec.rootReadOnly()) {
                rootReadOnly();
            }
        }
        if (spec.propagation() == Propagation.SHARED) {
            // Now, not at the start: the container's mounts form their own peer groups and
            // never join the host's, so nothing mounted inside appears outside.
            add(MountCalls.mount(memory, null, "/", null, EnumSet.of(MountFlag.REC, MountFlag.SHARED), null));
        }
    }

    /** The mount flag that sets a propagation type. */
    private static MountFlag propagationFlag(Propagation propagation) {
        return MountFlag.valueOf(propagation.name());
    }

    /** The nodes of the private /dev: the standard ones, then those the spec adds. */
    private List<String> deviceNames() {
        List<String> names = new ArrayList<>(DEVICES.keySet());
        for (Path device : spec.devices()) {
            names.add(device.getFileName().toString());
        }
        return names;
    }

    /** Opens the host's device nodes (or /dev) while they are still visible. */
    private void takeHostDevices() {
        if (newApi) {
            for (String device : deviceNames()) {
                int register = program.newRegister();
                devices.put(device, register);
                add(MountCalls.openTree(memory, FileCalls.AT_FDCWD, "/dev/" + device,
                        EnumSet.of(OpenTreeFlag.CLONE, OpenTreeFlag.CLOEXEC))).saveIn(register).then(" = <" + device + ">");
            }
        } else {
            hostDev = program.newRegister();
            add(FileCalls.openat(memory, FileCalls.AT_FDCWD, "/dev", EnumSet.of(OpenFlag.PATH, OpenFlag.DIRECTORY,
                    OpenFlag.CLOEXEC), 0)).saveIn(hostDev).then(" = <host dev>");
        }
    }

    /** Makes every mount of the namespace's copy of the host tree read-only. */
    private void hostReadOnly() {
        if (newApi) {
            add(MountCalls.mountSetattr(memory, FileCalls.AT_FDCWD, "/", EnumSet.of(MountSetattrFlag.RECURSIVE),
                    MountAttrChange.set(EnumSet.of(MountAttr.RDONLY))));
            return;
        }
        for (HostMount host : HostMount.read()) {
            EnumSet<MountFlag> flags = EnumSet.of(MountFlag.REMOUNT, MountFlag.BIND, MountFlag.RDONLY);
            flags.addAll(host.flags());
            add(MountCalls.mount(memory, null, host.point(), null, flags, null));
        }
    }

    private void privateDev() {
        reach("/dev");
        fresh("tmpfs", "tmpfs", ".", Map.of("mode", "0755", "size", "65536k"), EnumSet.of(MountFlag.NOSUID,
                MountFlag.STRICTATIME), EnumSet.of(MountAttr.NOSUID, MountAttr.STRICTATIME));
        String dev = absolute("/dev");
        for (String device : deviceNames()) {
            String path = dev + "/" + device;
            add(FileCalls.mknodat(memory, FileCalls.AT_FDCWD, path, 0666, 0));
            if (newApi) {
                int register = devices.get(device);
                add(MountCalls.moveMount(memory, 0, "", FileCalls.AT_FDCWD, path, EnumSet.of(MoveMountFlag.F_EMPTY_PATH)))
                        .fromSlot(0, register, "<" + device + ">");
                close(register, "<" + device + ">");
            } else {
                add(FileCalls.fchdir(0)).fromSlot(0, hostDev, "<host dev>");
                add(MountCalls.mount(memory, device, path, null, EnumSet.of(MountFlag.BIND), null));
            }
        }
        if (!newApi) {
            close(hostDev, "<host dev>");
        }
        boolean mqueue = launch.newNamespaces().contains(NamespaceType.IPC);
        for (String dir : mqueue ? List.of("pts", "shm", "mqueue") : List.of("pts", "shm")) {
            add(FileCalls.mkdirat(memory, FileCalls.AT_FDCWD, dev + "/" + dir, 0755));
        }
        Map<String, String> pts = new LinkedHashMap<>();
        if (!newApi) {
            pts.put("newinstance", null); // fsopen makes a new instance anyway
        }
        pts.put("ptmxmode", "0666");
        pts.put("mode", "0620");
        fresh("devpts", "devpts", dev + "/pts", pts, EnumSet.of(MountFlag.NOSUID, MountFlag.NOEXEC),
                EnumSet.of(MountAttr.NOSUID, MountAttr.NOEXEC));
        fresh("tmpfs", "shm", dev + "/shm", Map.of("mode", "01777", "size", "65536k"), EnumSet.of(MountFlag.NOSUID,
                MountFlag.NODEV, MountFlag.NOEXEC), EnumSet.of(MountAttr.NOSUID, MountAttr.NODEV, MountAttr.NOEXEC));
        if (mqueue) {
            // Only with a new IPC namespace: mqueue shows the queues of the mounter's IPC
            // namespace, and the host's are none of the container's business.
            fresh("mqueue", "mqueue", dev + "/mqueue", Map.of(), EnumSet.of(MountFlag.NOSUID, MountFlag.NODEV,
                    MountFlag.NOEXEC), EnumSet.of(MountAttr.NOSUID, MountAttr.NODEV, MountAttr.NOEXEC));
        }
        Map<String, String> links = new LinkedHashMap<>();
        links.put("ptmx", "pts/ptmx");
        links.put("fd", "/proc/self/fd");
        links.put("stdin", "/proc/self/fd/0");
        links.put("stdout", "/proc/self/fd/1");
        links.put("stderr", "/proc/self/fd/2");
        links.forEach((name, to) -> add(FileCalls.symlinkat(memory, to, FileCalls.AT_FDCWD, dev + "/" + name)));
    }

    /**
     * Masked and read-only paths: a masked directory gets an empty read-only tmpfs, anything
     * else /dev/null; a read-only path is bound onto itself read-only.
     */
    private void maskPaths() {
        for (String path : spec.maskedPaths()) {
            protect(path, true);
        }
        for (String path : spec.readOnlyPaths()) {
            protect(path, false);
        }
    }

    /**
     * Masks a path or makes it read-only. A path under /proc or /sys counts only where this
     * view mounts that file system: there, what exists and what kind it is are read from
     * the host's, the container's being a new mount of the same kernel, so the plan decides.
     * Anywhere else the child decides (see {@link #protectInChild}).
     */
    private void protect(String path, boolean mask) {
        Path host = Path.of(path);
        boolean kernel = path.startsWith("/proc/") || path.startsWith("/sys/");
        if (kernel && !covered(path)) {
            return; // not this view's /proc or /sys
        }
        if (!kernel || !hostPathWithoutLinks(host)) {
            protectInChild(path, mask);
            return;
        }
        if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        boolean directory = Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS);
        if (mask && directory) {
            maskDirectory(absolute(path));
        } else if (mask) {
            maskFile(absolute(path));
        } else {
            bind(absolute(path), absolute(path), true, false);
        }
    }

    /**
     * Masks a path or makes it read-only where only the child can tell what is there: it
     * opens the path in the root without following links, as a directory, then as anything.
     * A path that is not there is skipped. One that exists only through a symbolic link
     * (openat2 with just {@code RESOLVE_BENEATH} reaches it) fails the start, so a rootfs
     * cannot turn a masked path into a pointer to somewhere else.
     */
    private void protectInChild(String path, boolean mask) {
        String relative = path.substring(1);
        String shown = "<" + path + ">";
        ChildProgram.Label directory = new ChildProgram.Label();
        ChildProgram.Label missing = new ChildProgram.Label();
        ChildProgram.Label end = new ChildProgram.Label();
        open(relative, true);
        program.ignoringFailure().jumpIf(target, -1, false, directory, "it is a directory");
        open(relative, false);
        program.ignoringFailure().jumpIf(target, -1, true, missing, "it is missing");
        protectFound(path, shown, mask, false, end);
        program.bind(directory);
        protectFound(path, shown, mask, true, end);
        program.bind(missing);
        if (openat2 && !spec.hostRoot()) {
            EnumSet<OpenFlag> flags = EnumSet.of(OpenFlag.PATH, OpenFlag.CLOEXEC);
            add(FileCalls.openat2(memory, 0, relative, flags, 0, EnumSet.of(ResolveFlag.BENEATH)))
                    .fromSlot(0, rootFd, "<root>").saveIn(target).ignoringFailure()
                    .jumpIf(target, -1, true, end, "it does not exist");
            close(target, shown);
            open(relative, false);
            program.then("  (fails: " + path + " is reached through a symbolic link)");
            close(target, shown);
        }
        program.bind(end);
    }

    /** The steps for a path the child found (its descriptor in {@code target}), then on to {@code end}. */
    private void protectFound(String path, String shown, boolean mask, boolean directory, ChildProgram.Label end) {
        close(target, shown);
        String name = reachParent(path);
        if (!mask) {
            bind(name, name, true, newApi);
        } else if (directory) {
            maskDirectory(name);
        } else {
            maskFile(name);
        }
        program.jump(end);
    }

    /** An empty read-only tmpfs over a directory (relative to the working directory, or absolute). */
    private void maskDirectory(String where) {
        fresh("tmpfs", "tmpfs", where, Map.of("size", "0k"), EnumSet.of(MountFlag.RDONLY),
                EnumSet.of(MountAttr.RDONLY));
    }

    /**
     * The null device over anything else. The source is the host's null device (the
     * private /dev's is a bind of it): never a path the rootfs could have turned into a link.
     */
    private void maskFile(String where) {
        bind("/dev/null", where, false, false);
    }

    /** Whether a host path exists with no symbolic link on the way (the host's /proc/self is one). */
    private static boolean hostPathWithoutLinks(Path host) {
        try {
            return !Files.exists(host, LinkOption.NOFOLLOW_LINKS) || host.toRealPath().equals(host);
        } catch (IOException e) {
            return false;
        }
    }

    private boolean covered(String path) {
        return (path.startsWith("/proc/") && spec.proc()) || (path.startsWith("/sys/") && spec.sysReadOnly());
    }

    /** A path inside the new root, as the child names it before pivot_root. */
    private String absolute(String path) {
        return spec.hostRoot() ? path : root + path;
    }

    /**
     * Makes a destination directory the working directory, creating what is missing of it
     * when it lies in a rootfs, or below a file system this view mounted (such as a path in
     * the private /dev): not in the host's read-only tree.
     */
    private void reach(String destination) {
        if (missing(destination)) {
            enterCreating(destination);
        } else {
            enter(destination);
        }
    }

    /** Reaches the directory a destination is in (see {@link #reach}); returns the destination's last component. */
    private String reachParent(String destination) {
        int slash = destination.lastIndexOf('/');
        reach(slash == 0 ? "/" : destination.substring(0, slash));
        return destination.substring(slash + 1);
    }

    /**
     * Whether the child may find a destination missing and must create it: below a file
     * system this view mounted, or absent from the rootfs on disk now. The host's tree is
     * never changed.
     */
    private boolean missing(String destination) {
        if (destination.equals("/")) {
            return false;
        }
        for (String earlier : mounted) {
            if (destination.startsWith(earlier + "/")) {
                return !(earlier.equals("/proc") || earlier.equals("/sys"));
            }
        }
        if (mounted.contains(destination)) {
            return false; // a mount point: it exists
        }
        return !spec.hostRoot() && !Files.exists(spec.rootfs().resolve(destination.substring(1)),
                LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Makes a destination directory the working directory, creating each missing component
     * (mode 0755) on the way: mkdirat, whose failure (it exists) is ignored, then an open of
     * that one component without following links, so that no link, made by the rootfs or
     * found there, leads the walk anywhere.
     */
    private void enterCreating(String destination) {
        entered = destination;
        String[] parts = destination.substring(1).split("/");
        int from = rootFd;
        String fromName = "<root>";
        for (int i = 0; i < parts.length; i++) {
            int to = i % 2 == 0 ? walk : walkNext;
            String toName = "</" + String.join("/", java.util.Arrays.copyOf(parts, i + 1)) + ">";
            add(FileCalls.mkdirat(memory, 0, parts[i], 0755)).fromSlot(0, from, fromName).ignoringFailure()
                    .then("  (ignored if it exists)");
            EnumSet<OpenFlag> flags = EnumSet.of(OpenFlag.PATH, OpenFlag.DIRECTORY, OpenFlag.CLOEXEC);
            if (openat2) {
                add(FileCalls.openat2(memory, 0, parts[i], flags, 0, RESOLVE_IN_ROOTFS)).fromSlot(0, from, fromName);
            } else {
                flags.add(OpenFlag.NOFOLLOW);
                add(FileCalls.openat(memory, 0, parts[i], flags, 0)).fromSlot(0, from, fromName);
            }
            program.saveIn(to).then(" = " + toName);
            if (from != rootFd) {
                close(from, fromName);
            }
            from = to;
            fromName = toName;
        }
        add(FileCalls.fchdir(0)).fromSlot(0, from, fromName);
        close(from, fromName);
    }

    /**
     * The device nodes of the view, after every mount (a mount would hide them): mknodat,
     * then the exact mode (mknod applies the umask) and owner. In a user namespace the
     * kernel makes no character or block device, so an empty file is made and the host's
     * node bound onto it, as runc does.
     */
    private void nodes() {
        boolean userns = userNamespace();
        for (MountSpec.DeviceNode node : spec.nodes()) {
            String name = reachParent(node.path());
            if (userns && node.type() != MountSpec.DeviceNode.Type.FIFO) {
                add(FileCalls.mknodat(memory, FileCalls.AT_FDCWD, name, Linux.S_IFREG() | 0644, 0)).ignoringFailure()
                        .then("  (ignored if it exists)");
                if (newApi) {
                    int register = hostNodes.get(node);
                    String tree = "<host " + node.path() + ">";
                    add(MountCalls.moveMount(memory, 0, "", FileCalls.AT_FDCWD, name,
                            EnumSet.of(MoveMountFlag.F_EMPTY_PATH))).fromSlot(0, register, tree);
                    close(register, tree);
                } else {
                    bind(node.path(), name, false, false);
                }
                continue;
            }
            int type = switch (node.type()) {
                case CHARACTER -> Linux.S_IFCHR();
                case BLOCK -> Linux.S_IFBLK();
                case FIFO -> Linux.S_IFIFO();
            };
            long device = node.type() == MountSpec.DeviceNode.Type.FIFO ? 0 : deviceNumber(node.major(), node.minor());
            add(FileCalls.mknodat(memory, FileCalls.AT_FDCWD, name, type | node.mode(), device));
            add(FileCalls.fchmodat(memory, FileCalls.AT_FDCWD, name, node.mode()));
            add(FileCalls.fchownat(memory, FileCalls.AT_FDCWD, name, node.uid(), node.gid()));
        }
    }

    /** Whether the child is in a user namespace of its own (new or joined), where mknod of devices is refused. */
    private boolean userNamespace() {
        return launch.newNamespaces().contains(NamespaceType.USER)
                || launch.joinedNamespaces().containsKey(NamespaceType.USER);
    }

    /**
     * In a user namespace, opens the host's node of each device node of the view while it
     * is still visible (in the host view the private /dev covers the host's soon). Without
     * the new mount API the bind names the host path later, which only a rootfs view leaves
     * reachable.
     */
    private void takeHostNodes() {
        if (!userNamespace()) {
            return;
        }
        for (MountSpec.DeviceNode node : spec.nodes()) {
            if (node.type() == MountSpec.DeviceNode.Type.FIFO) {
                continue;
            }
            if (newApi) {
                int register = program.newRegister();
                hostNodes.put(node, register);
                add(MountCalls.openTree(memory, FileCalls.AT_FDCWD, node.path(),
                        EnumSet.of(OpenTreeFlag.CLONE, OpenTreeFlag.CLOEXEC))).saveIn(register)
                        .then(" = <host " + node.path() + ">");
            } else if (spec.hostRoot()) {
                throw new IllegalArgumentException("device node " + node.path() + ": in a user namespace the host's"
                        + " node is bound, which in the host view needs open_tree(2) (Linux 5.2)");
            }
        }
    }

    /**
     * Makes the new root read-only (after pivot_root): mount_setattr on "/" alone, or a
     * remount that keeps the flags of the host mount the rootfs is on (in a user namespace
     * the kernel refuses to clear those).
     */
    private void rootReadOnly() {
        if (newApi) {
            add(MountCalls.mountSetattr(memory, FileCalls.AT_FDCWD, "/", EnumSet.noneOf(MountSetattrFlag.class),
                    MountAttrChange.set(EnumSet.of(MountAttr.RDONLY))));
            return;
        }
        EnumSet<MountFlag> flags = EnumSet.of(MountFlag.REMOUNT, MountFlag.BIND, MountFlag.RDONLY);
        flags.addAll(HostMount.containing(spec.rootfs()).flags());
        add(MountCalls.mount(memory, null, "/", null, flags, null));
    }

    /** Opens a destination directory without following links, and makes it the working directory. */
    private void enter(String destination) {
        entered = destination;
        String relative = destination.substring(1);
        if (relative.isEmpty()) {
            add(FileCalls.fchdir(0)).fromSlot(0, rootFd, "<root>");
            return;
        }
        open(relative, true);
        add(FileCalls.fchdir(0)).fromSlot(0, target, "<" + destination + ">");
        close(target, "<" + destination + ">");
    }

    /** Checks that a file destination is reached without links. */
    private void checkFile(String destination) {
        open(destination.substring(1), false);
        close(target, "<" + destination + ">");
    }

    private void open(String relative, boolean directory) {
        EnumSet<OpenFlag> flags = EnumSet.of(OpenFlag.PATH, OpenFlag.CLOEXEC);
        if (directory) {
            flags.add(OpenFlag.DIRECTORY);
        }
        if (openat2 && !spec.hostRoot()) {
            add(FileCalls.openat2(memory, 0, relative, flags, 0, RESOLVE_IN_ROOTFS)).fromSlot(0, rootFd, "<root>")
                    .saveIn(target);
        } else {
            // Without openat2 (or in the host's own tree, whose links are the host's) the
            // parent's checked walk has vetted the path; O_NOFOLLOW still refuses a final link.
            flags.add(OpenFlag.NOFOLLOW);
            add(FileCalls.openat(memory, 0, relative, flags, 0)).fromSlot(0, rootFd, "<root>").saveIn(target);
        }
    }

    /** Mounts a new file system instance on {@code where} (relative to the working directory, or absolute). */
    private void fresh(String type, String source, String where, Map<String, String> options, Set<MountFlag> flags,
                       Set<MountAttr> attrs) {
        if (newApi) {
            String name = "<" + type + " context>";
            add(MountCalls.fsopen(memory, type)).saveIn(context);
            add(MountCalls.fsconfigSetString(memory, 0, "source", source)).fromSlot(0, context, name);
            options.forEach((key, value) -> {
                if (value == null) {
                    add(MountCalls.fsconfigSetFlag(memory, 0, key)).fromSlot(0, context, name);
                } else {
                    add(MountCalls.fsconfigSetString(memory, 0, key, value)).fromSlot(0, context, name);
                }
            });
            add(MountCalls.fsconfigCreate(0)).fromSlot(0, context, name);
            add(MountCalls.fsmount(0, attrs)).fromSlot(0, context, name).saveIn(mount);
            close(context, name);
            moveMount("<" + type + " mount>", where);
        } else {
            StringJoiner data = new StringJoiner(",");
            options.forEach((key, value) -> data.add(value == null ? key : key + "=" + value));
            String text = data.toString();
            add(MountCalls.mount(memory, source, where, type, flags, text.isEmpty() ? null : text));
        }
    }

    /** Binds a host path onto {@code where} (relative to the working directory, or absolute). */
    private void bind(String source, String where, boolean readOnly, boolean recursive) {
        if (newApi) {
            String tree = "<tree of " + source + ">";
            EnumSet<OpenTreeFlag> flags = EnumSet.of(OpenTreeFlag.CLONE, OpenTreeFlag.CLOEXEC);
            if (recursive) {
                flags.add(OpenTreeFlag.RECURSIVE);
            }
            add(MountCalls.openTree(memory, FileCalls.AT_FDCWD, source, flags)).saveIn(context);
            // In the host's read-only view the source itself is read-only now: a writable
            // bind clears that on its copy (never on the host's mount).
            boolean clear = !readOnly && spec.hostRoot();
            if (readOnly || clear) {
                EnumSet<MountSetattrFlag> at = EnumSet.of(MountSetattrFlag.EMPTY_PATH);
                if (recursive) {
                    at.add(MountSetattrFlag.RECURSIVE);
                }
                Set<MountAttr> rdonly = EnumSet.of(MountAttr.RDONLY);
                add(MountCalls.mountSetattr(memory, 0, "", at, readOnly ? MountAttrChange.set(rdonly)
                        : MountAttrChange.clear(rdonly))).fromSlot(0, context, tree);
            }
            add(MountCalls.moveMount(memory, 0, "", FileCalls.AT_FDCWD, where, EnumSet.of(MoveMountFlag.F_EMPTY_PATH)))
                    .fromSlot(0, context, tree);
            close(context, tree);
            return;
        }
        if (readOnly && recursive) {
            throw new IllegalArgumentException("bind " + source + ": a recursive read-only bind needs mount_setattr(2)"
                    + " (Linux 5.12), which this kernel lacks; mount(2) would leave the mounts below it writable."
                    + " Use a non-recursive bind");
        }
        EnumSet<MountFlag> flags = EnumSet.of(MountFlag.BIND);
        if (recursive) {
            flags.add(MountFlag.REC);
        }
        add(MountCalls.mount(memory, source, where, null, flags, null));
        if (readOnly || spec.hostRoot()) {
            // "." still names the directory under the new mount; the mount's own root is
            // reached by looking the destination up again. In the host's read-only view a
            // writable bind is remounted without MS_RDONLY, which its source now has.
            if (where.equals(".")) {
                enter(entered);
            }
            EnumSet<MountFlag> remount = EnumSet.of(MountFlag.REMOUNT, MountFlag.BIND);
            if (readOnly) {
                remount.add(MountFlag.RDONLY);
            }
            add(MountCalls.mount(memory, null, where, null, remount, null));
        }
    }

    private void moveMount(String from, String where) {
        add(MountCalls.moveMount(memory, 0, "", FileCalls.AT_FDCWD, where, EnumSet.of(MoveMountFlag.F_EMPTY_PATH)))
                .fromSlot(0, mount, from);
        close(mount, from);
    }

    private void close(int register, String name) {
        add(FileCalls.close(0)).fromSlot(0, register, name);
    }

    private ChildProgram add(Call call) {
        return program.add(call);
    }

    /**
     * Parent-side check of every rootfs destination before the fork, for a message that
     * says what is wrong; the child's openat2 would refuse the same paths with ELOOP.
     * Walks component by component without following links, up to the first missing one
     * (the child creates the rest).
     */
    static void checkDestinations(MountSpec spec) throws IOException {
        if (spec.hostRoot()) {
            return;
        }
        List<String> destinations = new ArrayList<>();
        if (spec.proc()) destinations.add("/proc");
        if (spec.sysReadOnly()) destinations.add("/sys");
        destinations.add("/dev");
        for (MountSpec.Mount mount : spec.mounts()) {
            destinations.add(mount.destination());
        }
        for (MountSpec.DeviceNode node : spec.nodes()) {
            destinations.add(node.path());
        }
        for (String destination : destinations) {
            Path path = spec.rootfs();
            for (String part : destination.substring(1).split("/")) {
                path = path.resolve(part);
                if (Files.isSymbolicLink(path)) {
                    throw new IOException("mount destination " + destination + ": " + path + " in rootfs "
                            + spec.rootfs() + " is a symbolic link (to " + Files.readSymbolicLink(path) + "); mount"
                            + " destinations in a rootfs are resolved without following links, so that the rootfs"
                            + " cannot point a mount outside itself");
                }
                if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                    break;
                }
            }
        }
    }

    /**
     * Checks, before the fork, that in a user namespace each character or block device node
     * of the view has a host node to bind (the kernel makes none there).
     *
     * @throws IOException naming the node and why the host's is needed
     */
    static void checkHostNodes(LaunchSpec launch) throws IOException {
        if (!launch.newNamespaces().contains(NamespaceType.USER)
                && !launch.joinedNamespaces().containsKey(NamespaceType.USER)) {
            return;
        }
        for (MountSpec.DeviceNode node : launch.mounts().nodes()) {
            if (node.type() != MountSpec.DeviceNode.Type.FIFO
                    && !Files.exists(Path.of(node.path()), LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("device node " + node.path() + ": in a user namespace the kernel makes no"
                        + " device nodes, so the host's node at that path is bound there, and the host has none");
            }
        }
    }

    /** One mount of the JVM's mount table, for the classic read-only remount of the host view. */
    record HostMount(String point, Set<MountFlag> flags) {
        static List<HostMount> read() {
            List<HostMount> mounts = new ArrayList<>();
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot read /proc/self/mountinfo", e);
            }
            for (String line : lines) {
                String[] fields = line.split(" ");
                String point = unescape(fields[4]);
                EnumSet<MountFlag> flags = EnumSet.noneOf(MountFlag.class);
                for (String option : fields[5].split(",")) {
                    switch (option) {
                        case "nosuid" -> flags.add(MountFlag.NOSUID);
                        case "nodev" -> flags.add(MountFlag.NODEV);
                        case "noexec" -> flags.add(MountFlag.NOEXEC);
                        case "noatime" -> flags.add(MountFlag.NOATIME);
                        case "relatime" -> flags.add(MountFlag.RELATIME);
                        case "nodiratime" -> flags.add(MountFlag.NODIRATIME);
                        default -> { }
                    }
                }
                if (!flags.contains(MountFlag.NOATIME) && !flags.contains(MountFlag.RELATIME)) {
                    flags.add(MountFlag.STRICTATIME);
                }
                mounts.add(new HostMount(point, flags));
            }
            return mounts;
        }

        /** The mount a path is on: the one with the longest mount point that contains it. */
        static HostMount containing(Path path) {
            HostMount best = null;
            for (HostMount mount : read()) {
                Path point = Path.of(mount.point());
                if (path.startsWith(point) && (best == null || point.getNameCount() >= Path.of(best.point())
                        .getNameCount())) {
                    best = mount;
                }
            }
            if (best == null) {
                throw new IllegalStateException("no mount in /proc/self/mountinfo contains " + path);
            }
            return best;
        }

        /** mountinfo escapes space, tab, newline and backslash as \ooo. */
        private static String unescape(String field) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < field.length(); i++) {
                char c = field.charAt(i);
                if (c == '\\' && i + 3 < field.length()) {
                    out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                    i += 3;
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }
    }
}
