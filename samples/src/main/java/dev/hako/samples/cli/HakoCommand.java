package dev.hako.samples.cli;

import dev.hako.namespaces.Launchers;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code hako} command: runs commands in fresh namespaces under cgroup limits, enters
 * running ones, shows the groups Hako made and what the kernel offers.
 *
 * <p>Exit codes: the payload's status for {@code run}, {@code enter} and {@code restore} (128 plus the
 * signal number when a signal killed it, as a shell reports it); 2 for a usage error;
 * {@value #RUN_FAILED} when {@code run}, {@code enter} or {@code restore} failed before or while starting
 * the payload (as {@code env} and container runtimes use it, so it rarely collides with a
 * payload's own status); 1 when another subcommand failed.
 */
@Command(name = "hako", mixinStandardHelpOptions = true, versionProvider = HakoCommand.Version.class,
        description = "Linux containers from pure Java: namespaces, cgroups and pidfds.",
        subcommands = {RunCommand.class, EnterCommand.class, PsCommand.class, TopCommand.class,
                FeaturesCommand.class, CgroupCommand.class, CheckpointCommand.class, RestoreCommand.class,
                ImageCommand.class, AutoComplete.GenerateCompletion.class})
public final class HakoCommand implements Callable<Integer> {

    /** Exit status when run or enter could not start the payload. */
    public static final int RUN_FAILED = 125;
    /** Exit status for a bad flag, unknown subcommand or missing argument. */
    public static final int USAGE = 2;
    /** Exit status when a subcommand other than run or enter failed. */
    public static final int FAILED = 1;

    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the stack trace of an error, not just its message.")
    boolean debug;

    /**
     * Whether a payload shares this JVM's standard streams. True for the real command; an
     * embedding program (or a test) that captures output through the picocli writers sets
     * it false so the payload's output is copied into those writers instead.
     */
    final boolean inheritStdio;

    /** A command whose payloads share the JVM's standard streams. */
    public HakoCommand() {
        this(true);
    }

    /**
     * A command; see {@link #newCommandLine(PrintWriter, PrintWriter, boolean)}.
     *
     * @param inheritStdio whether payloads write to this JVM's standard streams directly
     */
    public HakoCommand(boolean inheritStdio) {
        this.inheritStdio = inheritStdio;
    }

    /**
     * Runs the command and exits with its status.
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        // A command JVM starts one container: forking it costs less than starting Hako's
        // launch server for that start (1.6 s more per `hako run` measured, oci/README.md).
        // -Dhako.launcher=server (HAKO_JAVA_OPTS for the ./hako script) still chooses it.
        if (System.getProperty(Launchers.PROPERTY) == null) {
            System.setProperty(Launchers.PROPERTY, "in-process");
        }
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int status = newCommandLine(out, err, true).execute(args);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /**
     * A configured command line: usage errors exit 2 with the usage line and one sentence,
     * library errors print their message (with a stack trace only under {@code --debug}).
     *
     * @param out          where output goes
     * @param err          where errors go
     * @param inheritStdio whether payloads of run and enter write to the JVM's own standard
     *                     streams (true) or are copied into {@code out} and {@code err}
     * @return the command line, ready to {@code execute}
     */
    public static CommandLine newCommandLine(PrintWriter out, PrintWriter err, boolean inheritStdio) {
        CommandLine line = new CommandLine(new HakoCommand(inheritStdio));
        // Plain text everywhere: colours would end up in logs and in captured output.
        line.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        line.setOut(out);
        line.setErr(err);
        line.setParameterExceptionHandler(HakoCommand::usageError);
        line.setExecutionExceptionHandler(HakoCommand::failure);
        return line;
    }

    /** Without a subcommand there is nothing to do: a usage error naming the common ones. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(),
                "missing a subcommand such as run, enter, ps, top, features or cgroup");
    }

    /** Prints one sentence saying what was wrong, then the usage line. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(qualifiedName(cmd) + ": " + sentence(e));
        CommandLine.Help help = cmd.getHelp();
        String heading = help.synopsisHeading();
        err.print(heading + help.synopsis(heading.length()));
        err.println("Try '" + qualifiedName(cmd) + " --help' for more information.");
        err.flush();
        return USAGE;
    }

    /**
     * Rewords picocli's messages about unmatched words, which speak of argument indexes, and
     * mends its doubled word in the message about a map option's value without '='.
     */
    private static String sentence(ParameterException e) {
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String word = unmatched.getUnmatched().getFirst();
            if (word.startsWith("-")) {
                return "unknown option '" + word + "'";
            }
            if (!e.getCommandLine().getSubcommands().isEmpty()) {
                return "unknown subcommand '" + word + "'";
            }
            return "unexpected argument '" + word + "'";
        }
        // picocli 4.7 says "Value for option option '--x' (K=V) should be in KEY=VALUE format" for a
        // map option's value without '='; one "option" is enough.
        String message = e.getMessage().replace("option option '", "option '");
        return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }

    /** "hako cgroup stats" rather than "stats". */
    static String qualifiedName(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName();
    }

    /** Prints a failure's message, and its stack trace only when --debug was given. */
    private static int failure(Exception e, CommandLine cmd, ParseResult parsed) {
        if (e instanceof ParameterException usage) {
            return usageError(usage, parsed.originalArgs().toArray(String[]::new));
        }
        PrintWriter err = cmd.getErr();
        if (debugRequested(parsed.originalArgs())) {
            e.printStackTrace(err);
        } else {
            String message = e.getMessage();
            err.println("hako: " + (message == null || message.isBlank() ? e.getClass().getSimpleName() : message));
        }
        err.flush();
        String name = cmd.getCommandName();
        return name.equals("run") || name.equals("enter") || name.equals("restore") ? RUN_FAILED : FAILED;
    }

    /**
     * Whether {@code --debug} came before any "--". Read from the arguments rather than the
     * field because an inherited option is set on the subcommand that parsed it.
     */
    private static boolean debugRequested(List<String> args) {
        for (String arg : args) {
            if (arg.equals("--")) {
                return false;
            }
            if (arg.equals("--debug")) {
                return true;
            }
        }
        return false;
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = HakoCommand.class.getPackage().getImplementationVersion();
            return new String[] {"hako " + (version == null ? "(development build)" : version)};
        }
    }
}
