package dev.hako.namespaces.launch;

import dev.hako.bindings.Linux;
import dev.hako.bindings.mount_attr;
import dev.hako.bindings.open_how;
import dev.hako.namespaces.launch.ChildProgram.Arg;
import dev.hako.namespaces.launch.ChildProgram.Step;
import dev.hako.namespaces.MountSpec;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.Propagation;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import static dev.hako.namespaces.launch.ChildCompiler.quote;

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
    static final List<String> MASKED = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware", "/sys/devices/virtual/powercap");
    /** The OCI runtime spec's default read-only paths. */
    static final List<String> READ_ONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");

    private static final long AT_FDCWD = Linux.AT_FDCWD();
    private static final long RESOLVE_IN_ROOTFS = Linux.RESOLVE_BENEATH() | Linux.RESOLVE_NO_SYMLINKS()
            | Linux.RESOLVE_NO_MAGICLINKS();
    private static final String RESOLVE_IN_ROOTFS_NAMES = "RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS";

    private final LaunchSpec launch;
    private final MountSpec spec;
    private final ChildProgram program;
    private final boolean newApi;
    private final boolean openat2;
    private final String root;
    private int rootFd;
    private int target;
    private int context;
    private int mount;
    private int hostDev = -1;
    /** The destination the working directory was last moved to. */
    private String entered;
    private final Map<String, Integer> devices = new LinkedHashMap<>();

    private MountCompiler(LaunchSpec launch, ChildProgram program, boolean newApi, boolean openat2) {
        this.launch = launch;
        this.spec = launch.mounts();
        this.program = program;
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
        step("mount", "NULL, \"/\", NULL, MS_REC|" + propagation.cName() + ", NULL", Linux.SYS_mount(), 0,
                program.string("/"), 0, Linux.MS_REC() | propagation.bits(), 0);
        rootFd = program.newRegister();
        target = program.newRegister();
        context = program.newRegister();
        mount = program.newRegister();
        if (spec.privateDev()) {
            takeHostDevices();
        }
        if (spec.hostRoot()) {
            hostReadOnly();
        } else {
            step("mount", quote(root) + ", " + quote(root) + ", NULL, MS_BIND|MS_REC, NULL", Linux.SYS_mount(),
                    program.string(root), program.string(root), 0, Linux.MS_BIND() | Linux.MS_REC(), 0);
        }
        save(rootFd, "openat", "AT_FDCWD, " + quote(root) + ", O_PATH|O_DIRECTORY|O_CLOEXEC) = <root",
                Linux.SYS_openat(), Arg.of(AT_FDCWD), str(root), Arg.of(Linux.O_PATH() | Linux.O_DIRECTORY()
                        | Linux.O_CLOEXEC()));
        boolean userns = launch.newNamespaces().contains(NamespaceType.USER);
        if (spec.proc()) {
            enter("/proc");
            fresh("proc", "proc", ".", Map.of(), Linux.MS_NOSUID() | Linux.MS_NODEV() | Linux.MS_NOEXEC(),
                    Linux.MOUNT_ATTR_NOSUID() | Linux.MOUNT_ATTR_NODEV() | Linux.MOUNT_ATTR_NOEXEC());
        }
        if (spec.sysReadOnly()) {
            enter("/sys");
            if (userns && !launch.newNamespaces().contains(NamespaceType.NET)) {
                // sysfs may be mounted only by the owner of the network namespace; a new user
                // namespace that shares the host's network gets the host's /sys, read-only.
                bind("/sys", ".", true, true);
            } else {
                fresh("sysfs", "sysfs", ".", Map.of(), Linux.MS_RDONLY() | Linux.MS_NOSUID() | Linux.MS_NODEV()
                        | Linux.MS_NOEXEC(), Linux.MOUNT_ATTR_RDONLY() | Linux.MOUNT_ATTR_NOSUID()
                        | Linux.MOUNT_ATTR_NODEV() | Linux.MOUNT_ATTR_NOEXEC());
            }
        }
        if (spec.privateDev()) {
            privateDev();
        } else if (!spec.hostRoot()) {
            enter("/dev");
            bind("/dev", ".", false, true);
        }
        for (MountSpec.Mount entry : spec.mounts()) {
            switch (entry) {
                case MountSpec.Bind bind when Files.isDirectory(bind.source()) -> {
                    enter(bind.destination());
                    bind(bind.source().toString(), ".", bind.readOnly(), bind.recursive());
                }
                case MountSpec.Bind bind -> {
                    checkFile(bind.destination());
                    int slash = bind.destination().lastIndexOf('/');
                    enter(bind.destination().substring(0, slash));
                    bind(bind.source().toString(), bind.destination().substring(slash + 1), bind.readOnly(),
                            bind.recursive());
                }
                case MountSpec.Tmpfs tmpfs -> {
                    enter(tmpfs.destination());
                    Map<String, String> options = new LinkedHashMap<>();
                    options.put("size", Long.toString(tmpfs.sizeBytes()));
                    options.put("mode", "0" + Integer.toOctalString(tmpfs.mode()));
                    fresh("tmpfs", "tmpfs", ".", options, Linux.MS_NOSUID() | Linux.MS_NODEV(),
                            Linux.MOUNT_ATTR_NOSUID() | Linux.MOUNT_ATTR_NODEV());
                }
            }
        }
        if (spec.masked()) {
            maskPaths();
        }
        if (spec.hostRoot()) {
            close(rootFd, "<root>");
            // The mounts moved the working directory around; put back the JVM's where the
            // new view still has it, else stay at "/" (a tmpfs on /tmp hides a cwd under /tmp).
            String cwd = System.getProperty("user.dir");
            step("chdir", "\"/\"", Linux.SYS_chdir(), program.string("/"));
            program.stepWith(new Step("chdir", quote(cwd) + "  (ignored if the view hides it)"), Linux.SYS_chdir(),
                    ChildProgram.IGNORE_FAILURE, -1, Arg.of(program.string(cwd)));
        } else {
            program.stepWith(new Step("fchdir", "<root>"), Linux.SYS_fchdir(), 0, -1, Arg.register(rootFd));
            close(rootFd, "<root>");
            // pivot_root(".", "."): the old root ends up mounted on top of the new one, and
            // unmounting "." detaches it, with no directory needed for it inside the rootfs.
            step("pivot_root", "\".\", \".\"", Linux.SYS_pivot_root(), program.string("."), program.string("."));
            step("umount2", "\".\", MNT_DETACH", Linux.SYS_umount2(), program.string("."), Linux.MNT_DETACH());
            step("chdir", "\"/\"", Linux.SYS_chdir(), program.string("/"));
        }
        if (spec.propagation() == Propagation.SHARED) {
            // Now, not at the start: the container's mounts form their own peer groups and
            // never join the host's, so nothing mounted inside appears outside.
            step("mount", "NULL, \"/\", NULL, MS_REC|MS_SHARED, NULL", Linux.SYS_mount(), 0, program.string("/"), 0,
                    Linux.MS_REC() | Linux.MS_SHARED(), 0);
        }
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
                save(register, "open_tree", "AT_FDCWD, \"/dev/" + device + "\", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC) = <"
                        + device + "", Linux.SYS_open_tree(), Arg.of(AT_FDCWD), str("/dev/" + device),
                        Arg.of(Linux.OPEN_TREE_CLONE() | Linux.OPEN_TREE_CLOEXEC()));
            }
        } else {
            hostDev = program.newRegister();
            save(hostDev, "openat", "AT_FDCWD, \"/dev\", O_PATH|O_DIRECTORY|O_CLOEXEC) = <host dev", Linux.SYS_openat(),
                    Arg.of(AT_FDCWD), str("/dev"), Arg.of(Linux.O_PATH() | Linux.O_DIRECTORY() | Linux.O_CLOEXEC()));
        }
    }

    /** Makes every mount of the namespace's copy of the host tree read-only. */
    private void hostReadOnly() {
        if (newApi) {
            MemorySegment attr = program.allocate(mount_attr.sizeof());
            mount_attr.attr_set(attr, Linux.MOUNT_ATTR_RDONLY());
            step("mount_setattr", "AT_FDCWD, \"/\", AT_RECURSIVE, {attr_set=MOUNT_ATTR_RDONLY}, " + mount_attr.sizeof(),
                    Linux.SYS_mount_setattr(), AT_FDCWD, program.string("/"), Linux.AT_RECURSIVE(), attr.address(),
                    mount_attr.sizeof());
            return;
        }
        for (HostMount host : HostMount.read()) {
            long flags = Linux.MS_REMOUNT() | Linux.MS_BIND() | Linux.MS_RDONLY() | host.flags();
            step("mount", "NULL, " + quote(host.point()) + ", NULL, MS_REMOUNT|MS_BIND|MS_RDONLY" + host.flagNames()
                    + ", NULL", Linux.SYS_mount(), 0, program.string(host.point()), 0, flags, 0);
        }
    }

    private void privateDev() {
        enter("/dev");
        fresh("tmpfs", "tmpfs", ".", Map.of("mode", "0755", "size", "65536k"), Linux.MS_NOSUID()
                | Linux.MS_STRICTATIME(), Linux.MOUNT_ATTR_NOSUID() | Linux.MOUNT_ATTR_STRICTATIME());
        String dev = absolute("/dev");
        for (String device : deviceNames()) {
            String path = dev + "/" + device;
            step("mknodat", "AT_FDCWD, " + quote(path) + ", 0666, 0", Linux.SYS_mknodat(), AT_FDCWD,
                    program.string(path), 0666, 0);
            if (newApi) {
                int register = devices.get(device);
                program.stepWith(new Step("move_mount", "<" + device + ">, \"\", AT_FDCWD, " + quote(path)
                        + ", MOVE_MOUNT_F_EMPTY_PATH"), Linux.SYS_move_mount(), 0, -1, Arg.register(register), str(""),
                        Arg.of(AT_FDCWD), str(path), Arg.of(Linux.MOVE_MOUNT_F_EMPTY_PATH()));
                close(register, "<" + device + ">");
            } else {
                program.stepWith(new Step("fchdir", "<host dev>"), Linux.SYS_fchdir(), 0, -1, Arg.register(hostDev));
                step("mount", quote(device) + ", " + quote(path) + ", NULL, MS_BIND, NULL", Linux.SYS_mount(),
                        program.string(device), program.string(path), 0, Linux.MS_BIND(), 0);
            }
        }
        if (!newApi) {
            close(hostDev, "<host dev>");
        }
        boolean mqueue = launch.newNamespaces().contains(NamespaceType.IPC);
        for (String dir : mqueue ? List.of("pts", "shm", "mqueue") : List.of("pts", "shm")) {
            step("mkdirat", "AT_FDCWD, " + quote(dev + "/" + dir) + ", 0755", Linux.SYS_mkdirat(), AT_FDCWD,
                    program.string(dev + "/" + dir), 0755);
        }
        Map<String, String> pts = new LinkedHashMap<>();
        if (!newApi) {
            pts.put("newinstance", null); // fsopen makes a new instance anyway
        }
        pts.put("ptmxmode", "0666");
        pts.put("mode", "0620");
        fresh("devpts", "devpts", dev + "/pts", pts, Linux.MS_NOSUID() | Linux.MS_NOEXEC(),
                Linux.MOUNT_ATTR_NOSUID() | Linux.MOUNT_ATTR_NOEXEC());
        fresh("tmpfs", "shm", dev + "/shm", Map.of("mode", "01777", "size", "65536k"), Linux.MS_NOSUID()
                | Linux.MS_NODEV() | Linux.MS_NOEXEC(), Linux.MOUNT_ATTR_NOSUID() | Linux.MOUNT_ATTR_NODEV()
                | Linux.MOUNT_ATTR_NOEXEC());
        if (mqueue) {
            // Only with a new IPC namespace: mqueue shows the queues of the mounter's IPC
            // namespace, and the host's are none of the container's business.
            fresh("mqueue", "mqueue", dev + "/mqueue", Map.of(), Linux.MS_NOSUID() | Linux.MS_NODEV()
                    | Linux.MS_NOEXEC(), Linux.MOUNT_ATTR_NOSUID() | Linux.MOUNT_ATTR_NODEV() | Linux.MOUNT_ATTR_NOEXEC());
        }
        Map<String, String> links = new LinkedHashMap<>();
        links.put("ptmx", "pts/ptmx");
        links.put("fd", "/proc/self/fd");
        links.put("stdin", "/proc/self/fd/0");
        links.put("stdout", "/proc/self/fd/1");
        links.put("stderr", "/proc/self/fd/2");
        links.forEach((name, to) -> step("symlinkat", quote(to) + ", AT_FDCWD, " + quote(dev + "/" + name),
                Linux.SYS_symlinkat(), program.string(to), AT_FDCWD, program.string(dev + "/" + name)));
    }

    /**
     * OCI masked paths: directories get an empty read-only tmpfs, files /dev/null. Which
     * exist is read from the host's /proc and /sys: the container's are fresh mounts of
     * the same kernel's.
     */
    private void maskPaths() {
        for (String path : MASKED) {
            if (!covered(path)) {
                continue;
            }
            Path host = Path.of(path);
            if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                fresh("tmpfs", "tmpfs", absolute(path), Map.of("size", "0k"), Linux.MS_RDONLY(),
                        Linux.MOUNT_ATTR_RDONLY());
            } else {
                // The host's null device (the private /dev's is a bind of it): never a path
                // the rootfs could have turned into a link.
                bind("/dev/null", absolute(path), false, false);
            }
        }
        for (String path : READ_ONLY) {
            if (covered(path) && Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS)) {
                bind(absolute(path), absolute(path), true, false);
            }
        }
    }

    private boolean covered(String path) {
        return (path.startsWith("/proc/") && spec.proc()) || (path.startsWith("/sys/") && spec.sysReadOnly());
    }

    /** A path inside the new root, as the child names it before pivot_root. */
    private String absolute(String path) {
        return spec.hostRoot() ? path : root + path;
    }

    /** Opens a destination directory without following links, and makes it the working directory. */
    private void enter(String destination) {
        entered = destination;
        String relative = destination.substring(1);
        if (relative.isEmpty()) {
            program.stepWith(new Step("fchdir", "<root>"), Linux.SYS_fchdir(), 0, -1, Arg.register(rootFd));
            return;
        }
        open(relative, true);
        program.stepWith(new Step("fchdir", "<" + destination + ">"), Linux.SYS_fchdir(), 0, -1, Arg.register(target));
        close(target, "<" + destination + ">");
    }

    /** Checks that a file destination is reached without links. */
    private void checkFile(String destination) {
        open(destination.substring(1), false);
        close(target, "<" + destination + ">");
    }

    private void open(String relative, boolean directory) {
        long flags = Linux.O_PATH() | Linux.O_CLOEXEC() | (directory ? Linux.O_DIRECTORY() : 0);
        String flagNames = "O_PATH|" + (directory ? "O_DIRECTORY|" : "") + "O_CLOEXEC";
        if (openat2 && !spec.hostRoot()) {
            MemorySegment how = program.allocate(open_how.sizeof());
            open_how.flags(how, flags);
            open_how.resolve(how, RESOLVE_IN_ROOTFS);
            save(target, "openat2", "<root>, " + quote(relative) + ", {flags=" + flagNames + ", resolve="
                    + RESOLVE_IN_ROOTFS_NAMES + "}, " + open_how.sizeof(), Linux.SYS_openat2(), Arg.register(rootFd),
                    str(relative), Arg.of(how.address()), Arg.of(open_how.sizeof()));
        } else {
            // Without openat2 (or in the host's own tree, whose links are the host's) the
            // parent's checked walk has vetted the path; O_NOFOLLOW still refuses a final link.
            save(target, "openat", "<root>, " + quote(relative) + ", " + flagNames + "|O_NOFOLLOW",
                    Linux.SYS_openat(), Arg.register(rootFd), str(relative), Arg.of(flags | Linux.O_NOFOLLOW()));
        }
    }

    /** Mounts a new file system instance on {@code where} (relative to the working directory, or absolute). */
    private void fresh(String type, String source, String where, Map<String, String> options, long flags, long attrs) {
        if (newApi) {
            save(context, "fsopen", quote(type) + ", FSOPEN_CLOEXEC", Linux.SYS_fsopen(), str(type),
                    Arg.of(Linux.FSOPEN_CLOEXEC()));
            program.stepWith(new Step("fsconfig", "<" + type + " context>, FSCONFIG_SET_STRING, \"source\", "
                    + quote(source) + ", 0"), Linux.SYS_fsconfig(), 0, -1, Arg.register(context),
                    Arg.of(Linux.FSCONFIG_SET_STRING()), str("source"), str(source), Arg.of(0));
            options.forEach((key, value) -> {
                if (value == null) {
                    program.stepWith(new Step("fsconfig", "<" + type + " context>, FSCONFIG_SET_FLAG, " + quote(key)
                            + ", NULL, 0"), Linux.SYS_fsconfig(), 0, -1, Arg.register(context),
                            Arg.of(Linux.FSCONFIG_SET_FLAG()), str(key), Arg.of(0), Arg.of(0));
                } else {
                    program.stepWith(new Step("fsconfig", "<" + type + " context>, FSCONFIG_SET_STRING, " + quote(key)
                            + ", " + quote(value) + ", 0"), Linux.SYS_fsconfig(), 0, -1, Arg.register(context),
                            Arg.of(Linux.FSCONFIG_SET_STRING()), str(key), str(value), Arg.of(0));
                }
            });
            program.stepWith(new Step("fsconfig", "<" + type + " context>, FSCONFIG_CMD_CREATE, NULL, NULL, 0"),
                    Linux.SYS_fsconfig(), 0, -1, Arg.register(context), Arg.of(Linux.FSCONFIG_CMD_CREATE()), Arg.of(0),
                    Arg.of(0), Arg.of(0));
            save(mount, "fsmount", "<" + type + " context>, FSMOUNT_CLOEXEC, " + attrNames(attrs), Linux.SYS_fsmount(),
                    Arg.register(context), Arg.of(Linux.FSMOUNT_CLOEXEC()), Arg.of(attrs));
            close(context, "<" + type + " context>");
            moveMount("<" + type + " mount>", where);
        } else {
            StringJoiner data = new StringJoiner(",");
            options.forEach((key, value) -> data.add(value == null ? key : key + "=" + value));
            String text = data.toString();
            step("mount", quote(source) + ", " + quote(where) + ", " + quote(type) + ", " + flagNames(flags) + ", "
                    + (text.isEmpty() ? "NULL" : quote(text)), Linux.SYS_mount(), program.string(source),
                    program.string(where), program.string(type), flags, text.isEmpty() ? 0 : program.string(text));
        }
    }

    /** Binds a host path onto {@code where} (relative to the working directory, or absolute). */
    private void bind(String source, String where, boolean readOnly, boolean recursive) {
        if (newApi) {
            save(context, "open_tree", "AT_FDCWD, " + quote(source) + ", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC"
                    + (recursive ? "|AT_RECURSIVE" : ""), Linux.SYS_open_tree(), Arg.of(AT_FDCWD), str(source),
                    Arg.of(Linux.OPEN_TREE_CLONE() | Linux.OPEN_TREE_CLOEXEC() | (recursive ? Linux.AT_RECURSIVE() : 0)));
            // In the host's read-only view the source itself is read-only now: a writable
            // bind clears that on its copy (never on the host's mount).
            boolean clear = !readOnly && spec.hostRoot();
            if (readOnly || clear) {
                MemorySegment attr = program.allocate(mount_attr.sizeof());
                if (readOnly) {
                    mount_attr.attr_set(attr, Linux.MOUNT_ATTR_RDONLY());
                } else {
                    mount_attr.attr_clr(attr, Linux.MOUNT_ATTR_RDONLY());
                }
                program.stepWith(new Step("mount_setattr", "<tree of " + source + ">, \"\", AT_EMPTY_PATH"
                        + (recursive ? "|AT_RECURSIVE" : "") + ", {" + (readOnly ? "attr_set" : "attr_clr")
                        + "=MOUNT_ATTR_RDONLY}, " + mount_attr.sizeof()),
                        Linux.SYS_mount_setattr(), 0, -1, Arg.register(context), str(""),
                        Arg.of(Linux.AT_EMPTY_PATH() | (recursive ? Linux.AT_RECURSIVE() : 0)), Arg.of(attr.address()),
                        Arg.of(mount_attr.sizeof()));
            }
            int tree = context;
            program.stepWith(new Step("move_mount", "<tree of " + source + ">, \"\", AT_FDCWD, " + quote(where)
                    + ", MOVE_MOUNT_F_EMPTY_PATH"), Linux.SYS_move_mount(), 0, -1, Arg.register(tree), str(""),
                    Arg.of(AT_FDCWD), str(where), Arg.of(Linux.MOVE_MOUNT_F_EMPTY_PATH()));
            close(tree, "<tree of " + source + ">");
            return;
        }
        if (readOnly && recursive) {
            throw new IllegalArgumentException("bind " + source + ": a recursive read-only bind needs mount_setattr(2)"
                    + " (Linux 5.12), which this kernel lacks; mount(2) would leave the mounts below it writable."
                    + " Use a non-recursive bind");
        }
        long flags = Linux.MS_BIND() | (recursive ? Linux.MS_REC() : 0);
        step("mount", quote(source) + ", " + quote(where) + ", NULL, MS_BIND" + (recursive ? "|MS_REC" : "") + ", NULL",
                Linux.SYS_mount(), program.string(source), program.string(where), 0, flags, 0);
        if (readOnly || spec.hostRoot()) {
            // "." still names the directory under the new mount; the mount's own root is
            // reached by looking the destination up again. In the host's read-only view a
            // writable bind is remounted without MS_RDONLY, which its source now has.
            String remountOn = where;
            if (where.equals(".")) {
                enter(entered);
            }
            long remount = Linux.MS_REMOUNT() | Linux.MS_BIND() | (readOnly ? Linux.MS_RDONLY() : 0);
            step("mount", "NULL, " + quote(remountOn) + ", NULL, MS_REMOUNT|MS_BIND" + (readOnly ? "|MS_RDONLY" : "")
                    + ", NULL", Linux.SYS_mount(), 0, program.string(remountOn), 0, remount, 0);
        }
    }

    private void moveMount(String from, String where) {
        program.stepWith(new Step("move_mount", from + ", \"\", AT_FDCWD, " + quote(where) + ", MOVE_MOUNT_F_EMPTY_PATH"),
                Linux.SYS_move_mount(), 0, -1, Arg.register(mount), str(""), Arg.of(AT_FDCWD), str(where),
                Arg.of(Linux.MOVE_MOUNT_F_EMPTY_PATH()));
        close(mount, from);
    }

    private void close(int register, String name) {
        program.stepWith(new Step("close", name), Linux.SYS_close(), 0, -1, Arg.register(register));
    }

    private void step(String syscall, String arguments, int number, long... args) {
        program.step(new Step(syscall, arguments), number, args);
    }

    private void save(int register, String syscall, String arguments, int number, Arg... args) {
        program.stepWith(new Step(syscall, arguments), number, 0, register, args);
    }

    private Arg str(String value) {
        return Arg.of(program.string(value));
    }

    private static String attrNames(long attrs) {
        StringJoiner names = new StringJoiner("|");
        if ((attrs & Linux.MOUNT_ATTR_RDONLY()) != 0) names.add("MOUNT_ATTR_RDONLY");
        if ((attrs & Linux.MOUNT_ATTR_NOSUID()) != 0) names.add("MOUNT_ATTR_NOSUID");
        if ((attrs & Linux.MOUNT_ATTR_NODEV()) != 0) names.add("MOUNT_ATTR_NODEV");
        if ((attrs & Linux.MOUNT_ATTR_NOEXEC()) != 0) names.add("MOUNT_ATTR_NOEXEC");
        if ((attrs & Linux.MOUNT_ATTR__ATIME()) == Linux.MOUNT_ATTR_STRICTATIME()
                && (attrs & Linux.MOUNT_ATTR_STRICTATIME()) != 0) names.add("MOUNT_ATTR_STRICTATIME");
        return names.length() == 0 ? "0" : names.toString();
    }

    static String flagNames(long flags) {
        StringJoiner names = new StringJoiner("|");
        if ((flags & Linux.MS_RDONLY()) != 0) names.add("MS_RDONLY");
        if ((flags & Linux.MS_NOSUID()) != 0) names.add("MS_NOSUID");
        if ((flags & Linux.MS_NODEV()) != 0) names.add("MS_NODEV");
        if ((flags & Linux.MS_NOEXEC()) != 0) names.add("MS_NOEXEC");
        if ((flags & Linux.MS_STRICTATIME()) != 0) names.add("MS_STRICTATIME");
        return names.length() == 0 ? "0" : names.toString();
    }

    /**
     * Parent-side check of every rootfs destination before the fork, for a message that
     * says what is wrong; the child's openat2 would refuse the same paths with ELOOP or
     * ENOENT. Walks component by component without following links.
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
                    throw new IOException("mount destination " + destination + ": " + path + " does not exist in"
                            + " rootfs " + spec.rootfs() + "; create it (a directory, or a file for a file bind)");
                }
            }
        }
    }

    /** One mount of the JVM's mount table, for the classic read-only remount of the host view. */
    record HostMount(String point, long flags, String flagNames) {
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
                long flags = 0;
                StringBuilder names = new StringBuilder();
                boolean atime = false;
                for (String option : fields[5].split(",")) {
                    switch (option) {
                        case "nosuid" -> { flags |= Linux.MS_NOSUID(); names.append("|MS_NOSUID"); }
                        case "nodev" -> { flags |= Linux.MS_NODEV(); names.append("|MS_NODEV"); }
                        case "noexec" -> { flags |= Linux.MS_NOEXEC(); names.append("|MS_NOEXEC"); }
                        case "noatime" -> { flags |= Linux.MS_NOATIME(); names.append("|MS_NOATIME"); atime = true; }
                        case "relatime" -> { flags |= Linux.MS_RELATIME(); names.append("|MS_RELATIME"); atime = true; }
                        case "nodiratime" -> { flags |= Linux.MS_NODIRATIME(); names.append("|MS_NODIRATIME"); }
                        default -> { }
                    }
                }
                if (!atime) {
                    flags |= Linux.MS_STRICTATIME();
                    names.append("|MS_STRICTATIME");
                }
                mounts.add(new HostMount(point, flags, names.toString()));
            }
            return mounts;
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
