package dev.hako.syscalls.calls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.cmsghdr;
import dev.hako.bindings.iovec;
import dev.hako.bindings.msghdr;
import dev.hako.bindings.sockaddr_un;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encoders of the unix socket calls: connect, listen and accept4 on a path, and sendmsg
 * and recvmsg of descriptors ({@code SCM_RIGHTS}, unix(7)) with their data.
 */
public final class StreamCalls {

    /** Bytes of a {@code struct cmsghdr}, where the descriptors of SCM_RIGHTS start. */
    public static final long CMSG_HEADER = cmsghdr.sizeof();

    private StreamCalls() {
    }

    /**
     * A {@code struct msghdr} with one data buffer and room for {@code count} descriptors
     * of SCM_RIGHTS: what sendmsg and recvmsg of descriptors take.
     *
     * @param message the msghdr
     * @param data    the data buffer its one iovec points to
     * @param control the control buffer ({@code CMSG_SPACE(4 * count)} bytes)
     * @param count   how many descriptors the control buffer holds
     */
    public record RightsMessage(MemorySegment message, MemorySegment data, MemorySegment control, int count) {

        /** Allocates a message with a {@code dataBytes} buffer and room for {@code count} descriptors. */
        public static RightsMessage allocate(SegmentAllocator memory, long dataBytes, int count) {
            if (count < 1 || count > 253) {
                throw new IllegalArgumentException("SCM_RIGHTS carries 1 to 253 descriptors, not " + count);
            }
            MemorySegment data = memory.allocate(Math.max(1, dataBytes));
            MemorySegment iov = iovec.allocate(memory);
            iovec.iov_base(iov, data);
            iovec.iov_len(iov, data.byteSize());
            long space = CMSG_HEADER + ((4L * count + 7) & ~7L);
            MemorySegment control = memory.allocate(space, 8);
            MemorySegment message = msghdr.allocate(memory);
            msghdr.msg_iov(message, iov);
            msghdr.msg_iovlen(message, 1);
            msghdr.msg_control(message, control);
            msghdr.msg_controllen(message, space);
            return new RightsMessage(message, data, control, count);
        }
    }

    /**
     * sendmsg(2) of {@code data} (at least one byte: a stream socket carries descriptors
     * only with data) and the descriptors {@code fds} as SCM_RIGHTS; the receiver gets new
     * descriptors of the same open files.
     */
    public static Call sendRights(SegmentAllocator memory, int socket, byte[] data, int... fds) {
        if (data.length == 0) {
            throw new IllegalArgumentException("SCM_RIGHTS needs at least one byte of data on a stream socket");
        }
        RightsMessage rights = RightsMessage.allocate(memory, data.length, fds.length);
        MemorySegment.copy(data, 0, rights.data(), ValueLayout.JAVA_BYTE, 0, data.length);
        MemorySegment control = rights.control();
        cmsghdr.cmsg_len(control, CMSG_HEADER + 4L * fds.length);
        cmsghdr.cmsg_level(control, Linux.SOL_SOCKET());
        cmsghdr.cmsg_type(control, Linux.SCM_RIGHTS());
        for (int i = 0; i < fds.length; i++) {
            control.set(ValueLayout.JAVA_INT, CMSG_HEADER + 4L * i, fds[i]);
        }
        int[] shown = fds.clone();
        return Call.of("sendmsg", Linux.SYS_sendmsg(), new long[] {socket, rights.message().address(), 0},
                () -> new String[] {Integer.toString(socket), "{msg_iov=[" + Show.quote(new String(data, StandardCharsets.UTF_8)) + "], "
                        + "msg_control=[{SOL_SOCKET, SCM_RIGHTS, " + Arrays.toString(shown) + "}]}", "0"});
    }

    /** recvmsg(2) into {@code rights}, with {@code MSG_CMSG_CLOEXEC}: the descriptors received are close-on-exec. */
    public static Call recvRights(int socket, RightsMessage rights) {
        return Call.of("recvmsg", Linux.SYS_recvmsg(), new long[] {socket, rights.message().address(),
                Linux.MSG_CMSG_CLOEXEC()}, () -> new String[] {Integer.toString(socket), "{SCM_RIGHTS, at most "
                        + rights.count() + " fds}", "MSG_CMSG_CLOEXEC"});
    }

    /**
     * A {@code struct sockaddr_un} for a path (a file system socket, not an abstract one).
     *
     * @throws IllegalArgumentException if the path is empty, holds a NUL byte or does not fit {@code sun_path}
     */
    public static MemorySegment unixAddress(SegmentAllocator memory, String path) {
        CStrings.requireNoNul(path, "unix socket path");
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        long room = sockaddr_un.sun_path$layout().byteSize() - 1;
        if (bytes.length == 0 || bytes.length > room) {
            throw new IllegalArgumentException("unix socket path must be 1 to " + room + " bytes (sun_path), got "
                    + bytes.length + ": \"" + path + "\"");
        }
        MemorySegment address = sockaddr_un.allocate(memory);
        sockaddr_un.sun_family(address, (short) Linux.AF_UNIX());
        MemorySegment.copy(bytes, 0, address, ValueLayout.JAVA_BYTE, sockaddr_un.sun_path$offset(), bytes.length);
        return address;
    }

    /** connect(2) to the unix socket at {@code path}. */
    public static Call connect(SegmentAllocator memory, int socket, String path) {
        MemorySegment address = unixAddress(memory, path);
        return Call.of("connect", Linux.SYS_connect(), new long[] {socket, address.address(), address.byteSize()},
                () -> new String[] {Integer.toString(socket), "{sa_family=AF_UNIX, sun_path=" + Show.quote(path) + "}",
                        Long.toString(address.byteSize())});
    }

    /** bind(2) to the unix socket path {@code path}, which must not exist. */
    public static Call bind(SegmentAllocator memory, int socket, String path) {
        MemorySegment address = unixAddress(memory, path);
        return Call.of("bind", Linux.SYS_bind(), new long[] {socket, address.address(), address.byteSize()},
                () -> new String[] {Integer.toString(socket), "{sa_family=AF_UNIX, sun_path=" + Show.quote(path) + "}",
                        Long.toString(address.byteSize())});
    }

    /** listen(2) with a queue of {@code backlog} connections. */
    public static Call listen(int socket, int backlog) {
        return Call.of("listen", Linux.SYS_listen(), new long[] {socket, backlog},
                () -> new String[] {Integer.toString(socket), Integer.toString(backlog)});
    }

    /** accept4(2) with {@code SOCK_CLOEXEC}, not asking for the peer's address. */
    public static Call accept4(int socket) {
        return Call.of("accept4", Linux.SYS_accept4(), new long[] {socket, 0, 0, Linux.SOCK_CLOEXEC()},
                () -> new String[] {Integer.toString(socket), "NULL", "NULL", "SOCK_CLOEXEC"});
    }
}
