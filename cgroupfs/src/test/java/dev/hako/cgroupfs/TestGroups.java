package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives each test a fresh parent group {@code /hako-test-<random>} and removes it, with
 * everything inside and every process in it, after the test, whether it passed or not.
 */
final class TestGroups implements AfterEachCallback {
    private CgroupLayout layout;
    private Cgroup parent;

    CgroupLayout layout() throws IOException {
        if (layout == null) {
            layout = CgroupLayout.detect();
        }
        return layout;
    }

    /** The test's parent group, created with the controllers its children will need. */
    Cgroup parent(Set<Controller> controllers) throws IOException {
        if (parent == null) {
            byte[] random = new byte[6];
            ThreadLocalRandom.current().nextBytes(random);
            parent = Cgroup.create(layout(), "/hako-test-" + HexFormat.of().formatHex(random), controllers);
        }
        return parent;
    }

    /** A leaf group under the test's parent. */
    Cgroup leaf(String name, Set<Controller> controllers) throws IOException {
        return parent(controllers).createChild(name, controllers);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (parent == null) {
            return;
        }
        Cgroup group = parent;
        parent = null;
        group.delete(Duration.ofSeconds(10), true);
        for (Hierarchy h : group.hierarchies()) {
            assertThat(Files.exists(h.directory(group.path()))).as("%s left behind", h.directory(group.path()))
                    .isFalse();
        }
    }
}
