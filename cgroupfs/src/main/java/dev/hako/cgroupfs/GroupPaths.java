package dev.hako.cgroupfs;

import java.nio.file.Path;

/** Checks and resolves group paths: {@code /}-separated, relative to a hierarchy's mount point. */
final class GroupPaths {
    private GroupPaths() {
    }

    /** Normalises to a leading slash and no trailing slash; refuses {@code .}, {@code ..} and empty parts. */
    static String normalize(String path) {
        String trimmed = path.strip();
        StringBuilder out = new StringBuilder();
        for (String part : trimmed.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("group path '" + path + "' may not contain '.' or '..'");
            }
            out.append('/').append(part);
        }
        return out.isEmpty() ? "/" : out.toString();
    }

    static Path resolve(Path mountPoint, String groupPath) {
        String normal = normalize(groupPath);
        return normal.equals("/") ? mountPoint : mountPoint.resolve(normal.substring(1));
    }

    static String parent(String groupPath) {
        String normal = normalize(groupPath);
        int slash = normal.lastIndexOf('/');
        return slash <= 0 ? "/" : normal.substring(0, slash);
    }

    static String child(String groupPath, String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("'" + name + "' is not a group name");
        }
        String normal = normalize(groupPath);
        return normal.equals("/") ? "/" + name : normal + "/" + name;
    }
}
