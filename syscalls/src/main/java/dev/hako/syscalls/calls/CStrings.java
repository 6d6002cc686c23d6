package dev.hako.syscalls.calls;

/** The one rule for strings that become C strings. */
public final class CStrings {

    private CStrings() {
    }

    /**
     * Rejects strings the kernel would cut at the first NUL byte, naming the field; a
     * silently truncated path or hostname is worse than an error.
     *
     * @throws IllegalArgumentException if {@code value} contains a NUL byte
     */
    public static String requireNoNul(String value, String what) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " contains a NUL byte, which C strings cannot hold: "
                    + value.replace("\0", "\\0"));
        }
        return value;
    }
}
