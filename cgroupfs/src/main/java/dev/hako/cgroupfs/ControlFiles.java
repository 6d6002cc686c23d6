package dev.hako.cgroupfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Reads and writes cgroup control files. */
final class ControlFiles {
    private ControlFiles() {
    }

    /**
     * Writes a value with a single write(2), as control files need: each write is one
     * command, and a value split across writes would be two wrong ones.
     */
    static void write(Path file, String value) throws CgroupWriteException {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            int written = channel.write(ByteBuffer.wrap(bytes));
            if (written != bytes.length) {
                throw new IOException("short write: " + written + " of " + bytes.length + " bytes");
            }
        } catch (IOException e) {
            throw new CgroupWriteException(file, value, Errno.name(e), List.of(), e);
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
