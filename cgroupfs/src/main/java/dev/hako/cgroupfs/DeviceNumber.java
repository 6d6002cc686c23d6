package dev.hako.cgroupfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A block device's major:minor number, as {@code io.max} and {@code blkio.throttle.*} name devices.
 *
 * @param major the major number, 0 or more
 * @param minor the minor number, 0 or more
 */
public record DeviceNumber(int major, int minor) {
    /** S_IFMT and S_IFBLK from stat(2). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    /**
     * Checks the numbers.
     *
     * @param major 0 or more
     * @param minor 0 or more
     */
    public DeviceNumber {
        if (major < 0 || minor < 0) {
            throw new InvalidSpecException("device number " + major + ":" + minor + " is negative");
        }
    }

    /**
     * Parses {@code major:minor}.
     *
     * @param text e.g. {@code 8:0}
     * @return the device number
     * @throws CgroupFormatException if malformed
     */
    public static DeviceNumber parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new CgroupFormatException("device '" + text + "' is not major:minor");
        }
        long major = Numbers.parseUnsigned(text.substring(0, colon), "device major");
        long minor = Numbers.parseUnsigned(text.substring(colon + 1), "device minor");
        if (major > Integer.MAX_VALUE || minor > Integer.MAX_VALUE) {
            throw new CgroupFormatException("device '" + text + "' has a number above 2^31-1");
        }
        return new DeviceNumber((int) major, (int) minor);
    }

    /**
     * The device number of a block device node, e.g. {@code /dev/vda}.
     *
     * @param device the device node
     * @return its major:minor
     * @throws IOException if it cannot be stat'ed
     * @throws InvalidSpecException if it is not a block device
     */
    public static DeviceNumber of(Path device) throws IOException {
        int mode = (Integer) Files.getAttribute(device, "unix:mode");
        if ((mode & S_IFMT) != S_IFBLK) {
            throw new InvalidSpecException(device + " is not a block device: io limits name block devices");
        }
        long rdev = (Long) Files.getAttribute(device, "unix:rdev");
        // glibc's gnu_dev_major/minor split of the 64-bit dev_t.
        long major = ((rdev >>> 8) & 0xfffL) | ((rdev >>> 32) & ~0xfffL);
        long minor = (rdev & 0xffL) | ((rdev >>> 12) & ~0xffL);
        return new DeviceNumber((int) major, (int) minor);
    }

    /** {@return {@code major:minor}} */
    @Override
    public String toString() {
        return major + ":" + minor;
    }
}
