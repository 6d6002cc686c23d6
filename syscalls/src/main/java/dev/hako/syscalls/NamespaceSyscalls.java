package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.utsname;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Namespaces: unshare, setns, sethostname, setdomainname and the nsfs ioctls that walk
 * the namespace hierarchy.
 *
 * <p>Namespaces belong to threads. The JVM is multithreaded, so a Java thread that calls
 * {@link #unshare} or {@link #setns} changes only itself: run such code on a dedicated
 * platform thread (never a virtual thread, which can move between carriers), and let
 * that thread end when done. The kernel refuses user namespaces in a multithreaded
 * process: create or join those in a child process.
 *
 * @see <a href="https://man7.org/linux/man-pages/man7/namespaces.7.html">namespaces(7)</a>
 */
public final class NamespaceSyscalls {

    /**
     * The longest hostname and NIS domain name the kernel accepts, in bytes: the utsname
     * fields hold this many bytes and a terminating NUL.
     */
    public static final int MAX_NAME_BYTES = (int) utsname.nodename$layout().byteSize() - 1;

    private NamespaceSyscalls() {
    }

    /**
     * Moves the calling thread into new namespaces (Linux 2.6.16; each namespace type
     * has its own minimum, see {@link NamespaceType}).
     *
     * @param namespaces the namespaces to create; may be empty when {@code flags} is not
     * @param flags      other context to stop sharing ({@code CLONE_FS}, {@code CLONE_FILES},
     *                   {@code CLONE_SYSVSEM})
     * @see <a href="https://man7.org/linux/man-pages/man2/unshare.2.html">unshare(2)</a>
     */
    public static void unshare(Set<NamespaceType> namespaces, Set<UnshareFlag> flags) throws SyscallException {
        long bits = Flag.combine(namespaces) | Flag.combine(flags);
        long result = Kernel.blocking(Linux.SYS_unshare(), bits, 0, 0);
        if (result < 0) {
            throw Kernel.failure(result, "unshare", describe(namespaces, flags));
        }
    }

    /**
     * Moves the calling thread into new namespaces; the same as
     * {@code unshare(namespaces, Set.of())}.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/unshare.2.html">unshare(2)</a>
     */
    public static void unshare(Set<NamespaceType> namespaces) throws SyscallException {
        unshare(namespaces, Set.of());
    }

    /**
     * Moves the calling thread into the namespace that {@code namespace} (an open
     * {@code /proc/PID/ns/*} file or a descriptor from an NS_GET_* ioctl) refers to,
     * whatever its type (Linux 3.0; mount, pid and user namespaces 3.8).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/setns.2.html">setns(2)</a>
     */
    public static void setns(Fd namespace) throws SyscallException {
        long result = Kernel.blocking(Linux.SYS_setns(), namespace.value(), 0, 0);
        if (result < 0) {
            throw Kernel.failure(result, "setns", namespace.value() + ", 0");
        }
    }

    /**
     * Like {@link #setns(Fd)}, but the kernel first checks that the namespace is of the
     * {@code expected} type, so a wrong descriptor fails with EINVAL instead of moving the
     * thread somewhere unexpected.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/setns.2.html">setns(2)</a>
     */
    public static void setns(Fd namespace, NamespaceType expected) throws SyscallException {
        Objects.requireNonNull(expected, "expected namespace type (use setns(Fd) to accept any)");
        long result = Kernel.blocking(Linux.SYS_setns(), namespace.value(), expected.bits(), 0);
        if (result < 0) {
            throw Kernel.failure(result, "setns", namespace.value() + ", " + expected.cName());
        }
    }

    /**
     * Moves the calling thread into several namespaces of the process that {@code pidfd}
     * refers to, all at once (Linux 5.8): either every change happens or none does.
     *
     * @param pidfd      a pidfd, from {@link ProcessSyscalls#pidfdOpen}
     * @param namespaces which of that process's namespaces to join; at least one
     * @see <a href="https://man7.org/linux/man-pages/man2/setns.2.html">setns(2)</a>
     */
    public static void setns(Fd pidfd, Set<NamespaceType> namespaces) throws SyscallException {
        long result = Kernel.blocking(Linux.SYS_setns(), pidfd.value(), Flag.combine(namespaces), 0);
        if (result < 0) {
            throw Kernel.failure(result, "setns", pidfd.value() + ", " + Flag.describe(namespaces));
        }
    }

    /**
     * Sets the hostname of the calling thread's UTS namespace (Linux 1.0).
     *
     * @param name at most {@link #MAX_NAME_BYTES} (64) bytes of UTF-8, no NUL
     * @throws IllegalArgumentException if the name is too long or contains a NUL byte
     * @see <a href="https://man7.org/linux/man-pages/man2/sethostname.2.html">sethostname(2)</a>
     */
    public static void sethostname(String name) throws SyscallException {
        setUtsName(Linux.SYS_sethostname(), "sethostname", "hostname", name);
    }

    /**
     * Sets the NIS domain name of the calling thread's UTS namespace (Linux 1.0).
     *
     * @param name at most {@link #MAX_NAME_BYTES} (64) bytes of UTF-8, no NUL
     * @throws IllegalArgumentException if the name is too long or contains a NUL byte
     * @see <a href="https://man7.org/linux/man-pages/man2/setdomainname.2.html">setdomainname(2)</a>
     */
    public static void setdomainname(String name) throws SyscallException {
        setUtsName(Linux.SYS_setdomainname(), "setdomainname", "domainname", name);
    }

    /** sethostname and setdomainname take the same arguments: a name and its length. */
    private static void setUtsName(int number, String syscall, String field, String name) throws SyscallException {
        byte[] bytes = utsName(name, field);
        try (Arena arena = Arena.ofConfined()) {
            long result = Kernel.blocking(number, copy(arena, bytes), bytes.length, 0);
            if (result < 0) {
                throw Kernel.failure(result, syscall, '"' + name + '"');
            }
        }
    }

    /**
     * Opens the user namespace that owns {@code namespace} (ioctl NS_GET_USERNS, Linux 4.9).
     * The new descriptor is close-on-exec.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/ioctl_nsfs.2.html">ioctl_nsfs(2)</a>
     */
    public static Fd nsGetUserns(Fd namespace) throws SyscallException {
        long result = Kernel.critical(Linux.SYS_ioctl(), namespace.value(), Linux.NS_GET_USERNS(), 0);
        if (result < 0) {
            throw Kernel.failure(result, "ioctl", namespace.value() + ", NS_GET_USERNS");
        }
        return Fd.adopt((int) result);
    }

    /**
     * Opens the parent of a pid or user namespace (ioctl NS_GET_PARENT, Linux 4.9). The
     * new descriptor is close-on-exec. Fails with EPERM at the top of the hierarchy, or
     * when the parent lies outside the caller's own user namespace.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/ioctl_nsfs.2.html">ioctl_nsfs(2)</a>
     */
    public static Fd nsGetParent(Fd namespace) throws SyscallException {
        long result = Kernel.critical(Linux.SYS_ioctl(), namespace.value(), Linux.NS_GET_PARENT(), 0);
        if (result < 0) {
            throw Kernel.failure(result, "ioctl", namespace.value() + ", NS_GET_PARENT");
        }
        return Fd.adopt((int) result);
    }

    /**
     * Returns the type of the namespace a descriptor refers to (ioctl NS_GET_NSTYPE, Linux 4.11).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/ioctl_nsfs.2.html">ioctl_nsfs(2)</a>
     */
    public static NamespaceType nsGetNstype(Fd namespace) throws SyscallException {
        long result = Kernel.critical(Linux.SYS_ioctl(), namespace.value(), Linux.NS_GET_NSTYPE(), 0);
        if (result < 0) {
            throw Kernel.failure(result, "ioctl", namespace.value() + ", NS_GET_NSTYPE");
        }
        return NamespaceType.ofBits((int) result);
    }

    /**
     * Returns the user id of the creator of a user namespace, as seen from the caller's
     * user namespace (ioctl NS_GET_OWNER_UID, Linux 4.11). EINVAL for other namespace types.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/ioctl_nsfs.2.html">ioctl_nsfs(2)</a>
     */
    public static int nsGetOwnerUid(Fd userNamespace) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment uid = arena.allocate(ValueLayout.JAVA_INT);
            long result = Kernel.critical(Linux.SYS_ioctl(), userNamespace.value(), Linux.NS_GET_OWNER_UID(),
                    uid.address());
            if (result < 0) {
                throw Kernel.failure(result, "ioctl", userNamespace.value() + ", NS_GET_OWNER_UID");
            }
            return uid.get(ValueLayout.JAVA_INT, 0);
        }
    }

    private static String describe(Set<NamespaceType> namespaces, Set<UnshareFlag> flags) {
        List<Flag> all = new ArrayList<>(namespaces);
        all.addAll(flags);
        return Flag.describe(all);
    }

    /** Checks a hostname or domain name before the call: the kernel would refuse or cut it. */
    private static byte[] utsName(String name, String field) {
        Native.requireNoNul(name, field);
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException(field + " must be at most " + MAX_NAME_BYTES + " bytes, got "
                    + bytes.length + ": \"" + name + '"');
        }
        return bytes;
    }

    private static long copy(Arena arena, byte[] bytes) {
        // The kernel takes a length, not a C string; one byte more keeps a zero-length name valid.
        MemorySegment segment = arena.allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return segment.address();
    }
}
