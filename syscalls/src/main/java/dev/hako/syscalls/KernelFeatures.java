package dev.hako.syscalls;

import dev.hako.bindings.Linux;
import dev.hako.bindings.mount_attr;
import dev.hako.bindings.utsname;
import dev.hako.syscalls.calls.FileCalls;
import dev.hako.syscalls.calls.ProcessCalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds out what the running kernel offers Hako, by asking it: each syscall is called with
 * arguments it must refuse, and the errno tells whether it exists (ENOSYS: no; EINVAL,
 * EBADF, EFAULT, EPERM: yes). Kernel version numbers are only reported, never trusted:
 * distributions backport features, and seccomp filters hide them.
 *
 * <p>The probes are harmless by construction: every call has at least one argument the
 * kernel rejects before doing anything (an unknown flag, a too-small size, a closed
 * descriptor, a forbidden flag combination), and none can succeed.
 */
public final class KernelFeatures {

    /** A flag bit no probed syscall defines: calls that check flags first fail with EINVAL. */
    private static final long UNKNOWN_FLAG = 0x4000_0000L;
    /** A descriptor number that is never open (above any RLIMIT_NOFILE the kernel allows). */
    private static final long NEVER_OPEN_FD = Integer.MAX_VALUE;

    private KernelFeatures() {
    }

    /** What {@link #probe()} checks, with the kernel release that introduced it. */
    public enum Feature {
        /** clone3(2): the extensible clone, Linux 5.3. */
        CLONE3("clone3", "5.3"),
        /** clone3's CLONE_INTO_CGROUP: start a child directly in a cgroup, Linux 5.7. */
        CLONE_INTO_CGROUP("CLONE_INTO_CGROUP", "5.7"),
        /** pidfd_open(2), Linux 5.3. */
        PIDFD_OPEN("pidfd_open", "5.3"),
        /** pidfd_send_signal(2), Linux 5.1. */
        PIDFD_SEND_SIGNAL("pidfd_send_signal", "5.1"),
        /** fsopen/fsconfig/fsmount/move_mount/open_tree, Linux 5.2. */
        NEW_MOUNT_API("new mount API", "5.2"),
        /** mount_setattr(2), Linux 5.12. */
        MOUNT_SETATTR("mount_setattr", "5.12"),
        /** MOUNT_ATTR_IDMAP: idmapped mounts, Linux 5.12 (file systems opt in one by one). */
        IDMAPPED_MOUNTS("idmapped mounts", "5.12"),
        /** Time namespaces (CLONE_NEWTIME), Linux 5.6. */
        TIME_NAMESPACE("time namespaces", "5.6"),
        /** openat2(2), Linux 5.6. */
        OPENAT2("openat2", "5.6"),
        /** close_range(2), Linux 5.9. */
        CLOSE_RANGE("close_range", "5.9"),
        /** User namespaces, allowed by sysctl (Linux 3.8). */
        USER_NAMESPACES("user namespaces", "3.8"),
        /** A cgroup hierarchy at /sys/fs/cgroup, and its controllers. */
        CGROUPS("cgroups", "2.6.24"),
        /** seccomp(2) with SECCOMP_SET_MODE_FILTER: the filters Hako installs by default, Linux 3.17. */
        SECCOMP_FILTER("seccomp filters", "3.17"),
        /**
         * The kernel's seccomp action cache, Linux 5.11: allowed calls that a filter decides
         * from the number alone skip the filter. No interface shows it; benchmark B7 measures it.
         */
        SECCOMP_ACTION_CACHE("seccomp action cache", "5.11"),
        /**
         * BPF_PROG_TYPE_CGROUP_DEVICE programs on cgroup v2 (CONFIG_CGROUP_BPF), Linux 4.15:
         * the device rules where no v1 devices controller is mounted.
         */
        CGROUP_DEVICE_BPF("cgroup device programs", "4.15");

        private final String label;
        private final String since;

        Feature(String label, String since) {
            this.label = label;
            this.since = since;
        }

        /** The name used in {@link FeatureReport#describe()}. */
        public String label() {
            return label;
        }

        /** The first mainline Linux release with the feature, e.g. {@code "5.3"}. */
        public String since() {
            return since;
        }
    }

    /**
     * Probes the running kernel. Never throws for a missing feature: that is a result.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/uname.2.html">uname(2)</a>
     */
    public static FeatureReport probe() {
        String[] uname = uname();
        List<FeatureReport.Result> results = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            // clone3 refuses a size below CLONE_ARGS_SIZE_VER0 before reading anything.
            results.add(present(Feature.CLONE3, call(Linux.SYS_clone3(), 0, 0, 0, 0, 0)));
            results.add(cloneIntoCgroup(arena));
            // pid -1 and an unknown flag: EINVAL.
            results.add(present(Feature.PIDFD_OPEN, call(Linux.SYS_pidfd_open(), -1, UNKNOWN_FLAG, 0, 0, 0)));
            // a closed pidfd, signal 0 and an unknown flag: EINVAL or EBADF.
            results.add(present(Feature.PIDFD_SEND_SIGNAL,
                    call(Linux.SYS_pidfd_send_signal(), NEVER_OPEN_FD, 0, 0, UNKNOWN_FLAG, 0)));
            results.add(newMountApi());
            // An unknown flag, a NULL attribute and size 0: EINVAL.
            int setattr = call(Linux.SYS_mount_setattr(), -1, 0, UNKNOWN_FLAG, 0, 0);
            results.add(present(Feature.MOUNT_SETATTR, setattr));
            results.add(idmappedMounts(arena, setattr));
            results.add(timeNamespace());
            // A NULL how and size 0: EINVAL.
            results.add(present(Feature.OPENAT2, call(Linux.SYS_openat2(), -1, 0, 0, 0, 0)));
            // first > last and an unknown flag: EINVAL, nothing closed.
            results.add(present(Feature.CLOSE_RANGE,
                    call(Linux.SYS_close_range(), 0xFFFF_FFFFL, 0, UNKNOWN_FLAG, 0, 0)));
        }
        results.add(userNamespaces());
        FeatureReport.CgroupMode mode = cgroupMode();
        List<String> controllers = controllers(mode);
        results.add(new FeatureReport.Result(Feature.CGROUPS, mode != FeatureReport.CgroupMode.NONE,
                cgroupDetail(mode, controllers)));
        // An unknown flag with a NULL program: EINVAL where seccomp(2) filters exist.
        results.add(present(Feature.SECCOMP_FILTER,
                call(Linux.SYS_seccomp(), Linux.SECCOMP_SET_MODE_FILTER(), UNKNOWN_FLAG, 0, 0, 0)));
        results.add(actionCache(uname[0]));
        results.add(cgroupDeviceBpf(mode));
        return new FeatureReport(uname[0], uname[1], mode, controllers, results);
    }

    /**
     * The reading of a probe's errno for a feature that is one syscall: ENOSYS means
     * missing; any other refusal means the kernel knows the call.
     */
    static FeatureReport.Result present(Feature feature, int errno) {
        if (errno == Linux.ENOSYS()) {
            return new FeatureReport.Result(feature, false, "ENOSYS: missing (Linux " + feature.since()
                    + "+, or blocked by seccomp)");
        }
        if (errno == 0) {
            return new FeatureReport.Result(feature, true, "present (probe unexpectedly succeeded)");
        }
        String note = errno == Linux.EPERM() ? " (not permitted for this process)" : "";
        return new FeatureReport.Result(feature, true, "present: probe refused with "
                + SyscallException.errnoName(errno) + note);
    }

    /**
     * CLONE_INTO_CGROUP: a version-2 sized clone_args with a cgroup set and flags that
     * copy_process always refuses (CLONE_NEWNS with CLONE_FS). A kernel that knows the
     * cgroup field gets that far (EINVAL); an older one refuses the unknown non-zero
     * trailing field (E2BIG) or the flag.
     */
    private static FeatureReport.Result cloneIntoCgroup(Arena arena) {
        MemorySegment args = ProcessCalls.cloneArgs(arena, ProcessCalls.CloneArgs.exitSignal(0)
                .flags(Linux.CLONE_INTO_CGROUP() | Linux.CLONE_NEWNS() | Linux.CLONE_FS(),
                        "CLONE_INTO_CGROUP|CLONE_NEWNS|CLONE_FS").cgroup(1));
        int errno = call(Linux.SYS_clone3(), args.address(), Linux.CLONE_ARGS_SIZE_VER2(), 0, 0, 0);
        if (errno == Linux.ENOSYS()) {
            return new FeatureReport.Result(Feature.CLONE_INTO_CGROUP, false, "ENOSYS: no clone3");
        }
        if (errno == Linux.E2BIG()) {
            return new FeatureReport.Result(Feature.CLONE_INTO_CGROUP, false,
                    "E2BIG: clone3 has no cgroup field (Linux 5.7+)");
        }
        if (errno == Linux.EINVAL()) {
            return new FeatureReport.Result(Feature.CLONE_INTO_CGROUP, true, "present: clone3 read the cgroup field");
        }
        return new FeatureReport.Result(Feature.CLONE_INTO_CGROUP, false,
                "unexpected " + SyscallException.errnoName(errno) + " from the probe");
    }

    /** fsopen and open_tree both exist, or neither is usable. */
    private static FeatureReport.Result newMountApi() {
        // NULL names with unknown flags: EINVAL (or EPERM without CAP_SYS_ADMIN).
        FeatureReport.Result fsopen = present(Feature.NEW_MOUNT_API, call(Linux.SYS_fsopen(), 0, UNKNOWN_FLAG, 0, 0, 0));
        FeatureReport.Result openTree = present(Feature.NEW_MOUNT_API,
                call(Linux.SYS_open_tree(), -1, 0, UNKNOWN_FLAG, 0, 0));
        if (!fsopen.available()) {
            return new FeatureReport.Result(Feature.NEW_MOUNT_API, false, "fsopen " + fsopen.detail());
        }
        if (!openTree.available()) {
            return new FeatureReport.Result(Feature.NEW_MOUNT_API, false, "open_tree " + openTree.detail());
        }
        return new FeatureReport.Result(Feature.NEW_MOUNT_API, true, "fsopen and open_tree present");
    }

    /**
     * MOUNT_ATTR_IDMAP with a user namespace descriptor that is never open: a kernel that
     * knows the attribute looks the descriptor up (EBADF); one that does not refuses the
     * attribute (EINVAL). Without CAP_SYS_ADMIN the kernel stops earlier (EPERM); then
     * mount_setattr's presence decides, as both arrived in Linux 5.12.
     */
    private static FeatureReport.Result idmappedMounts(Arena arena, int setattrErrno) {
        MemorySegment attr = mount_attr.allocate(arena);
        mount_attr.attr_set(attr, Linux.MOUNT_ATTR_IDMAP());
        mount_attr.userns_fd(attr, NEVER_OPEN_FD);
        int errno = call(Linux.SYS_mount_setattr(), -1, 0, 0, attr.address(), mount_attr.sizeof());
        if (errno == Linux.EBADF()) {
            return new FeatureReport.Result(Feature.IDMAPPED_MOUNTS, true,
                    "present: mount_setattr accepted MOUNT_ATTR_IDMAP (support varies by file system)");
        }
        if (errno == Linux.EPERM() && setattrErrno != Linux.ENOSYS()) {
            return new FeatureReport.Result(Feature.IDMAPPED_MOUNTS, true,
                    "assumed with mount_setattr (EPERM: cannot check without CAP_SYS_ADMIN)");
        }
        if (errno == Linux.ENOSYS()) {
            return new FeatureReport.Result(Feature.IDMAPPED_MOUNTS, false, "ENOSYS: no mount_setattr");
        }
        return new FeatureReport.Result(Feature.IDMAPPED_MOUNTS, false,
                SyscallException.errnoName(errno) + ": MOUNT_ATTR_IDMAP refused");
    }

    /** Read from the release only: the cache has no interface of its own. */
    private static FeatureReport.Result actionCache(String release) {
        java.util.regex.Matcher version = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        if (!version.find()) {
            return new FeatureReport.Result(Feature.SECCOMP_ACTION_CACHE, false, "unknown release " + release);
        }
        int major = Integer.parseInt(version.group(1));
        int minor = Integer.parseInt(version.group(2));
        boolean cached = major > 5 || (major == 5 && minor >= 11);
        return new FeatureReport.Result(Feature.SECCOMP_ACTION_CACHE, cached, (cached ? "expected" : "absent")
                + " from the release (no interface shows it; benchmark B7 measures its effect)");
    }

    /**
     * BPF_PROG_QUERY for device programs on the v2 root: a kernel with CONFIG_CGROUP_BPF
     * answers (or refuses for privilege), one without it says EINVAL.
     */
    private static FeatureReport.Result cgroupDeviceBpf(FeatureReport.CgroupMode mode) {
        String root = switch (mode) {
            case UNIFIED -> "/sys/fs/cgroup";
            case HYBRID -> "/sys/fs/cgroup/unified";
            default -> null;
        };
        if (root == null) {
            return new FeatureReport.Result(Feature.CGROUP_DEVICE_BPF, false,
                    "no cgroup v2 hierarchy (device rules use the v1 devices controller)");
        }
        try (Fd dir = FileSyscalls.openat2(null, root, java.util.EnumSet.of(OpenFlag.DIRECTORY, OpenFlag.READ_ONLY), 0,
                java.util.Set.of())) {
            BpfSyscalls.progQuery(dir, BpfAttachType.CGROUP_DEVICE, false);
            return new FeatureReport.Result(Feature.CGROUP_DEVICE_BPF, true, "present: BPF_PROG_QUERY on " + root
                    + " answered");
        } catch (SyscallException e) {
            if (e.errno() == Linux.EPERM()) {
                return new FeatureReport.Result(Feature.CGROUP_DEVICE_BPF, true,
                        "assumed (EPERM: cannot query without CAP_SYS_ADMIN)");
            }
            return new FeatureReport.Result(Feature.CGROUP_DEVICE_BPF, false, e.errnoName()
                    + ": BPF_PROG_QUERY refused (no CONFIG_CGROUP_BPF or no bpf(2))");
        }
    }

    private static FeatureReport.Result timeNamespace() {
        boolean exists = Files.exists(Path.of("/proc/self/ns/time"));
        return new FeatureReport.Result(Feature.TIME_NAMESPACE, exists,
                exists ? "/proc/self/ns/time exists" : "no /proc/self/ns/time (Linux 5.6+ with CONFIG_TIME_NS)");
    }

    private static FeatureReport.Result userNamespaces() {
        String max = readOrNull("/proc/sys/user/max_user_namespaces");
        if (max == null) {
            return new FeatureReport.Result(Feature.USER_NAMESPACES, false, "no /proc/sys/user/max_user_namespaces");
        }
        long limit;
        try {
            limit = Long.parseLong(max);
        } catch (NumberFormatException e) {
            return new FeatureReport.Result(Feature.USER_NAMESPACES, false, "unreadable max_user_namespaces: " + max);
        }
        if (limit <= 0) {
            return new FeatureReport.Result(Feature.USER_NAMESPACES, false, "user.max_user_namespaces = 0");
        }
        StringBuilder detail = new StringBuilder("max_user_namespaces=").append(limit);
        // Debian's switch, and Ubuntu's AppArmor restriction, both only for unprivileged users.
        String debian = readOrNull("/proc/sys/kernel/unprivileged_userns_clone");
        String apparmor = readOrNull("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
        if ("0".equals(debian)) {
            detail.append("; unprivileged: off (kernel.unprivileged_userns_clone=0)");
        } else if ("1".equals(apparmor)) {
            detail.append("; unprivileged: restricted by AppArmor (kernel.apparmor_restrict_unprivileged_userns=1)");
        } else {
            detail.append("; unprivileged: allowed");
        }
        return new FeatureReport.Result(Feature.USER_NAMESPACES, true, detail.toString());
    }

    private static FeatureReport.CgroupMode cgroupMode() {
        long root = fsType("/sys/fs/cgroup");
        if (root == Linux.CGROUP2_SUPER_MAGIC()) {
            return FeatureReport.CgroupMode.UNIFIED;
        }
        if (root == Linux.TMPFS_MAGIC()) {
            return fsType("/sys/fs/cgroup/unified") == Linux.CGROUP2_SUPER_MAGIC()
                    ? FeatureReport.CgroupMode.HYBRID : FeatureReport.CgroupMode.LEGACY;
        }
        if (root == Linux.CGROUP_SUPER_MAGIC()) {
            return FeatureReport.CgroupMode.LEGACY;
        }
        return FeatureReport.CgroupMode.NONE;
    }

    /** v2: the root's cgroup.controllers; v1 and hybrid: the enabled rows of /proc/cgroups. */
    private static List<String> controllers(FeatureReport.CgroupMode mode) {
        if (mode == FeatureReport.CgroupMode.UNIFIED) {
            String line = readOrNull("/sys/fs/cgroup/cgroup.controllers");
            return line == null || line.isEmpty() ? List.of() : Arrays.asList(line.split("\\s+"));
        }
        if (mode == FeatureReport.CgroupMode.NONE) {
            return List.of();
        }
        List<String> enabled = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cgroups"))) {
                String[] columns = line.split("\\s+"); // subsys_name hierarchy num_cgroups enabled
                if (!line.startsWith("#") && columns.length >= 4 && columns[3].equals("1")) {
                    enabled.add(columns[0]);
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return enabled;
    }

    private static String cgroupDetail(FeatureReport.CgroupMode mode, List<String> controllers) {
        String where = switch (mode) {
            case UNIFIED -> "unified (v2 at /sys/fs/cgroup)";
            case HYBRID -> "hybrid (v1 controllers at /sys/fs/cgroup, v2 at /sys/fs/cgroup/unified)";
            case LEGACY -> "legacy (v1 at /sys/fs/cgroup)";
            case NONE -> "no cgroup file system at /sys/fs/cgroup";
        };
        return controllers.isEmpty() ? where : where + "; controllers: " + String.join(" ", controllers);
    }

    /** The magic number of the file system at {@code path}, or 0 if it cannot be read. */
    private static long fsType(String path) {
        try {
            return FileSyscalls.statfs(path).type();
        } catch (SyscallException e) {
            return 0;
        }
    }

    private static String[] uname() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = utsname.allocate(arena);
            long result = Kernel.critical(Linux.SYS_uname(), buffer.address(), 0, 0);
            if (result < 0) {
                return new String[] {"unknown (uname: " + SyscallException.errnoName((int) -result) + ")", "unknown"};
            }
            return new String[] {utsname.release(buffer).getString(0), utsname.machine(buffer).getString(0)};
        }
    }

    /**
     * Makes one probe call; returns its errno, or 0 if it succeeded (closing the descriptor
     * in case it returned one: a probe must leave nothing behind even if a kernel surprises).
     */
    private static int call(int number, long a1, long a2, long a3, long a4, long a5) {
        long result = Kernel.blocking(number, a1, a2, a3, a4, a5, 0);
        if (result >= 0) {
            if (number != Linux.SYS_clone3() && number != Linux.SYS_close_range() && result > 2) {
                Kernel.invokeCritical(FileCalls.close((int) result));
            }
            return 0;
        }
        return (int) -result;
    }

    private static String readOrNull(String path) {
        return KernelFiles.readStrippedOrNull(path);
    }
}
