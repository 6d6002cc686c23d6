package dev.hako.cgroupfs;

import dev.hako.syscalls.Fd;
import dev.hako.syscalls.FileSyscalls;
import dev.hako.syscalls.OpenFlag;
import dev.hako.syscalls.SyscallException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Reads and writes cgroup control files. */
final class ControlFiles {
    private ControlFiles() {
    }

    /**
     * Writes a value with one write(2) through the syscalls layer, so a refusal carries the
     * kernel's errno. Control files take each write as one command.
     */
    static void write(Path file, String value) throws CgroupWriteException {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        try (Fd fd = FileSyscalls.openat2(null, file.toString(), EnumSet.of(OpenFlag.WRITE_ONLY), 0, Set.of())) {
            FileSyscalls.writeFully(fd, bytes);
        } catch (SyscallException e) {
            throw new CgroupWriteException(file, value, e.errnoName(), List.of(), e);
        }
    }

    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII);
    }

    /** The value of a one-line file, without its newline. */
    static String readLine(Path file) throws IOException {
        return KeyedFile.single(read(file), file.getFileName().toString());
    }

    /** The controllers named in {@code cgroup.controllers} or {@code cgroup.subtree_control}. */
    static Set<Controller> controllerList(Path file) throws IOException {
        Set<Controller> out = EnumSet.noneOf(Controller.class);
        for (String name : read(file).trim().split("\\s+")) {
            if (!name.isEmpty()) {
                Controller.fromV2Name(name).ifPresent(out::add);
            }
        }
        return out;
    }

    /** The pids in a {@code cgroup.procs} or {@code tasks} file. */
    static List<Long> pids(Path file) throws IOException {
        return read(file).lines().filter(l -> !l.isBlank())
                .map(l -> Numbers.parseUnsigned(l.trim(), "pid in " + file)).toList();
    }
}
