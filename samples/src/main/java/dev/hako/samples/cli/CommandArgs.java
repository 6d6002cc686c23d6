package dev.hako.samples.cli;

import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks that a payload command came after "--". picocli accepts positional words anywhere,
 * but {@code hako run ls -l} is ambiguous (is {@code -l} hako's?), so, as with
 * {@code unshare} and {@code bwrap} scripts that break when an option is added, the rule
 * is that the payload always follows "--".
 */
final class CommandArgs {

    private CommandArgs() {
    }

    /**
     * Throws a usage error unless {@code command} is non-empty and is exactly what followed
     * the first "--".
     */
    static void requireAfterSeparator(CommandSpec spec, List<String> command) {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        int separator = args.indexOf("--");
        if (separator < 0) {
            throw new ParameterException(spec.commandLine(), command.isEmpty()
                    ? "missing '--' and the command to run after it"
                    : "missing '--' before the command '" + command.getFirst() + "'");
        }
        int after = args.size() - separator - 1;
        if (command.size() != after) {
            String stray = command.getFirst();
            throw new ParameterException(spec.commandLine(),
                    "missing '--' before the command '" + stray + "'");
        }
        if (command.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "missing the command to run after '--'");
        }
    }
}
