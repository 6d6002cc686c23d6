package dev.hako.syscalls;

import dev.hako.testing.OpenDescriptors;
import java.util.List;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Records the JVM's open descriptors when the test session opens, so that
 * {@link FdCountUnchangedTest} can check, after the whole suite, that syscall wrappers
 * and tests closed everything they opened. Only what the JVM itself opens is left out
 * (see {@link OpenDescriptors}); directories and O_PATH descriptors count.
 */
public final class FdBaseline implements LauncherSessionListener {

    static volatile List<String> atStart;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        OpenDescriptors.openWhatTheJvmKeeps();
        atStart = OpenDescriptors.list();
    }
}
