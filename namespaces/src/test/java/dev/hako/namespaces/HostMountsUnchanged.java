package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Fails a test that leaves the host's mount table different from before it ran. */
final class HostMountsUnchanged implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(HostMountsUnchanged.class);

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        context.getStore(STORE).put("before", Files.readAllLines(Path.of("/proc/self/mountinfo")));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<?> before = context.getStore(STORE).get("before", List.class);
        assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo"))).as("host mounts").isEqualTo(before);
    }
}
