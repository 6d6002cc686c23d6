package dev.hako.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The parts of the command that need no privileges: help, usage errors, features, messages. */
@Timeout(60)
class HakoCommandTest {

    @ParameterizedTest
    @ValueSource(strings = {"run", "enter", "ps", "top", "features", "cgroup", "cgroup create", "cgroup set",
            "cgroup stats", "cgroup freeze", "cgroup thaw", "cgroup kill", "cgroup delete", "generate-completion"})
    void everySubcommandHasHelp(String subcommand) {
        String[] words = (subcommand + " --help").split(" ");
        Cli.Result result = Cli.run(words);
        assertThat(result.status()).isZero();
        assertThat(result.out()).startsWith("Usage: hako " + subcommand);
    }

    @Test
    void topLevelHelpListsTheSubcommands() {
        Cli.Result result = Cli.run("--help");
        assertThat(result.status()).isZero();
        assertThat(result.out()).contains("run", "enter", "ps", "top", "features", "cgroup", "generate-completion");
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        Cli.Result result = Cli.run("frobnicate");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("""
                hako: unknown subcommand 'frobnicate'
                Usage: hako [-hV] [--debug] [COMMAND]
                Try 'hako --help' for more information.
                """);
    }

    @Test
    void unknownOptionIsAUsageError() {
        Cli.Result result = Cli.run("run", "--frob", "--", "/bin/true");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err().lines().toList()).containsExactly("hako run: unknown option '--frob'",
                "Usage: hako run [OPTIONS] -- CMD [ARGS...]", "Try 'hako run --help' for more information.");
    }

    @Test
    void commandWithoutSeparatorIsAUsageError() {
        Cli.Result result = Cli.run("run", "--hostname", "x", "/bin/true");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err().lines().findFirst()).hasValue("hako run: missing '--' before the command '/bin/true'");
        assertThat(result.err()).contains("Usage: hako run [OPTIONS] -- CMD [ARGS...]");
    }

    @Test
    void commandBeforeAndAfterSeparatorIsAUsageError() {
        Cli.Result result = Cli.run("run", "ls", "--", "-l");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err().lines().findFirst()).hasValue("hako run: missing '--' before the command 'ls'");
    }

    @Test
    void separatorWithoutCommandIsAUsageError() {
        Cli.Result result = Cli.run("run", "--");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err().lines().findFirst()).hasValue("hako run: missing the command to run after '--'");
    }

    @Test
    void enterWithoutSeparatorIsAUsageError() {
        Cli.Result result = Cli.run("enter", "1", "/bin/sh");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err().lines().findFirst()).hasValue("hako enter: missing '--' before the command '/bin/sh'");
    }

    @Test
    void badSizeNamesTheOption() {
        Cli.Result result = Cli.run("run", "--memory", "lots", "--", "/bin/true");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err().lines().findFirst()).hasValue("hako run: invalid value for option '--memory':"
                + " 'lots' is not a size; write bytes or a number with K, M, G or T (binary units), e.g. 256M, or max");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            --io-read-bps  | /nonexistent=1M | invalid value for option '--io-read-bps' (DEV=RATE): no such device /nonexistent
            --io-write-bps | /dev/null=1M    | invalid value for option '--io-write-bps' (DEV=RATE): /dev/null is not a block device: io limits name block devices
            --io-read-bps  | sda=1M          | invalid value for option '--io-read-bps' (DEV=RATE): 'sda' is neither a block device path such as /dev/sda nor MAJOR:MINOR such as 8:0
            --io-read-bps  | 8:0=fast        | invalid value for option '--io-read-bps' (DEV=RATE): 'fast' is not a size; write bytes or a number with K, M, G or T (binary units), e.g. 256M, or max
            --io-write-bps | 8:0             | value for option '--io-write-bps' (DEV=RATE) should be in KEY=VALUE format but was 8:0
            """)
    void badIoLimitIsAUsageErrorNamingTheOption(String flag, String value, String message) {
        Cli.Result result = Cli.run("run", flag, value, "--", "/bin/true");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err().lines().findFirst()).hasValue("hako run: " + message);
    }

    @Test
    void missingSubcommandIsAUsageError() {
        assertThat(Cli.run().status()).isEqualTo(2);
        Cli.Result cgroup = Cli.run("cgroup");
        assertThat(cgroup.status()).isEqualTo(2);
        assertThat(cgroup.err().lines().findFirst())
                .hasValue("hako cgroup: missing a subcommand: create, set, stats, freeze, thaw, kill or delete");
    }

    @Test
    void libraryErrorsPrintTheirMessageWithoutAStackTrace() {
        Cli.Result result = Cli.run("cgroup", "stats", "/hako/no-such-group-" + ProcessHandle.current().pid());
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).startsWith("hako: ").contains("no-such-group").doesNotContain("\tat ");
        assertThat(result.err().lines()).hasSize(1);
    }

    @Test
    void debugPrintsTheStackTrace() {
        Cli.Result result = Cli.run("--debug", "cgroup", "stats", "/hako/no-such-group-" + ProcessHandle.current().pid());
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).contains("NoSuchFileException").contains("\tat ");
    }

    @Test
    void featuresPrintsATable() {
        Cli.Result result = Cli.run("features");
        assertThat(result.status()).isZero();
        assertThat(result.out()).contains("kernel", "clone3", "CLONE_INTO_CGROUP", "cgroups");
    }

    @Test
    void featuresPrintsJson() throws Exception {
        Cli.Result result = Cli.run("features", "--json");
        assertThat(result.status()).isZero();
        JsonNode root = new ObjectMapper().readTree(result.out());
        assertThat(root.get("kernel").asText()).isNotEmpty();
        assertThat(root.get("features").isArray()).isTrue();
        assertThat(root.get("features").get(0).get("name").asText()).isEqualTo("CLONE3");
        assertThat(root.get("features").get(0).has("available")).isTrue();
    }

    @Test
    void generatesBashCompletion() {
        Cli.Result result = Cli.run("generate-completion");
        assertThat(result.status()).isZero();
        assertThat(result.out()).contains("complete -F").contains("hako");
    }

    @Test
    void dryRunPrintsThePlanAndStartsNothing() {
        Cli.Result result = Cli.run("run", "--dry-run", "--name", "dry-run-test", "--memory", "64M",
                "--hostname", "demo", "--", "/bin/true");
        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).contains("clone3").contains("demo").contains("/bin/true");
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/sys/fs/cgroup/memory/hako/dry-run-test")))
                .isFalse();
    }
}
