package dev.hako.syscalls.calls;

import static dev.hako.syscalls.calls.Memory.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hako.bindings.Linux;
import dev.hako.bindings.ifreq;
import dev.hako.syscalls.AddressFamily;
import dev.hako.syscalls.InterfaceFlag;
import dev.hako.syscalls.NamespaceType;
import dev.hako.syscalls.SocketFlag;
import dev.hako.syscalls.SocketType;
import dev.hako.syscalls.UnshareFlag;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** The namespace and network encoders. */
class NamespaceCallsTest {

    @Test
    void unshareAndSetns() {
        Call unshare = NamespaceCalls.unshare(EnumSet.of(NamespaceType.MOUNT, NamespaceType.PID), EnumSet.of(UnshareFlag.FS));
        assertThat(unshare.words()).containsExactly(Linux.CLONE_NEWNS() | Linux.CLONE_NEWPID() | Linux.CLONE_FS(),
                0, 0, 0, 0, 0);
        assertThat(unshare.describe()).isEqualTo("unshare(CLONE_NEWNS|CLONE_NEWPID|CLONE_FS)");
        assertThat(NamespaceCalls.setns(5, NamespaceType.USER).words()).startsWith(5, Linux.CLONE_NEWUSER());
        assertThat(NamespaceCalls.setns(5, (NamespaceType) null).describe()).isEqualTo("setns(5, 0)");
        assertThat(NamespaceCalls.setns(5, EnumSet.of(NamespaceType.UTS, NamespaceType.NET)).describe())
                .isEqualTo("setns(5, CLONE_NEWUTS|CLONE_NEWNET)");
        assertThat(NamespaceCalls.nsGetParent(9).words()).startsWith(9, Linux.NS_GET_PARENT());
        assertThat(NamespaceCalls.nsGetParent(9).describe()).isEqualTo("ioctl(9, NS_GET_PARENT)");
    }

    @Test
    void sethostnamePassesBytesAndLength() {
        try (Arena arena = Arena.ofConfined()) {
            Call call = NamespaceCalls.sethostname(arena, "bōx");
            byte[] bytes = "bōx".getBytes(StandardCharsets.UTF_8);
            assertThat(call.word(1)).isEqualTo(bytes.length);
            assertThat(at(call.word(0), bytes.length).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(bytes);
            assertThat(call.describe()).isEqualTo("sethostname(\"bōx\", 4)");
            assertThat(NamespaceCalls.setdomainname(arena, "").describe()).isEqualTo("setdomainname(\"\", 0)");
        }
    }

    @Test
    void tooLongNamesAreRefusedBeforeTheCall() {
        try (Arena arena = Arena.ofConfined()) {
            String name = "x".repeat(65);
            assertThatThrownBy(() -> NamespaceCalls.sethostname(arena, name))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("hostname must be at most 64 bytes, got 65: \"" + name + '"');
            assertThatThrownBy(() -> NamespaceCalls.setdomainname(arena, "a\0"))
                    .hasMessage("domainname contains a NUL byte, which C strings cannot hold: a\\0");
        }
    }

    @Test
    void socketAndInterfaceFlags() {
        try (Arena arena = Arena.ofConfined()) {
            Call socket = NetworkCalls.socket(AddressFamily.INET, SocketType.DGRAM, EnumSet.of(SocketFlag.CLOEXEC), 0);
            assertThat(socket.words()).startsWith(Linux.AF_INET(), Linux.SOCK_DGRAM() | Linux.SOCK_CLOEXEC(), 0);
            assertThat(socket.describe()).isEqualTo("socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, 0)");
            Call up = NetworkCalls.siocsifflags(arena, 3, "lo", EnumSet.of(InterfaceFlag.UP, InterfaceFlag.LOOPBACK));
            assertThat(up.word(1)).isEqualTo(Integer.toUnsignedLong(Linux.SIOCSIFFLAGS()));
            MemorySegment request = at(up.word(2), ifreq.sizeof());
            assertThat(request.getString(ifreq.ifr_name$offset())).isEqualTo("lo");
            assertThat(ifreq.ifr_flags(request)).isEqualTo((short) (Linux.IFF_UP() | Linux.IFF_LOOPBACK()));
            assertThat(up.describe()).isEqualTo("ioctl(3, SIOCSIFFLAGS, {ifr_name=\"lo\", ifr_flags=IFF_UP|IFF_LOOPBACK})");
            assertThatThrownBy(() -> NetworkCalls.interfaceRequest(arena, ""))
                    .hasMessage("interface name must be 1 to 15 bytes (IFNAMSIZ - 1), got 0: \"\"");
            assertThat(NetworkCalls.siocgifindex(3, NetworkCalls.interfaceRequest(arena, "eth0")).describe())
                    .isEqualTo("ioctl(3, SIOCGIFINDEX, {ifr_name=\"eth0\"})");
        }
    }
}
