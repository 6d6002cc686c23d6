package dev.hako.syscalls;

import dev.hako.bindings.Linux;

/**
 * Likely causes of common syscall failures, phrased as what to do. Kept apart from the
 * exception so the list of known causes is easy to read and to extend.
 */
final class Hints {

    private Hints() {
    }

    /** A hint for this failure, or null when no common cause is known. */
    static String forFailure(String syscall, String argument, int errno) {
        String arg = argument == null ? "" : argument;
        String extended = forExtendedFamilies(syscall, arg, errno);
        if (extended != null) {
            return extended;
        }
        if (errno == Linux.ENOSYS()) {
            return "this kernel does not have " + syscall + "; check 'hako features' for what it supports"
                    + " (uname -r shows its version)";
        }
        if (errno == Linux.EINVAL() && (syscall.equals("unshare") || syscall.equals("setns"))
                && arg.contains("CLONE_NEWUSER")) {
            return syscall.equals("unshare")
                    ? "the kernel refuses new user namespaces in a multithreaded process such as the JVM;"
                            + " create one in a child instead"
                    : "the kernel refuses to move a multithreaded process such as the JVM into a user namespace;"
                            + " join it from a child instead";
        }
        if (errno == Linux.EPERM()) {
            return switch (syscall) {
                case "unshare", "setns", "mount", "umount2", "pivot_root", "fsopen", "fsmount", "move_mount",
                        "open_tree", "mount_setattr", "sethostname", "setdomainname", "fsconfig", "clone3" ->
                        "needs CAP_SYS_ADMIN in the owning user namespace; run as root, or create a user"
                                + " namespace first (it grants capabilities only inside it)";
                case "pidfd_send_signal", "kill" -> "not allowed to signal that process (different user?)";
                case "pidfd_getfd" -> "needs PTRACE_MODE_ATTACH_REALCREDS over the target (same user and"
                        + " ptrace allowed, or CAP_SYS_PTRACE)";
                case "capset" -> "a capability can only be added if it is in the permitted set (and the"
                        + " bounding set for inheritable)";
                case "prlimit64" -> "raising a hard limit needs CAP_SYS_RESOURCE";
                default -> null;
            };
        }
        if (errno == Linux.EAGAIN() && syscall.equals("clone3")) {
            return "no more tasks allowed: the cgroup's pids.max (a pids limit) or this user's RLIMIT_NPROC is"
                    + " reached; a start with an init reaper or a supervisor takes two or one more task";
        }
        if (errno == Linux.EMFILE()) {
            return "this process has reached its open file limit (RLIMIT_NOFILE)";
        }
        if (errno == Linux.ESRCH() && (syscall.startsWith("pidfd") || syscall.equals("kill"))) {
            return "the process has already exited";
        }
        if (errno == Linux.EBADF()) {
            return "the file descriptor is not open (closed already?)";
        }
        return null;
    }

    // --- namespaces, mounts, capabilities, prctl (syscalls-ext) -------------------------------

    /** Hints for the namespace, mount, capability and prctl wrappers; null when none applies. */
    private static String forExtendedFamilies(String syscall, String arg, int errno) {
        if (syscall.equals("ioctl") && arg.contains(", NS_GET_")) {
            if (errno == Linux.ENOTTY()) {
                return "not a namespace; open /proc/PID/ns/NAME for one";
            }
            if (errno == Linux.EPERM() && arg.endsWith("NS_GET_PARENT")) {
                return "the namespace has no parent, or its parent is outside the caller's user namespace";
            }
        }
        if (syscall.equals("pivot_root") && errno == Linux.EINVAL()) {
            return "new_root must be a mount point other than the current root, put_old must be at or under it,"
                    + " and neither may have shared propagation (make / private first)";
        }
        if (syscall.equals("pivot_root") && errno == Linux.EBUSY()) {
            return "new_root and put_old must not be on the current root mount: mount a file system (or bind"
                    + " new_root onto itself) first";
        }
        if (syscall.equals("umount2") && errno == Linux.EINVAL()) {
            return "not a mount point (or the flags are invalid)";
        }
        if (syscall.equals("umount2") && errno == Linux.EBUSY()) {
            return "still in use (open files, a current directory or mounts below it); MNT_DETACH unmounts lazily";
        }
        if (syscall.equals("prctl") && errno == Linux.EPERM()) {
            if (arg.startsWith("PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE")) {
                return "an ambient capability must be in both the permitted and the inheritable set"
                        + " (and SECBIT_NO_CAP_AMBIENT_RAISE unset)";
            }
            if (arg.startsWith("PR_CAPBSET_DROP")) {
                return "dropping from the bounding set needs CAP_SETPCAP";
            }
        }
        return null;
    }
}
