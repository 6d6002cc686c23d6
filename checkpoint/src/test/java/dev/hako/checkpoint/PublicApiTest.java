package dev.hako.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.testing.PublicSignatures;
import org.junit.jupiter.api.Test;

/** A module-path user of dev.hako.checkpoint can read every type its public API names. */
class PublicApiTest {

    @Test
    void publicSignaturesNameOnlyTypesUsersCanRead() {
        PublicSignatures api = PublicSignatures.ofModuleOf(Checkpoint.class);

        assertThat(api.members()).contains("dev.hako.checkpoint.Checkpoint.of(ContainerProcess)");
        assertThat(api.leaks()).isEmpty();
    }
}
