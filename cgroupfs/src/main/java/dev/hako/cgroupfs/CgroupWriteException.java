package dev.hako.cgroupfs;

import java.nio.file.Path;
import java.util.List;

/**
 * The kernel refused a write to a control file.
 *
 * <p>Carries the file, the value, the errno name (e.g. {@code EINVAL}, {@code EBUSY}) and,
 * when a spec was being applied, the settings already written before the failure, so the
 * caller knows the group's exact state.
 */
public final class CgroupWriteException extends CgroupException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    /** The text that was written. */
    private final String value;
    /** The errno name. */
    private final String errnoName;
    private final transient List<Setting> applied;

    /**
     * Creates the exception.
     *
     * @param file the control file
     * @param value the text written
     * @param errnoName the errno name, e.g. {@code EINVAL}
     * @param applied the settings written successfully before this one
     * @param cause the I/O failure
     */
    public CgroupWriteException(Path file, String value, String errnoName, List<Setting> applied, Throwable cause) {
        super(message(file, value, errnoName, applied, cause), cause);
        this.file = file;
        this.value = value;
        this.errnoName = errnoName;
        this.applied = List.copyOf(applied);
    }

    private static String message(Path file, String value, String errno, List<Setting> applied, Throwable cause) {
        String reason = cause == null ? "" : " (" + cause.getMessage() + ")";
        return "writing '" + value + "' to " + file + " failed: " + errno + reason
                + (applied.isEmpty() ? "; nothing was applied before it" : "; already applied: " + applied);
    }

    /** {@return the control file that refused the write} */
    public Path file() {
        return file;
    }

    /** {@return the text that was written} */
    public String value() {
        return value;
    }

    /** {@return the errno name, e.g. {@code EINVAL}} */
    public String errnoName() {
        return errnoName;
    }

    /** {@return the errno number, or -1 if the failure did not come from a syscall} */
    public int errno() {
        return getCause() instanceof dev.hako.syscalls.SyscallException e ? e.errno() : -1;
    }

    /** {@return the settings written successfully before the failing one, in order} */
    public List<Setting> applied() {
        return applied;
    }

    /**
     * A copy that also records the settings applied before this write.
     *
     * @param before the settings written before
     * @return the new exception
     */
    CgroupWriteException withApplied(List<Setting> before) {
        return new CgroupWriteException(file, value, errnoName, before, getCause());
    }
}
