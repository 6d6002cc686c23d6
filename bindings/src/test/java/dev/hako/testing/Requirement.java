package dev.hako.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** One thing a {@link Privileged} test needs, with how to check it and why it may be missing. */
public enum Requirement {
    /** Effective CAP_SYS_ADMIN in the initial user namespace (in practice: run as root). */
    ROOT("needs root (CAP_SYS_ADMIN); run the tests as root or under sudo") {
        @Override boolean holds() {
            return hasEffectiveCapability(21); // CAP_SYS_ADMIN
        }
    },
    /** A cgroup v2 hierarchy with controllers at /sys/fs/cgroup (unified layout). */
    CGROUP2_CONTROLLERS("needs cgroup v2 with controllers at /sys/fs/cgroup; run it in the v2 guest (.ci/v2-guest/run)") {
        @Override boolean holds() {
            try {
                Path controllers = Path.of("/sys/fs/cgroup/cgroup.controllers");
                return Files.isReadable(controllers) && !Files.readString(controllers).isBlank();
            } catch (IOException e) {
                return false;
            }
        }
    },
    /** Cgroup v1 controllers mounted (the host layout of this project's CI machine). */
    CGROUP1_CONTROLLERS("needs cgroup v1 controllers mounted under /sys/fs/cgroup") {
        @Override boolean holds() {
            return Files.isDirectory(Path.of("/sys/fs/cgroup/memory/"))
                    && Files.exists(Path.of("/sys/fs/cgroup/memory/memory.limit_in_bytes"));
        }
    },
    /**
     * A cgroup freezer: the v1 freezer hierarchy, or a cgroup v2 hierarchy at /sys/fs/cgroup
     * (freezing is a core v2 feature, there without any controller).
     */
    FREEZER("needs a cgroup freezer: the v1 freezer at /sys/fs/cgroup/freezer or cgroup v2 at /sys/fs/cgroup") {
        @Override boolean holds() {
            return Files.isDirectory(Path.of("/sys/fs/cgroup/freezer/"))
                    || Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        }
    },
    /**
     * The loop block driver is there ({@code /dev/loop-control}), so a test can make a block
     * device of a file with {@code losetup}. Pair it with {@code programs = "losetup"}.
     */
    LOOP_DEVICES("needs loop block devices (/dev/loop-control; modprobe loop)") {
        @Override boolean holds() {
            return Files.exists(Path.of("/dev/loop-control"));
        }
    },
    /** Unprivileged user namespaces are allowed on this kernel. */
    USER_NAMESPACES("needs user namespaces (kernel.unprivileged_userns_clone / user.max_user_namespaces > 0)") {
        @Override boolean holds() {
            try {
                // Not Files.readString: it reads /proc/sys files byte by byte past offset 0
                // and sees "4" of "40"; a plain InputStream read gets it whole.
                try (var in = Files.newInputStream(Path.of("/proc/sys/user/max_user_namespaces"))) {
                    byte[] buffer = new byte[64];
                    int n = in.read(buffer);
                    return Long.parseLong(new String(buffer, 0, Math.max(n, 0)).trim()) > 0;
                }
            } catch (IOException | NumberFormatException e) {
                return false;
            }
        }
    };

    private final String reason;

    Requirement(String reason) {
        this.reason = reason;
    }

    /** Whether this requirement is met by the running test process. */
    abstract boolean holds();

    /** Why a test is not run when this does not hold, and what to do about it. */
    public String reason() {
        return reason;
    }

    static boolean hasEffectiveCapability(int capability) {
        try {
            List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
            for (String line : status) {
                if (line.startsWith("CapEff:")) {
                    long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (mask & (1L << capability)) != 0;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
