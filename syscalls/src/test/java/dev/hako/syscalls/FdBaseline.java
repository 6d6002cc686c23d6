package dev.hako.syscalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Records the JVM's open descriptors when the test session opens, so that
 * {@link FdCountUnchangedTest} can check, after the whole suite, that syscall wrappers
 * and tests closed everything they opened.
 */
public final class FdBaseline implements LauncherSessionListener {

    static volatile List<String> atStart;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        // The JDK opens /dev/random and /dev/urandom once, on first use of SecureRandom
        // (temporary directory names use it) and keeps them: open them before counting.
        try {
            Files.delete(Files.createTempDirectory("hako-fd-baseline"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        atStart = openDescriptors();
    }

    /**
     * Lists open descriptors as "number -> target", leaving out jar files and directories
     * the class loader keeps open as classes are loaded: they come and go with class
     * loading, not with anything a test does.
     */
    static List<String> openDescriptors() {
        List<String> result = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // the descriptor used to list the directory itself
                }
                if (target.endsWith(".jar") || target.endsWith(".zip") || target.endsWith(".jmod")
                        || Files.isDirectory(Path.of(target))) {
                    continue;
                }
                result.add(fd.getFileName() + " -> " + target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        result.sort(null);
        return result;
    }
}
