package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A syscall failed: the one exception type of Hako's syscall layer.
 *
 * <p>It carries the syscall's name, the errno value and its symbolic name, the C library's
 * description, the argument that identifies what was acted on (a path, a flag set, a pid)
 * and, where a common cause is known, a hint. The message reads like
 * <pre>
 * unshare(CLONE_NEWUSER) failed: EINVAL (Invalid argument): the kernel refuses new user
 * namespaces in a multithreaded process such as the JVM; create one in a child instead
 * </pre>
 *
 * @see <a href="https://man7.org/linux/man-pages/man3/errno.3.html">errno(3)</a>
 */
public class SyscallException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String syscall;
    private final String argument;
    private final int errno;
    private final String hint;

    /**
     * Creates the exception; the hint is looked up from the syscall and errno when
     * {@code hint} is null.
     *
     * @param syscall  the syscall's name as in its man page, e.g. {@code "unshare"}
     * @param argument what the call acted on, e.g. {@code "CLONE_NEWUSER"} or a path; may be empty
     * @param errno    the errno value the call failed with
     * @param hint     a likely cause and what to do, or null to use the built-in hints
     */
    public SyscallException(String syscall, String argument, int errno, String hint) {
        super(message(syscall, argument, errno, hint == null ? Hints.forFailure(syscall, argument, errno) : hint));
        this.syscall = Objects.requireNonNull(syscall, "syscall");
        this.argument = argument == null ? "" : argument;
        this.errno = errno;
        this.hint = hint == null ? Hints.forFailure(syscall, this.argument, errno) : hint;
    }

    /** Creates the exception with the built-in hint for this syscall and errno, if any. */
    public SyscallException(String syscall, String argument, int errno) {
        this(syscall, argument, errno, null);
    }

    private static String message(String syscall, String argument, int errno, String hint) {
        StringBuilder message = new StringBuilder(syscall).append('(')
                .append(argument == null ? "" : argument).append(") failed: ")
                .append(errnoName(errno)).append(" (").append(description(errno)).append(')');
        if (hint != null && !hint.isEmpty()) {
            message.append(": ").append(hint);
        }
        return message.toString();
    }

    /** The syscall's name, as in its man page. */
    public String syscall() {
        return syscall;
    }

    /** What the call acted on (path, flags, pid...), possibly empty. */
    public String argument() {
        return argument;
    }

    /** The errno value. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code "EPERM"}, or {@code "errno N"} for an unnamed value. */
    public String errnoName() {
        return errnoName(errno);
    }

    /** The C library's description of the errno, e.g. {@code "Operation not permitted"}. */
    public String description() {
        return description(errno);
    }

    /** The hint about a likely cause, or an empty string. */
    public String hint() {
        return hint == null ? "" : hint;
    }

    /** Returns the symbolic name of an errno value, e.g. {@code "ENOENT"}, or {@code "errno N"}. */
    public static String errnoName(int errno) {
        String name = Linux.errnoName(errno);
        return name != null ? name : "errno " + errno;
    }

    /**
     * Returns glibc's description of an errno value (strerrordesc_np(3), thread-safe and
     * locale-independent), or {@code "Unknown error N"}.
     */
    public static String description(int errno) {
        MemorySegment text = Linux.strerrordesc_np(errno);
        return text.equals(MemorySegment.NULL) ? "Unknown error " + errno : Native.string(text);
    }
}
