package dev.hako.checkpoint.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything saved of one single-threaded task: identity, registers, signals, memory
 * layout and descriptors. Pages are not here; they stream to the pages file.
 */
public final class TaskImage {

    /** Pids as seen in the container's pid namespace. */
    public int pid;
    public int ppid;
    public int pgid;
    public int sid;
    /** The pid in the dumping process's namespace (for messages only). */
    public int hostPid;
    public String comm = "";
    public String exe;
    public String cwd;
    public String root;
    public int umask;
    public int exitSignal;
    public long personality;
    /** Task flags from stat field 9. */
    public long flags;
    /** A zombie: only its identity and exit status are kept (CRIU's TASK_DEAD). */
    public boolean zombie;
    /** A zombie's wait status, as waitpid(2) reports it (stat field 52). */
    public int exitStatus;
    /** Whether PR_SET_NO_NEW_PRIVS was set (status NoNewPrivs). */
    public boolean noNewPrivs;

    /** NT_PRSTATUS, restart fix-up applied. */
    public byte[] registers;
    /** NT_X86_XSTATE, the kernel's full size. */
    public byte[] xstate;
    public long sigmask;
    /** Pending siginfo records (128 bytes each): the thread's own queue, then the shared one. */
    public List<byte[]> pendingPrivate = new ArrayList<>();
    public List<byte[]> pendingShared = new ArrayList<>();
    /** Per signal 1..64: handler, flags, restorer, mask. */
    public long[][] sigactions = new long[64][4];
    /** ss_sp, ss_flags, ss_size. */
    public long[] altstack = new long[3];
    /** ITIMER_REAL, VIRTUAL, PROF: interval sec, usec, value sec, usec. */
    public long[][] itimers = new long[3][4];
    /** Per resource 0..15: soft, hard. */
    public long[][] rlimits = new long[16][2];
    public long tidAddress;
    public long robustHead;
    public long robustLength;
    public long rseqPointer;
    public long rseqSize;
    public long rseqSignature;
    /** real, effective, saved, fs uid then gid. */
    public long[] uids = new long[4];
    public long[] gids = new long[4];
    public List<Long> groups = new ArrayList<>();
    /** inheritable, permitted, effective, bounding, ambient. */
    public long[] capabilities = new long[5];
    public long pdeathSignal;
    /** The SECBIT_* flags of prctl(PR_GET_SECUREBITS). */
    public long securebits;

    /** start_code end_code start_data end_data start_stack start_brk brk arg_start arg_end env_start env_end. */
    public long[] mm = new long[11];
    public List<Long> auxv = new ArrayList<>();
    public List<Vma> vmas = new ArrayList<>();
    public List<FdImage> fds = new ArrayList<>();
    /** Runs of dumped pages: start address, page count; the pages file holds them in this order. */
    public List<long[]> pagemap = new ArrayList<>();
    public long pagesBytes;
    /** The vdso's bytes, to refuse a restore on a kernel whose vdso differs. */
    public byte[] vdso;

    /** One memory mapping. */
    public static final class Vma {
        public long start;
        public long end;
        public long pgoff;
        public int prot;
        /** MAP_PRIVATE plus MAP_GROWSDOWN/NORESERVE/LOCKED from VmFlags. */
        public int mapFlags;
        /** MADV_* advice to re-apply. */
        public List<Integer> advice = new ArrayList<>();
        /** The mapped file, a [special] name, or empty for anonymous memory. */
        public String path = "";
        public boolean file;

        /** Whether this is one of the kernel's own mappings (vvar, vdso, vsyscall). */
        public boolean special() {
            return path.startsWith("[vvar") || path.equals("[vdso]") || path.equals("[vsyscall]");
        }

        /** Its length in bytes. */
        public long length() {
            return end - start;
        }
    }

    /** Kinds of descriptors a phase-1 image holds. */
    public enum FdKind {
        REGULAR(1), PIPE(2), DEV_NULL(1);

        /** CRIU's fd_types value. */
        public final int criuType;

        FdKind(int criuType) {
            this.criuType = criuType;
        }
    }

    /** One descriptor. */
    public static final class FdImage {
        public int fd;
        /**
         * The open file description's id, unique in the image: descriptors that share one
         * (a dup, or a parent's descriptor its child inherited) have the same id, so they
         * share it again after a restore (offset and status flags included). Pipes are
         * shared through {@link #pipeId} instead.
         */
        public int fileId;
        public FdKind kind;
        public String path;
        public long position;
        /** Status flags (O_ACCMODE, O_APPEND, O_NONBLOCK...) from fdinfo. */
        public int openFlags;
        public boolean cloexec;
        /** The pipe's inode, shared by both ends and by every task holding one. */
        public long pipeId;
        /** Unread pipe contents (saved once per pipe, with its first end). */
        public byte[] pipeData;
    }
}
