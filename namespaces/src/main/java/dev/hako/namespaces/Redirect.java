package dev.hako.namespaces;

import dev.hako.syscalls.Fd;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a container process's standard input, output or error goes, as with
 * {@link ProcessBuilder.Redirect}, plus an already open descriptor.
 */
public sealed interface Redirect {

    /** Share the JVM's own stream (the default for all three). */
    Redirect INHERIT = new Inherit();
    /** A pipe to the JVM, read or written through the process's streams. */
    Redirect PIPE = new Pipe();
    /** /dev/null. */
    Redirect DISCARD = new ToFile(Path.of("/dev/null"), false);

    /** Read standard input from a file. */
    static Redirect from(Path file) {
        return new FromFile(Objects.requireNonNull(file, "file"));
    }

    /** Write to a file, truncating it (created with mode 0644 if missing). */
    static Redirect to(Path file) {
        return new ToFile(Objects.requireNonNull(file, "file"), false);
    }

    /** Append to a file (created with mode 0644 if missing). */
    static Redirect appendTo(Path file) {
        return new ToFile(Objects.requireNonNull(file, "file"), true);
    }

    /** Use an open descriptor; the caller keeps ownership and may close it after start. */
    static Redirect fd(Fd fd) {
        return new ToFd(Objects.requireNonNull(fd, "fd"));
    }

    /** See {@link #INHERIT}. */
    record Inherit() implements Redirect {
        @Override
        public String toString() {
            return "inherit";
        }
    }

    /** See {@link #PIPE}. */
    record Pipe() implements Redirect {
        @Override
        public String toString() {
            return "pipe";
        }
    }

    /** See {@link #from(Path)}. */
    record FromFile(Path file) implements Redirect {
        @Override
        public String toString() {
            return "< " + file;
        }
    }

    /** See {@link #to(Path)} and {@link #appendTo(Path)}. */
    record ToFile(Path file, boolean append) implements Redirect {
        @Override
        public String toString() {
            return (append ? ">> " : "> ") + file;
        }
    }

    /** See {@link #fd(Fd)}. */
    record ToFd(Fd fd) implements Redirect {
        @Override
        public String toString() {
            return "fd " + fd.value();
        }
    }
}
