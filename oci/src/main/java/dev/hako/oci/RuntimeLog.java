package dev.hako.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The runtime's log, as runc keeps it for the shim: {@code --log FILE} appends lines, in
 * text ({@code time="..." level=error msg="..."}) or JSON
 * ({@code {"level":"error","msg":"...","time":"..."}}), the shim showing the last error's
 * msg. Errors also go to stderr; warnings only to the log, so a successful call prints
 * nothing on stderr.
 */
final class RuntimeLog {

    private final Path file;
    private final boolean json;

    RuntimeLog(String file, String format) {
        if (!format.equals("text") && !format.equals("json")) {
            this.file = null;
            this.json = false;
            throw new RuntimeError("--log-format " + format + " is not text or json");
        }
        this.file = file == null || file.isEmpty() ? null : Path.of(file);
        this.json = format.equals("json");
    }

    void error(String message) {
        write("error", message);
        System.err.println("hako-oci: " + message);
        System.err.flush();
    }

    void warning(String message) {
        write("warning", message);
    }

    private void write(String level, String message) {
        if (file == null) {
            return;
        }
        String time = Instant.now().toString();
        String line;
        if (json) {
            ObjectNode node = new ObjectMapper().createObjectNode();
            node.put("level", level).put("msg", message).put("time", time);
            line = node.toString();
        } else {
            line = "time=\"" + time + "\" level=" + level + " msg=\"" + message.replace("\\", "\\\\").replace("\"", "\\\"")
                    + "\"";
        }
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            System.err.println("hako-oci: cannot write the log " + file + ": " + e.getMessage());
        }
    }
}
