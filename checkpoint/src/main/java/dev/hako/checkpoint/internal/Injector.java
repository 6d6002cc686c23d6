package dev.hako.checkpoint.internal;

import dev.hako.bindings.Linux;
import dev.hako.bindings.iovec;
import dev.hako.bindings.ptrace_syscall_info;
import dev.hako.syscalls.MapFlag;
import dev.hako.syscalls.MemoryProtection;
import dev.hako.syscalls.SyscallException;
import dev.hako.syscalls.TraceStatus;
import dev.hako.syscalls.TraceSyscalls;
import dev.hako.syscalls.calls.Call;
import dev.hako.syscalls.calls.MemoryCalls;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.Set;

/**
 * Makes a stopped tracee run one syscall of our choosing, with no code written into it:
 * the registers point at a {@code syscall} instruction (bytes 0f 05) found in the task's
 * vdso, every signal is blocked, and two {@code PTRACE_SYSCALL}s take the task to the
 * call's exit stop; then its registers are put back. Nothing after the instruction ever
 * runs, so the call may even unmap or move the vdso it came from.
 *
 * <p>Only on the tracer thread. Scratch memory for arguments is mapped in the task on first
 * use and unmapped by {@link #releaseScratch()}.
 */
final class Injector implements AutoCloseable {

    static final long SCRATCH_SIZE = 64 * 1024;

    private final int tid;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment regs = arena.allocate(Registers.SIZE, 8);
    private final MemorySegment info = ptrace_syscall_info.allocate(arena);
    private final MemorySegment localIov = iovec.allocate(arena);
    private final MemorySegment remoteIov = iovec.allocate(arena);
    private long gadget;
    private long scratch;
    /** The pid of the child the last injected clone3 created, from its fork event. */
    private int forked;

    Injector(int tid, long gadget) {
        this.tid = tid;
        this.gadget = gadget;
    }

    /** Finds a {@code syscall} instruction in the task's vdso. */
    static long findGadget(int tid, long vdsoStart, long vdsoEnd) throws IOException {
        byte[] code = new byte[(int) (vdsoEnd - vdsoStart)];
        try (RandomAccessFile mem = new RandomAccessFile("/proc/" + tid + "/mem", "r")) {
            mem.seek(vdsoStart);
            mem.readFully(code);
        }
        for (int i = 0; i + 1 < code.length; i++) {
            if (code[i] == 0x0f && code[i + 1] == 0x05) {
                return vdsoStart + i;
            }
        }
        throw new IOException("task " + tid + ": no syscall instruction in its vdso");
    }

    /** An injector for a stopped task, its gadget found in its current vdso. */
    static Injector of(int tid) throws IOException {
        ProcFiles.Mapping vdso = ProcFiles.smaps(tid).stream().filter(m -> m.path().equals("[vdso]")).findFirst()
                .orElseThrow(() -> new IOException("task " + tid + " has no vdso"));
        return new Injector(tid, findGadget(tid, vdso.start(), vdso.end()));
    }

    long gadget() {
        return gadget;
    }

    /** After the vdso moved: the gadget moves with it. */
    void moveGadget(long oldStart, long oldEnd, long newStart) {
        if (gadget >= oldStart && gadget < oldEnd) {
            gadget = gadget - oldStart + newStart;
        }
    }

    int forked() {
        return forked;
    }

    /** Runs syscall {@code number}; returns its raw result (negative errno on failure). */
    long call(long number, long... args) throws IOException {
        TraceSyscalls.getRegset(tid, Linux.NT_PRSTATUS(), regs);
        Registers saved = Registers.read(regs);
        long stack = scratch != 0 ? scratch + SCRATCH_SIZE - 256 : 0;
        MemorySegment call = saved.forCall(gadget, stack, number, args).toSegment(arena);
        TraceSyscalls.setRegset(tid, Linux.NT_PRSTATUS(), call);
        forked = 0;
        for (int step = 0; step < 8; step++) {
            TraceSyscalls.syscall(tid, 0);
            TraceStatus status = TraceSyscalls.wait4(tid, false);
            if (!status.stopped()) {
                throw new IOException("task " + tid + " ended during injected syscall " + number + ": " + status);
            }
            if (status.event() == Linux.PTRACE_EVENT_FORK() || status.event() == Linux.PTRACE_EVENT_CLONE()
                    || status.event() == Linux.PTRACE_EVENT_VFORK()) {
                forked = (int) TraceSyscalls.getEventMsg(tid);
                continue;
            }
            if (status.event() == Linux.PTRACE_EVENT_EXEC()) {
                continue; // an injected execve: its exit stop follows
            }
            if (status.stopSignal() != (Linux.SIGTRAP() | 0x80)) {
                throw new IOException("task " + tid + ": unexpected stop during injected syscall " + number + ": "
                        + status);
            }
            if (TraceSyscalls.getSyscallInfo(tid, info) == Linux.PTRACE_SYSCALL_INFO_EXIT()) {
                TraceSyscalls.getRegset(tid, Linux.NT_PRSTATUS(), regs);
                long result = regs.get(ValueLayout.JAVA_LONG, 8L * Registers.RAX);
                TraceSyscalls.setRegset(tid, Linux.NT_PRSTATUS(), saved.toSegment(arena));
                return result;
            }
        }
        throw new IOException("task " + tid + ": no exit stop for injected syscall " + number);
    }

    /**
     * Runs a syscall that ends the task ({@code exit_group}) and reaps the tracer's view of
     * it: the task stays a zombie for its real parent, as it was dumped.
     */
    TraceStatus callToExit(long number, long... args) throws IOException {
        TraceSyscalls.getRegset(tid, Linux.NT_PRSTATUS(), regs);
        Registers saved = Registers.read(regs);
        TraceSyscalls.setRegset(tid, Linux.NT_PRSTATUS(), saved.forCall(gadget, 0, number, args).toSegment(arena));
        int deliver = 0;
        for (int step = 0; step < 8; step++) {
            TraceSyscalls.syscall(tid, deliver);
            TraceStatus status = TraceSyscalls.wait4(tid, false);
            if (!status.stopped()) {
                return status;
            }
            // A signal-delivery stop for a signal the task sent itself is passed on.
            boolean signalStop = status.event() == 0 && status.stopSignal() != (Linux.SIGTRAP() | 0x80);
            deliver = signalStop ? status.stopSignal() : 0;
        }
        throw new IOException("task " + tid + " did not end after injected syscall " + number);
    }

    /**
     * Runs a call encoded by the syscalls encoders (the ones the typed wrappers and the
     * launch engine use), for a call whose arguments are all values: a pointer the encoder
     * made would point into this process, not into the task.
     */
    long call(Call call) throws IOException {
        return call(call.number(), call.words());
    }

    /** Like {@link #call(Call)} but a negative result throws, naming the call and its arguments. */
    long check(Call call) throws IOException {
        long result = call(call);
        if (result < 0 && result > -4096) {
            throw new SyscallException(call.name(), call.arguments() + ", injected into task " + tid, (int) -result);
        }
        return result;
    }

    /** {@link #callToExit(long, long...)} of an encoded call. */
    TraceStatus callToExit(Call call) throws IOException {
        return callToExit(call.number(), call.words());
    }

    /** Like {@link #call} but a negative result throws, naming the call. */
    long check(String name, long number, long... args) throws IOException {
        long result = call(number, args);
        if (result < 0 && result > -4096) {
            throw new SyscallException(name, "injected into task " + tid, (int) -result);
        }
        return result;
    }

    /** The scratch area's address, mapping it on first use (at {@code hint} if not 0). */
    long scratch(long hint) throws IOException {
        if (scratch == 0) {
            Set<MapFlag> flags = hint != 0 ? EnumSet.of(MapFlag.PRIVATE, MapFlag.ANONYMOUS, MapFlag.FIXED_NOREPLACE)
                    : EnumSet.of(MapFlag.PRIVATE, MapFlag.ANONYMOUS);
            long address = check(MemoryCalls.mmap(hint, SCRATCH_SIZE,
                    EnumSet.of(MemoryProtection.READ, MemoryProtection.WRITE), flags, -1, 0));
            if (hint != 0 && address != hint) {
                throw new IOException("task " + tid + ": scratch mapping landed at 0x" + Long.toHexString(address));
            }
            scratch = address;
        }
        return scratch;
    }

    long scratch() throws IOException {
        return scratch(0);
    }

    /** Unmaps the scratch area. */
    void releaseScratch() throws IOException {
        if (scratch != 0) {
            long address = scratch;
            scratch = 0;
            check(MemoryCalls.munmap(address, SCRATCH_SIZE));
        }
    }

    /** Copies bytes into the task at {@code address}. */
    void write(long address, MemorySegment data) throws IOException {
        iovec.iov_base(localIov, data);
        iovec.iov_len(localIov, data.byteSize());
        iovec.iov_base(remoteIov, MemorySegment.ofAddress(address));
        iovec.iov_len(remoteIov, data.byteSize());
        long n = TraceSyscalls.processVmWritev(tid, localIov, 1, remoteIov, 1);
        if (n != data.byteSize()) {
            throw new IOException("task " + tid + ": wrote " + n + " of " + data.byteSize() + " bytes at 0x"
                    + Long.toHexString(address));
        }
    }

    void write(long address, byte[] data) throws IOException {
        MemorySegment copy = arena.allocate(Math.max(1, data.length), 8);
        MemorySegment.copy(data, 0, copy, ValueLayout.JAVA_BYTE, 0, data.length);
        write(address, copy.asSlice(0, data.length));
    }

    /** Copies {@code length} bytes out of the task at {@code address}. */
    byte[] read(long address, int length) throws IOException {
        MemorySegment buffer = arena.allocate(Math.max(1, length), 8);
        iovec.iov_base(localIov, buffer);
        iovec.iov_len(localIov, length);
        iovec.iov_base(remoteIov, MemorySegment.ofAddress(address));
        iovec.iov_len(remoteIov, length);
        long n = TraceSyscalls.processVmReadv(tid, localIov, 1, remoteIov, 1);
        if (n != length) {
            throw new IOException("task " + tid + ": read " + n + " of " + length + " bytes at 0x"
                    + Long.toHexString(address));
        }
        return buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
    }

    long readLong(long address) throws IOException {
        return MemorySegment.ofArray(read(address, 8)).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    @Override
    public void close() {
        arena.close();
    }
}
