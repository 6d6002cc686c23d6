package dev.hako.syscalls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** Runs after every other test class of this module: no descriptor was leaked. */
@Order(Integer.MAX_VALUE)
class FdCountUnchangedTest {

    @Test
    void theSuiteLeftNoDescriptorOpen() throws InterruptedException {
        assertThat(FdBaseline.atStart).as("baseline recorded by FdBaseline").isNotNull();
        // Fds owned by unreachable Fd objects are closed by the Cleaner; give it a chance
        // so that only real leaks (numbers nobody owns) remain.
        List<String> now = FdBaseline.openDescriptors();
        for (int i = 0; i < 20 && !new ArrayList<>(FdBaseline.atStart).containsAll(now); i++) {
            System.gc();
            Thread.sleep(50);
            now = FdBaseline.openDescriptors();
        }
        List<String> leaked = new ArrayList<>(now);
        leaked.removeAll(FdBaseline.atStart);
        assertThat(leaked).as("descriptors opened by the suite and never closed").isEmpty();
    }
}
