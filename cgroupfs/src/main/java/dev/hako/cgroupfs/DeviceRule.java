package dev.hako.cgroupfs;

import java.util.EnumSet;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * One device access rule: a device type, a major and minor number (each a number or any),
 * and the accesses it covers, written as the cgroup v1 devices controller writes it:
 * {@code c 1:3 rw}, {@code b *:* m}, {@code a}.
 *
 * <p>Whether a rule allows or denies is up to the {@link DevicesSpec} holding it. A request
 * (one device, one or more accesses) is matched by a rule when the type and numbers match
 * and, in an allow rule, every requested access is in the rule; in a deny rule, any. That is
 * the devices controller's own matching, and the v2 program does the same. See the kernel's
 * <a href="https://docs.kernel.org/admin-guide/cgroup-v1/devices.html">Device Whitelist Controller</a>.
 */
public final class DeviceRule {
    /** Matches any major or any minor number (written {@code *}). */
    public static final int ANY = -1;
    /** The largest major number: the kernel's dev_t has 12 bits of major. */
    public static final int MAX_MAJOR = (1 << 12) - 1;
    /** The largest minor number: 20 bits (MINORBITS). */
    public static final int MAX_MINOR = (1 << 20) - 1;

    /** The device types of a rule. */
    public enum Type {
        /** Every device, block and character, any numbers ({@code a}). */
        ALL('a'),
        /** Block devices ({@code b}). */
        BLOCK('b'),
        /** Character devices ({@code c}). */
        CHAR('c');

        private final char letter;

        Type(char letter) {
            this.letter = letter;
        }

        /** {@return the letter in the devices controller's syntax} */
        public char letter() {
            return letter;
        }
    }

    /** The accesses a rule covers. */
    public enum Access {
        /** Opening for reading ({@code r}). */
        READ('r'),
        /** Opening for writing ({@code w}). */
        WRITE('w'),
        /** Creating a node with mknod(2) ({@code m}). */
        MKNOD('m');

        private final char letter;

        Access(char letter) {
            this.letter = letter;
        }

        /** {@return the letter in the devices controller's syntax} */
        public char letter() {
            return letter;
        }
    }

    private final Type type;
    private final int major;
    private final int minor;
    private final Set<Access> access;

    private DeviceRule(Type type, int major, int minor, Set<Access> access) {
        this.type = type;
        this.major = major;
        this.minor = minor;
        this.access = Set.copyOf(access);
    }

    /**
     * A rule from its parts.
     *
     * @param type the device type
     * @param major the major number, or {@link #ANY}
     * @param minor the minor number, or {@link #ANY}
     * @param access the accesses, at least one
     * @return the rule
     * @throws InvalidSpecException naming the rule and the offending value
     */
    public static DeviceRule of(Type type, int major, int minor, Set<Access> access) {
        Objects.requireNonNull(type, "type");
        String rule = format(type, major, minor, access);
        if (access.isEmpty()) {
            throw new InvalidSpecException("device rule '" + rule + "': no access given; a rule covers one or more of"
                    + " r (read), w (write), m (mknod)");
        }
        if (type == Type.ALL && (major != ANY || minor != ANY || access.size() != Access.values().length)) {
            // The controller reads 'a' as "every device, every access" and ignores the rest.
            throw new InvalidSpecException("device rule '" + rule + "': type a means every device and every access"
                    + " ('a'); use b or c to name numbers or fewer accesses");
        }
        checkNumber(rule, "major", major, MAX_MAJOR);
        checkNumber(rule, "minor", minor, MAX_MINOR);
        return new DeviceRule(type, major, minor, access);
    }

    private static void checkNumber(String rule, String what, int value, int max) {
        if (value != ANY && (value < 0 || value > max)) {
            throw new InvalidSpecException("device rule '" + rule + "': " + what + " " + value
                    + " is out of range (0 to " + max + ", or * for any)");
        }
    }

    /**
     * A character-device rule, e.g. {@code character(1, 3, "rw")} for /dev/null.
     *
     * @param major the major number, or {@link #ANY}
     * @param minor the minor number, or {@link #ANY}
     * @param access letters of r, w, m
     * @return the rule
     * @throws InvalidSpecException naming the rule and the offending value
     */
    public static DeviceRule character(int major, int minor, String access) {
        return of(Type.CHAR, major, minor, parseAccess(access, "c " + number(major) + ":" + number(minor) + " " + access));
    }

    /**
     * A block-device rule, e.g. {@code block(ANY, ANY, "m")}.
     *
     * @param major the major number, or {@link #ANY}
     * @param minor the minor number, or {@link #ANY}
     * @param access letters of r, w, m
     * @return the rule
     * @throws InvalidSpecException naming the rule and the offending value
     */
    public static DeviceRule block(int major, int minor, String access) {
        return of(Type.BLOCK, major, minor, parseAccess(access, "b " + number(major) + ":" + number(minor) + " " + access));
    }

    /**
     * A rule in the devices controller's syntax: {@code TYPE MAJOR:MINOR ACCESS} with TYPE one
     * of a, b, c, MAJOR and MINOR a number or {@code *}, ACCESS letters of r, w, m; or
     * {@code a} alone for every device and access.
     *
     * @param text e.g. {@code c 136:* rw}
     * @return the rule
     * @throws InvalidSpecException naming the rule and what is wrong with it
     */
    public static DeviceRule parse(String text) {
        String trimmed = text.strip();
        if (trimmed.equals("a")) {
            return new DeviceRule(Type.ALL, ANY, ANY, EnumSet.allOf(Access.class));
        }
        String[] parts = trimmed.split("\\s+");
        if (parts.length != 3) {
            throw new InvalidSpecException("device rule '" + text + "' is not 'TYPE MAJOR:MINOR ACCESS'"
                    + " (e.g. 'c 1:3 rw') or 'a'");
        }
        Type type = switch (parts[0]) {
            case "a" -> Type.ALL;
            case "b" -> Type.BLOCK;
            case "c" -> Type.CHAR;
            default -> throw new InvalidSpecException("device rule '" + text + "': type '" + parts[0]
                    + "' is not a (all), b (block) or c (character)");
        };
        int colon = parts[1].indexOf(':');
        if (colon < 0) {
            throw new InvalidSpecException("device rule '" + text + "': '" + parts[1] + "' is not MAJOR:MINOR");
        }
        int major = parseNumber(text, "major", parts[1].substring(0, colon));
        int minor = parseNumber(text, "minor", parts[1].substring(colon + 1));
        return of(type, major, minor, parseAccess(parts[2], text));
    }

    private static int parseNumber(String rule, String what, String text) {
        if (text.equals("*")) {
            return ANY;
        }
        if (text.isEmpty() || !text.chars().allMatch(Character::isDigit) || text.length() > 9) {
            throw new InvalidSpecException("device rule '" + rule + "': " + what + " '" + text
                    + "' is not a number or *");
        }
        return Integer.parseInt(text);
    }

    private static Set<Access> parseAccess(String letters, String rule) {
        Set<Access> out = EnumSet.noneOf(Access.class);
        for (char c : letters.toCharArray()) {
            out.add(switch (c) {
                case 'r' -> Access.READ;
                case 'w' -> Access.WRITE;
                case 'm' -> Access.MKNOD;
                default -> throw new InvalidSpecException("device rule '" + rule + "': access '" + letters
                        + "' has '" + c + "'; use letters of r (read), w (write), m (mknod)");
            });
        }
        return out;
    }

    /** {@return the device type} */
    public Type type() {
        return type;
    }

    /** {@return the major number, or empty for any} */
    public OptionalInt major() {
        return major == ANY ? OptionalInt.empty() : OptionalInt.of(major);
    }

    /** {@return the minor number, or empty for any} */
    public OptionalInt minor() {
        return minor == ANY ? OptionalInt.empty() : OptionalInt.of(minor);
    }

    /** {@return the accesses covered} */
    public Set<Access> access() {
        return access;
    }

    /** The major number or {@link #ANY}, for the program compiler. */
    int rawMajor() {
        return major;
    }

    /** The minor number or {@link #ANY}, for the program compiler. */
    int rawMinor() {
        return minor;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceRule r && r.type == type && r.major == major && r.minor == minor
                && r.access.equals(access);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, major, minor, access);
    }

    /** {@return the rule in the devices controller's syntax, e.g. {@code c 1:3 rw}} */
    @Override
    public String toString() {
        return type == Type.ALL ? "a" : format(type, major, minor, access);
    }

    private static String format(Type type, int major, int minor, Set<Access> access) {
        StringBuilder letters = new StringBuilder();
        for (Access a : Access.values()) {
            if (access.contains(a)) {
                letters.append(a.letter());
            }
        }
        return type.letter() + " " + number(major) + ":" + number(minor) + " " + letters;
    }

    private static String number(int n) {
        return n == ANY ? "*" : Integer.toString(n);
    }
}
