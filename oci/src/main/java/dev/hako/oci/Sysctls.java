package dev.hako.oci;

import dev.hako.namespaces.NamespaceExecutor;
import dev.hako.namespaces.NamespaceRef;
import dev.hako.syscalls.NamespaceType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * {@code linux.sysctl}: only keys the kernel keeps per namespace, and only for a namespace
 * the container has of its own (else the write would change the host). They are written
 * from a thread that has joined the container's namespace with setns(2), since /proc/sys
 * shows the namespaces of the thread that opens it, not those of a pid.
 *
 * @see <a href="https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md#sysctl">runtime-spec: sysctl</a>
 */
final class Sysctls {

    /** IPC sysctls the kernel keeps per IPC namespace (ipc_namespaces(7)). */
    private static final Set<String> IPC_KEYS = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
            "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");

    private Sysctls() {
    }

    /** The namespace a key belongs to; refuses keys that are not namespaced or whose namespace is not new. */
    static NamespaceType namespaceOf(String key, Config.Linux linux) {
        NamespaceType type;
        if (key.startsWith("net.")) {
            type = NamespaceType.NET;
        } else if (IPC_KEYS.contains(key) || key.startsWith("fs.mqueue.")) {
            type = NamespaceType.IPC;
        } else if (key.equals("kernel.hostname") || key.equals("kernel.domainname")) {
            type = NamespaceType.UTS;
        } else {
            throw new InvalidConfigException("linux.sysctl." + key, "is not kept per namespace; writing it would"
                    + " change the host");
        }
        boolean own = linux.namespaces().stream().anyMatch(ns -> ns.type() == type && ns.path() == null);
        if (!own) {
            throw new InvalidConfigException("linux.sysctl." + key, "needs a new " + type.procName()
                    + " namespace in linux.namespaces; without one it would change the host's");
        }
        if (key.contains("/") || key.contains("..")) {
            throw new InvalidConfigException("linux.sysctl." + key, "is not a sysctl name");
        }
        return type;
    }

    /** Checks every key (before anything is created). */
    static void check(Config.Linux linux) {
        for (String key : linux.sysctl().keySet()) {
            namespaceOf(key, linux);
        }
    }

    /** Writes the values inside the namespaces of {@code pid}. */
    static void apply(Config.Linux linux, int pid) throws IOException {
        List<NamespaceRef> refs = new ArrayList<>();
        try {
            for (Map.Entry<String, String> entry : linux.sysctl().entrySet()) {
                NamespaceType type = namespaceOf(entry.getKey(), linux);
                NamespaceRef ref = NamespaceRef.ofPid(pid, type);
                refs.add(ref);
                Path file = Path.of("/proc/sys", entry.getKey().replace('.', '/'));
                try {
                    NamespaceExecutor.run(Set.of(ref), () -> Files.writeString(file, entry.getValue())).get();
                } catch (ExecutionException e) {
                    throw new RuntimeError("linux.sysctl." + entry.getKey() + ": cannot write " + file + ": "
                            + e.getCause().getMessage(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while writing sysctls", e);
                }
            }
        } finally {
            refs.forEach(NamespaceRef::close);
        }
    }
}
