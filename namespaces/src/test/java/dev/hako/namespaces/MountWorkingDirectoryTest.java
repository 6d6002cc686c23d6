package dev.hako.namespaces;

import static dev.hako.namespaces.Payloads.sh;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.testing.Privileged;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * In the host-root view the payload starts in the JVM's working directory when the view
 * still has it, and in "/" when a mount hides it (found when CI ran from a clone under /tmp,
 * which the private /tmp covers).
 */
@Timeout(60)
class MountWorkingDirectoryTest {

    @Test
    @Privileged
    void keepsTheJvmsWorkingDirectoryWhereVisible() throws Exception {
        MountSpec view = MountSpec.builder().hostRootReadOnly().build();
        String cwd = Path.of(System.getProperty("user.dir")).toRealPath().toString();
        assertThat(sh(new ContainerBuilder("/bin/true").mounts(view), "/bin/pwd")).isEqualTo(cwd + "\n");
    }

    @Test
    @Privileged
    void fallsBackToRootWhenAMountHidesIt() throws Exception {
        Path parent = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
        MountSpec view = MountSpec.builder().hostRootReadOnly().tmpfs(parent.toString(), 1 << 20, 0755).build();
        assertThat(sh(new ContainerBuilder("/bin/true").mounts(view), "/bin/pwd")).isEqualTo("/\n");
    }
}
