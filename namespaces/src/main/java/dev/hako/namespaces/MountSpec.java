package dev.hako.namespaces;

import dev.hako.namespaces.launch.MountCompiler;
import dev.hako.syscalls.Propagation;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The file system view of a container: its root, what is mounted on it, and how mount
 * events propagate. Immutable; made by {@link #builder()} and given to
 * {@link ContainerBuilder#mounts(MountSpec)}, which adds a new mount namespace.
 *
 * <p>The root is either a directory ({@link Builder#rootfs(Path)}: bound onto itself,
 * made the root with pivot_root(2), the old root detached) or the host's own tree made
 * read-only ({@link Builder#hostRootReadOnly()}, the default, like
 * {@code bwrap --ro-bind / /}). Mounts are applied in this order: /proc, /dev, /sys, the
 * binds and tmpfs mounts in the order they were added, the device nodes, then the masked
 * and read-only paths; a read-only root ({@link Builder#rootReadOnly()}) last. Every
 * destination is resolved inside the root without following symbolic links (openat2(2)
 * with {@code RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS} in a rootfs): a rootfs whose /proc is a
 * link to the host's / makes the start fail instead of mounting outside it. In a rootfs, a
 * missing destination is created, as runc and bwrap do: directories (mode 0755) for
 * directory binds and tmpfs mounts, an empty file for a file bind, by the same walk that
 * refuses links.
 *
 * <p>Contained by default, as runc and Docker are: every view gets a private /dev (a tmpfs
 * with only null, zero, full, random, urandom and tty, a new devpts instance, /dev/shm and,
 * with a new IPC namespace, /dev/mqueue), never the host's, whose disk nodes a root
 * payload could read even through a read-only mount; and the OCI runtime spec's default
 * masked paths are hidden and its read-only paths made read-only ({@link Builder#maskedPaths}
 * and {@link Builder#readOnlyPaths} replace the lists). {@link Builder#hostDev()} and
 * {@link Builder#unmasked()} opt out.
 *
 * <pre>{@code
 * MountSpec view = MountSpec.builder()
 *         .rootfs(Path.of("/srv/alpine"))
 *         .proc().sysReadOnly()
 *         .tmpfs("/tmp", 64 << 20, 01777)
 *         .build();
 * }</pre>
 *
 * @see <a href="https://man7.org/linux/man-pages/man7/mount_namespaces.7.html">mount_namespaces(7)</a>
 * @see <a href="https://man7.org/linux/man-pages/man2/pivot_root.2.html">pivot_root(2)</a>
 */
public final class MountSpec {

    private final Path rootfs;
    private final List<Mount> mounts;
    private final boolean proc;
    private final boolean sysReadOnly;
    private final boolean privateDev;
    private final List<String> maskedPaths;
    private final List<String> readOnlyPaths;
    private final Propagation propagation;
    private final List<Path> devices;
    private final List<DeviceNode> nodes;
    private final boolean rootReadOnly;

    private MountSpec(Path rootfs, List<Mount> mounts, boolean proc, boolean sysReadOnly, boolean privateDev,
                      List<String> maskedPaths, List<String> readOnlyPaths, Propagation propagation,
                      List<Path> devices, List<DeviceNode> nodes, boolean rootReadOnly) {
        this.mounts = List.copyOf(mounts);
        this.devices = List.copyOf(devices);
        this.nodes = List.copyOf(nodes);
        this.maskedPaths = List.copyOf(maskedPaths);
        this.readOnlyPaths = List.copyOf(readOnlyPaths);
        this.rootReadOnly = rootReadOnly;
        if (!devices.isEmpty() && !privateDev) {
            throw new IllegalArgumentException("device " + devices.getFirst() + " is added to a private /dev, but this"
                    + " view has the host's /dev (hostDev)");
        }
        for (DeviceNode node : nodes) {
            boolean inDev = node.path().startsWith("/dev/");
            if (inDev && !privateDev) {
                throw new IllegalArgumentException("device node " + node.path() + " would be made in the host's /dev"
                        + " (hostDev); nodes under /dev are made in a private /dev");
            }
            if (!inDev && rootfs == null) {
                throw new IllegalArgumentException("device node " + node.path() + " would be made in the host's own"
                        + " tree; outside /dev, nodes need a rootfs");
            }
        }
        this.propagation = Objects.requireNonNull(propagation, "propagation");
        if (propagation == Propagation.UNBINDABLE) {
            throw new IllegalArgumentException("propagation UNBINDABLE is not a choice for a container's mounts;"
                    + " use PRIVATE, SLAVE or SHARED");
        }
        this.rootfs = rootfs == null ? null : checkRootfs(rootfs);
        this.proc = proc;
        this.sysReadOnly = sysReadOnly;
        this.privateDev = privateDev;
    }

    /**
     * A new builder: the host's tree read-only, a private /dev, masked paths, nothing else
     * mounted, private propagation.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The root directory (absolute, real path), or null for the host's tree read-only. */
    public Path rootfs() {
        return rootfs;
    }

    /** Whether the root is the host's tree made read-only (no rootfs directory). */
    public boolean hostRoot() {
        return rootfs == null;
    }

    /** Binds and tmpfs mounts, in order. */
    public List<Mount> mounts() {
        return mounts;
    }

    /** Whether a fresh procfs is mounted on /proc (it shows the container's pid namespace). */
    public boolean proc() {
        return proc;
    }

    /** Whether sysfs is mounted read-only on /sys. */
    public boolean sysReadOnly() {
        return sysReadOnly;
    }

    /**
     * Whether /dev is private (the default): a tmpfs with null, zero, full, random, urandom
     * and tty bound from descriptors of the host's nodes, each checked to be the character
     * device it should be; a new devpts instance on /dev/pts with /dev/ptmx; a tmpfs
     * /dev/shm; /dev/mqueue with a new IPC namespace. Otherwise /dev is the host's (bound
     * into a rootfs, or left in the host's read-only tree).
     */
    public boolean privateDev() {
        return privateDev;
    }

    /**
     * Whether any path is masked or made read-only ({@link #maskedPaths()},
     * {@link #readOnlyPaths()}): on by default, with the OCI runtime spec's default lists.
     */
    public boolean masked() {
        return !maskedPaths.isEmpty() || !readOnlyPaths.isEmpty();
    }

    /**
     * Paths hidden after everything is mounted: an empty read-only tmpfs over a directory,
     * the null device bound over anything else. A path that does not exist is skipped; one
     * reached through a symbolic link fails the start. Paths under /proc and /sys count only
     * where the view mounts those ({@link Builder#proc()}, {@link Builder#sysReadOnly()}).
     * By default the OCI runtime spec's list (/proc/kcore, /proc/keys, /sys/firmware, ...).
     */
    public List<String> maskedPaths() {
        return maskedPaths;
    }

    /**
     * Paths bound onto themselves read-only (with the mounts below them) after everything is
     * mounted. Missing paths are skipped, linked ones refused, and /proc and /sys count as
     * for {@link #maskedPaths()}. By default the OCI runtime spec's list (/proc/sys,
     * /proc/sysrq-trigger, ...).
     */
    public List<String> readOnlyPaths() {
        return readOnlyPaths;
    }

    /** Device nodes made in the container ({@link Builder#node(DeviceNode)}), in order. */
    public List<DeviceNode> nodes() {
        return nodes;
    }

    /** Whether the rootfs is made read-only once everything is mounted ({@link Builder#rootReadOnly()}). */
    public boolean rootReadOnly() {
        return rootReadOnly;
    }

    /** Propagation of the container's mounts: PRIVATE, SLAVE or SHARED. */
    public Propagation propagation() {
        return propagation;
    }

    /** Host device nodes bound into the private /dev at the same path ({@link Builder#device(Path)}). */
    public List<Path> devices() {
        return devices;
    }

    /** This view with the host's /dev instead of a private one, and unmasked if asked. */
    MountSpec withHostDev(boolean unmasked) {
        return new MountSpec(rootfs, mounts, proc, sysReadOnly, false, unmasked ? List.of() : maskedPaths,
                unmasked ? List.of() : readOnlyPaths, propagation, List.of(), nodes, rootReadOnly);
    }

    @Override
    public String toString() {
        return "MountSpec[rootfs=" + (rootfs == null ? "<host, read-only>" : rootfs) + ", mounts=" + mounts
                + ", proc=" + proc + ", sysReadOnly=" + sysReadOnly + ", privateDev=" + privateDev + ", maskedPaths="
                + maskedPaths + ", readOnlyPaths=" + readOnlyPaths + ", nodes=" + nodes + ", rootReadOnly="
                + rootReadOnly + ", propagation=" + propagation + "]";
    }

    /** One bind or tmpfs mount of a {@link MountSpec}. */
    public sealed interface Mount {
        /** Absolute destination inside the container, normalised, without ".." components. */
        String destination();
    }

    /**
     * A bind mount of a host path.
     *
     * @param source      absolute host path (a directory or a file)
     * @param destination absolute path inside the container
     * @param readOnly    make the bind read-only
     * @param recursive   include the mounts below {@code source} (and, if read-only, make them read-only too)
     */
    public record Bind(Path source, String destination, boolean readOnly, boolean recursive) implements Mount {
        /** Validates both paths. */
        public Bind {
            Objects.requireNonNull(source, "bind source");
            if (!source.isAbsolute()) {
                throw new IllegalArgumentException("bind source \"" + source + "\" must be an absolute path");
            }
            ContainerBuilder.requireNoNul(source.toString(), "bind source");
            if (!Files.exists(source)) {
                throw new IllegalArgumentException("bind source \"" + source + "\" does not exist");
            }
            destination = checkDestination("bind destination", destination);
        }

    }

    /**
     * A fresh tmpfs, mounted nosuid,nodev.
     *
     * @param destination absolute path inside the container
     * @param sizeBytes   size limit in bytes, at least 1
     * @param mode        permissions of its root directory, 0 to 07777
     */
    public record Tmpfs(String destination, long sizeBytes, int mode) implements Mount {
        /** Validates the size, mode and destination. */
        public Tmpfs {
            destination = checkDestination("tmpfs destination", destination);
            if (sizeBytes <= 0) {
                throw new IllegalArgumentException("tmpfs size of " + destination + " is " + sizeBytes
                        + " bytes; it must be at least 1 (tmpfs reads size=0 as unlimited)");
            }
            if (mode < 0 || mode > 07777) {
                throw new IllegalArgumentException("tmpfs mode of " + destination + " is 0" + Integer.toOctalString(mode)
                        + "; it must be within 0..07777");
            }
        }
    }

    /**
     * A device node (or FIFO) made in the container, as the OCI runtime spec's
     * {@code linux.devices} lists them: mknod(2) at {@code path}, then its permissions and
     * owner set exactly (the umask plays no part). In a new or joined user namespace the
     * kernel refuses to make character and block devices, so, as runc does, the host's node
     * at the same path is bound there instead (its own mode and owner apply).
     *
     * @param path  absolute path inside the container; its missing directories are created
     * @param type  character device, block device or FIFO
     * @param major major device number, 0..4095 (ignored for a FIFO)
     * @param minor minor device number, 0..1048575 (ignored for a FIFO)
     * @param mode  permission bits, 0..07777
     * @param uid   owner, as the container sees it
     * @param gid   group, as the container sees it
     * @see <a href="https://man7.org/linux/man-pages/man2/mknod.2.html">mknod(2)</a>
     */
    public record DeviceNode(String path, Type type, int major, int minor, int mode, long uid, long gid) {

        /** The kind of node. */
        public enum Type {
            /** A character device ({@code S_IFCHR}). */
            CHARACTER,
            /** A block device ({@code S_IFBLK}). */
            BLOCK,
            /** A named pipe ({@code S_IFIFO}); it has no device number. */
            FIFO
        }

        /** Validates the path, numbers, mode and ids. */
        public DeviceNode {
            path = checkDestination("device node path", path);
            Objects.requireNonNull(type, "device node type");
            if (major < 0 || major > 4095) {
                throw new IllegalArgumentException("device node " + path + ": major " + major + " is outside 0..4095");
            }
            if (minor < 0 || minor > 0xfffff) {
                throw new IllegalArgumentException("device node " + path + ": minor " + minor
                        + " is outside 0..1048575");
            }
            if (mode < 0 || mode > 07777) {
                throw new IllegalArgumentException("device node " + path + ": mode 0" + Integer.toOctalString(mode)
                        + " is outside 0..07777");
            }
            for (long id : new long[] {uid, gid}) {
                if (id < 0 || id > 0xfffffffeL) {
                    throw new IllegalArgumentException("device node " + path + ": " + (id == uid ? "uid " : "gid ")
                            + id + " is outside 0..4294967294");
                }
            }
        }
    }

    /**
     * Parses a propagation name as mount(8) spells it: private, slave or shared, with or
     * without the recursive "r" prefix (container propagation is always recursive).
     *
     * @throws IllegalArgumentException naming the field and the accepted values
     */
    public static Propagation parsePropagation(String name) {
        String value = Objects.requireNonNull(name, "propagation").toLowerCase(Locale.ROOT);
        return switch (value) {
            case "private", "rprivate" -> Propagation.PRIVATE;
            case "slave", "rslave" -> Propagation.SLAVE;
            case "shared", "rshared" -> Propagation.SHARED;
            default -> throw new IllegalArgumentException("propagation \"" + name
                    + "\" is unknown; use private, slave or shared");
        };
    }

    /**
     * Normalises a destination: absolute, no NUL, no "." or ".." components (they could
     * walk out of the root before symlink checks even start), no trailing slash.
     */
    static String checkDestination(String field, String destination) {
        Objects.requireNonNull(destination, field);
        ContainerBuilder.requireNoNul(destination, field);
        if (!destination.startsWith("/")) {
            throw new IllegalArgumentException(field + " \"" + destination + "\" must be an absolute path inside the"
                    + " container");
        }
        StringBuilder normal = new StringBuilder();
        for (String part : destination.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.equals("..") || part.equals(".")) {
                throw new IllegalArgumentException(field + " \"" + destination + "\" contains a \"" + part
                        + "\" component; destinations must not walk out of (or around in) the root");
            }
            normal.append('/').append(part);
        }
        if (normal.isEmpty()) {
            throw new IllegalArgumentException(field + " \"" + destination + "\" is the root itself; mount onto a"
                    + " directory below it (or use rootfs)");
        }
        return normal.toString();
    }

    private static Path checkRootfs(Path rootfs) {
        ContainerBuilder.requireNoNul(rootfs.toString(), "rootfs");
        if (!rootfs.isAbsolute()) {
            throw new IllegalArgumentException("rootfs \"" + rootfs + "\" must be an absolute path");
        }
        if (!Files.exists(rootfs)) {
            throw new IllegalArgumentException("rootfs \"" + rootfs + "\" does not exist");
        }
        if (!Files.isDirectory(rootfs)) {
            throw new IllegalArgumentException("rootfs \"" + rootfs + "\" is not a directory");
        }
        try {
            // The real path: the child binds and pivots by path, so no link may be left in it.
            return rootfs.toRealPath();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("rootfs \"" + rootfs + "\" cannot be resolved: " + e.getMessage(), e);
        }
    }

    /** Fluent builder of a {@link MountSpec}; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private Path rootfs;
        private final List<Mount> mounts = new ArrayList<>();
        private boolean proc;
        private boolean sysReadOnly;
        private boolean privateDev = true;
        private List<String> maskedPaths = MountCompiler.MASKED;
        private List<String> readOnlyPaths = MountCompiler.READ_ONLY;
        private Propagation propagation = Propagation.PRIVATE;
        private final List<Path> devices = new ArrayList<>();
        private final List<DeviceNode> nodes = new ArrayList<>();
        private boolean rootReadOnly;

        private Builder() {
        }

        /**
         * Binds a host device node (e.g. {@code /dev/loop0}) into the private /dev at the same
         * path, as {@code docker run --device} does; the container's cgroup device rules then
         * allow it too.
         *
         * @throws IllegalArgumentException if the path is not a device node directly under /dev
         */
        public Builder device(Path node) {
            Objects.requireNonNull(node, "device");
            Path parent = node.getParent();
            if (!node.isAbsolute() || parent == null || !parent.equals(Path.of("/dev"))) {
                throw new IllegalArgumentException("device \"" + node + "\" must be a node directly under /dev,"
                        + " like /dev/loop0");
            }
            if (!Files.exists(node, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException("device \"" + node + "\" does not exist on the host");
            }
            String name = node.getFileName().toString();
            if (MountCompiler.DEVICES.containsKey(name) || List.of("pts", "shm", "mqueue", "ptmx", "fd", "stdin",
                    "stdout", "stderr").contains(name)) {
                throw new IllegalArgumentException("device \"" + node + "\" is already part of the private /dev");
            }
            devices.add(node);
            return this;
        }

        /**
         * Makes a device node (or FIFO) in the container, as {@code linux.devices} of the OCI
         * runtime spec asks (see {@link DeviceNode}). Under /dev it goes into the private
         * /dev; elsewhere the view needs a rootfs. Access to it is a matter of the cgroup
         * device rules: a container's own group allows the node's device.
         */
        public Builder node(DeviceNode node) {
            nodes.add(Objects.requireNonNull(node, "device node"));
            return this;
        }

        /**
         * Uses a directory as the root: bound onto itself, then made the root with
         * pivot_root(2), the old root detached. Must be an absolute path of an existing directory.
         */
        public Builder rootfs(Path directory) {
            this.rootfs = Objects.requireNonNull(directory, "rootfs");
            return this;
        }

        /** Uses the host's own tree, every mount of it read-only (the default). */
        public Builder hostRootReadOnly() {
            this.rootfs = null;
            return this;
        }

        /** Binds a host path (recursively, with the mounts below it) onto {@code destination}. */
        public Builder bind(Path source, String destination, boolean readOnly) {
            return bind(source, destination, readOnly, true);
        }

        /** Binds a host path onto {@code destination}, with or without the mounts below it. */
        public Builder bind(Path source, String destination, boolean readOnly, boolean recursive) {
            mounts.add(new Bind(source, destination, readOnly, recursive));
            return this;
        }

        /** Mounts a fresh tmpfs of {@code sizeBytes} with root directory permissions {@code mode}. */
        public Builder tmpfs(String destination, long sizeBytes, int mode) {
            mounts.add(new Tmpfs(destination, sizeBytes, mode));
            return this;
        }

        /** Mounts a fresh procfs on /proc, showing the container's pid namespace. */
        public Builder proc() {
            this.proc = true;
            return this;
        }

        /** Mounts sysfs read-only on /sys. */
        public Builder sysReadOnly() {
            this.sysReadOnly = true;
            return this;
        }

        /**
         * Gives the container the host's /dev instead of a private one (see
         * {@link MountSpec#privateDev()}): every host device node is then reachable, so
         * only the capabilities and cgroup device rules stand between a root payload and
         * the host's disks. For trusted payloads that need real devices.
         */
        public Builder hostDev() {
            this.privateDev = false;
            return this;
        }

        /**
         * Leaves /proc and /sys unmasked (see {@link MountSpec#masked()}): /proc/kcore,
         * /proc/keys, /proc/sysrq-trigger and the rest are then as the kernel shows them.
         * Empties both lists.
         */
        public Builder unmasked() {
            this.maskedPaths = List.of();
            this.readOnlyPaths = List.of();
            return this;
        }

        /**
         * Replaces the paths to hide (see {@link MountSpec#maskedPaths()}); the default is
         * the OCI runtime spec's list. Absolute paths inside the container.
         *
         * @throws IllegalArgumentException for a relative path or one with "." or ".."
         */
        public Builder maskedPaths(List<String> paths) {
            this.maskedPaths = checkPaths("masked path", paths);
            return this;
        }

        /**
         * Replaces the paths to make read-only (see {@link MountSpec#readOnlyPaths()}); the
         * default is the OCI runtime spec's list. Absolute paths inside the container.
         *
         * @throws IllegalArgumentException for a relative path or one with "." or ".."
         */
        public Builder readOnlyPaths(List<String> paths) {
            this.readOnlyPaths = checkPaths("read-only path", paths);
            return this;
        }

        private static List<String> checkPaths(String field, List<String> paths) {
            List<String> checked = new ArrayList<>();
            for (String path : Objects.requireNonNull(paths, field + "s")) {
                checked.add(checkDestination(field, path));
            }
            return List.copyOf(checked);
        }

        /**
         * Makes the rootfs read-only once everything is mounted, as the OCI runtime spec's
         * {@code root.readonly} asks: only the root mount itself, so /proc, /dev, tmpfs mounts
         * and writable binds on it stay as they are. The host view is read-only anyway.
         */
        public Builder rootReadOnly() {
            this.rootReadOnly = true;
            return this;
        }

        /** Sets the propagation of the container's mounts (PRIVATE by default). */
        public Builder propagation(Propagation propagation) {
            this.propagation = propagation;
            return this;
        }

        /**
         * Validates and returns the spec.
         *
         * @throws IllegalArgumentException naming the field and the rule a value breaks
         */
        public MountSpec build() {
            return new MountSpec(rootfs, mounts, proc, sysReadOnly, privateDev, maskedPaths, readOnlyPaths, propagation,
                    devices, nodes, rootReadOnly);
        }
    }
}
