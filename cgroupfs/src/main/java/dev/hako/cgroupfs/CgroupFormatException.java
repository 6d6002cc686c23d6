package dev.hako.cgroupfs;

/**
 * A cgroup file's content (or a value in the kernel's syntax) could not be parsed.
 *
 * <p>Parsers throw this rather than guess: a truncated line, a number that does not fit in
 * 64 bits or a token where a number belongs is reported, never turned into a wrong number.
 * Unknown keys are not an error; kernels add fields over time.
 */
public final class CgroupFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong and where
     */
    public CgroupFormatException(String message) {
        super(message);
    }
}
