package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.launchprobe.StressLoop;
import dev.hako.testing.Privileged;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Thousands of starts from a busy JVM through the default launcher (the launch server, or
 * this JVM when the suite runs with {@code -Dhako.launcher=in-process}); see
 * {@link StressLoop}. A child that touched JVM machinery would hang on a lock held at the
 * fork; the exec timeout would then turn the hang into a failure here.
 */
class LaunchStressTest {

    private static final int STARTS = 2_000;

    @Test
    // Hangs are caught per start (waitFor's bound in StressLoop); this only caps the whole
    // run, whose length follows the machine's fork cost (2 to 30 ms a start on this
    // project's machines, with the GC and handshake pressure on top).
    @Timeout(value = 25, unit = TimeUnit.MINUTES)
    @Privileged
    void twoThousandStartsUnderGcAndHandshakePressure() throws Exception {
        Payloads.openLongLivedDescriptors();
        Launchers.fromSystemProperty().prepare();
        List<String> fdsBefore = Payloads.openFds();
        assertThat(StressLoop.run(STARTS)).as("starts that failed or hung").isEmpty();
        assertThat(Payloads.zombieChildren()).as("zombies").isEmpty();
        Payloads.assertDescriptorsBackTo(fdsBefore);
    }
}
