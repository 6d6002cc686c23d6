package dev.hako.cgroupfs;

/** Strict decimal parsing for values read from or destined for cgroup files. */
final class Numbers {
    private Numbers() {
    }

    /**
     * Parses a signed decimal that must fit in a long.
     *
     * <p>{@link Long#parseLong} already refuses overflow; this only adds a message that
     * names what was being parsed, because "For input string" helps nobody.
     */
    static long parseLong(String text, String what) {
        if (text.isEmpty()) {
            throw new CgroupFormatException("empty " + what);
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            if (text.chars().allMatch(c -> c >= '0' && c <= '9') || (text.startsWith("-")
                    && text.length() > 1 && text.substring(1).chars().allMatch(c -> c >= '0' && c <= '9'))) {
                throw new CgroupFormatException(what + " '" + text + "' does not fit in a signed 64-bit integer");
            }
            throw new CgroupFormatException(what + " '" + text + "' is not a decimal integer");
        }
    }

    /** Parses a decimal that must be 0 or more. */
    static long parseUnsigned(String text, String what) {
        long value = parseLong(text, what);
        if (value < 0) {
            throw new CgroupFormatException(what + " '" + text + "' is negative");
        }
        return value;
    }
}
