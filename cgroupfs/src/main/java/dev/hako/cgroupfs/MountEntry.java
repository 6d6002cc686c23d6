package dev.hako.cgroupfs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code /proc/<pid>/mountinfo}, the fields this library needs.
 *
 * <p>Format (proc(5)): {@code id parent major:minor root mountpoint options [optional...] - fstype source superoptions};
 * paths escape space, tab, newline and backslash as octal ({@code \040}).
 *
 * @param root the path inside the filesystem that is mounted (for cgroupfs, the hierarchy path)
 * @param mountPoint where it is mounted
 * @param fsType the filesystem type, e.g. {@code cgroup2}
 * @param superOptions the per-superblock options, e.g. {@code rw,memory}
 */
record MountEntry(String root, Path mountPoint, String fsType, List<String> superOptions) {

    /** Parses a whole mountinfo file; lines that are not cgroup mounts are kept too. */
    static List<MountEntry> parseAll(String mountinfo) {
        List<MountEntry> out = new ArrayList<>();
        int lineNumber = 0;
        for (String line : mountinfo.split("\n")) {
            lineNumber++;
            if (!line.isBlank()) {
                out.add(parse(line, lineNumber));
            }
        }
        return out;
    }

    static MountEntry parse(String line, int lineNumber) {
        String[] fields = line.trim().split(" +");
        int separator = -1;
        for (int i = 6; i < fields.length; i++) {
            if (fields[i].equals("-")) {
                separator = i;
                break;
            }
        }
        if (fields.length < 7 || separator < 0 || fields.length < separator + 3) {
            throw new CgroupFormatException("mountinfo line " + lineNumber + " is truncated: '" + line + "'");
        }
        String superOptions = fields.length > separator + 3 ? fields[separator + 3] : "";
        return new MountEntry(unescape(fields[3]), Path.of(unescape(fields[4])), fields[separator + 1],
                List.of(superOptions.split(",")));
    }

    /** Undoes the kernel's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash). */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
