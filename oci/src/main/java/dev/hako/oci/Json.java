package dev.hako.oci;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads typed values out of a Jackson tree, each error naming the JSON path of the value
 * and the rule it breaks, so that a refused config.json points at its own line.
 */
final class Json {

    private Json() {
    }

    static String child(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    static String index(String path, int i) {
        return path + "[" + i + "]";
    }

    /** The object at {@code path}, or null when absent or JSON null. */
    static JsonNode object(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (!node.isObject()) {
            throw new InvalidConfigException(path, "must be an object, not " + kind(node));
        }
        return node;
    }

    static String string(JsonNode parent, String field, String path, boolean required) {
        JsonNode node = parent.get(field);
        String at = child(path, field);
        if (node == null || node.isNull()) {
            if (required) {
                throw new InvalidConfigException(at, "missing; the runtime spec requires it");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidConfigException(at, "must be a string, not " + kind(node));
        }
        return node.asText();
    }

    static boolean bool(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw new InvalidConfigException(child(path, field), "must be true or false, not " + kind(node));
        }
        return node.asBoolean();
    }

    /** An integer within [min, max], or null when absent. */
    static Long integer(JsonNode parent, String field, String path, long min, long max) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        String at = child(path, field);
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new InvalidConfigException(at, "must be an integer, not " + kind(node));
        }
        long value = node.asLong();
        if (value < min || value > max) {
            throw new InvalidConfigException(at, value + " is outside " + min + ".." + max);
        }
        return value;
    }

    /** An unsigned 64-bit integer (rlimits), read as its bit pattern. */
    static long unsigned(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        String at = child(path, field);
        if (node == null || node.isNull()) {
            throw new InvalidConfigException(at, "missing; the runtime spec requires it");
        }
        if (!node.isIntegralNumber() || node.bigIntegerValue().signum() < 0
                || node.bigIntegerValue().bitLength() > 64) {
            throw new InvalidConfigException(at, "must be an unsigned 64-bit integer, not " + node);
        }
        return node.bigIntegerValue().longValue();
    }

    static JsonNode array(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw new InvalidConfigException(child(path, field), "must be an array, not " + kind(node));
        }
        return node;
    }

    static List<String> strings(JsonNode parent, String field, String path) {
        JsonNode node = array(parent, field, path);
        List<String> out = new ArrayList<>();
        if (node == null) {
            return out;
        }
        String at = child(path, field);
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                throw new InvalidConfigException(index(at, i), "must be a string, not " + kind(node.get(i)));
            }
            out.add(node.get(i).asText());
        }
        return out;
    }

    static Map<String, String> stringMap(JsonNode parent, String field, String path) {
        JsonNode node = object(parent.get(field), child(path, field));
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null) {
            return out;
        }
        for (var entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw new InvalidConfigException(child(child(path, field), entry.getKey()),
                        "must be a string, not " + kind(entry.getValue()));
            }
            out.put(entry.getKey(), entry.getValue().asText());
        }
        return out;
    }

    static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "the string " + node;
            case NUMBER -> "the number " + node;
            case BOOLEAN -> node.asText();
            case NULL -> "null";
            default -> node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
