package dev.hako.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Redirect;
import dev.hako.testing.Privileged;
import dev.hako.testing.Requirement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** CRIU's own decoder, crit (Debian package criu), reads Hako's image files. */
@Timeout(120)
@Privileged(value = {Requirement.ROOT, Requirement.FREEZER}, programs = "crit")
class CritDecodeTest {

    @Test
    void critDecodesEveryImageFile() throws Exception {
        Path program = Fixtures.checksumProgram();
        try (Fixtures fixtures = new Fixtures()) {
            Path out = fixtures.work.resolve("out");
            try (ContainerProcess process = fixtures.container(program.toString(), "sleep", "100000")
                    .redirectOutput(Redirect.to(out)).start()) {
                Fixtures.awaitLines(out, 2, Duration.ofSeconds(30));
                Path image = fixtures.work.resolve("image");
                Checkpoint.of(process).leaveRunning(true).dump(image);
                assertThat(crit(image.resolve("inventory.img"))).contains("\"img_version\": 2");
                assertThat(crit(image.resolve("pstree.img"))).contains("\"pid\": 1").contains("\"ppid\": 0");
                assertThat(crit(image.resolve("core-1.img"))).contains("\"mtype\": \"X86_64\"")
                        .contains("\"comm\": \"checksum\"");
                assertThat(crit(image.resolve("mm-1.img"))).contains("\"vmas\"").contains("\"mm_saved_auxv\"");
                assertThat(crit(image.resolve("pagemap-1.img"))).contains("\"nr_pages\"");
                assertThat(crit(image.resolve("fdinfo-1.img"))).contains("\"fd\": 1");
                assertThat(crit(image.resolve("files.img"))).contains("\"type\": \"REG\"")
                        .contains("\"name\": \"" + out + "\"");
            }
        }
    }

    private static String crit(Path file) throws Exception {
        Process crit = new ProcessBuilder("crit", "decode", "-i", file.toString(), "--pretty")
                .redirectErrorStream(true).start();
        assertThat(crit.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(crit.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(crit.exitValue()).as(file.getFileName() + ": " + output).isZero();
        return output;
    }
}
