package dev.hako.checkpoint.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hako's image files, framed as CRIU frames its own (see checkpoint/IMAGES.md): a u32
 * common magic and a u32 per-type magic (the inventory has only its own), then records
 * of u32 length plus a proto2 message that uses CRIU's field numbers where CRIU has the
 * field, and numbers from 1000 up for what only Hako keeps. Pages are raw.
 */
public final class ImageStore {

    /** The image format version Hako writes and reads. */
    public static final int HAKO_IMAGE_VERSION = 2;

    static final int COMMON_MAGIC = 0x54564319;
    static final int INVENTORY_MAGIC = 0x58313116;
    static final int PSTREE_MAGIC = 0x50273030;
    static final int CORE_MAGIC = 0x55053847;
    static final int MM_MAGIC = 0x57492820;
    static final int PAGEMAP_MAGIC = 0x56084025;
    static final int FDINFO_MAGIC = 0x56213732;
    static final int FILES_MAGIC = 0x56303138;
    /** CRIU's number for the securebits in its creds entry, used in Hako's own. */
    static final int CREDS_SECUREBITS = 13;

    /** Hako-only fields, numbered above anything CRIU uses. */
    static final int X_VERSION = 1000;
    static final int X_XSTATE = 1000;
    static final int X_SIGACTION = 1001;
    static final int X_ITIMER = 1002;
    static final int X_RLIMIT = 1003;
    static final int X_CREDS = 1004;
    static final int X_UMASK = 1005;
    static final int X_RSEQ = 1006;
    static final int X_PENDING_PRIVATE = 1007;
    static final int X_PENDING_SHARED = 1008;
    static final int X_CWD = 1009;
    static final int X_ROOT = 1010;
    static final int X_EXIT_SIGNAL = 1011;
    static final int X_REGISTERS = 1012;
    static final int X_HOST_PID = 1013;
    static final int X_NO_NEW_PRIVS = 1014;
    static final int X_EXE = 1000;
    static final int X_VDSO = 1001;
    static final int X_PATH = 1000;
    static final int X_FILE = 1001;
    static final int X_ADVICE = 1002;
    static final int X_FD_KIND = 1000;
    static final int X_FD_OPEN_FLAGS = 1003;
    static final int X_FD_PIPE = 1004;
    static final int X_FD_PIPE_DATA = 1005;

    private ImageStore() {
    }

    // ---- framing -------------------------------------------------------------------------

    static void writeFile(Path file, int magic, List<byte[]> records) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (magic == INVENTORY_MAGIC) {
            u32(out, magic);
        } else {
            u32(out, COMMON_MAGIC);
            u32(out, magic);
        }
        for (byte[] record : records) {
            u32(out, record.length);
            out.write(record);
        }
        Files.write(file, out.toByteArray());
    }

    private static void u32(OutputStream out, int value) throws IOException {
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
    }

    static List<Proto.Message> readFile(Path file, int magic) throws IOException {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("image " + file.getParent() + " has no " + file.getFileName()
                    + ": not a complete Hako image", e);
        }
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (magic != INVENTORY_MAGIC) {
            int common = in.remaining() >= 4 ? in.getInt() : 0;
            if (common != COMMON_MAGIC) {
                throw new IOException(file + ": not an image file (magic 0x" + Integer.toHexString(common) + ")");
            }
        }
        int found = in.remaining() >= 4 ? in.getInt() : 0;
        if (found != magic) {
            throw new IOException(file + ": magic 0x" + Integer.toHexString(found) + ", expected 0x"
                    + Integer.toHexString(magic));
        }
        List<Proto.Message> records = new ArrayList<>();
        while (in.remaining() > 0) {
            if (in.remaining() < 4) {
                throw new IOException(file + ": truncated record length");
            }
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                throw new IOException(file + ": record of " + length + " bytes runs past the end");
            }
            byte[] record = new byte[length];
            in.get(record);
            records.add(Proto.Message.parse(record));
        }
        return records;
    }

    // ---- whole image ---------------------------------------------------------------------

    /** Writes the inventory and process tree after the per-task files were written. */
    public static void writeTree(Path dir, List<TaskImage> tasks) throws IOException {
        writeFile(dir.resolve("inventory.img"), INVENTORY_MAGIC, List.of(new Proto.Writer()
                .u(1, 2) // img_version: CRIU's images v1.1 framing
                .u(X_VERSION, HAKO_IMAGE_VERSION).toBytes()));
        List<byte[]> entries = new ArrayList<>();
        for (TaskImage task : tasks) {
            entries.add(new Proto.Writer().u(1, task.pid).u(2, task.ppid).u(3, task.pgid).u(4, task.sid)
                    .u(5, task.pid).toBytes());
        }
        writeFile(dir.resolve("pstree.img"), PSTREE_MAGIC, entries);
        writeFiles(dir, tasks);
    }

    /** Reads every task of an image (pages stay in their files). */
    public static List<TaskImage> read(Path dir) throws IOException {
        if (!java.nio.file.Files.isRegularFile(dir.resolve("inventory.img"))) {
            throw new IOException(dir + " is not a checkpoint image: it has no inventory.img");
        }
        Proto.Message inventory = readFile(dir.resolve("inventory.img"), INVENTORY_MAGIC).getFirst();
        long version = inventory.u(X_VERSION, -1);
        if (version != HAKO_IMAGE_VERSION) {
            throw new IOException(dir + ": Hako image version " + version + ", this library reads version "
                    + HAKO_IMAGE_VERSION + (version < 0 ? " (written by CRIU, not Hako?)" : ""));
        }
        List<TaskImage> tasks = new ArrayList<>();
        Map<Integer, Proto.Message> files = readFiles(dir);
        for (Proto.Message entry : readFile(dir.resolve("pstree.img"), PSTREE_MAGIC)) {
            TaskImage task = new TaskImage();
            task.pid = (int) entry.u(1);
            task.ppid = (int) entry.u(2);
            task.pgid = (int) entry.u(3);
            task.sid = (int) entry.u(4);
            readCore(dir, task);
            if (task.zombie) {
                tasks.add(task);
                continue;
            }
            readMm(dir, task);
            readPagemap(dir, task);
            readFds(dir, task, files);
            tasks.add(task);
        }
        return tasks;
    }

    // ---- core ----------------------------------------------------------------------------

    /** Writes the image files of one task (a zombie: its core file only) into {@code dir}. */
    public static void writeTask(Path dir, TaskImage task) throws IOException {
        if (task.zombie) {
            Proto.Writer tc = new Proto.Writer().u(1, 2) // TASK_DEAD
                    .u(2, task.exitStatus).string(6, task.comm).u(X_EXIT_SIGNAL, task.exitSignal)
                    .u(X_HOST_PID, task.hostPid);
            writeFile(dir.resolve("core-" + task.pid + ".img"), CORE_MAGIC,
                    List.of(new Proto.Writer().u(1, 1).message(3, tc).toBytes()));
            return;
        }
        writeCore(dir, task);
        writeMm(dir, task);
        writePagemap(dir, task);
        writeFds(dir, task);
    }

    private static void writeCore(Path dir, TaskImage task) throws IOException {
        Registers regs = Registers.of(task.registers);
        Proto.Writer gp = new Proto.Writer();
        for (int i = 0; i < 27; i++) {
            gp.u(i + 1, regs.get(i));
        }
        gp.u(28, 1); // NATIVE
        Proto.Writer info = new Proto.Writer().u(1, task.tidAddress).message(2, gp).message(3, fpregs(task.xstate));
        Proto.Writer tc = new Proto.Writer().u(1, 1) // TASK_ALIVE
                .u(2, 0).u(3, task.personality).u(4, task.flags).u(5, task.sigmask).string(6, task.comm);
        for (int s = 0; s < 64; s++) {
            long[] a = task.sigactions[s];
            tc.message(X_SIGACTION, new Proto.Writer().u(1, s + 1).u(2, a[0]).u(3, a[1]).u(4, a[2]).u(5, a[3]));
        }
        for (int t = 0; t < 3; t++) {
            long[] v = task.itimers[t];
            tc.message(X_ITIMER, new Proto.Writer().u(1, t).u(2, v[0]).u(3, v[1]).u(4, v[2]).u(5, v[3]));
        }
        for (int r = 0; r < 16; r++) {
            tc.message(X_RLIMIT, new Proto.Writer().u(1, r).u(2, task.rlimits[r][0]).u(3, task.rlimits[r][1]));
        }
        Proto.Writer creds = new Proto.Writer();
        for (int i = 0; i < 4; i++) {
            creds.u(1, task.uids[i]);
        }
        for (int i = 0; i < 4; i++) {
            creds.u(2, task.gids[i]);
        }
        for (long group : task.groups) {
            creds.u(3, group);
        }
        for (long cap : task.capabilities) {
            creds.u(4, cap);
        }
        creds.u(CREDS_SECUREBITS, task.securebits);
        tc.message(X_CREDS, creds).u(X_UMASK, task.umask).u(X_NO_NEW_PRIVS, task.noNewPrivs ? 1 : 0)
                .message(X_RSEQ, new Proto.Writer().u(1, task.rseqPointer).u(2, task.rseqSize).u(3, task.rseqSignature))
                .string(X_CWD, task.cwd).string(X_ROOT, task.root).u(X_EXIT_SIGNAL, task.exitSignal)
                .u(X_HOST_PID, task.hostPid);
        for (byte[] info1 : task.pendingPrivate) {
            tc.bytes(X_PENDING_PRIVATE, info1);
        }
        for (byte[] info1 : task.pendingShared) {
            tc.bytes(X_PENDING_SHARED, info1);
        }
        Proto.Writer thread = new Proto.Writer().u(1, task.robustHead).u(2, task.robustLength).u(6, task.sigmask)
                .message(7, new Proto.Writer().u(1, task.altstack[0]).u(2, task.altstack[2]).u(3, task.altstack[1]))
                .u(8, task.pdeathSignal);
        Proto.Writer core = new Proto.Writer().u(1, 1) // X86_64
                .message(2, info).message(3, tc).message(5, thread)
                .bytes(X_XSTATE, task.xstate).bytes(X_REGISTERS, task.registers);
        writeFile(dir.resolve("core-" + task.pid + ".img"), CORE_MAGIC, List.of(core.toBytes()));
    }

    /** CRIU's view of the FPU: the legacy fxsave area, which starts every xsave buffer. */
    private static Proto.Writer fpregs(byte[] xstate) {
        ByteBuffer x = ByteBuffer.wrap(xstate).order(ByteOrder.LITTLE_ENDIAN);
        Proto.Writer fp = new Proto.Writer().u(1, x.getShort(0) & 0xffff).u(2, x.getShort(2) & 0xffff)
                .u(3, x.get(4) & 0xff).u(4, x.getShort(6) & 0xffff).u(5, x.getLong(8)).u(6, x.getLong(16))
                .u(7, x.getInt(24) & 0xffffffffL).u(8, x.getInt(28) & 0xffffffffL);
        for (int i = 0; i < 32; i++) {
            fp.u(9, x.getInt(32 + 4 * i) & 0xffffffffL);
        }
        for (int i = 0; i < 64; i++) {
            fp.u(10, x.getInt(160 + 4 * i) & 0xffffffffL);
        }
        return fp;
    }

    private static void readCore(Path dir, TaskImage task) throws IOException {
        Proto.Message core = readFile(dir.resolve("core-" + task.pid + ".img"), CORE_MAGIC).getFirst();
        if (core.u(1) != 1) {
            throw new IOException("task " + task.pid + " was dumped on architecture " + core.u(1)
                    + ", not x86_64");
        }
        Proto.Message tc = core.message(3);
        if (tc.u(1) == 2) {
            task.zombie = true;
            task.exitStatus = (int) tc.u(2);
            task.comm = tc.string(6);
            task.exitSignal = (int) tc.u(X_EXIT_SIGNAL);
            task.hostPid = (int) tc.u(X_HOST_PID, 0);
            return;
        }
        Proto.Message info = core.message(2);
        Proto.Message thread = core.message(5);
        task.registers = core.bytes(X_REGISTERS);
        task.xstate = core.bytes(X_XSTATE);
        task.tidAddress = info.u(1);
        task.personality = tc.u(3);
        task.flags = tc.u(4);
        task.sigmask = tc.u(5);
        task.comm = tc.string(6);
        for (Proto.Message a : tc.messages(X_SIGACTION)) {
            int s = (int) a.u(1) - 1;
            task.sigactions[s] = new long[] {a.u(2), a.u(3), a.u(4), a.u(5)};
        }
        for (Proto.Message t : tc.messages(X_ITIMER)) {
            task.itimers[(int) t.u(1)] = new long[] {t.u(2), t.u(3), t.u(4), t.u(5)};
        }
        for (Proto.Message r : tc.messages(X_RLIMIT)) {
            task.rlimits[(int) r.u(1)] = new long[] {r.u(2), r.u(3)};
        }
        Proto.Message creds = tc.message(X_CREDS);
        List<Long> uids = creds.repeatedU(1);
        List<Long> gids = creds.repeatedU(2);
        for (int i = 0; i < 4; i++) {
            task.uids[i] = uids.get(i);
            task.gids[i] = gids.get(i);
        }
        task.groups = creds.repeatedU(3);
        List<Long> caps = creds.repeatedU(4);
        for (int i = 0; i < 5; i++) {
            task.capabilities[i] = caps.get(i);
        }
        task.securebits = creds.u(CREDS_SECUREBITS, 0);
        task.umask = (int) tc.u(X_UMASK);
        task.noNewPrivs = tc.u(X_NO_NEW_PRIVS, 0) != 0;
        Proto.Message rseq = tc.message(X_RSEQ);
        task.rseqPointer = rseq.u(1);
        task.rseqSize = rseq.u(2);
        task.rseqSignature = rseq.u(3);
        task.cwd = tc.string(X_CWD);
        task.root = tc.string(X_ROOT);
        task.exitSignal = (int) tc.u(X_EXIT_SIGNAL);
        task.hostPid = (int) tc.u(X_HOST_PID, 0);
        task.pendingPrivate = tc.repeatedBytes(X_PENDING_PRIVATE);
        task.pendingShared = tc.repeatedBytes(X_PENDING_SHARED);
        task.robustHead = thread.u(1);
        task.robustLength = thread.u(2);
        Proto.Message sas = thread.message(7);
        task.altstack = new long[] {sas.u(1), sas.u(3), sas.u(2)};
        task.pdeathSignal = thread.u(8, 0);
    }

    // ---- mm ------------------------------------------------------------------------------

    private static void writeMm(Path dir, TaskImage task) throws IOException {
        Proto.Writer mm = new Proto.Writer();
        for (int i = 0; i < 11; i++) {
            mm.u(i + 1, task.mm[i]);
        }
        mm.u(12, 0);
        for (long word : task.auxv) {
            mm.u(13, word);
        }
        for (TaskImage.Vma vma : task.vmas) {
            Proto.Writer v = new Proto.Writer().u(1, vma.start).u(2, vma.end).u(3, vma.pgoff).u(4, 0).u(5, vma.prot)
                    .u(6, vma.mapFlags).u(7, vma.file ? 1 : 0).s(8, -1).string(X_PATH, vma.path).bool(X_FILE, vma.file);
            for (int advice : vma.advice) {
                v.u(X_ADVICE, advice);
            }
            mm.message(14, v);
        }
        mm.string(X_EXE, task.exe);
        if (task.vdso != null) {
            mm.bytes(X_VDSO, task.vdso);
        }
        writeFile(dir.resolve("mm-" + task.pid + ".img"), MM_MAGIC, List.of(mm.toBytes()));
    }

    private static void readMm(Path dir, TaskImage task) throws IOException {
        Proto.Message mm = readFile(dir.resolve("mm-" + task.pid + ".img"), MM_MAGIC).getFirst();
        for (int i = 0; i < 11; i++) {
            task.mm[i] = mm.u(i + 1);
        }
        task.auxv = mm.repeatedU(13);
        for (Proto.Message v : mm.messages(14)) {
            TaskImage.Vma vma = new TaskImage.Vma();
            vma.start = v.u(1);
            vma.end = v.u(2);
            vma.pgoff = v.u(3);
            vma.prot = (int) v.u(5);
            vma.mapFlags = (int) v.u(6);
            vma.path = v.string(X_PATH);
            vma.file = v.u(X_FILE, 0) != 0;
            for (long advice : v.repeatedU(X_ADVICE)) {
                vma.advice.add((int) advice);
            }
            task.vmas.add(vma);
        }
        task.exe = mm.string(X_EXE);
        task.vdso = mm.bytes(X_VDSO);
    }

    // ---- pages ---------------------------------------------------------------------------

    static Path pagesFile(Path dir, TaskImage task) {
        return dir.resolve("pages-" + task.pid + ".img");
    }

    private static void writePagemap(Path dir, TaskImage task) throws IOException {
        List<byte[]> records = new ArrayList<>();
        records.add(new Proto.Writer().u(1, task.pid).toBytes());
        for (long[] run : task.pagemap) {
            records.add(new Proto.Writer().u(1, run[0]).u(2, run[1]).toBytes());
        }
        writeFile(dir.resolve("pagemap-" + task.pid + ".img"), PAGEMAP_MAGIC, records);
    }

    private static void readPagemap(Path dir, TaskImage task) throws IOException {
        List<Proto.Message> records = readFile(dir.resolve("pagemap-" + task.pid + ".img"), PAGEMAP_MAGIC);
        for (Proto.Message run : records.subList(1, records.size())) {
            task.pagemap.add(new long[] {run.u(1), run.u(2)});
            task.pagesBytes += run.u(2) * 4096;
        }
    }

    /** Opens the raw pages of a task, in pagemap order. */
    public static InputStream pages(Path dir, TaskImage task) throws IOException {
        return new DataInputStream(Files.newInputStream(pagesFile(dir, task)));
    }

    // ---- descriptors ---------------------------------------------------------------------

    /**
     * The fdinfo entries of a task: descriptor number, close-on-exec, and the id of its open
     * file (in files.img) or, for a pipe end, the pipe's id and unread contents.
     */
    private static void writeFds(Path dir, TaskImage task) throws IOException {
        List<byte[]> records = new ArrayList<>();
        for (TaskImage.FdImage fd : task.fds) {
            Proto.Writer entry = new Proto.Writer().u(1, fd.fileId).u(2, fd.cloexec ? 1 : 0).u(3, fd.kind.criuType)
                    .u(4, fd.fd).string(X_FD_KIND, fd.kind.name());
            if (fd.kind == TaskImage.FdKind.PIPE) {
                entry.u(X_FD_OPEN_FLAGS, fd.openFlags).u(X_FD_PIPE, fd.pipeId);
                if (fd.pipeData != null) {
                    entry.bytes(X_FD_PIPE_DATA, fd.pipeData);
                }
            }
            records.add(entry.toBytes());
        }
        writeFile(dir.resolve("fdinfo-" + task.pid + ".img"), FDINFO_MAGIC, records);
    }

    /**
     * files.img: one entry per open file description of a regular file or /dev/null, however
     * many descriptors of however many tasks share it, in CRIU's shape (type, id, and a
     * regular-file entry with flags, position, owner and name).
     */
    private static void writeFiles(Path dir, List<TaskImage> tasks) throws IOException {
        Map<Integer, byte[]> files = new java.util.TreeMap<>();
        for (TaskImage task : tasks) {
            for (TaskImage.FdImage fd : task.fds) {
                if (fd.kind == TaskImage.FdKind.PIPE || files.containsKey(fd.fileId)) {
                    continue;
                }
                Proto.Writer owner = new Proto.Writer().u(1, 0).u(2, 0).u(3, 0).u(4, 0).u(5, 0);
                Proto.Writer regular = new Proto.Writer().u(1, fd.fileId).u(2, fd.openFlags).u(3, fd.position)
                        .message(5, owner).string(6, fd.path);
                files.put(fd.fileId, new Proto.Writer().u(1, fd.kind.criuType).u(2, fd.fileId).message(3, regular)
                        .string(X_FD_KIND, fd.kind.name()).toBytes());
            }
        }
        writeFile(dir.resolve("files.img"), FILES_MAGIC, new ArrayList<>(files.values()));
    }

    private static Map<Integer, Proto.Message> readFiles(Path dir) throws IOException {
        Map<Integer, Proto.Message> files = new HashMap<>();
        for (Proto.Message entry : readFile(dir.resolve("files.img"), FILES_MAGIC)) {
            files.put((int) entry.u(2), entry);
        }
        return files;
    }

    private static void readFds(Path dir, TaskImage task, Map<Integer, Proto.Message> files) throws IOException {
        for (Proto.Message entry : readFile(dir.resolve("fdinfo-" + task.pid + ".img"), FDINFO_MAGIC)) {
            TaskImage.FdImage fd = new TaskImage.FdImage();
            fd.fileId = (int) entry.u(1);
            fd.cloexec = entry.u(2) != 0;
            fd.fd = (int) entry.u(4);
            fd.kind = TaskImage.FdKind.valueOf(entry.string(X_FD_KIND));
            if (fd.kind == TaskImage.FdKind.PIPE) {
                fd.openFlags = (int) entry.u(X_FD_OPEN_FLAGS, 0);
                fd.pipeId = entry.u(X_FD_PIPE, 0);
                fd.pipeData = entry.bytes(X_FD_PIPE_DATA);
            } else {
                Proto.Message file = files.get(fd.fileId);
                if (file == null) {
                    throw new IOException("task " + task.pid + " fd " + fd.fd + " refers to file " + fd.fileId
                            + ", which files.img does not hold");
                }
                Proto.Message regular = file.message(3);
                fd.openFlags = (int) regular.u(2);
                fd.position = regular.u(3);
                fd.path = regular.string(6);
            }
            task.fds.add(fd);
        }
    }
}
