package dev.hako.oci;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What one container's later calls need, kept in {@code ROOT/ID/state.json}: the init's
 * pid and its start time (a pidfd cannot outlive the call that made it, so the start time
 * from /proc/PID/stat tells a reused pid apart), the bundle, the cgroup and the
 * descriptor number of the start gate. The file {@code created} beside it exists from
 * create until start. Read and written with jackson-core's streaming parser and generator:
 * databind's ObjectMapper costs about 0.1 s to set up in the fresh JVM of every call.
 */
record ContainerState(String id, Path directory, int pid, long startTime, Path bundle, Path rootfs, Instant created,
                      String cgroupPath, int gateFd, Map<String, String> annotations, List<String> namespaces) {

    static final String OCI_VERSION = "1.0.2";
    private static final JsonFactory JSON = new JsonFactory();
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
        Map<String, String> fields = new HashMap<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        List<String> namespaces = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(dir.resolve("state.json").toFile())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException(dir.resolve("state.json") + " does not hold a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("annotations") && value == JsonToken.START_OBJECT) {
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String key = parser.currentName();
                        parser.nextToken();
                        annotations.put(key, parser.getValueAsString());
                    }
                } else if (name.equals("namespaces") && value == JsonToken.START_ARRAY) {
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        namespaces.add(parser.getValueAsString());
                    }
                } else if (value.isStructStart()) {
                    parser.skipChildren();
                } else {
                    fields.put(name, parser.getValueAsString());
                }
            }
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            throw new RuntimeError("container \"" + id + "\" does not exist");
        }
        return new ContainerState(id, dir, Integer.parseInt(fields.getOrDefault("pid", "0")),
                Long.parseLong(fields.getOrDefault("startTime", "0")), Path.of(fields.getOrDefault("bundle", "")),
                Path.of(fields.getOrDefault("rootfs", "")), Instant.parse(fields.getOrDefault("created", "")),
                fields.get("cgroupPath"), Integer.parseInt(fields.getOrDefault("gateFd", "0")), annotations,
                namespaces);
    }

    /** Writes state.json atomically (a rename), so a concurrent reader sees all or nothing. */
    void save() throws IOException {
        Path temp = directory.resolve("state.json.tmp");
        try (JsonGenerator out = JSON.createGenerator(temp.toFile(), com.fasterxml.jackson.core.JsonEncoding.UTF8)) {
            out.writeStartObject();
            out.writeStringField("id", id);
            out.writeNumberField("pid", pid);
            out.writeNumberField("startTime", startTime);
            out.writeStringField("bundle", bundle.toString());
            out.writeStringField("rootfs", rootfs.toString());
            out.writeStringField("created", created.toString());
            out.writeStringField("cgroupPath", cgroupPath);
            out.writeNumberField("gateFd", gateFd);
            writeAnnotations(out);
            out.writeArrayFieldStart("namespaces");
            for (String namespace : namespaces) {
                out.writeString(namespace);
            }
            out.writeEndArray();
            out.writeEndObject();
        }
        try {
            Files.move(temp, directory.resolve("state.json"), StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, directory.resolve("state.json"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void writeAnnotations(JsonGenerator out) throws IOException {
        out.writeObjectFieldStart("annotations");
        for (Map.Entry<String, String> annotation : annotations.entrySet()) {
            out.writeStringField(annotation.getKey(), annotation.getValue());
        }
        out.writeEndObject();
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
        StringWriter text = new StringWriter();
        try (JsonGenerator out = JSON.createGenerator(text).useDefaultPrettyPrinter()) {
            out.writeStartObject();
            out.writeStringField("ociVersion", OCI_VERSION);
            out.writeStringField("id", id);
            out.writeNumberField("pid", status == Status.STOPPED ? 0 : pid);
            out.writeStringField("status", status.name().toLowerCase(java.util.Locale.ROOT));
            out.writeStringField("bundle", bundle.toString());
            out.writeStringField("rootfs", rootfs.toString());
            out.writeStringField("created", created.toString());
            out.writeStringField("owner", "");
            writeAnnotations(out);
            out.writeEndObject();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }
}
