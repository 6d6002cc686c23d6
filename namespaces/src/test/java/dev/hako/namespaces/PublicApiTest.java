package dev.hako.namespaces;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.testing.PublicSignatures;
import org.junit.jupiter.api.Test;

/** A module-path user of dev.hako.namespaces can read every type its public API names. */
class PublicApiTest {

    @Test
    void publicSignaturesNameOnlyTypesUsersCanRead() {
        PublicSignatures api = PublicSignatures.ofModuleOf(SeccompProfile.class);

        assertThat(api.members()).contains("dev.hako.namespaces.SeccompProfile$Builder.allowOn(Architecture, String[])");
        assertThat(api.leaks()).isEmpty();
    }
}
