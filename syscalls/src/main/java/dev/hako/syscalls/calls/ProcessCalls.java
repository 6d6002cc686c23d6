package dev.hako.syscalls.calls;

import static dev.hako.syscalls.calls.Show.cString;
import static dev.hako.syscalls.calls.Show.quote;

import dev.hako.bindings.Linux;
import dev.hako.bindings.cap_user_data;
import dev.hako.bindings.cap_user_header;
import dev.hako.bindings.clone_args;
import dev.hako.bindings.rlimit;
import dev.hako.bindings.sock_filter;
import dev.hako.bindings.sock_fprog;
import dev.hako.syscalls.CapabilitySets;
import dev.hako.syscalls.Flag;
import dev.hako.syscalls.Resource;
import dev.hako.syscalls.ResourceLimit;
import dev.hako.syscalls.WaitOption;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Encoders of the process calls: identity (getpid, getppid, setsid, setresuid, setresgid,
 * setgroups), limits and privileges (prlimit64, capset, seccomp), and life and death
 * (clone3, execve, kill, waitid, pidfd_open, exit_group).
 */
public final class ProcessCalls {

    private static final Call GETPID = Call.of("getpid", Linux.SYS_getpid());
    private static final Call GETPPID = Call.of("getppid", Linux.SYS_getppid());
    private static final Call SETSID = Call.of("setsid", Linux.SYS_setsid());

    private ProcessCalls() {
    }

    /** getpid(2). */
    public static Call getpid() {
        return GETPID;
    }

    /** getppid(2). */
    public static Call getppid() {
        return GETPPID;
    }

    /** setsid(2). */
    public static Call setsid() {
        return SETSID;
    }

    /** setresuid(2), all three ids alike. */
    public static Call setresuid(long uid) {
        return setresuid(uid, uid, uid);
    }

    /** setresuid(2): the real, effective and saved user ids (a restored task's may differ). */
    public static Call setresuid(long real, long effective, long saved) {
        return Call.of("setresuid", Linux.SYS_setresuid(), new long[] {real, effective, saved},
                () -> new String[] {Long.toString(real), Long.toString(effective), Long.toString(saved)});
    }

    /** setresgid(2), all three ids alike. */
    public static Call setresgid(long gid) {
        return setresgid(gid, gid, gid);
    }

    /** setresgid(2): the real, effective and saved group ids. */
    public static Call setresgid(long real, long effective, long saved) {
        return Call.of("setresgid", Linux.SYS_setresgid(), new long[] {real, effective, saved},
                () -> new String[] {Long.toString(real), Long.toString(effective), Long.toString(saved)});
    }

    /** setgroups(2) with a list of group ids. */
    public static Call setgroups(SegmentAllocator memory, List<Long> groups) {
        MemorySegment list = groupList(memory, groups);
        StringJoiner shown = new StringJoiner(", ", "[", "]");
        groups.forEach(group -> shown.add(Long.toString(group)));
        return Call.of("setgroups", Linux.SYS_setgroups(), new long[] {groups.size(), list.address()},
                () -> new String[] {Integer.toString(groups.size()), shown.toString()});
    }

    /** Setgroups' list: one 32-bit {@code gid_t} per group (at least one element's room, for an empty list). */
    public static MemorySegment groupList(SegmentAllocator memory, List<Long> groups) {
        MemorySegment list = memory.allocate(ValueLayout.JAVA_INT, Math.max(1, groups.size()));
        for (int i = 0; i < groups.size(); i++) {
            list.setAtIndex(ValueLayout.JAVA_INT, i, (int) (long) groups.get(i));
        }
        return list;
    }

    /** prlimit64(2); a null {@code limit} only reads, a null {@code old} does not read. */
    public static Call prlimit64(SegmentAllocator memory, int pid, Resource resource, ResourceLimit limit,
                                 MemorySegment old) {
        long value = 0;
        if (limit != null) {
            MemorySegment segment = rlimit.allocate(memory);
            rlimit.rlim_cur(segment, limit.soft());
            rlimit.rlim_max(segment, limit.hard());
            value = segment.address();
        }
        return Call.of("prlimit64", Linux.SYS_prlimit64(), new long[] {pid, resource.number(), value,
                Show.address(old)}, () -> new String[] {Integer.toString(pid), resource.cName(),
                        limit == null ? "NULL" : limit.toString(), old == null ? "NULL" : "&old"});
    }

    /** capset(2) of the calling thread's sets, version 3 (two 32-bit halves per set). */
    public static Call capset(SegmentAllocator memory, CapabilitySets sets) {
        MemorySegment header = capabilityHeader(memory, 0);
        MemorySegment data = capabilityData(memory, Flag.combine(sets.effective()), Flag.combine(sets.permitted()),
                Flag.combine(sets.inheritable()));
        return Call.of("capset", Linux.SYS_capset(), new long[] {header.address(), data.address()},
                () -> new String[] {"{_LINUX_CAPABILITY_VERSION_3, 0}", "{effective=" + Flag.describe(sets.effective())
                        + ", permitted=" + Flag.describe(sets.permitted())
                        + ", inheritable=" + Flag.describe(sets.inheritable()) + "}"});
    }

    /**
     * Version 3 capability data, {@code struct __user_cap_data_struct[2]}: each 64-bit mask
     * as two 32-bit halves. Capset's argument; capget fills one ({@link #capabilityMasks}).
     */
    public static MemorySegment capabilityData(SegmentAllocator memory, long effective, long permitted,
                                               long inheritable) {
        MemorySegment data = cap_user_data.allocateArray(Linux._LINUX_CAPABILITY_U32S_3(), memory);
        for (int half = 0; half < Linux._LINUX_CAPABILITY_U32S_3(); half++) {
            MemorySegment element = cap_user_data.asSlice(data, half);
            cap_user_data.effective(element, (int) (effective >>> (32 * half)));
            cap_user_data.permitted(element, (int) (permitted >>> (32 * half)));
            cap_user_data.inheritable(element, (int) (inheritable >>> (32 * half)));
        }
        return data;
    }

    /** The effective, permitted and inheritable masks, in that order, of version 3 capability data. */
    public static long[] capabilityMasks(MemorySegment data) {
        long[] masks = new long[3];
        for (int half = 0; half < Linux._LINUX_CAPABILITY_U32S_3(); half++) {
            MemorySegment element = cap_user_data.asSlice(data, half);
            masks[0] |= Integer.toUnsignedLong(cap_user_data.effective(element)) << (32 * half);
            masks[1] |= Integer.toUnsignedLong(cap_user_data.permitted(element)) << (32 * half);
            masks[2] |= Integer.toUnsignedLong(cap_user_data.inheritable(element)) << (32 * half);
        }
        return masks;
    }

    /** A version 3 {@code struct __user_cap_header_struct} for thread {@code tid} (0: the caller). */
    public static MemorySegment capabilityHeader(SegmentAllocator memory, int tid) {
        MemorySegment header = cap_user_header.allocate(memory);
        cap_user_header.version(header, Linux._LINUX_CAPABILITY_VERSION_3());
        cap_user_header.pid(header, tid);
        return header;
    }

    /**
     * seccomp(2) SECCOMP_SET_MODE_FILTER, no flags, with a {@code struct sock_fprog} over
     * {@code instructions} (a filled {@code struct sock_filter} array).
     */
    public static Call seccompSetModeFilter(SegmentAllocator memory, MemorySegment instructions) {
        long count = instructions.byteSize() / sock_filter.sizeof();
        MemorySegment fprog = sock_fprog.allocate(memory);
        sock_fprog.len(fprog, (short) count);
        sock_fprog.filter(fprog, instructions);
        return Call.of("seccomp", Linux.SYS_seccomp(), new long[] {Linux.SECCOMP_SET_MODE_FILTER(), 0,
                fprog.address()}, () -> new String[] {"SECCOMP_SET_MODE_FILTER", "0",
                        "{len=" + count + ", filter=<" + count + " instructions>}"});
    }

    /** clone3(2) of a plain fork: no flags, {@code exitSignal} to the parent when the child ends. */
    public static Call clone3(SegmentAllocator memory, int exitSignal) {
        return clone3(memory, CloneArgs.exitSignal(exitSignal));
    }

    /**
     * clone3(2) with the fields of {@code args}, written into a {@code struct clone_args}
     * in {@code memory}.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/clone3.2.html">clone3(2)</a>
     */
    public static Call clone3(SegmentAllocator memory, CloneArgs args) {
        MemorySegment struct = cloneArgs(memory, args);
        return Call.of("clone3", Linux.SYS_clone3(), new long[] {struct.address(), struct.byteSize()},
                () -> new String[] {args.toString(), Long.toString(struct.byteSize())});
    }

    /**
     * The {@code struct clone_args} of {@code args}, for a caller that places it elsewhere
     * (a clone3 injected into a traced task runs on a copy in that task's memory).
     */
    public static MemorySegment cloneArgs(SegmentAllocator memory, CloneArgs args) {
        MemorySegment struct = clone_args.allocate(memory);
        clone_args.flags(struct, args.flags);
        clone_args.pidfd(struct, args.pidfd);
        clone_args.parent_tid(struct, args.parentTid);
        clone_args.exit_signal(struct, args.exitSignal);
        clone_args.set_tid(struct, args.setTid);
        clone_args.set_tid_size(struct, args.setTidSize);
        clone_args.cgroup(struct, args.cgroup);
        return struct;
    }

    /**
     * What a clone3 asks for: the fields of {@code struct clone_args} Hako sets. Pointers are
     * addresses in the process that makes the call. Immutable; each method returns a copy.
     */
    public static final class CloneArgs {
        private final long flags;
        private final String flagNames;
        private final long pidfd;
        private final long parentTid;
        private final int exitSignal;
        private final long setTid;
        private final long setTidSize;
        private final long cgroup;

        private CloneArgs(long flags, String flagNames, long pidfd, long parentTid, int exitSignal, long setTid,
                          long setTidSize, long cgroup) {
            this.flags = flags;
            this.flagNames = flagNames;
            this.pidfd = pidfd;
            this.parentTid = parentTid;
            this.exitSignal = exitSignal;
            this.setTid = setTid;
            this.setTidSize = setTidSize;
            this.cgroup = cgroup;
        }

        /** No flags; {@code signal} to the parent when the child ends (0: none). */
        public static CloneArgs exitSignal(int signal) {
            return new CloneArgs(0, "", 0, 0, signal, 0, 0, 0);
        }

        /** With {@code flags} ({@code CLONE_*}), shown as {@code names} (e.g. {@code CLONE_PIDFD|CLONE_NEWPID}). */
        public CloneArgs flags(long flags, String names) {
            return new CloneArgs(flags, names, pidfd, parentTid, exitSignal, setTid, setTidSize, cgroup);
        }

        /** Where the kernel writes the child's pidfd (with CLONE_PIDFD). */
        public CloneArgs pidfd(long address) {
            return new CloneArgs(flags, flagNames, address, parentTid, exitSignal, setTid, setTidSize, cgroup);
        }

        /** Where the kernel writes the child's tid (with CLONE_PARENT_SETTID). */
        public CloneArgs parentTid(long address) {
            return new CloneArgs(flags, flagNames, pidfd, address, exitSignal, setTid, setTidSize, cgroup);
        }

        /** The cgroup directory the child starts in (with CLONE_INTO_CGROUP). */
        public CloneArgs cgroup(int directoryFd) {
            return new CloneArgs(flags, flagNames, pidfd, parentTid, exitSignal, setTid, setTidSize, directoryFd);
        }

        /** The pids the child gets, innermost namespace first: {@code count} ints at {@code address}. */
        public CloneArgs setTid(long address, int count) {
            return new CloneArgs(flags, flagNames, pidfd, parentTid, exitSignal, address, count, cgroup);
        }

        @Override
        public String toString() {
            StringJoiner text = new StringJoiner(", ", "{", "}");
            if (flags != 0) {
                text.add("flags=" + flagNames);
            }
            if (pidfd != 0) {
                text.add("pidfd=&pidfd");
            }
            if (parentTid != 0) {
                text.add("parent_tid=&tid");
            }
            if (setTidSize != 0) {
                text.add("set_tid=<" + setTidSize + " pids>");
            }
            if (cgroup != 0) {
                text.add("cgroup=" + cgroup);
            }
            text.add("exit_signal=" + (exitSignal == 0 ? "0" : Show.signal(exitSignal)));
            return text.toString();
        }
    }

    /** execve(2): the program's path, its arguments and environment ({@code NAME=value}). */
    public static Call execve(SegmentAllocator memory, String path, List<String> argv, List<String> environment) {
        return Call.of("execve", Linux.SYS_execve(), new long[] {cString(memory, path, "execve path"),
                stringArray(memory, argv, "argument"), stringArray(memory, environment, "environment variable")},
                () -> new String[] {quote(path), Show.strings(argv), "[" + environment.size() + " vars]"});
    }

    /**
     * A NULL-terminated array of C strings, as execve(2) and posix_spawn(3) take argv and
     * envp; returns its address.
     *
     * @param what names an element in the message refusing one that contains a NUL byte
     */
    public static long stringArray(SegmentAllocator memory, List<String> values, String what) {
        MemorySegment array = memory.allocate(ValueLayout.ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ValueLayout.JAVA_LONG, i, cString(memory, values.get(i), what));
        }
        return array.address();
    }

    /** kill(2). */
    public static Call kill(int pid, int signal) {
        return Call.of("kill", Linux.SYS_kill(), new long[] {pid, signal},
                () -> new String[] {Integer.toString(pid), Show.signal(signal)});
    }

    /**
     * waitid(2) without rusage.
     *
     * @param idType {@code P_PID}, {@code P_PIDFD}, {@code P_PGID} or {@code P_ALL}
     * @param info   the {@code siginfo_t} the kernel fills, or null
     */
    public static Call waitid(int idType, int id, MemorySegment info, Set<WaitOption> options) {
        return Call.of("waitid", Linux.SYS_waitid(), new long[] {idType, id, Show.address(info), Flag.combine(options)},
                () -> new String[] {idTypeName(idType), Integer.toString(id), info == null ? "NULL" : "&info",
                        Flag.describe(options), "NULL"});
    }

    private static String idTypeName(int idType) {
        if (idType == Linux.P_PID()) {
            return "P_PID";
        } else if (idType == Linux.P_PIDFD()) {
            return "P_PIDFD";
        } else if (idType == Linux.P_PGID()) {
            return "P_PGID";
        } else if (idType == Linux.P_ALL()) {
            return "P_ALL";
        }
        return Integer.toString(idType);
    }

    /**
     * pidfd_open(2) with no flags: a close-on-exec descriptor that becomes readable when
     * process {@code pid} has exited.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/pidfd_open.2.html">pidfd_open(2)</a>
     */
    public static Call pidfdOpen(int pid) {
        return Call.of("pidfd_open", Linux.SYS_pidfd_open(), new long[] {pid, 0},
                () -> new String[] {Integer.toString(pid), "0"});
    }

    /** exit_group(2). */
    public static Call exitGroup(int status) {
        return Call.of("exit_group", Linux.SYS_exit_group(), new long[] {status},
                () -> new String[] {Integer.toString(status)});
    }
}
