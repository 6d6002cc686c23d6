package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.testing.Privileged;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class NetworkSyscallsTest {

    @Test
    void socketIsCloseOnExecAndSeesTheLoopbackInterface() throws Exception {
        try (Fd socket = NetworkSyscalls.socket(AddressFamily.INET, SocketType.DGRAM, Set.of(), 0)) {
            assertThat(Descriptors.flags(socket.value()) & 02000000).as("O_CLOEXEC").isNotZero();
            assertThat(NetworkSyscalls.getInterfaceFlags(socket, "lo")).contains(InterfaceFlag.LOOPBACK);
            assertThat(NetworkSyscalls.getInterfaceIndex(socket, "lo")).isEqualTo(1);
        }
        try (Fd socket = NetworkSyscalls.socket(AddressFamily.UNIX, SocketType.STREAM, EnumSet.of(SocketFlag.NONBLOCK), 0)) {
            assertThat(Descriptors.flags(socket.value()) & 04000).as("O_NONBLOCK").isNotZero();
        }
    }

    @Test
    void socketWithAProtocolOfAnotherTypeFails() {
        assertThatThrownBy(() -> NetworkSyscalls.socket(AddressFamily.INET, SocketType.STREAM, Set.of(), 17).close())
                .isInstanceOf(SyscallException.class)
                .hasMessage("socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 17) failed: EPROTONOSUPPORT (Protocol not supported)");
    }

    @Test
    void interfaceIoctlsOnAMissingInterfaceFail() throws Exception {
        try (Fd socket = NetworkSyscalls.socket(AddressFamily.INET, SocketType.DGRAM, Set.of(), 0)) {
            int fd = socket.value();
            assertThatThrownBy(() -> NetworkSyscalls.getInterfaceFlags(socket, "hakonone0"))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("ioctl(" + fd + ", SIOCGIFFLAGS, {ifr_name=\"hakonone0\"}) failed: ENODEV (No such device)");
            assertThatThrownBy(() -> NetworkSyscalls.getInterfaceIndex(socket, "hakonone0"))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("ioctl(" + fd + ", SIOCGIFINDEX, {ifr_name=\"hakonone0\"}) failed: ENODEV (No such device)");
            assertThatThrownBy(() -> NetworkSyscalls.setInterfaceFlags(socket, "hakonone0", EnumSet.of(InterfaceFlag.UP)))
                    .isInstanceOf(SyscallException.class)
                    .hasMessage("ioctl(" + fd + ", SIOCSIFFLAGS, {ifr_name=\"hakonone0\", ifr_flags=IFF_UP}) failed: ENODEV (No such device)");
        }
    }

    @Test
    void interfaceNamesTheKernelWouldCutAreRejected() throws Exception {
        try (Fd socket = NetworkSyscalls.socket(AddressFamily.INET, SocketType.DGRAM, Set.of(), 0)) {
            assertThatThrownBy(() -> NetworkSyscalls.getInterfaceFlags(socket, "sixteen-bytes-xx"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("interface name must be 1 to 15 bytes (IFNAMSIZ - 1), got 16: \"sixteen-bytes-xx\"");
            assertThatThrownBy(() -> NetworkSyscalls.getInterfaceIndex(socket, "lo\0"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("interface name contains a NUL byte, which C strings cannot hold: lo\\0");
        }
    }

    @Test
    @Privileged
    @Timeout(10)
    void loopbackComesUpInANewNetworkNamespace() throws Exception {
        DedicatedThread.run(() -> {
            NamespaceSyscalls.unshare(EnumSet.of(NamespaceType.NET));
            try (Fd socket = NetworkSyscalls.socket(AddressFamily.INET, SocketType.DGRAM, Set.of(), 0)) {
                Set<InterfaceFlag> flags = NetworkSyscalls.getInterfaceFlags(socket, "lo");
                assertThat(flags).contains(InterfaceFlag.LOOPBACK).doesNotContain(InterfaceFlag.UP);
                EnumSet<InterfaceFlag> up = EnumSet.copyOf(flags);
                up.add(InterfaceFlag.UP);
                NetworkSyscalls.setInterfaceFlags(socket, "lo", up);
                assertThat(NetworkSyscalls.getInterfaceFlags(socket, "lo"))
                        .contains(InterfaceFlag.UP, InterfaceFlag.RUNNING, InterfaceFlag.LOOPBACK);
            }
        });
    }
}
