package dev.hako.syscalls.calls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.ifreq;
import dev.hako.syscalls.AddressFamily;
import dev.hako.syscalls.Flag;
import dev.hako.syscalls.InterfaceFlag;
import dev.hako.syscalls.NetworkSyscalls;
import dev.hako.syscalls.SocketFlag;
import dev.hako.syscalls.SocketType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/** Encoders of socket(2) and the network interface ioctls (netdevice(7)). */
public final class NetworkCalls {

    private NetworkCalls() {
    }

    /** socket(2); the type flags as given. */
    public static Call socket(AddressFamily domain, SocketType type, Set<SocketFlag> flags, int protocol) {
        return Call.of("socket", Linux.SYS_socket(), new long[] {domain.value(), type.value() | Flag.combine(flags),
                protocol}, () -> new String[] {domain.cName(), type.cName() + (flags.isEmpty() ? "" : "|"
                        + Flag.describe(flags)), Integer.toString(protocol)});
    }

    /**
     * A zeroed {@code struct ifreq} with the interface name filled in.
     *
     * @throws IllegalArgumentException if the name is empty, too long or contains a NUL byte
     */
    public static MemorySegment interfaceRequest(SegmentAllocator memory, String name) {
        CStrings.requireNoNul(name, "interface name");
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > NetworkSyscalls.MAX_INTERFACE_NAME_BYTES) {
            throw new IllegalArgumentException("interface name must be 1 to " + NetworkSyscalls.MAX_INTERFACE_NAME_BYTES
                    + " bytes (IFNAMSIZ - 1), got " + bytes.length + ": \"" + name + '"');
        }
        MemorySegment request = ifreq.allocate(memory);
        MemorySegment.copy(bytes, 0, request, ValueLayout.JAVA_BYTE, ifreq.ifr_name$offset(), bytes.length);
        return request;
    }

    /** ioctl(2) SIOCGIFFLAGS: the kernel fills {@code ifr_flags} of {@code request}. */
    public static Call siocgifflags(int socket, MemorySegment request) {
        return ioctl(socket, Linux.SIOCGIFFLAGS(), "SIOCGIFFLAGS", request, "");
    }

    /** ioctl(2) SIOCGIFINDEX: the kernel fills {@code ifr_ifindex} of {@code request}. */
    public static Call siocgifindex(int socket, MemorySegment request) {
        return ioctl(socket, Linux.SIOCGIFINDEX(), "SIOCGIFINDEX", request, "");
    }

    /** ioctl(2) SIOCSIFFLAGS: replaces the flags of interface {@code name}. */
    public static Call siocsifflags(SegmentAllocator memory, int socket, String name, Set<InterfaceFlag> flags) {
        MemorySegment request = interfaceRequest(memory, name);
        ifreq.ifr_flags(request, (short) Flag.combine(flags));
        return ioctl(socket, Linux.SIOCSIFFLAGS(), "SIOCSIFFLAGS", request, ", ifr_flags=" + Flag.describe(flags));
    }

    private static Call ioctl(int socket, int request, String requestName, MemorySegment ifr, String more) {
        return Call.of("ioctl", Linux.SYS_ioctl(), new long[] {socket, Integer.toUnsignedLong(request), ifr.address()},
                () -> new String[] {Integer.toString(socket), requestName, "{ifr_name="
                        + Show.quote(ifr.getString(ifreq.ifr_name$offset(), StandardCharsets.UTF_8)) + more + "}"});
    }
}
