package dev.hako.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What one container's later calls need, kept in {@code ROOT/ID/state.json}: the init's
 * pid and its start time (a pidfd cannot outlive the call that made it, so the start time
 * from /proc/PID/stat tells a reused pid apart), the bundle, the cgroup and the
 * descriptor number of the start gate. The file {@code created} beside it exists from
 * create until start.
 */
record ContainerState(String id, Path directory, int pid, long startTime, Path bundle, Path rootfs, Instant created,
                      String cgroupPath, int gateFd, Map<String, String> annotations, List<String> namespaces) {

    static final String OCI_VERSION = "1.0.2";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** runc's rule for ids: no path separators or surprises in a directory name. */
    private static final Pattern ID = Pattern.compile("^[\\w+\\-.]+$");

    enum Status { CREATED, RUNNING, PAUSED, STOPPED }

    static Path directoryOf(Path root, String id) {
        if (!ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw new RuntimeError("invalid container id \"" + id + "\": use letters, digits, '_', '+', '-' and '.'");
        }
        return root.resolve(id);
    }

    /** The state of container {@code id}, or a "does not exist" error. */
    static ContainerState load(Path root, String id) throws IOException {
        Path dir = directoryOf(root, id);
        JsonNode node;
        try {
            node = JSON.readTree(dir.resolve("state.json").toFile());
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            throw new RuntimeError("container \"" + id + "\" does not exist");
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        node.path("annotations").properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
        List<String> namespaces = new java.util.ArrayList<>();
        node.path("namespaces").forEach(n -> namespaces.add(n.asText()));
        return new ContainerState(id, dir, node.path("pid").asInt(), node.path("startTime").asLong(),
                Path.of(node.path("bundle").asText()), Path.of(node.path("rootfs").asText()),
                Instant.parse(node.path("created").asText()), node.path("cgroupPath").asText(null),
                node.path("gateFd").asInt(), annotations, namespaces);
    }

    /** Writes state.json atomically (a rename), so a concurrent reader sees all or nothing. */
    void save() throws IOException {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id).put("pid", pid).put("startTime", startTime).put("bundle", bundle.toString())
                .put("rootfs", rootfs.toString()).put("created", created.toString()).put("cgroupPath", cgroupPath)
                .put("gateFd", gateFd);
        ObjectNode map = node.putObject("annotations");
        annotations.forEach(map::put);
        namespaces.forEach(node.putArray("namespaces")::add);
        Path temp = directory.resolve("state.json.tmp");
        JSON.writeValue(temp.toFile(), node);
        try {
            Files.move(temp, directory.resolve("state.json"), StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, directory.resolve("state.json"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    Path createdMarker() {
        return directory.resolve("created");
    }

    /** Whether the init still runs (not a zombie) and is the process create started. */
    boolean initAlive() {
        return pid > 0 && ProcStat.startTime(pid).orElse(-1L) == startTime && !ProcStat.zombie(pid);
    }

    Status status(boolean frozen) {
        if (!initAlive()) {
            return Status.STOPPED;
        }
        if (Files.exists(createdMarker())) {
            return Status.CREATED;
        }
        return frozen ? Status.PAUSED : Status.RUNNING;
    }

    /** The state JSON the runtime spec defines (with runc's rootfs and created fields). */
    String stateJson(Status status) {
        ObjectNode node = JSON.createObjectNode();
        node.put("ociVersion", OCI_VERSION).put("id", id).put("pid", status == Status.STOPPED ? 0 : pid)
                .put("status", status.name().toLowerCase(java.util.Locale.ROOT)).put("bundle", bundle.toString())
                .put("rootfs", rootfs.toString()).put("created", created.toString()).put("owner", "");
        ObjectNode map = node.putObject("annotations");
        annotations.forEach(map::put);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
