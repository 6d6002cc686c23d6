package dev.hako.oci;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The training run behind {@code ./hako-oci}'s AOT cache: one JVM that goes through the
 * calls containerd's shim makes for a container (create, state, start, state, kill,
 * delete, and a created container deleted with {@code --force}), with a config shaped
 * like containerd's (seccomp, masked paths, device rules, limits) and a JSON log, so that
 * the cache holds the classes, linked call sites and profiles of the real path, not only
 * of {@code features}. The container's rootfs is an empty directory with its mount
 * points: its process fails to exec once started, which is all the training needs. Its
 * state root, bundle and log live in a temporary directory removed at the end; its cgroup
 * is removed by the delete.
 *
 * <pre>java -XX:AOTCacheOutput=hako-oci.aot -cp hako-oci.jar dev.hako.oci.AotTraining</pre>
 *
 * Exits with 0 when every call behaved as expected, 1 otherwise (the launcher then makes
 * the cache from {@code features} alone).
 *
 * @see <a href="https://openjdk.org/jeps/514">JEP 514: Ahead-of-Time Command-Line Ergonomics</a>
 */
public final class AotTraining {

    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    private AotTraining() {
    }

    /**
     * Runs the training cycle; see the class comment.
     *
     * @param args none
     */
    public static void main(String[] args) {
        int status;
        try {
            status = train() ? 0 : 1;
        } catch (IOException | RuntimeException e) {
            System.err.println("hako-oci training: " + e);
            status = 1;
        }
        System.exit(status);
    }

    private static boolean train() throws IOException {
        Path dir = Files.createTempDirectory("hako-oci-training");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        String id = "hako-oci-training-" + ProcessHandle.current().pid();
        try {
            Path bundle = Files.createDirectories(dir.resolve("bundle"));
            for (String mountPoint : List.of("proc", "dev", "sys", "run")) {
                Files.createDirectories(bundle.resolve("rootfs").resolve(mountPoint));
            }
            Files.writeString(bundle.resolve("config.json"), CONFIG);
            Path pidFile = dir.resolve("pid");
            String[] global = {"--root", dir.resolve("state").toString(), "--log", dir.resolve("log.json").toString(),
                "--log-format", "json"};
            boolean ok = call(quiet, global, "features") == 0;
            ok &= call(quiet, global, "create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), id) == 0;
            if (ok) {
                ok = call(quiet, global, "state", id) == 0;
                ok &= call(quiet, global, "start", id) == 0;
                awaitExit(Integer.parseInt(Files.readString(pidFile)));
                ok &= call(quiet, global, "state", id) == 0;
                ok &= call(quiet, global, "kill", id, "KILL") == 1; // it has exited: "container not running"
                ok &= call(quiet, global, "delete", id) == 0;
            }
            // A container deleted while its init still waits at the start gate, as after a failed start.
            if (call(quiet, global, "create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), id)
                    == 0) {
                int pid = Integer.parseInt(Files.readString(pidFile));
                ok &= call(quiet, global, "delete", "--force", id) == 0;
                awaitExit(pid);
            } else {
                ok = false;
            }
            return ok;
        } finally {
            Runtime.deleteTree(dir);
        }
    }

    private static int call(PrintStream out, String[] global, String... command) {
        String[] args = new String[global.length + command.length];
        System.arraycopy(global, 0, args, 0, global.length);
        System.arraycopy(command, 0, args, global.length, command.length);
        return HakoOci.run(args, out);
    }

    /** Waits for the container's init, this JVM's child, and reaps it. */
    private static void awaitExit(int pid) {
        ProcessHandle.of(pid).ifPresent(init -> {
            try {
                init.onExit().get(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                init.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** A config shaped like the one containerd writes for {@code ctr run}, trimmed. */
    private static final String CONFIG = """
            {
              "ociVersion": "1.1.0",
              "process": {
                "user": {"uid": 0, "gid": 0, "additionalGids": [0, 10]},
                "args": ["/training"],
                "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                "cwd": "/",
                "capabilities": {
                  "bounding": ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"],
                  "effective": ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"],
                  "permitted": ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"]
                },
                "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
                "noNewPrivileges": true
              },
              "root": {"path": "rootfs", "readonly": false},
              "hostname": "training",
              "mounts": [
                {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
                {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
                 "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
                {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
                 "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
                {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
                 "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
                {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
                {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
                {"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}
              ],
              "linux": {
                "resources": {
                  "devices": [{"allow": false, "access": "rwm"},
                              {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}],
                  "memory": {"limit": 268435456},
                  "cpu": {"shares": 512},
                  "pids": {"limit": 64}
                },
                "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "network"}],
                "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/sys/firmware"],
                "readonlyPaths": ["/proc/bus", "/proc/sys", "/proc/sysrq-trigger"],
                "seccomp": {
                  "defaultAction": "SCMP_ACT_ERRNO",
                  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                  "syscalls": [
                    {"names": ["read", "write", "close", "exit", "exit_group", "execve", "mmap", "brk"],
                     "action": "SCMP_ACT_ALLOW"},
                    {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
                     "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}
                  ]
                }
              }
            }
            """;
}
