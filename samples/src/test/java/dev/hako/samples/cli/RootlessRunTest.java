package dev.hako.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code hako run} started by an ordinary user (nobody, through setpriv): it maps root to
 * that user in a new user namespace instead of failing, and a limit that needs a cgroup
 * the user may not create fails with one sentence that says why and what to do.
 */
@Privileged(value = {Requirement.ROOT, Requirement.USER_NAMESPACES}, programs = "setpriv")
@Timeout(120)
class RootlessRunTest {

    private static final int NOBODY = 65534;
    private static Path classPathCopy;
    private static String classPath;

    /** The test's class path, copied where nobody can read it (a build tree under /root is not readable). */
    @BeforeAll
    static void copyClassPath() throws IOException {
        classPathCopy = Files.createTempDirectory("hako-rootless",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.exists(source)) {
                continue;
            }
            Path target = classPathCopy.resolve((n++) + "-" + source.getFileName());
            try (Stream<Path> tree = Files.walk(source)) {
                for (Path path : tree.toList()) {
                    Path copy = target.resolve(source.relativize(path).toString());
                    if (Files.isDirectory(path)) {
                        Files.createDirectories(copy);
                    } else {
                        Files.copy(path, copy);
                    }
                    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString(
                            Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
            entries.add(target.toString());
        }
        classPath = String.join(File.pathSeparator, entries);
    }

    @AfterAll
    static void removeCopy() throws IOException {
        if (classPathCopy != null) {
            try (Stream<Path> tree = Files.walk(classPathCopy)) {
                for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    /** What hako printed and how it exited, run as nobody. */
    private record Run(int status, String out, String err) {
    }

    private static Run hakoAsNobody(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                "--clear-groups", "--", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath, HakoCommand.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(classPathCopy.toFile());
        builder.environment().put("HOME", classPathCopy.toString());
        Path err = Files.createTempFile("hako-rootless", ".err");
        try {
            Process process = builder.redirectError(err.toFile()).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("hako as nobody did not exit within 60 s");
            }
            return new Run(process.exitValue(), out, Files.readString(err));
        } finally {
            Files.delete(err);
        }
    }

    @Test
    void anOrdinaryUserGetsRootMappedToItself() throws Exception {
        Run run = hakoAsNobody("run", "--", "/bin/sh", "-c", "id -u; cat /proc/self/uid_map; echo $$");
        assertThat(run.status()).as(run.err()).isZero();
        List<String> lines = run.out().lines().map(String::strip).toList();
        assertThat(lines.get(0)).isEqualTo("0");
        assertThat(lines.get(1).split("\\s+")).containsExactly("0", Integer.toString(NOBODY), "1");
        assertThat(lines.get(2)).isEqualTo("1");
    }

    @Test
    void aLimitWithoutADelegatedCgroupSaysWhy() throws Exception {
        Run run = hakoAsNobody("run", "--memory", "64M", "--", "/bin/true");
        assertThat(run.status()).isNotZero();
        assertThat(run.err()).contains("cannot create cgroup /sys/fs/cgroup/")
                .contains("EACCES (permission denied)")
                .contains("is not writable by this user. Run as root, or in a cgroup delegated to you");
    }
}
