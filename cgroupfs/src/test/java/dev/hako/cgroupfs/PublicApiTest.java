package dev.hako.cgroupfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.testing.PublicSignatures;
import org.junit.jupiter.api.Test;

/** A module-path user of dev.hako.cgroupfs can read every type its public API names. */
class PublicApiTest {

    @Test
    void publicSignaturesNameOnlyTypesUsersCanRead() {
        PublicSignatures api = PublicSignatures.ofModuleOf(Cgroup.class);

        assertThat(api.members()).contains("dev.hako.cgroupfs.Cgroup.path()");
        assertThat(api.leaks()).isEmpty();
    }
}
