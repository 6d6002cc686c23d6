package dev.hako.cgroupfs;

import java.io.IOException;

/**
 * A cgroup operation failed for a reason this library can explain: a timeout, a rule of
 * the cgroup interface, a group that is not where it was expected.
 */
public class CgroupException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed and why
     */
    public CgroupException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what failed and why
     * @param cause the underlying failure
     */
    public CgroupException(String message, Throwable cause) {
        super(message, cause);
    }
}
