package dev.hako.oci;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.syscalls.NamespaceType;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config that joins the pid namespace of a running process by path (what runtime-tools'
 * linux_ns_path checks): the pid that {@code state} reports is the container's own process,
 * in that namespace, from create on; start, kill and delete act on it.
 */
@Privileged(Requirement.ROOT)
@Timeout(120)
class PidNamespacePathTest {

    @TempDir
    Path temp;

    /**
     * Runs hako-oci as the shim does (a JVM of its own, this build's classes), bounded. Its
     * output goes to a file, not a pipe: the container inherits create's stdio, as it does
     * from runc, and would hold a pipe open.
     */
    private PrivateContainerd.Result hakoOci(Path root, String... args) throws Exception {
        Path script = temp.resolve("hako-oci");
        if (!Files.exists(script)) {
            ContainerdTest.runtimeScript(script);
        }
        List<String> command = new ArrayList<>(List.of(script.toString(), "--root", root.toString()));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(temp, "hako-oci", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("hako-oci " + String.join(" ", args) + " hung: " + Files.readString(output));
        }
        return new PrivateContainerd.Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    private JsonNode state(Path root, String id) throws Exception {
        PrivateContainerd.Result state = hakoOci(root, "state", id);
        assertThat(state.status()).as(state.out()).isZero();
        return Bundles.JSON.readTree(state.out());
    }

    private static String pidNamespace(long pid) throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")).toString();
    }

    @Test
    void theStatePidIsTheContainersProcessInTheJoinedPidNamespace() throws Exception {
        Path root = temp.resolve("state");
        Path rootfs = Bundles.busyboxRootfs(temp.resolve("rootfs"));
        try (ContainerProcess owner = new ContainerBuilder("/bin/sleep", "120").namespaces(NamespaceType.PID).start()) {
            Path nsPath = Path.of("/proc/" + owner.pid() + "/ns/pid");
            ObjectNode config = Bundles.config(rootfs.toString(), "sleep", "60");
            ArrayNode namespaces = (ArrayNode) config.get("linux").get("namespaces");
            for (JsonNode ns : namespaces) {
                if (ns.get("type").asText().equals("pid")) {
                    ((ObjectNode) ns).put("path", nsPath.toString());
                }
            }
            Path bundle = Bundles.write(temp.resolve("bundle"), config);
            PrivateContainerd.Result create = hakoOci(root, "create", "--bundle", bundle.toString(), "joined");
            try {
                assertThat(create.status()).as(create.out()).isZero();
                JsonNode created = state(root, "joined");
                assertThat(created.get("status").asText()).isEqualTo("created");
                long pid = created.get("pid").asLong();
                assertThat(pidNamespace(pid)).isEqualTo(pidNamespace(owner.pid()));
                String status = Files.readString(Path.of("/proc/" + pid + "/status"));
                String[] nsPids = status.lines().filter(l -> l.startsWith("NSpid:")).findFirst().orElseThrow()
                        .substring(6).trim().split("\\s+");
                assertThat(nsPids).as("pids in the host's and the owner's namespaces").hasSize(2);
                assertThat(Long.parseLong(nsPids[1])).isGreaterThan(1);

                PrivateContainerd.Result start = hakoOci(root, "start", "joined");
                assertThat(start.status()).as(start.out()).isZero();
                assertThat(state(root, "joined").get("status").asText()).isEqualTo("running");
                awaitExec(pid);

                PrivateContainerd.Result kill = hakoOci(root, "kill", "joined", "KILL");
                assertThat(kill.status()).as(kill.out()).isZero();
                awaitStopped(root, "joined");
                PrivateContainerd.Result delete = hakoOci(root, "delete", "joined");
                assertThat(delete.status()).as(delete.out()).isZero();
                assertThat(root.resolve("joined")).doesNotExist();
                assertThat(owner.isAlive()).as("the namespace's owner runs on").isTrue();
            } finally {
                hakoOci(root, "delete", "--force", "joined");
            }
        }
    }

    /** The container's process runs busybox's sleep once start has released it. */
    private static void awaitExec(long pid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(Path.of("/proc/" + pid + "/cmdline")).startsWith("sleep\0")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the container did not exec sleep after start");
            }
            Thread.sleep(20);
        }
    }

    private void awaitStopped(Path root, String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!state(root, id).get("status").asText().equals("stopped")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(id + " did not stop after kill");
            }
            Thread.sleep(50);
        }
    }
}
