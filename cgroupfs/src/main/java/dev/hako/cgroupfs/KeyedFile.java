package dev.hako.cgroupfs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parsers for the cgroup file formats ("Flat Keyed", "Nested Keyed", single value), see
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#interface-files">interface files</a>.
 *
 * <p>The kernel ends every line with a newline, so content without a final newline is a
 * truncated read and is refused: its last number could be missing digits. Unknown keys are
 * kept, never an error; malformed lines and numbers beyond 64 bits are errors.
 */
final class KeyedFile {
    private KeyedFile() {
    }

    /** Lines of a complete file; refuses a truncated one. */
    static List<String> lines(String content, String file) {
        if (!content.isEmpty() && !content.endsWith("\n")) {
            throw new CgroupFormatException(file + " is truncated: its last line '"
                    + content.substring(content.lastIndexOf('\n') + 1) + "' has no newline");
        }
        return content.lines().toList();
    }

    /** A non-blank line of a keyed file: its number (from 1), its text, its whitespace-separated fields. */
    private record Line(int number, String text, String[] fields) {
    }

    private static List<Line> fieldLines(String content, String file) {
        List<Line> out = new java.util.ArrayList<>();
        List<String> lines = lines(content, file);
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                out.add(new Line(i + 1, lines.get(i), lines.get(i).trim().split("\\s+")));
            }
        }
        return out;
    }

    /** A one-value file such as {@code memory.current}. */
    static String single(String content, String file) {
        List<String> lines = lines(content, file);
        if (lines.size() != 1) {
            throw new CgroupFormatException(file + " should hold one line, found " + lines.size());
        }
        return lines.getFirst().strip();
    }

    /** A one-number file. */
    static long singleNumber(String content, String file) {
        return Numbers.parseUnsigned(single(content, file), file);
    }

    /** "key value" lines, both numeric values; keeps unknown keys. */
    static Map<String, Long> flat(String content, String file) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Line line : fieldLines(content, file)) {
            if (line.fields().length != 2) {
                throw new CgroupFormatException(file + " line " + line.number() + " is not 'key value': '" + line.text()
                        + "'");
            }
            out.put(line.fields()[0], Numbers.parseLong(line.fields()[1], file + " key " + line.fields()[0]));
        }
        return out;
    }

    /** "KEY sub=value sub=value" lines; values stay text (PSI averages are decimals). */
    static Map<String, Map<String, String>> nested(String content, String file) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (Line line : fieldLines(content, file)) {
            String[] parts = line.fields();
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq <= 0) {
                    throw new CgroupFormatException(file + " line " + line.number() + ": '" + parts[i]
                            + "' is not key=value");
                }
                values.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
            }
            out.put(parts[0], values);
        }
        return out;
    }

    /** A required numeric key. */
    static long require(Map<String, Long> values, String key, String file) {
        Long v = values.get(key);
        if (v == null) {
            throw new CgroupFormatException(file + " lacks the key '" + key + "'");
        }
        if (v < 0) {
            throw new CgroupFormatException(file + " key '" + key + "' is negative: " + v);
        }
        return v;
    }

    /** An optional numeric key, 0 when absent (for counters newer kernels added). */
    static long orZero(Map<String, Long> values, String key, String file) {
        return values.containsKey(key) ? require(values, key, file) : 0;
    }
}
