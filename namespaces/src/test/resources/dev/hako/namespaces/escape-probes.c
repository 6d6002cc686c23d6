/*
 * What a hostile root payload tries from inside a container. Each argument names one
 * probe; each probe runs in its own child (a seccomp kill must not end the others) and
 * prints one line: "NAME ok", "NAME errno ENAME" or "NAME signal N". "read=PATH" reads
 * a file and says ok only if it gave data; "rewrite=PATH" writes back what it read.
 * Built static by ContainmentTest, so it runs in a busybox rootfs as well.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

static unsigned disk_major, disk_minor;
static char disk_name[64];

static int result(long rc) { return rc < 0 ? errno : 0; }

static int remount_root(void) { return result(mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL)); }
static int mount_tmpfs(void) { return result(mount("none", "/mnt", "tmpfs", 0, NULL)); }
/* In /dev (a tmpfs without nodev) where it is writable, else in /tmp. */
static int mknod_disk(void) {
    int rc = result(mknod("/dev/hako-disk", S_IFBLK | 0600, makedev(disk_major, disk_minor)));
    if (rc == EROFS) rc = result(mknod("/tmp/hako-disk", S_IFBLK | 0600, makedev(disk_major, disk_minor)));
    return rc;
}
/* Any way a payload can reach the disk: the host's node, or one it made. */
static int read_disk(void) {
    const char *candidates[] = {disk_name, "/dev/hako-disk", "/tmp/hako-disk"};
    char buf[512];
    int rc = ENOENT;
    for (int i = 0; i < 3; i++) {
        int fd = open(candidates[i], O_RDONLY);
        if (fd < 0) {
            if (errno != ENOENT) rc = errno;
            continue;
        }
        ssize_t n = read(fd, buf, sizeof buf);
        close(fd);
        if (n == (ssize_t) sizeof buf) return 0;
        rc = n < 0 ? errno : EIO;
    }
    return rc;
}
static int load_module(void) { return result(syscall(SYS_init_module, NULL, 0UL, "")); }
static int sysrq(void) {
    int fd = open("/proc/sysrq-trigger", O_WRONLY);
    if (fd < 0) return errno;
    int rc = write(fd, "h", 1) == 1 ? 0 : errno; /* 'h' only prints the help to the kernel log */
    close(fd);
    return rc;
}
static const char *read_path;
/* Reads a file and writes the same bytes back: harmless where it works. */
static int rewrite_file(void) {
    char buf[256];
    int fd = open(read_path, O_RDONLY);
    if (fd < 0) return errno;
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    if (n <= 0) return n == 0 ? ENODATA : errno;
    fd = open(read_path, O_WRONLY);
    if (fd < 0) return errno;
    int rc = write(fd, buf, n) == n ? 0 : errno;
    close(fd);
    return rc;
}
static int read_file(void) {
    char buf[64];
    int fd = open(read_path, O_RDONLY);
    if (fd < 0) return errno;
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    return n > 0 ? 0 : n == 0 ? ENODATA : errno;
}
/* The dispatcher that forked this probe: same user, not a descendant. */
static int ptrace_parent(void) {
    pid_t parent = getppid();
    if (ptrace(PTRACE_ATTACH, parent, 0, 0) < 0) return errno;
    waitpid(parent, NULL, __WALL);
    ptrace(PTRACE_DETACH, parent, 0, 0);
    return 0;
}
static int unshare_user(void) { return result(unshare(CLONE_NEWUSER)); }
static int keyctl_probe(void) { return result(syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0)); }
static int x32(void) {
#ifdef __x86_64__
    return result(syscall(0x40000000 | SYS_getpid));
#else
    return ENOSYS;
#endif
}
static int pty(void) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0) return errno;
    if (grantpt(master) || unlockpt(master)) return errno;
    char *name = ptsname(master);
    int slave = name ? open(name, O_RDWR | O_NOCTTY) : -1;
    if (slave < 0) return errno;
    if (write(slave, "x", 1) != 1) return errno;
    char c;
    int rc = read(master, &c, 1) == 1 && c == 'x' ? 0 : EIO;
    close(slave);
    close(master);
    return rc;
}
static int tcp_echo(void) {
    int server = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (server < 0 || bind(server, (void *) &addr, sizeof addr) || listen(server, 1)
            || getsockname(server, (void *) &addr, &len)) return errno;
    int client = socket(AF_INET, SOCK_STREAM, 0);
    if (client < 0 || connect(client, (void *) &addr, sizeof addr)) return errno;
    int accepted = accept(server, NULL, NULL);
    if (accepted < 0) return errno;
    char buf[4];
    if (write(client, "ping", 4) != 4 || read(accepted, buf, 4) != 4) return errno;
    if (write(accepted, buf, 4) != 4 || read(client, buf, 4) != 4) return errno;
    close(client); close(accepted); close(server);
    return memcmp(buf, "ping", 4) ? EIO : 0;
}

static const struct { const char *name; int (*run)(void); } probes[] = {
    {"remount-root", remount_root}, {"mount-tmpfs", mount_tmpfs}, {"mknod-disk", mknod_disk},
    {"read-disk", read_disk}, {"load-module", load_module}, {"sysrq", sysrq}, {"read", read_file}, {"rewrite", rewrite_file},
    {"ptrace-parent", ptrace_parent}, {"unshare-user", unshare_user}, {"keyctl", keyctl_probe},
    {"x32", x32}, {"pty", pty}, {"tcp-echo", tcp_echo},
};

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int i = 1; i < argc; i++) {
        if (sscanf(argv[i], "disk=%u:%u:%63s", &disk_major, &disk_minor, disk_name) == 3) continue;
        char name[64];
        snprintf(name, sizeof name, "%s", argv[i]);
        char *eq = strchr(name, '=');
        if (eq) { *eq = 0; read_path = argv[i] + (eq - name) + 1; }
        int found = 0;
        for (size_t p = 0; p < sizeof probes / sizeof probes[0]; p++) {
            if (strcmp(name, probes[p].name)) continue;
            found = 1;
            pid_t child = fork();
            if (child == 0) {
                int rc = probes[p].run();
                if (rc == 0) printf("%s ok\n", argv[i]);
                else printf("%s errno %s\n", argv[i], strerrorname_np(rc) ? strerrorname_np(rc) : "?");
                _exit(0);
            }
            int status;
            waitpid(child, &status, 0);
            if (WIFSIGNALED(status)) printf("%s signal %d\n", argv[i], WTERMSIG(status));
        }
        if (!found) { printf("%s unknown\n", argv[i]); return 2; }
    }
    return 0;
}
