package dev.hako.syscalls.calls;

/** Strings that become C strings: the NUL rule, and how messages quote them. */
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

    /**
     * A string as strace quotes it: in double quotes, with backslash, double quote and
     * newline escaped; {@code NULL} for null.
     */
    public static String quote(String value) {
        if (value == null) {
            return "NULL";
        }
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
