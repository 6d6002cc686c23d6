package dev.hako.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** Test bundles: a busybox rootfs and a config.json shaped like the one ctr writes. */
final class Bundles {

    static final ObjectMapper JSON = new ObjectMapper();

    private Bundles() {
    }

    /** A rootfs with a static busybox as /bin/sh and friends, and the usual mount points. */
    static Path busyboxRootfs(Path dir) throws IOException {
        Path root = Files.createDirectories(dir);
        Files.createDirectories(root.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : List.of("sh", "echo", "cat", "sleep", "ls", "tty", "ps", "hostname", "true", "id",
                "readlink", "wc", "grep", "stat", "touch")) {
            Files.createSymbolicLink(root.resolve("bin/" + applet), Path.of("busybox"));
        }
        for (String d : List.of("proc", "sys", "dev", "tmp", "etc", "run")) {
            Files.createDirectories(root.resolve(d));
        }
        return root;
    }

    /** A config with the runtime spec's usual defaults, running {@code args} in {@code rootfs}. */
    static ObjectNode config(String rootfs, String... args) {
        ObjectNode config = JSON.createObjectNode();
        config.put("ociVersion", "1.0.2");
        ObjectNode process = config.putObject("process");
        process.put("terminal", false);
        process.putObject("user").put("uid", 0).put("gid", 0);
        ArrayNode argv = process.putArray("args");
        for (String a : args) {
            argv.add(a);
        }
        process.putArray("env").add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        process.put("cwd", "/");
        ObjectNode caps = process.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            ArrayNode list = caps.putArray(set);
            for (String c : List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
                    "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
                    "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE")) {
                list.add(c);
            }
        }
        process.putArray("rlimits").addObject().put("type", "RLIMIT_NOFILE").put("hard", 1024).put("soft", 1024);
        process.put("noNewPrivileges", true);
        config.putObject("root").put("path", rootfs).put("readonly", false);
        config.put("hostname", "box");
        ArrayNode mounts = config.putArray("mounts");
        mount(mounts, "/proc", "proc", "proc", "nosuid", "noexec", "nodev");
        mount(mounts, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
        mount(mounts, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                "gid=5");
        mount(mounts, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k");
        mount(mounts, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
        mount(mounts, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro");
        mount(mounts, "/run", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
        ObjectNode linux = config.putObject("linux");
        ArrayNode namespaces = linux.putArray("namespaces");
        for (String type : List.of("pid", "ipc", "uts", "mount", "network")) {
            namespaces.addObject().put("type", type);
        }
        linux.putObject("resources").putArray("devices").addObject().put("allow", false).put("access", "rwm");
        ArrayNode masked = linux.putArray("maskedPaths");
        for (String p : List.of("/proc/acpi", "/proc/kcore", "/proc/keys", "/sys/firmware")) {
            masked.add(p);
        }
        linux.putArray("readonlyPaths").add("/proc/sys").add("/proc/sysrq-trigger");
        return config;
    }

    private static void mount(ArrayNode mounts, String destination, String type, String source, String... options) {
        ObjectNode mount = mounts.addObject().put("destination", destination).put("type", type).put("source", source);
        ArrayNode list = mount.putArray("options");
        for (String o : options) {
            list.add(o);
        }
    }

    static Path write(Path bundle, ObjectNode config) throws IOException {
        Files.createDirectories(bundle);
        Files.writeString(bundle.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(config));
        return bundle;
    }
}
