package dev.hako.checkpoint.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Parsing of the /proc files a dump reads. */
final class ProcFiles {

    private ProcFiles() {
    }

    static Path dir(int pid) {
        return Path.of("/proc", Integer.toString(pid));
    }

    /** /proc/PID/status as key to value text. */
    static Map<String, String> status(int pid) throws IOException {
        Map<String, String> fields = new HashMap<>();
        for (String line : Files.readAllLines(dir(pid).resolve("status"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    /** The last number of a status field such as NSpid (the innermost namespace's value). */
    static long innermost(Map<String, String> status, String key) {
        String[] parts = status.getOrDefault(key, "").trim().split("\\s+");
        return Long.parseLong(parts[parts.length - 1]);
    }

    static long[] numbers(Map<String, String> status, String key) {
        String value = status.getOrDefault(key, "").trim();
        if (value.isEmpty()) {
            return new long[0];
        }
        String[] parts = value.split("\\s+");
        long[] numbers = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            numbers[i] = Long.parseLong(parts[i]);
        }
        return numbers;
    }

    /** /proc/PID/stat fields by their man-page number (1-based); the comm field may hold spaces. */
    static String[] stat(int pid) throws IOException {
        String text = Files.readString(dir(pid).resolve("stat"));
        int close = text.lastIndexOf(')');
        String[] rest = text.substring(close + 2).trim().split(" ");
        String[] fields = new String[rest.length + 3];
        fields[1] = text.substring(0, text.indexOf(' '));
        fields[2] = text.substring(text.indexOf('(') + 1, close);
        System.arraycopy(rest, 0, fields, 3, rest.length);
        return fields;
    }

    /** One line of /proc/PID/smaps with its VmFlags. */
    record Mapping(long start, long end, String perms, long offset, long inode, String path, List<String> vmFlags) {
    }

    static List<Mapping> smaps(int pid) throws IOException {
        List<Mapping> mappings = new ArrayList<>();
        long start = 0;
        long end = 0;
        String perms = null;
        long offset = 0;
        long inode = 0;
        String path = "";
        for (String line : Files.readAllLines(dir(pid).resolve("smaps"))) {
            if (line.startsWith("VmFlags:")) {
                mappings.add(new Mapping(start, end, perms, offset, inode, path,
                        List.of(line.substring(8).trim().split("\\s+"))));
                continue;
            }
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && dash < space && isHex(line.substring(0, dash))) {
                String[] parts = line.split("\\s+", 6);
                start = Long.parseUnsignedLong(parts[0].substring(0, dash), 16);
                end = Long.parseUnsignedLong(parts[0].substring(dash + 1), 16);
                perms = parts[1];
                offset = Long.parseUnsignedLong(parts[2], 16);
                inode = Long.parseLong(parts[4]);
                path = parts.length > 5 ? parts[5].trim() : "";
            }
        }
        return mappings;
    }

    private static boolean isHex(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.digit(text.charAt(i), 16) < 0) {
                return false;
            }
        }
        return !text.isEmpty();
    }

    /** /proc/PID/fdinfo/FD as key to value text. */
    static Map<String, String> fdinfo(int pid, int fd) throws IOException {
        Map<String, String> fields = new HashMap<>();
        for (String line : Files.readAllLines(dir(pid).resolve("fdinfo").resolve(Integer.toString(fd)))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.putIfAbsent(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    /** The children of a task, from /proc/PID/task/PID/children. */
    static List<Integer> children(int pid) throws IOException {
        List<Integer> children = new ArrayList<>();
        String text = Files.readString(dir(pid).resolve("task").resolve(Integer.toString(pid)).resolve("children"));
        for (String part : text.trim().split("\\s+")) {
            if (!part.isEmpty()) {
                children.add(Integer.parseInt(part));
            }
        }
        return children;
    }

    /**
     * /proc/PID/limits: soft and hard limit per resource, in RLIMIT_* order (the file's line
     * order), RLIM_INFINITY (-1) for "unlimited". Its columns are fixed: a name of 25
     * characters, then soft and hard limits of 20 each, each followed by a space.
     */
    static long[][] limits(int pid) throws IOException {
        List<String> lines = Files.readAllLines(dir(pid).resolve("limits"));
        long[][] limits = new long[lines.size() - 1][];
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            limits[i - 1] = new long[] {limit(line.substring(26, 46)), limit(line.substring(47, Math.min(67, line.length())))};
        }
        return limits;
    }

    private static long limit(String text) {
        String value = text.trim();
        return value.equals("unlimited") ? -1L : Long.parseUnsignedLong(value);
    }
}
