package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.utsname;
import dev.hako.syscalls.calls.NamespaceCalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
        Kernel.run(NamespaceCalls.unshare(namespaces, flags));
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
        Kernel.run(NamespaceCalls.setns(namespace.value(), (NamespaceType) null));
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
        Kernel.run(NamespaceCalls.setns(namespace.value(), expected));
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
        Kernel.run(NamespaceCalls.setns(pidfd.value(), namespaces));
    }

    /**
     * Sets the hostname of the calling thread's UTS namespace (Linux 1.0).
     *
     * @param name at most {@link #MAX_NAME_BYTES} (64) bytes of UTF-8, no NUL
     * @throws IllegalArgumentException if the name is too long or contains a NUL byte
     * @see <a href="https://man7.org/linux/man-pages/man2/sethostname.2.html">sethostname(2)</a>
     */
    public static void sethostname(String name) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            Kernel.run(NamespaceCalls.sethostname(arena, name));
        }
    }

    /**
     * Sets the NIS domain name of the calling thread's UTS namespace (Linux 1.0).
     *
     * @param name at most {@link #MAX_NAME_BYTES} (64) bytes of UTF-8, no NUL
     * @throws IllegalArgumentException if the name is too long or contains a NUL byte
     * @see <a href="https://man7.org/linux/man-pages/man2/setdomainname.2.html">setdomainname(2)</a>
     */
    public static void setdomainname(String name) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            Kernel.run(NamespaceCalls.setdomainname(arena, name));
        }
    }

    /**
     * Opens the user namespace that owns {@code namespace} (ioctl NS_GET_USERNS, Linux 4.9).
     * The new descriptor is close-on-exec.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/ioctl_nsfs.2.html">ioctl_nsfs(2)</a>
     */
    public static Fd nsGetUserns(Fd namespace) throws SyscallException {
        return Fd.adopt((int) Kernel.runCritical(NamespaceCalls.nsGetUserns(namespace.value())));
    }

    /**
     * Opens the parent of a pid or user namespace (ioctl NS_GET_PARENT, Linux 4.9). The
     * new descriptor is close-on-exec. Fails with EPERM at the top of the hierarchy, or
     * when the parent lies outside the caller's own user namespace.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/ioctl_nsfs.2.html">ioctl_nsfs(2)</a>
     */
    public static Fd nsGetParent(Fd namespace) throws SyscallException {
        return Fd.adopt((int) Kernel.runCritical(NamespaceCalls.nsGetParent(namespace.value())));
    }

    /**
     * Returns the type of the namespace a descriptor refers to (ioctl NS_GET_NSTYPE, Linux 4.11).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/ioctl_nsfs.2.html">ioctl_nsfs(2)</a>
     */
    public static NamespaceType nsGetNstype(Fd namespace) throws SyscallException {
        return NamespaceType.ofBits((int) Kernel.runCritical(NamespaceCalls.nsGetNstype(namespace.value())));
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
            Kernel.runCritical(NamespaceCalls.nsGetOwnerUid(userNamespace.value(), uid));
            return uid.get(ValueLayout.JAVA_INT, 0);
        }
    }
}
