package dev.hako.namespaces.launch;

import dev.hako.bindings.Linux;
import dev.hako.syscalls.Fd;
import dev.hako.syscalls.ProcessControl;
import dev.hako.syscalls.ProcessSyscalls;
import dev.hako.syscalls.Signal;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.MapFlag;
import dev.hako.syscalls.MemoryProtection;
import dev.hako.syscalls.MemorySyscalls;
import dev.hako.syscalls.StreamSyscalls;
import dev.hako.syscalls.SyscallException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * The launch server's process (see {@link LaunchServer}): a small JVM whose descriptor 3
 * is a unix socket to the application that started it, its only client. It maps the
 * application's program region at the application's address, warms the child interpreter,
 * then serves fork requests one at a time until end of file, when it exits. It holds no
 * state of the application but the programs it is sent, and makes no decision: every
 * start was compiled and checked by the application.
 */
final class LaunchServerMain {

    /**
     * The memfd at {@link LaunchServer#MEMFD_FD}, held here: an unreferenced {@link Fd} is
     * closed by its cleaner, whenever the collector runs.
     */
    private static Fd programMemory;

    /** Fault injection points (tests), numbered as {@link LaunchServer#faultForTests} sends them. */
    private static final long FAULT_BEFORE_FORK = 1;
    private static final long FAULT_AFTER_FORK = 2;
    private static final long FAULT_AFTER_ANSWER = 3;
    private static final long FAULT_HANG = 4;

    private LaunchServerMain() {
    }

    static void main(String[] args) throws Exception {
        Fd socket = Fd.adopt(LaunchServer.SOCKET_FD);
        // posix_spawn cannot set it: dies with the thread that spawned it, and exits now if
        // that one ended before this line (the parent is then no longer the application).
        ProcessControl.setPdeathsig(Signal.SIGKILL);
        if (args.length != 1 || ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L)
                != Long.parseLong(args[0])) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(48);
            List<Fd> memfd = receive(socket, header.asSlice(0, 24), 1);
            if (memfd == null || header.get(ValueLayout.JAVA_LONG, 0) != LaunchServer.OP_MAP || memfd.size() != 1) {
                return;
            }
            long address = header.get(ValueLayout.JAVA_LONG, 8);
            long size = header.get(ValueLayout.JAVA_LONG, 16);
            long status = 0;
            try {
                MemorySyscalls.mmap(address, size, EnumSet.of(MemoryProtection.READ, MemoryProtection.WRITE),
                        EnumSet.of(MapFlag.SHARED, MapFlag.NORESERVE, MapFlag.FIXED_NOREPLACE), memfd.getFirst(), 0);
            } catch (SyscallException e) {
                status = -e.errno();
            }
            // Kept for the children: each maps its chunk privately from it (see LaunchServer).
            programMemory = FileSyscalls.dup3(memfd.getFirst(), LaunchServer.MEMFD_FD, true);
            memfd.getFirst().close();
            ChildInterpreter.ensureWarm();
            MemorySegment answer = arena.allocate(16);
            answer.set(ValueLayout.JAVA_LONG, 0, status);
            answer.set(ValueLayout.JAVA_LONG, 8, ProcessHandle.current().pid());
            writeFully(socket, answer);
            if (status < 0) {
                return;
            }
            MemorySegment numbers = arena.allocate(4L * LaunchServer.MAX_FDS);
            List<Fd> received;
            while ((received = receive(socket, header, LaunchServer.MAX_FDS)) != null) {
                int count = (int) header.get(ValueLayout.JAVA_LONG, 32);
                if (header.get(ValueLayout.JAVA_LONG, 0) != LaunchServer.OP_FORK || count != received.size()
                        || (count > 0 && !readFully(socket, numbers.asSlice(0, 4L * count)))) {
                    return;
                }
                // Each descriptor at the number the program names (far above our own).
                List<Fd> placed = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    placed.add(FileSyscalls.dup3(received.get(i), numbers.get(ValueLayout.JAVA_INT, 4L * i), true));
                    received.get(i).close();
                }
                long fault = header.get(ValueLayout.JAVA_LONG, 40);
                if (fault == FAULT_BEFORE_FORK) {
                    killSelf();
                }
                if (fault == FAULT_HANG) {
                    Thread.sleep(Long.MAX_VALUE);
                }
                long result = fork(header.get(ValueLayout.JAVA_LONG, 8), header.get(ValueLayout.JAVA_LONG, 16));
                if (fault == FAULT_AFTER_FORK) {
                    killSelf();
                }
                placed.forEach(Fd::close);
                answer.set(ValueLayout.JAVA_LONG, 0, result);
                answer.set(ValueLayout.JAVA_LONG, 8, 0);
                if (result > 0) {
                    // The pidfd travels with the answer, in one message: the application wakes once.
                    MemorySegment pidfdSlot = MemorySegment.ofAddress(header.get(ValueLayout.JAVA_LONG, 24)).reinterpret(4);
                    try (Fd pidfd = Fd.adopt(pidfdSlot.get(ValueLayout.JAVA_INT, 0))) {
                        StreamSyscalls.sendRights(socket, answer.toArray(ValueLayout.JAVA_BYTE), List.of(pidfd));
                    }
                } else {
                    writeFully(socket, answer);
                }
                if (fault == FAULT_AFTER_ANSWER) {
                    killSelf();
                }
            }
        }
    }

    /** Fault injection (tests): the death of a server in the middle of a request. */
    private static void killSelf() throws SyscallException {
        ProcessSyscalls.pidfdSendSignal(ProcessSyscalls.pidfdOpen((int) ProcessHandle.current().pid(), false),
                Linux.SIGKILL());
    }

    /** Runs the program at {@code address}: clone3's result, or -errno. */
    private static long fork(long address, long size) {
        ChildInterpreter.ensureWarm();
        // A segment of a confined arena's kind, as in the warm-up, so that the compiled
        // interpreter meets no new session class (which would deoptimise it before a fork).
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment code = MemorySegment.ofAddress(address).reinterpret(size, arena, null);
            MemorySegment capture = ChildInterpreter.capture(code);
            long pid = ChildInterpreter.forkAndRun(code, capture);
            return pid < 0 ? -ChildInterpreter.errno(capture) : pid;
        }
    }

    /**
     * Reads a request's fixed part into {@code buffer} and the descriptors that came with its
     * first bytes (one sendmsg carries both): null at end of file.
     */
    private static List<Fd> receive(Fd socket, MemorySegment buffer, int maxFds) throws SyscallException {
        StreamSyscalls.Message message = StreamSyscalls.receive(socket, (int) buffer.byteSize(), maxFds);
        int length = message.data().length;
        if (length == 0) {
            return null;
        }
        MemorySegment.copy(message.data(), 0, buffer, ValueLayout.JAVA_BYTE, 0, length);
        if (length < buffer.byteSize() && !readFully(socket, buffer.asSlice(length))) {
            message.fds().forEach(Fd::close);
            return null;
        }
        return message.fds();
    }

    private static boolean readFully(Fd socket, MemorySegment buffer) throws SyscallException {
        long done = 0;
        while (done < buffer.byteSize()) {
            long n = FileSyscalls.read(socket, buffer.asSlice(done));
            if (n == 0) {
                return false;
            }
            done += n;
        }
        return true;
    }

    private static void writeFully(Fd socket, MemorySegment bytes) throws SyscallException {
        long done = 0;
        while (done < bytes.byteSize()) {
            done += FileSyscalls.write(socket, bytes.asSlice(done));
        }
    }
}
