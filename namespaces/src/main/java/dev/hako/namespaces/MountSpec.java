package dev.hako.namespaces;

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
 * binds and tmpfs mounts in the order they were added, then the OCI masked and read-only
 * paths. Every destination is resolved inside the root without following symbolic links
 * (openat2(2) with {@code RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS} in a rootfs): a rootfs whose
 * /proc is a link to the host's / makes the start fail instead of mounting outside it.
 *
 * <pre>{@code
 * MountSpec view = MountSpec.builder()
 *         .rootfs(Path.of("/srv/alpine"))
 *         .proc().sysReadOnly().minimalDev()
 *         .tmpfs("/tmp", 64 << 20, 01777)
 *         .build();
 * }</pre>
 *
 * @param rootfs         the root directory (absolute, real path), or null for the host's tree read-only
 * @param mounts         binds and tmpfs mounts, in order
 * @param proc           mount a fresh procfs on /proc (it shows the container's pid namespace)
 * @param sysReadOnly    mount sysfs read-only on /sys
 * @param minimalDev     a tmpfs /dev with null, zero, full, random, urandom and tty bound from the
 *                       host, a new devpts instance on /dev/pts with /dev/ptmx, and a tmpfs /dev/shm
 * @param ociMaskedPaths hide the OCI runtime spec's default masked paths and make its read-only
 *                       paths read-only (under /proc and /sys, when those are mounted)
 * @param propagation    propagation of the container's mounts: PRIVATE, SLAVE or SHARED
 * @see <a href="https://man7.org/linux/man-pages/man7/mount_namespaces.7.html">mount_namespaces(7)</a>
 * @see <a href="https://man7.org/linux/man-pages/man2/pivot_root.2.html">pivot_root(2)</a>
 */
public record MountSpec(Path rootfs, List<Mount> mounts, boolean proc, boolean sysReadOnly, boolean minimalDev,
                        boolean ociMaskedPaths, Propagation propagation) {

    /** Validates (as {@link Builder#build()} does) and copies the list. */
    public MountSpec {
        mounts = List.copyOf(mounts);
        Objects.requireNonNull(propagation, "propagation");
        if (propagation == Propagation.UNBINDABLE) {
            throw new IllegalArgumentException("propagation UNBINDABLE is not a choice for a container's mounts;"
                    + " use PRIVATE, SLAVE or SHARED");
        }
        if (rootfs != null) {
            rootfs = checkRootfs(rootfs);
        }
    }

    /** A new builder: the host's tree read-only, nothing else mounted, private propagation. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether the root is the host's tree made read-only (no rootfs directory). */
    public boolean hostRoot() {
        return rootfs == null;
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

        /** Whether the source is a directory (else the destination must be a file too). */
        boolean directory() {
            return Files.isDirectory(source);
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

    /** Whether a host path is a directory without following a final link (for the masked paths). */
    static boolean isDirectory(Path path) {
        return Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
    }

    /** Fluent builder of a {@link MountSpec}; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private Path rootfs;
        private final List<Mount> mounts = new ArrayList<>();
        private boolean proc;
        private boolean sysReadOnly;
        private boolean minimalDev;
        private boolean ociMaskedPaths;
        private Propagation propagation = Propagation.PRIVATE;

        private Builder() {
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

        /** A minimal /dev: see {@link MountSpec#minimalDev()}. */
        public Builder minimalDev() {
            this.minimalDev = true;
            return this;
        }

        /** Hides the OCI default masked paths and makes the OCI read-only paths read-only. */
        public Builder ociMaskedPaths() {
            this.ociMaskedPaths = true;
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
            if (ociMaskedPaths && !proc && !sysReadOnly) {
                throw new IllegalArgumentException("ociMaskedPaths masks paths under /proc and /sys; add proc() or"
                        + " sysReadOnly()");
            }
            return new MountSpec(rootfs, mounts, proc, sysReadOnly, minimalDev, ociMaskedPaths, propagation);
        }
    }
}
