package dev.hako.namespaces;

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
        // The launch server's socket, memfd and pidfd live as long as it does; tests replace
        // it, so the one running now is ended first, which must close all three.
        dev.hako.namespaces.launch.LaunchServer.shutdown();
        // Counted at once, with no System.gc() first: an Fd only the Cleaner would close is a leak.
        assertThat(OpenDescriptors.added(FdBaseline.atStart, OpenDescriptors.list()))
                .as("descriptors opened by the suite and never closed").isEmpty();
    }
}
