package dev.hako.cgroupfs;

/**
 * A controller spec holds a value the kernel would reject, or asks for something this
 * layout cannot do; thrown before anything is written.
 *
 * <p>The message states the rule and the offending value, e.g. "cpu quota 500us is below
 * the kernel's minimum of 1ms".
 */
public final class InvalidSpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the rule broken and the offending value
     */
    public InvalidSpecException(String message) {
        super(message);
    }
}
