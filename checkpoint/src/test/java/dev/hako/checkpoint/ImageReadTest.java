package dev.hako.checkpoint;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a directory that holds no image. */
class ImageReadTest {

    @Test
    void aDirectoryWithoutInventoryIsNotAnImage(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "hello");
        assertThatThrownBy(() -> ImageDescription.read(dir)).isInstanceOf(IOException.class)
                .hasMessage(dir + " is not a checkpoint image: it has no inventory.img");
        assertThatThrownBy(() -> Restore.from(dir).container(Fixtures.checkpointable(
                new dev.hako.namespaces.ContainerBuilder("/bin/true"))).start()).isInstanceOf(IOException.class)
                .hasMessage(dir + " is not a checkpoint image: it has no inventory.img");
    }
}
