package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.cmsghdr;
import dev.hako.bindings.iovec;
import dev.hako.bindings.msghdr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Moving data and descriptors without consuming them: socketpair, sendmsg with
 * {@code SCM_RIGHTS}, tee and lseek.
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
        if (fds.isEmpty() || fds.size() > 253) {
            throw new IllegalArgumentException("SCM_RIGHTS carries 1 to 253 descriptors, not " + fds.size());
        }
        try (Arena arena = Arena.ofConfined()) {
            RightsMessage rights = RightsMessage.allocate(arena, fds.size());
            MemorySegment control = rights.control();
            cmsghdr.cmsg_len(control, RightsMessage.HEADER + 4L * fds.size());
            cmsghdr.cmsg_level(control, Linux.SOL_SOCKET());
            cmsghdr.cmsg_type(control, Linux.SCM_RIGHTS());
            for (int i = 0; i < fds.size(); i++) {
                control.set(ValueLayout.JAVA_INT, RightsMessage.HEADER + 4L * i, fds.get(i).value());
            }
            MemorySegment message = rights.message();
            long result = Kernel.blocking(Linux.SYS_sendmsg(), socket.value(), message.address(), 0, 0, 0, 0);
            if (result < 0) {
                throw Kernel.failure(result, "sendmsg", socket.value() + ", {SCM_RIGHTS, " + fds.size() + " fds}");
            }
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
        if (max < 1 || max > 253) {
            throw new IllegalArgumentException("SCM_RIGHTS carries 1 to 253 descriptors, not " + max);
        }
        try (Arena arena = Arena.ofConfined()) {
            RightsMessage rights = RightsMessage.allocate(arena, max);
            MemorySegment control = rights.control();
            MemorySegment message = rights.message();
            long header = RightsMessage.HEADER;
            long result = Kernel.blocking(Linux.SYS_recvmsg(), socket.value(), message.address(),
                    Linux.MSG_CMSG_CLOEXEC(), 0, 0, 0);
            if (result < 0) {
                throw Kernel.failure(result, "recvmsg", socket.value() + ", {SCM_RIGHTS, at most " + max + " fds}");
            }
            if (result == 0) {
                return List.of();
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
                throw new SyscallException("recvmsg", socket.value() + ", {SCM_RIGHTS, at most " + max + " fds}",
                        Linux.EMSGSIZE(), "the message carried more descriptors than expected (MSG_CTRUNC)");
            }
            return fds;
        }
    }

    /** A msghdr with one byte of data and room for {@code count} descriptors of SCM_RIGHTS. */
    private record RightsMessage(MemorySegment message, MemorySegment control) {
        static final long HEADER = cmsghdr.sizeof();

        static RightsMessage allocate(Arena arena, int count) {
            MemorySegment iov = iovec.allocate(arena);
            iovec.iov_base(iov, arena.allocate(1));
            iovec.iov_len(iov, 1);
            long space = HEADER + ((4L * count + 7) & ~7L);
            MemorySegment control = arena.allocate(space, 8);
            MemorySegment message = msghdr.allocate(arena);
            msghdr.msg_iov(message, iov);
            msghdr.msg_iovlen(message, 1);
            msghdr.msg_control(message, control);
            msghdr.msg_controllen(message, space);
            return new RightsMessage(message, control);
        }
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
        long result = Kernel.critical(Linux.SYS_fcntl(), fd.value(), Linux.F_SETFL(), flags);
        if (result < 0) {
            throw Kernel.failure(result, "fcntl", fd.value() + ", F_SETFL, 0" + Integer.toOctalString(flags));
        }
    }
}
