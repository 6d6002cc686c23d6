package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.ifreq;
import dev.hako.syscalls.calls.NetworkCalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Set;

/**
 * Sockets and the interface ioctls a container needs before it has a network: creating a
 * socket, reading and setting an interface's flags (to bring {@code lo} up in a new
 * network namespace) and its index.
 *
 * <p>A socket belongs to the network namespace it was created in, whatever thread uses it
 * later: to configure a container's interfaces, create the socket on a thread that has
 * joined (setns) or created (unshare) that namespace.
 *
 * @see <a href="https://man7.org/linux/man-pages/man7/netdevice.7.html">netdevice(7)</a>
 */
public final class NetworkSyscalls {

    /** The longest interface name, in bytes: IFNAMSIZ with room for the NUL. */
    public static final int MAX_INTERFACE_NAME_BYTES = Linux.IFNAMSIZ() - 1;

    private NetworkSyscalls() {
    }

    /**
     * Creates a socket (Linux 2.0; the type flags 2.6.27). {@code SOCK_CLOEXEC} is always added.
     *
     * @param protocol the protocol number, usually 0 for the default of the domain and type
     * @see <a href="https://man7.org/linux/man-pages/man2/socket.2.html">socket(2)</a>
     */
    public static Fd socket(AddressFamily domain, SocketType type, Set<SocketFlag> flags, int protocol)
            throws SyscallException {
        EnumSet<SocketFlag> all = flags.isEmpty() ? EnumSet.noneOf(SocketFlag.class) : EnumSet.copyOf(flags);
        all.add(SocketFlag.CLOEXEC);
        return Fd.adopt((int) Kernel.runCritical(NetworkCalls.socket(domain, type, all, protocol)));
    }

    /**
     * Returns the flags of network interface {@code name} (ioctl SIOCGIFFLAGS, Linux 2.0),
     * as seen in the network namespace of {@code socket}.
     *
     * @throws IllegalArgumentException if the name is empty, too long or contains a NUL byte
     * @see <a href="https://man7.org/linux/man-pages/man7/netdevice.7.html">netdevice(7)</a>
     * @see <a href="https://man7.org/linux/man-pages/man2/ioctl.2.html">ioctl(2)</a>
     */
    public static Set<InterfaceFlag> getInterfaceFlags(Fd socket, String name) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = NetworkCalls.interfaceRequest(arena, name);
            Kernel.runCritical(NetworkCalls.siocgifflags(socket.value(), request));
            return Flag.decode(InterfaceFlag.class, Short.toUnsignedLong(ifreq.ifr_flags(request)));
        }
    }

    /**
     * Replaces the flags of network interface {@code name} (ioctl SIOCSIFFLAGS, Linux 2.0);
     * to bring an interface up, read its flags, add {@link InterfaceFlag#UP} and set them.
     * Needs CAP_NET_ADMIN in the namespace's owning user namespace.
     *
     * @throws IllegalArgumentException if the name is empty, too long or contains a NUL byte
     * @see <a href="https://man7.org/linux/man-pages/man7/netdevice.7.html">netdevice(7)</a>
     * @see <a href="https://man7.org/linux/man-pages/man2/ioctl.2.html">ioctl(2)</a>
     */
    public static void setInterfaceFlags(Fd socket, String name, Set<InterfaceFlag> flags) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            Kernel.runCritical(NetworkCalls.siocsifflags(arena, socket.value(), name, flags));
        }
    }

    /**
     * Returns the index of network interface {@code name} (ioctl SIOCGIFINDEX, Linux 2.2),
     * the number that netlink messages use for it.
     *
     * @throws IllegalArgumentException if the name is empty, too long or contains a NUL byte
     * @see <a href="https://man7.org/linux/man-pages/man7/netdevice.7.html">netdevice(7)</a>
     * @see <a href="https://man7.org/linux/man-pages/man2/ioctl.2.html">ioctl(2)</a>
     */
    public static int getInterfaceIndex(Fd socket, String name) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = NetworkCalls.interfaceRequest(arena, name);
            Kernel.runCritical(NetworkCalls.siocgifindex(socket.value(), request));
            return ifreq.ifr_ifindex(request);
        }
    }
}
