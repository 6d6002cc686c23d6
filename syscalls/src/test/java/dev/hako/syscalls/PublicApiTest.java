package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.testing.PublicSignatures;
import org.junit.jupiter.api.Test;

/** A module-path user of dev.hako.syscalls can read every type its public API names. */
class PublicApiTest {

    @Test
    void publicSignaturesNameOnlyTypesUsersCanRead() {
        PublicSignatures api = PublicSignatures.ofModuleOf(Fd.class);

        assertThat(api.members()).contains("dev.hako.syscalls.Fd.value()");
        assertThat(api.leaks()).isEmpty();
    }
}
