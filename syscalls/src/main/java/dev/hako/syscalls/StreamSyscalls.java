package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.cmsghdr;
import dev.hako.bindings.msghdr;
import dev.hako.syscalls.calls.FileCalls;
import dev.hako.syscalls.calls.StreamCalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Set;

/**
 * Unix sockets and moving data and descriptors without consuming them: socketpair,
 * connect, listen, accept, sendmsg and recvmsg with {@code SCM_RIGHTS}, tee and lseek.
 */
public final class StreamSyscalls {

    private StreamSyscalls() {
    }

    /**
     * A connected pair of unix stream sockets, close-on-exec ({@code socketpair}).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/socketpair.2.html">socketpair(2)</a>
     */
    public static FileSyscalls.Pipe socketpair() throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            long result = Kernel.critical(Linux.SYS_socketpair(), Linux.AF_UNIX(),
                    Linux.SOCK_STREAM() | Linux.SOCK_CLOEXEC(), 0, fds.address(), 0, 0);
            if (result < 0) {
                throw Kernel.failure(result, "socketpair", "AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0");
            }
            return new FileSyscalls.Pipe(Fd.adopt(fds.getAtIndex(ValueLayout.JAVA_INT, 0)),
                    Fd.adopt(fds.getAtIndex(ValueLayout.JAVA_INT, 1)));
        }
    }

    /**
     * Sends descriptors over a unix socket with one byte of data ({@code sendmsg} with an
     * {@code SCM_RIGHTS} control message). The receiver gets new descriptors that share
     * the open file descriptions (offset, flags) with these.
     *
     * @see <a href="https://man7.org/linux/man-pages/man7/unix.7.html">unix(7)</a>
     */
    public static void sendRights(Fd socket, List<Fd> fds) throws SyscallException {
        sendRights(socket, new byte[1], fds);
    }

    /**
     * Sends descriptors with {@code data} (at least one byte) over a unix socket
     * ({@code sendmsg} with {@code SCM_RIGHTS}), as runc sends a pty master with its name.
     *
     * @see <a href="https://man7.org/linux/man-pages/man7/unix.7.html">unix(7)</a>
     */
    public static void sendRights(Fd socket, byte[] data, List<Fd> fds) throws SyscallException {
        if (fds.isEmpty() || fds.size() > 253) {
            throw new IllegalArgumentException("SCM_RIGHTS carries 1 to 253 descriptors, not " + fds.size());
        }
        try (Arena arena = Arena.ofConfined()) {
            Kernel.run(StreamCalls.sendRights(arena, socket.value(), data,
                    fds.stream().mapToInt(Fd::value).toArray()));
        }
    }

    /**
     * Receives the descriptors {@link #sendRights} sent: one byte of data and its
     * {@code SCM_RIGHTS} control message ({@code recvmsg} with {@code MSG_CMSG_CLOEXEC}), so
     * the new descriptors are close-on-exec. Blocks until the message arrives.
     *
     * @param max the most descriptors expected; a message with more fails (the kernel
     *            closes those that do not fit and reports {@code MSG_CTRUNC})
     * @return the descriptors, in the order sent; empty at end of stream (the peer closed)
     * @see <a href="https://man7.org/linux/man-pages/man7/unix.7.html">unix(7)</a>
     */
    public static List<Fd> recvRights(Fd socket, int max) throws SyscallException {
        return receive(socket, 1, max).fds();
    }

    /**
     * What {@link #receive} got: the data bytes and the descriptors.
     *
     * @param data the data received (empty at end of stream)
     * @param fds  the descriptors, in the order sent, close-on-exec
     */
    public record Message(byte[] data, List<Fd> fds) {
    }

    /**
     * Receives up to {@code maxBytes} of data and the descriptors sent with them
     * ({@code recvmsg} with {@code MSG_CMSG_CLOEXEC}). Blocks until a message arrives.
     *
     * @param maxFds the most descriptors expected; a message with more fails (the kernel
     *               closes those that do not fit and reports {@code MSG_CTRUNC})
     * @see <a href="https://man7.org/linux/man-pages/man7/unix.7.html">unix(7)</a>
     */
    public static Message receive(Fd socket, int maxBytes, int maxFds) throws SyscallException {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("receive at least one byte, not " + maxBytes);
        }
        try (Arena arena = Arena.ofConfined()) {
            StreamCalls.RightsMessage rights = StreamCalls.RightsMessage.allocate(arena, maxBytes, maxFds);
            MemorySegment control = rights.control();
            MemorySegment message = rights.message();
            long header = StreamCalls.CMSG_HEADER;
            long result = Kernel.run(StreamCalls.recvRights(socket.value(), rights));
            if (result == 0) {
                return new Message(new byte[0], List.of());
            }
            List<Fd> fds = new java.util.ArrayList<>();
            long length = msghdr.msg_controllen(message);
            if (length >= header && cmsghdr.cmsg_level(control) == Linux.SOL_SOCKET()
                    && cmsghdr.cmsg_type(control) == Linux.SCM_RIGHTS()) {
                long count = (cmsghdr.cmsg_len(control) - header) / 4;
                for (int i = 0; i < count; i++) {
                    fds.add(Fd.adopt(control.get(ValueLayout.JAVA_INT, header + 4L * i)));
                }
            }
            if ((msghdr.msg_flags(message) & Linux.MSG_CTRUNC()) != 0) {
                fds.forEach(Fd::close);
                throw new SyscallException("recvmsg", socket.value() + ", {SCM_RIGHTS, at most " + maxFds + " fds}",
                        Linux.EMSGSIZE(), "the message carried more descriptors than expected (MSG_CTRUNC)");
            }
            return new Message(rights.data().asSlice(0, result).toArray(ValueLayout.JAVA_BYTE), List.copyOf(fds));
        }
    }

    /**
     * A unix stream socket connected to {@code path} ({@code socket} and {@code connect}),
     * close-on-exec.
     *
     * @throws IllegalArgumentException if the path does not fit {@code sun_path} (107 bytes)
     * @see <a href="https://man7.org/linux/man-pages/man2/connect.2.html">connect(2)</a>
     */
    public static Fd connect(String path) throws SyscallException {
        Fd socket = NetworkSyscalls.socket(AddressFamily.UNIX, SocketType.STREAM, Set.of(), 0);
        try (Arena arena = Arena.ofConfined()) {
            Kernel.run(StreamCalls.connect(arena, socket.value(), path));
            return socket;
        } catch (SyscallException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * A unix stream socket listening at {@code path} ({@code socket}, {@code bind},
     * {@code listen}), close-on-exec. The path must not exist; the caller removes it.
     *
     * @throws IllegalArgumentException if the path does not fit {@code sun_path} (107 bytes)
     * @see <a href="https://man7.org/linux/man-pages/man2/listen.2.html">listen(2)</a>
     */
    public static Fd listen(String path, int backlog) throws SyscallException {
        Fd socket = NetworkSyscalls.socket(AddressFamily.UNIX, SocketType.STREAM, Set.of(), 0);
        try (Arena arena = Arena.ofConfined()) {
            Kernel.runCritical(StreamCalls.bind(arena, socket.value(), path));
            Kernel.runCritical(StreamCalls.listen(socket.value(), backlog));
            return socket;
        } catch (SyscallException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Accepts a connection on a listening socket ({@code accept4} with {@code SOCK_CLOEXEC});
     * blocks until one comes.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/accept4.2.html">accept4(2)</a>
     */
    public static Fd accept(Fd socket) throws SyscallException {
        return Fd.adopt((int) Kernel.run(StreamCalls.accept4(socket.value())));
    }

    /**
     * Duplicates up to {@code length} bytes of one pipe's contents into another without
     * consuming them ({@code tee}, 2.6.17).
     *
     * @return bytes duplicated; 0 when the input pipe is empty
     * @see <a href="https://man7.org/linux/man-pages/man2/tee.2.html">tee(2)</a>
     */
    public static long tee(Fd in, Fd out, long length, boolean nonblock) throws SyscallException {
        long result = Kernel.blocking(Linux.SYS_tee(), in.value(), out.value(), length,
                nonblock ? Linux.SPLICE_F_NONBLOCK() : 0, 0, 0);
        if (result < 0) {
            throw Kernel.failure(result, "tee", in.value() + ", " + out.value() + ", " + length);
        }
        return result;
    }

    /**
     * Moves a file offset ({@code lseek}).
     *
     * @param whence {@code SEEK_SET}, {@code SEEK_CUR} or {@code SEEK_END}
     * @return the new offset
     * @see <a href="https://man7.org/linux/man-pages/man2/lseek.2.html">lseek(2)</a>
     */
    public static long lseek(Fd fd, long offset, int whence) throws SyscallException {
        long result = Kernel.critical(Linux.SYS_lseek(), fd.value(), offset, whence);
        if (result < 0) {
            throw Kernel.failure(result, "lseek", fd.value() + ", " + offset + ", " + whence);
        }
        return result;
    }

    /**
     * Changes a descriptor's status flags ({@code fcntl F_SETFL}); only O_APPEND,
     * O_NONBLOCK, O_ASYNC, O_DIRECT and O_NOATIME can change.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/fcntl.2.html">fcntl(2)</a>
     */
    public static void setStatusFlags(Fd fd, int flags) throws SyscallException {
        Kernel.runCritical(FileCalls.setStatusFlags(fd.value(), flags));
    }
}
