package dev.hako.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** runc's command-line contract: flag spellings, signals, the log format, ids. */
class CommandLineTest {

    @TempDir
    Path temp;

    private static HakoOci.Args create(String... args) {
        return HakoOci.parse(args, 0, Set.of("bundle", "pid-file", "console-socket"), Set.of("no-pivot"),
                Map.of("b", "bundle"), false, "create");
    }

    @Test
    void flagsTakeTheirValueAfterASpaceOrAnEqualsSign() {
        HakoOci.Args spaced = create("--bundle", "/b", "--pid-file", "/p", "--no-pivot", "c1");
        HakoOci.Args joined = create("--bundle=/b", "--pid-file=/p", "--no-pivot=true", "c1");
        for (HakoOci.Args args : new HakoOci.Args[] {spaced, joined}) {
            assertThat(args.value("bundle", null)).isEqualTo("/b");
            assertThat(args.value("pid-file", null)).isEqualTo("/p");
            assertThat(args.flag("no-pivot")).isTrue();
            assertThat(args.id("create")).isEqualTo("c1");
        }
        assertThat(create("-b", "/x", "c2").value("bundle", null)).isEqualTo("/x");
        assertThat(create("c3", "--bundle", "/y").value("bundle", null)).isEqualTo("/y");
    }

    @Test
    void badFlagsAreRefusedByName() {
        assertThatThrownBy(() -> create("--bundle")).hasMessage("create: --bundle needs a value");
        assertThatThrownBy(() -> create("--colour", "c1")).hasMessage("create: unknown option --colour");
        assertThatThrownBy(() -> create("--no-pivot=maybe", "c1"))
                .hasMessage("create: --no-pivot takes true or false, not \"maybe\"");
        assertThatThrownBy(() -> create().id("create")).hasMessage("create: give the container id");
    }

    @Test
    void signalsByNameOrNumber() {
        assertThat(Runtime.signal("KILL")).isEqualTo(9);
        assertThat(Runtime.signal("SIGTERM")).isEqualTo(15);
        assertThat(Runtime.signal("sigusr1")).isEqualTo(10);
        assertThat(Runtime.signal("9")).isEqualTo(9);
        assertThatThrownBy(() -> Runtime.signal("SIGFOO")).hasMessage("unknown signal \"SIGFOO\"");
        assertThatThrownBy(() -> Runtime.signal("99")).hasMessage("signal 99 is outside 1..64");
    }

    @Test
    void aJsonLogHasLevelMsgAndTime() throws Exception {
        Path file = temp.resolve("log.json");
        new RuntimeLog(file.toString(), "json").warning("first");
        new RuntimeLog(file.toString(), "json").warning("say \"hi\"");
        var lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        JsonNode last = Bundles.JSON.readTree(lines.get(1));
        assertThat(last.get("level").asText()).isEqualTo("warning");
        assertThat(last.get("msg").asText()).isEqualTo("say \"hi\"");
        assertThat(java.time.Instant.parse(last.get("time").asText())).isNotNull();
        assertThatThrownBy(() -> new RuntimeLog(null, "xml")).hasMessage("--log-format xml is not text or json");
    }

    @Test
    void idsCannotNameOtherDirectories() {
        assertThatThrownBy(() -> ContainerState.directoryOf(temp, "../etc"))
                .hasMessage("invalid container id \"../etc\": use letters, digits, '_', '+', '-' and '.'");
        assertThatThrownBy(() -> ContainerState.directoryOf(temp, "..")).hasMessageStartingWith("invalid container id");
        assertThat(ContainerState.directoryOf(temp, "a-b.c_1")).isEqualTo(temp.resolve("a-b.c_1"));
    }

    @Test
    void aMissingContainerDoesNotExist() {
        Runtime runtime = new Runtime(temp, new RuntimeLog(null, "text"), System.out);
        assertThatThrownBy(() -> runtime.run("state", new String[] {"state", "ghost"}, 1))
                .hasMessage("container \"ghost\" does not exist");
        assertThatThrownBy(() -> runtime.run("kill", new String[] {"kill", "ghost", "KILL"}, 1))
                .hasMessage("container \"ghost\" does not exist");
    }
}
