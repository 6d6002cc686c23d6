package dev.hako.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leak checks' view of descriptors: directories count, the JVM's own files do not. */
class OpenDescriptorsTest {

    @Test
    void anOpenDirectoryCountsUntilClosed(@TempDir Path dir) throws Exception {
        List<String> before = OpenDescriptors.list();
        try (DirectoryStream<Path> open = Files.newDirectoryStream(dir)) {
            // The JDK's directory stream holds the directory open (twice: for reading and
            // for *at calls relative to it).
            List<String> added = OpenDescriptors.added(before, OpenDescriptors.list());
            assertThat(added).isNotEmpty().allSatisfy(fd -> assertThat(fd).endsWith(" -> " + dir.toRealPath()));
        }
        assertThat(OpenDescriptors.list()).isEqualTo(before);
    }

    @Test
    void socketsCountOnceTheJvmsOwnSocketExists() throws Exception {
        OpenDescriptors.openWhatTheJvmKeeps();
        List<String> before = OpenDescriptors.list();
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(OpenDescriptors.added(before, OpenDescriptors.list())).singleElement().asString()
                    .contains(" -> socket:[");
        }
        assertThat(OpenDescriptors.list()).isEqualTo(before);
    }

    @Test
    void aFileOpenedByTestCodeCountsButTheJvmsOwnDoNot(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        List<String> before = OpenDescriptors.list();
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            assertThat(OpenDescriptors.added(before, OpenDescriptors.list())).singleElement().asString()
                    .endsWith(" -> " + file.toRealPath());
        }
        assertThat(OpenDescriptors.openedByTheJvm("/dev/urandom")).isTrue();
        assertThat(OpenDescriptors.openedByTheJvm(System.getProperty("java.home") + "/lib/modules")).isTrue();
        assertThat(OpenDescriptors.openedByTheJvm("/root/.m2/repository/org/assertj/assertj-core.jar")).isTrue();
        assertThat(OpenDescriptors.openedByTheJvm("/tmp")).isFalse();
        assertThat(OpenDescriptors.openedByTheJvm("anon_inode:[pidfd]")).isFalse();
    }
}
