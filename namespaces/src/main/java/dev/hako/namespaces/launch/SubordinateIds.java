package dev.hako.namespaces.launch;

import dev.hako.namespaces.IdMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The subordinate id ranges /etc/subuid and /etc/subgid grant a user, as newuidmap(1) and
 * newgidmap(1) check them: lines "name-or-id:first:count".
 *
 * @see <a href="https://man7.org/linux/man-pages/man5/subuid.5.html">subuid(5)</a>
 */
public final class SubordinateIds {

    /** shadow's setuid helper that writes a uid map from /etc/subuid (Debian package uidmap). */
    public static final Path NEWUIDMAP = Path.of("/usr/bin/newuidmap");
    /** The gid map's helper, from /etc/subgid. */
    public static final Path NEWGIDMAP = Path.of("/usr/bin/newgidmap");

    /** One granted range. */
    record Range(long first, long count) {
    }

    private SubordinateIds() {
    }

    /** Checks both maps for the current user; the helpers must be installed. */
    public static void check(List<IdMapping> uidMap, List<IdMapping> gidMap) {
        for (Path helper : List.of(NEWUIDMAP, NEWGIDMAP)) {
            if (!Files.isExecutable(helper)) {
                throw new IllegalArgumentException("rootlessMaps needs " + helper + ", which is not installed"
                        + " (Debian package uidmap)");
            }
        }
        String user = System.getProperty("user.name");
        checkMap("uid", uidMap, CurrentIds.uid(), granted(Path.of("/etc/subuid"), user, CurrentIds.uid()), "/etc/subuid");
        checkMap("gid", gidMap, CurrentIds.gid(), granted(Path.of("/etc/subgid"), user, CurrentIds.uid()), "/etc/subgid");
    }

    /**
     * Fails naming the first range of {@code map} that is neither the caller's own id nor
     * inside a granted range.
     */
    static void checkMap(String kind, List<IdMapping> map, long ownId, List<Range> granted, String file) {
        if (map.isEmpty()) {
            throw new IllegalArgumentException(kind + " map is empty; rootlessMaps needs at least one range");
        }
        for (IdMapping mapping : map) {
            if (mapping.count() == 1 && mapping.outside() == ownId) {
                continue;
            }
            if (!covered(granted, mapping.outside(), mapping.count())) {
                throw new IllegalArgumentException(kind + " map range \"" + mapping.line() + "\" (outside ids "
                        + mapping.outside() + ".." + (mapping.outside() + mapping.count() - 1) + ") is not granted to"
                        + " this user in " + file + (granted.isEmpty() ? " (no ranges at all)" : " (granted: "
                        + granted.stream().map(r -> r.first() + ".." + (r.first() + r.count() - 1)).toList() + ")"));
            }
        }
    }

    /**
     * Whether the granted ranges together hold {@code start..start+length-1}. Like the
     * helpers, a range may span several lines that adjoin or overlap.
     */
    static boolean covered(List<Range> granted, long start, long length) {
        long next = start;
        long end = start + length;
        boolean advanced = true;
        while (next < end && advanced) {
            advanced = false;
            for (Range range : granted) {
                if (range.first() <= next && next < range.first() + range.count()) {
                    next = range.first() + range.count();
                    advanced = true;
                }
            }
        }
        return next >= end;
    }

    /** The ranges granted to a user (by name or numeric id) in a subuid/subgid file. */
    static List<Range> granted(Path file, String user, long uid) {
        List<Range> ranges = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return ranges;
        }
        for (String line : lines) {
            String[] fields = line.trim().split(":");
            if (fields.length != 3 || !(fields[0].equals(user) || fields[0].equals(Long.toString(uid)))) {
                continue;
            }
            try {
                ranges.add(new Range(Long.parseLong(fields[1]), Long.parseLong(fields[2])));
            } catch (NumberFormatException e) {
                // newuidmap skips malformed lines too.
            }
        }
        return ranges;
    }
}
