package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.bpf_attr_get_id;
import dev.hako.bindings.bpf_attr_obj_info;
import dev.hako.bindings.bpf_attr_prog_attach;
import dev.hako.bindings.bpf_attr_prog_load;
import dev.hako.bindings.bpf_attr_prog_query;
import dev.hako.bindings.bpf_prog_info;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The bpf(2) commands that load an eBPF program and attach it to a cgroup: one method per
 * command ({@code BPF_PROG_LOAD}, {@code BPF_PROG_ATTACH}, {@code BPF_PROG_DETACH},
 * {@code BPF_PROG_QUERY}, {@code BPF_PROG_GET_FD_BY_ID}, {@code BPF_OBJ_GET_INFO_BY_FD}).
 *
 * <p>All of them need privilege: CAP_SYS_ADMIN, or since Linux 5.8 CAP_BPF to load and
 * CAP_NET_ADMIN to attach, detach and query cgroup programs. A loaded program lives while a
 * descriptor or an attachment refers to it; a cgroup releases its programs when it is
 * destroyed.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/bpf.2.html">bpf(2)</a>
 * @see <a href="https://docs.kernel.org/bpf/">BPF documentation</a>
 */
public final class BpfSyscalls {

    /** Size of one eBPF instruction ({@code struct bpf_insn}) in bytes. */
    public static final int INSTRUCTION_SIZE = 8;

    /** At most this many programs can be attached to one cgroup per attach type (BPF_CGROUP_MAX_PROGS). */
    private static final int MAX_ATTACHED = 64;

    /** Verifier log buffer for a refused program: the kernel's own limit is far above a device program's log. */
    private static final int LOG_SIZE = 1 << 20;

    private BpfSyscalls() {
    }

    /**
     * What {@link #progQuery} found attached to a cgroup.
     *
     * @param attachFlags the flags the programs were attached with (empty: one program, no override)
     * @param programIds the programs' ids, in the order they run
     */
    public record Attached(Set<BpfAttachFlag> attachFlags, List<Integer> programIds) {
        /**
         * Copies the collections.
         *
         * @param attachFlags the flags
         * @param programIds the ids
         */
        public Attached {
            attachFlags = attachFlags.isEmpty() ? Set.of() : Set.copyOf(attachFlags);
            programIds = List.copyOf(programIds);
        }
    }

    /**
     * What the kernel tells about a loaded program ({@code struct bpf_prog_info}).
     *
     * @param id the program's system-wide id
     * @param type its {@code enum bpf_prog_type} value
     * @param tag the hash of its instructions, as bpftool prints it (16 hex digits)
     * @param name the name given at load time (at most 15 characters)
     */
    public record ProgramInfo(int id, int type, String tag, String name) {
    }

    /**
     * Loads an eBPF program: {@code bpf(BPF_PROG_LOAD)} (Linux 3.18; cgroup device programs 4.15).
     *
     * <p>The verifier checks the program first. If it refuses, the load is repeated with a
     * log buffer and the exception's hint holds the verifier's log, which names the
     * offending instruction.
     *
     * @param type the program type
     * @param instructions the encoded instructions, {@value #INSTRUCTION_SIZE} bytes each, in native byte order
     * @param license the license string (GPL-only helpers need a GPL-compatible one)
     * @param name a name for bpftool and {@code /proc/PID/fdinfo}: at most 15 characters of
     *     {@code [A-Za-z0-9_.]}, or empty
     * @return the program's descriptor, close-on-exec
     * @throws SyscallException if the kernel refuses; EPERM without CAP_SYS_ADMIN/CAP_BPF,
     *     EACCES or EINVAL with the verifier log when the program is refused
     * @see <a href="https://man7.org/linux/man-pages/man2/bpf.2.html">bpf(2)</a>
     */
    public static Fd progLoad(BpfProgramType type, byte[] instructions, String license, String name)
            throws SyscallException {
        Objects.requireNonNull(type, "type");
        if (instructions.length == 0 || instructions.length % INSTRUCTION_SIZE != 0) {
            throw new IllegalArgumentException("eBPF instructions are " + INSTRUCTION_SIZE
                    + " bytes each; got " + instructions.length + " bytes");
        }
        Native.requireNoNul(license, "bpf license");
        checkName(name);
        int count = instructions.length / INSTRUCTION_SIZE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment code = arena.allocate(instructions.length, 8);
            MemorySegment.copy(instructions, 0, code, ValueLayout.JAVA_BYTE, 0, instructions.length);
            MemorySegment attr = bpf_attr_prog_load.allocate(arena);
            bpf_attr_prog_load.prog_type(attr, type.number());
            bpf_attr_prog_load.insn_cnt(attr, count);
            bpf_attr_prog_load.insns(attr, code.address());
            bpf_attr_prog_load.license(attr, arena.allocateFrom(license).address());
            byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(nameBytes, 0, attr, ValueLayout.JAVA_BYTE, bpf_attr_prog_load.prog_name$offset(),
                    nameBytes.length);
            long result = bpf(Linux.BPF_PROG_LOAD(), attr, bpf_attr_prog_load.sizeof());
            if (result >= 0) {
                return Fd.adopt((int) result);
            }
            String argument = "BPF_PROG_LOAD, " + type.cName() + ", " + count + " instructions";
            int errno = (int) -result;
            if (errno == Linux.EPERM()) {
                throw new SyscallException("bpf", argument, errno, privilegeHint("loading"));
            }
            // Load again with a log: only the verifier's own words say what it refused.
            MemorySegment log = arena.allocate(LOG_SIZE);
            bpf_attr_prog_load.log_level(attr, 1);
            bpf_attr_prog_load.log_size(attr, LOG_SIZE);
            bpf_attr_prog_load.log_buf(attr, log.address());
            long again = bpf(Linux.BPF_PROG_LOAD(), attr, bpf_attr_prog_load.sizeof());
            if (again >= 0) {
                // Refused once, accepted with a log: a transient failure (ENOMEM...); keep the program.
                return Fd.adopt((int) again);
            }
            String text = log.getString(0, StandardCharsets.US_ASCII).strip();
            throw new SyscallException("bpf", argument, errno, text.isEmpty()
                    ? "the kernel refused the program and wrote no verifier log"
                    : "the verifier refused the program; its log:\n" + text);
        }
    }

    /**
     * Attaches a loaded program to a target, here a cgroup v2 directory:
     * {@code bpf(BPF_PROG_ATTACH)} (Linux 4.10; {@link BpfAttachFlag#REPLACE} 5.6).
     *
     * @param target the cgroup directory, opened O_RDONLY|O_DIRECTORY
     * @param program the program to attach
     * @param type the attach point
     * @param flags attach flags; the kernel refuses a mode different from the programs already attached
     * @param replace with {@link BpfAttachFlag#REPLACE}: the attached program to swap out; else null
     * @throws SyscallException EPERM without privilege, or when an ancestor's non-overridable
     *     program forbids it or the flags differ from those already attached there
     * @see <a href="https://man7.org/linux/man-pages/man2/bpf.2.html">bpf(2)</a>
     */
    public static void progAttach(Fd target, Fd program, BpfAttachType type, Set<BpfAttachFlag> flags, Fd replace)
            throws SyscallException {
        if (flags.contains(BpfAttachFlag.REPLACE) != (replace != null)) {
            throw new IllegalArgumentException("BPF_F_REPLACE and a program to replace go together; flags "
                    + Flag.describe(flags) + ", replace " + (replace == null ? "none" : "fd " + replace.value()));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = bpf_attr_prog_attach.allocate(arena);
            bpf_attr_prog_attach.target_fd(attr, target.value());
            bpf_attr_prog_attach.attach_bpf_fd(attr, program.value());
            bpf_attr_prog_attach.attach_type(attr, type.number());
            bpf_attr_prog_attach.attach_flags(attr, (int) Flag.combine(flags));
            if (replace != null) {
                bpf_attr_prog_attach.replace_bpf_fd(attr, replace.value());
            }
            long result = bpf(Linux.BPF_PROG_ATTACH(), attr, bpf_attr_prog_attach.sizeof());
            if (result < 0) {
                String argument = "BPF_PROG_ATTACH, target fd " + target.value() + ", program fd " + program.value()
                        + ", " + type.cName() + ", " + Flag.describe(flags);
                int errno = (int) -result;
                throw new SyscallException("bpf", argument, errno, errno == Linux.EPERM()
                        ? privilegeHint("attaching") + "; or an ancestor cgroup holds a program attached without"
                                + " BPF_F_ALLOW_OVERRIDE/MULTI, or this cgroup's programs were attached in another mode"
                        : targetHint(errno));
            }
        }
    }

    /**
     * Detaches one program from a target: {@code bpf(BPF_PROG_DETACH)} (Linux 4.10).
     *
     * @param target the cgroup directory
     * @param program the attached program
     * @param type the attach point
     * @throws SyscallException ENOENT if that program is not attached there
     * @see <a href="https://man7.org/linux/man-pages/man2/bpf.2.html">bpf(2)</a>
     */
    public static void progDetach(Fd target, Fd program, BpfAttachType type) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = bpf_attr_prog_attach.allocate(arena);
            bpf_attr_prog_attach.target_fd(attr, target.value());
            bpf_attr_prog_attach.attach_bpf_fd(attr, program.value());
            bpf_attr_prog_attach.attach_type(attr, type.number());
            long result = bpf(Linux.BPF_PROG_DETACH(), attr, bpf_attr_prog_attach.sizeof());
            if (result < 0) {
                int errno = (int) -result;
                throw new SyscallException("bpf", "BPF_PROG_DETACH, target fd " + target.value() + ", program fd "
                        + program.value() + ", " + type.cName(), errno,
                        errno == Linux.EPERM() ? privilegeHint("detaching") : errno == Linux.ENOENT()
                                ? "that program is not attached there" : targetHint(errno));
            }
        }
    }

    /**
     * Lists the programs attached to a target: {@code bpf(BPF_PROG_QUERY)} (Linux 4.15).
     *
     * @param target the cgroup directory
     * @param type the attach point
     * @param effective true for every program that runs for the cgroup, its ancestors'
     *     included ({@code BPF_F_QUERY_EFFECTIVE}); false for those attached to it
     * @return the attach flags and program ids
     * @throws SyscallException if the kernel refuses
     * @see <a href="https://man7.org/linux/man-pages/man2/bpf.2.html">bpf(2)</a>
     */
    public static Attached progQuery(Fd target, BpfAttachType type, boolean effective) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ids = arena.allocate(ValueLayout.JAVA_INT, MAX_ATTACHED);
            MemorySegment attr = bpf_attr_prog_query.allocate(arena);
            bpf_attr_prog_query.target_fd(attr, target.value());
            bpf_attr_prog_query.attach_type(attr, type.number());
            bpf_attr_prog_query.query_flags(attr, effective ? Linux.BPF_F_QUERY_EFFECTIVE() : 0);
            bpf_attr_prog_query.prog_ids(attr, ids.address());
            bpf_attr_prog_query.prog_cnt(attr, MAX_ATTACHED);
            long result = bpf(Linux.BPF_PROG_QUERY(), attr, bpf_attr_prog_query.sizeof());
            if (result < 0) {
                int errno = (int) -result;
                throw new SyscallException("bpf", "BPF_PROG_QUERY, target fd " + target.value() + ", " + type.cName()
                        + (effective ? ", BPF_F_QUERY_EFFECTIVE" : ""), errno,
                        errno == Linux.EPERM() ? privilegeHint("querying") : targetHint(errno));
            }
            int count = bpf_attr_prog_query.prog_cnt(attr);
            List<Integer> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                out.add(ids.getAtIndex(ValueLayout.JAVA_INT, i));
            }
            EnumSet<BpfAttachFlag> flags = Flag.decode(BpfAttachFlag.class,
                    Integer.toUnsignedLong(bpf_attr_prog_query.attach_flags(attr)));
            return new Attached(flags, out);
        }
    }

    /**
     * Opens a loaded program by its id: {@code bpf(BPF_PROG_GET_FD_BY_ID)} (Linux 4.13).
     *
     * @param id the program id, as {@link #progQuery} lists it
     * @return a descriptor of the program, close-on-exec
     * @throws SyscallException ENOENT when no program has that id (any more)
     * @see <a href="https://man7.org/linux/man-pages/man2/bpf.2.html">bpf(2)</a>
     */
    public static Fd progGetFdById(int id) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = bpf_attr_get_id.allocate(arena);
            bpf_attr_get_id.prog_id(attr, id);
            long result = bpf(Linux.BPF_PROG_GET_FD_BY_ID(), attr, bpf_attr_get_id.sizeof());
            if (result < 0) {
                int errno = (int) -result;
                throw new SyscallException("bpf", "BPF_PROG_GET_FD_BY_ID, id " + Integer.toUnsignedString(id), errno,
                        errno == Linux.ENOENT() ? "no loaded program has that id: it was released"
                                : errno == Linux.EPERM() ? "opening programs by id needs CAP_SYS_ADMIN" : null);
            }
            return Fd.adopt((int) result);
        }
    }

    /**
     * Describes a loaded program: {@code bpf(BPF_OBJ_GET_INFO_BY_FD)} (Linux 4.13).
     *
     * @param program the program's descriptor
     * @return its id, type, tag and name
     * @throws SyscallException EINVAL if the descriptor is not a BPF program
     * @see <a href="https://man7.org/linux/man-pages/man2/bpf.2.html">bpf(2)</a>
     */
    public static ProgramInfo objGetInfoByFd(Fd program) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = bpf_prog_info.allocate(arena);
            MemorySegment attr = bpf_attr_obj_info.allocate(arena);
            bpf_attr_obj_info.bpf_fd(attr, program.value());
            bpf_attr_obj_info.info_len(attr, (int) bpf_prog_info.sizeof());
            bpf_attr_obj_info.info(attr, info.address());
            long result = bpf(Linux.BPF_OBJ_GET_INFO_BY_FD(), attr, bpf_attr_obj_info.sizeof());
            if (result < 0) {
                throw Kernel.failure(result, "bpf", "BPF_OBJ_GET_INFO_BY_FD, fd " + program.value());
            }
            byte[] tag = bpf_prog_info.tag(info).toArray(ValueLayout.JAVA_BYTE);
            String name = bpf_prog_info.name(info).getString(0, StandardCharsets.US_ASCII);
            return new ProgramInfo(bpf_prog_info.id(info), bpf_prog_info.type(info), HexFormat.of().formatHex(tag),
                    name);
        }
    }

    private static long bpf(int command, MemorySegment attr, long size) {
        // Not critical: loading runs the verifier and attaching takes cgroup_mutex; both may sleep.
        return Kernel.blocking(Linux.SYS_bpf(), command, attr.address(), size);
    }

    private static void checkName(String name) {
        if (name.length() >= Linux.BPF_OBJ_NAME_LEN()) {
            throw new IllegalArgumentException("bpf program name '" + name + "' is longer than "
                    + (Linux.BPF_OBJ_NAME_LEN() - 1) + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.')) {
                throw new IllegalArgumentException("bpf program name '" + name + "' has '" + c
                        + "'; the kernel takes only letters, digits, '_' and '.'");
            }
        }
    }

    /** EBADF from a command with a target: the descriptor is open but no cgroup v2 directory. */
    private static String targetHint(int errno) {
        return errno == Linux.EBADF() ? "the target must be an open cgroup v2 directory (cgroup BPF programs attach"
                + " only to the unified hierarchy)" : null;
    }

    private static String privilegeHint(String what) {
        return what + " cgroup BPF programs needs CAP_SYS_ADMIN (since Linux 5.8 also: CAP_BPF to load,"
                + " CAP_NET_ADMIN to attach, detach and query)";
    }
}
