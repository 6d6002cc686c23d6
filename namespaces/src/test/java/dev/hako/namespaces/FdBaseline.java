package dev.hako.namespaces;

import dev.hako.testing.OpenDescriptors;
import java.util.List;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Records the JVM's open descriptors when the test session opens, so that
 * {@link FdCountUnchangedTest} can check after the whole suite that launches, their
 * O_PATH and directory descriptors included, left nothing open. The reaper's epoll
 * instance lives as long as the JVM and is opened first.
 */
public final class FdBaseline implements LauncherSessionListener {

    static volatile List<String> atStart;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        Payloads.openLongLivedDescriptors();
        atStart = OpenDescriptors.list();
    }
}
