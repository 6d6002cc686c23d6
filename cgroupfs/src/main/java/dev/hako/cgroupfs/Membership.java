package dev.hako.cgroupfs;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code /proc/<pid>/cgroup}: which group a process is in, in one hierarchy.
 *
 * <p>Format {@code hierarchy-id:controller-list:path}; the v2 line is {@code 0::/path}; see
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html#processes">cgroup v2 processes</a>.
 *
 * @param hierarchyId 0 for the unified hierarchy, else the v1 hierarchy id
 * @param controllers the v1 controller names (and {@code name=...}); empty for v2
 * @param path the group path relative to the hierarchy root
 */
public record Membership(int hierarchyId, List<String> controllers, String path) {
    /**
     * Copies the list.
     *
     * @param hierarchyId the hierarchy id
     * @param controllers the controller names
     * @param path the group path
     */
    public Membership {
        controllers = List.copyOf(controllers);
    }

    /** {@return whether this is the unified (v2) hierarchy's line} */
    public boolean unified() {
        return hierarchyId == 0 && controllers.isEmpty();
    }

    /**
     * Parses a whole {@code /proc/<pid>/cgroup} file.
     *
     * @param content the file content
     * @return its lines in order
     * @throws CgroupFormatException for a malformed line
     */
    public static List<Membership> parse(String content) {
        List<Membership> out = new ArrayList<>();
        int lineNumber = 0;
        for (String line : content.split("\n")) {
            lineNumber++;
            if (line.isEmpty()) {
                continue;
            }
            // The path may contain ':', so split at the first two only.
            int first = line.indexOf(':');
            int second = first < 0 ? -1 : line.indexOf(':', first + 1);
            if (second < 0) {
                throw new CgroupFormatException("/proc/self/cgroup line " + lineNumber + " is not id:controllers:path: '"
                        + line + "'");
            }
            long id = Numbers.parseUnsigned(line.substring(0, first), "hierarchy id on line " + lineNumber);
            String names = line.substring(first + 1, second);
            out.add(new Membership((int) id, names.isEmpty() ? List.of() : List.of(names.split(",")),
                    line.substring(second + 1)));
        }
        return out;
    }
}
