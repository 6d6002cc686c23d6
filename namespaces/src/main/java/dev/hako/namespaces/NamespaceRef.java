package dev.hako.namespaces;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.MountFlag;
import dev.hako.syscalls.MountSyscalls;
import dev.hako.syscalls.NamespaceSyscalls;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.OpenFlag;
import dev.hako.syscalls.SyscallException;
import dev.hako.syscalls.UnmountFlag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * An open handle on one namespace: a descriptor of an nsfs file, its kind and its identity
 * (device and inode, which is what makes two namespaces the same). Holding it keeps the
 * namespace alive. Close it when done.
 *
 * <pre>{@code
 * try (NamespaceRef net = NamespaceRef.ofPid(container.pid(), NamespaceType.NET)) {
 *     net.persist(Path.of("/run/netns/box"));   // like "ip netns add box"
 * }
 * }</pre>
 *
 * @see <a href="https://man7.org/linux/man-pages/man7/namespaces.7.html">namespaces(7)</a>
 * @see <a href="https://man7.org/linux/man-pages/man2/ioctl_nsfs.2.html">ioctl_nsfs(2)</a>
 */
public final class NamespaceRef implements AutoCloseable {

    private final Fd fd;
    private final NamespaceType type;
    private final long device;
    private final long inode;
    private final String origin;

    private NamespaceRef(Fd fd, NamespaceType type, String origin) throws IOException {
        this.fd = fd;
        this.type = type;
        this.origin = origin;
        try {
            Path self = Path.of("/proc/self/fd/" + fd.value());
            this.device = ((Number) Files.getAttribute(self, "unix:dev")).longValue();
            this.inode = ((Number) Files.getAttribute(self, "unix:ino")).longValue();
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Opens the namespace of {@code type} of a process (/proc/PID/ns/KIND).
     *
     * @throws IOException naming the pid when the process does not exist (any more)
     */
    public static NamespaceRef ofPid(long pid, NamespaceType type) throws IOException {
        Objects.requireNonNull(type, "type");
        String path = "/proc/" + pid + "/ns/" + type.procName();
        Fd fd;
        try {
            fd = FileSyscalls.openat2(null, path, EnumSet.of(OpenFlag.READ_ONLY), 0, Set.of());
        } catch (SyscallException e) {
            if (e.errno() == Linux.ENOENT() || e.errno() == Linux.ESRCH()) {
                throw new IOException("cannot open the " + type.procName() + " namespace of pid " + pid
                        + ": no such process (it exited?)", e);
            }
            throw e;
        }
        return new NamespaceRef(fd, type, path);
    }

    /** Opens a namespace of a started container process. */
    public static NamespaceRef of(ContainerProcess process, NamespaceType type) throws IOException {
        return ofPid(process.pid(), type);
    }

    /**
     * Opens the namespace the calling thread is in (/proc/thread-self/ns/KIND): per thread,
     * because setns(2) moves threads, not processes.
     */
    public static NamespaceRef ofCurrentThread(NamespaceType type) throws IOException {
        String path = "/proc/thread-self/ns/" + type.procName();
        return new NamespaceRef(FileSyscalls.openat2(null, path, EnumSet.of(OpenFlag.READ_ONLY), 0, Set.of()), type,
                path);
    }

    /**
     * Opens a namespace file: /proc/PID/ns/KIND, or a bind mount of one (as made by
     * {@link #persist(Path)} or {@code ip netns add}). The kind is asked of the kernel
     * (NS_GET_NSTYPE), so a file that is not a namespace is refused.
     */
    public static NamespaceRef ofPath(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        Fd fd = FileSyscalls.openat2(null, path.toString(), EnumSet.of(OpenFlag.READ_ONLY), 0, Set.of());
        NamespaceType type;
        try {
            type = NamespaceSyscalls.nsGetNstype(fd);
        } catch (SyscallException e) {
            fd.close();
            throw new IOException(path + " is not a namespace file (NS_GET_NSTYPE failed: " + e.errnoName() + ")", e);
        }
        return new NamespaceRef(fd, type, path.toString());
    }

    /** The kind of namespace. */
    public NamespaceType type() {
        return type;
    }

    /** The inode number of the namespace, as {@code ls -L -i /proc/PID/ns/KIND} shows it. */
    public long inode() {
        return inode;
    }

    /** The device of the nsfs file system; with the inode, the namespace's identity. */
    public long device() {
        return device;
    }

    /** The open descriptor (owned by this handle), for setns(2) or joining. */
    public Fd fd() {
        return fd;
    }

    /** A join of this namespace for {@link ContainerBuilder#join}; this handle must stay open until start. */
    public NamespaceJoin asJoin() {
        return NamespaceJoin.ofPath(Path.of("/proc/self/fd/" + fd.value()));
    }

    /** Whether two handles refer to the same namespace (same device and inode). */
    public boolean sameAs(NamespaceRef other) {
        return other.device == device && other.inode == inode;
    }

    /** Whether two processes share their namespace of {@code type}. */
    public static boolean same(long pid1, long pid2, NamespaceType type) throws IOException {
        try (NamespaceRef a = ofPid(pid1, type); NamespaceRef b = ofPid(pid2, type)) {
            return a.sameAs(b);
        }
    }

    /** The user namespace that owns this one (NS_GET_USERNS). */
    public NamespaceRef owningUserNamespace() throws IOException {
        return new NamespaceRef(NamespaceSyscalls.nsGetUserns(fd), NamespaceType.USER, "owner of " + origin);
    }

    /**
     * The parent namespace (NS_GET_PARENT), for pid and user namespaces only.
     *
     * @throws IllegalStateException for other kinds
     */
    public NamespaceRef parent() throws IOException {
        if (type != NamespaceType.PID && type != NamespaceType.USER) {
            throw new IllegalStateException("only pid and user namespaces have a parent; this is a "
                    + type.procName() + " namespace");
        }
        return new NamespaceRef(NamespaceSyscalls.nsGetParent(fd), type, "parent of " + origin);
    }

    /**
     * The uid (in the caller's user namespace) of the creator of a user namespace (NS_GET_OWNER_UID).
     *
     * @throws IllegalStateException for other kinds
     */
    public int ownerUid() throws IOException {
        if (type != NamespaceType.USER) {
            throw new IllegalStateException("only a user namespace has an owner uid; this is a " + type.procName()
                    + " namespace (use owningUserNamespace().ownerUid())");
        }
        return NamespaceSyscalls.nsGetOwnerUid(fd);
    }

    /**
     * Keeps the namespace alive without any process in it by bind-mounting it onto
     * {@code file} (created empty if missing), as {@code ip netns add} does under /run/netns.
     * Undo with {@link #release(Path)}. Needs CAP_SYS_ADMIN.
     */
    public void persist(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        boolean created = false;
        if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createFile(file);
            created = true;
        }
        try {
            MountSyscalls.mount("/proc/self/fd/" + fd.value(), file.toString(), null, EnumSet.of(MountFlag.BIND), null);
        } catch (SyscallException e) {
            if (created) {
                Files.deleteIfExists(file);
            }
            throw e;
        }
    }

    /**
     * Unmounts a namespace persisted with {@link #persist(Path)} (the namespace ends when
     * nothing else holds it) and deletes the file.
     */
    public static void release(Path file) throws IOException {
        MountSyscalls.umount2(file.toString(), EnumSet.of(UnmountFlag.DETACH));
        Files.deleteIfExists(file);
    }

    /** Closes the descriptor. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamespaceRef other && other.type == type && sameAs(other);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(inode) * 31 + Long.hashCode(device);
    }

    @Override
    public String toString() {
        return type.procName() + ":[" + inode + "] (" + origin + ")";
    }
}
