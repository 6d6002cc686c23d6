package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.testing.OpenDescriptors;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** Runs after every other test class of this module: no descriptor was leaked. */
@Order(Integer.MAX_VALUE)
class FdCountUnchangedTest {

    @Test
    void theSuiteLeftNoDescriptorOpen() {
        assertThat(FdBaseline.atStart).as("baseline recorded by FdBaseline").isNotNull();
        // Counted at once, with no System.gc() first: an Fd that only the Cleaner would
        // close is a leak the code made, and the check must see it.
        assertThat(OpenDescriptors.added(FdBaseline.atStart, OpenDescriptors.list()))
                .as("descriptors opened by the suite and never closed").isEmpty();
    }
}
