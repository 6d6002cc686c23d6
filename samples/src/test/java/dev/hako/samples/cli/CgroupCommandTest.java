package dev.hako.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hako.cgroupfs.Cgroup;
import dev.hako.cgroupfs.CgroupLayout;
import dev.hako.namespaces.CgroupPlacement;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.testing.Privileged;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code hako cgroup ...}, {@code ps} and {@code top} on a real group. */
@Privileged
@Timeout(60)
class CgroupCommandTest {

    private final String path = "/hako/test-cli-" + ProcessHandle.current().pid();

    @AfterEach
    void cleanUp() throws Exception {
        try {
            Cgroup.open(CgroupLayout.detect(), path).delete(Duration.ofSeconds(10), true);
        } catch (java.nio.file.NoSuchFileException gone) {
            // The test deleted it, as it should.
        }
    }

    @Test
    void lifecycleFromCreateToDelete() throws Exception {
        assertThat(Cli.run("cgroup", "create", path, "--memory", "32M", "--pids", "16").status()).isZero();
        assertThat(Cli.run("cgroup", "set", path, "--pids", "8", "--cpus", "0.5").status()).isZero();
        Cgroup group = Cgroup.open(CgroupLayout.detect(), path);
        try (ContainerProcess sleeper = new ContainerBuilder("/bin/sleep", "30")
                .cgroup(CgroupPlacement.of(group)).start()) {
            Cli.Result stats = Cli.run("cgroup", "stats", path, "--json");
            assertThat(stats.status()).as(stats.err()).isZero();
            var json = new ObjectMapper().readTree(stats.out());
            assertThat(json.get("pids").get("current").asLong()).isEqualTo(1);
            assertThat(json.get("memory").get("current").asLong()).isPositive();
            assertThat(Cli.run("cgroup", "stats", path).out()).contains("pids.current 1");

            Cli.Result ps = Cli.run("ps", "--sample", "50");
            assertThat(ps.out()).contains("GROUP").contains(path);
            Cli.Result top = Cli.run("top", "-n", "2", "-d", "0.1", path);
            assertThat(top.out().lines().filter(l -> l.startsWith("GROUP"))).hasSize(2);

            assertThat(Cli.run("cgroup", "freeze", path).status()).isZero();
            assertThat(group.frozen()).isTrue();
            assertThat(Cli.run("cgroup", "thaw", path).status()).isZero();
            assertThat(Cli.run("cgroup", "kill", path).status()).isZero();
            assertThat(sleeper.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Cli.run("cgroup", "delete", path).status()).isZero();
        for (var h : group.hierarchies()) {
            assertThat(Files.exists(h.directory(path))).isFalse();
        }
        assertThat(Cli.run("cgroup", "delete", path).status()).as("deleting again").isZero();
    }
}
