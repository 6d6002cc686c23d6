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
}
