package dev.hako.cgroupfs;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Map;

/**
 * Recovers the errno name from a java.nio failure.
 *
 * <p>Used only for rmdir(2), which goes through {@link java.nio.file.Files#delete} because
 * the syscalls layer has no rmdir yet. java.nio reports the failure with glibc's strerror
 * text and nothing else, so the name is found by matching that text. Only the errnos
 * cgroup directories return are listed; anything else is {@code E?}, text kept in the cause.
 */
final class Errno {
    private static final Map<String, String> BY_STRERROR = Map.ofEntries(
            Map.entry("Operation not permitted", "EPERM"),
            Map.entry("No such file or directory", "ENOENT"),
            Map.entry("No such process", "ESRCH"),
            Map.entry("Input/output error", "EIO"),
            Map.entry("Argument list too long", "E2BIG"),
            Map.entry("Resource temporarily unavailable", "EAGAIN"),
            Map.entry("Cannot allocate memory", "ENOMEM"),
            Map.entry("Permission denied", "EACCES"),
            Map.entry("Device or resource busy", "EBUSY"),
            Map.entry("File exists", "EEXIST"),
            Map.entry("No such device", "ENODEV"),
            Map.entry("Not a directory", "ENOTDIR"),
            Map.entry("Invalid argument", "EINVAL"),
            Map.entry("No space left on device", "ENOSPC"),
            Map.entry("Read-only file system", "EROFS"),
            Map.entry("Numerical result out of range", "ERANGE"),
            Map.entry("Directory not empty", "ENOTEMPTY"),
            Map.entry("Operation not supported", "EOPNOTSUPP"));

    private Errno() {
    }

    static String name(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "ENOENT";
        }
        if (e instanceof AccessDeniedException) {
            return "EACCES";
        }
        String text = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : e.getMessage();
        if (text == null) {
            return "E?";
        }
        for (Map.Entry<String, String> entry : BY_STRERROR.entrySet()) {
            if (text.equals(entry.getKey()) || text.endsWith(": " + entry.getKey())) {
                return entry.getValue();
            }
        }
        return "E?";
    }
}
