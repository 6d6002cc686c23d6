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
 * {@code bwrap --ro-bind / /}). Mounts are applied in this order: /proc, /sys, /dev, the
 * binds and tmpfs mounts in the order they were added, then the masked and read-only
 * paths. Every destination is resolved inside the root without following symbolic links
 * (openat2(2) with {@code RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS} in a rootfs): a rootfs whose
 * /proc is a link to the host's / makes the start fail instead of mounting outside it.
 *
 * <p>Contained by default, as runc and Docker are: every view gets a private /dev (a tmpfs
 * with only null, zero, full, random, urandom and tty, a new devpts instance, /dev/shm and,
 * with a new IPC namespace, /dev/mqueue), never the host's, whose disk nodes a root
 * payload could read even through a read-only mount; and wherever a /proc or /sys is
 * mounted, the OCI runtime spec's default masked paths are hidden and its read-only paths
 * made read-only. {@link Builder#hostDev()} and {@link Builder#unmasked()} opt out.
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
    private final boolean masked;
    private final Propagation propagation;
    private final List<Path> devices;

    private MountSpec(Path rootfs, List<Mount> mounts, boolean proc, boolean sysReadOnly, boolean privateDev,
                      boolean masked, Propagation propagation, List<Path> devices) {
        this.mounts = List.copyOf(mounts);
        this.devices = List.copyOf(devices);
        if (!devices.isEmpty() && !privateDev) {
            throw new IllegalArgumentException("device " + devices.getFirst() + " is added to a private /dev, but this"
                    + " view has the host's /dev (hostDev)");
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
        this.masked = masked;
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
     * Whether the OCI runtime spec's default masked paths are hidden (empty read-only tmpfs
     * on directories, the null device on files) and its read-only paths made read-only,
     * under the /proc and /sys this view mounts. On by default.
     */
    public boolean masked() {
        return masked;
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
        return new MountSpec(rootfs, mounts, proc, sysReadOnly, false, masked && !unmasked, propagation, List.of());
    }

    @Override
    public String toString() {
        return "MountSpec[rootfs=" + (rootfs == null ? "<host, read-only>" : rootfs) + ", mounts=" + mounts
                + ", proc=" + proc + ", sysReadOnly=" + sysReadOnly + ", privateDev=" + privateDev + ", masked="
                + masked + ", propagation=" + propagation + "]";
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
        private boolean masked = true;
        private Propagation propagation = Propagation.PRIVATE;
        private final List<Path> devices = new ArrayList<>();

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
         */
        public Builder unmasked() {
            this.masked = false;
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
            return new MountSpec(rootfs, mounts, proc, sysReadOnly, privateDev, masked, propagation, devices);
        }
    }
}
