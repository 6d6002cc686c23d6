package dev.hako.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.testing.Privileged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Privileged
@Timeout(60)
class SandboxRunnerTest {

    @Test
    void runsTheCommandAsPid1WithItsOwnHostname() throws Exception {
        assertThat(SandboxRunner.run("/bin/sh", "-c", "test \"$(hostname)\" = sandbox && test $$ = 1")).isZero();
        assertThat(SandboxRunner.run("/bin/sh", "-c", "exit 3")).isEqualTo(3);
    }

    @Test
    void theMemoryCapHolds() throws Exception {
        assertThat(SandboxRunner.run("/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1"))
                .isEqualTo(128 + 9);
    }
}
