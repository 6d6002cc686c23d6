package dev.hako.oci;

import dev.hako.namespaces.Launchers;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code hako-oci} command: an OCI runtime with runc's command line, as containerd's
 * runc shim (go-runc) calls it. Global options come before the subcommand, each as
 * {@code --flag value} or {@code --flag=value}:
 * <pre>
 * hako-oci [--root DIR] [--log FILE] [--log-format text|json] COMMAND [OPTIONS] ID ...
 *   create --bundle DIR [--pid-file F] [--console-socket S] [--no-pivot] [--no-new-keyring] ID
 *   start ID | state ID | kill [--all] ID [SIGNAL] | delete [--force] ID
 *   exec --process FILE [--detach] [--pid-file F] [--console-socket S] ID
 *   ps [--format json|table] ID | pause ID | resume ID | features | --version
 * </pre>
 * A failure exits with status 1 and its message on stderr and, with {@code --log}, in the
 * log ({@code --log-format json}: one {@code {"level":"error","msg":...,"time":...}} line,
 * whose msg the shim shows). Success prints nothing on stderr.
 *
 * @see <a href="https://github.com/opencontainers/runtime-spec/blob/main/runtime.md">runtime-spec: runtime.md</a>
 */
public final class HakoOci {

    /** The version {@code --version} prints. */
    static final String VERSION = "0.1.0";

    private HakoOci() {
    }

    /** Options of one command line: flags with values, boolean flags and positionals. */
    static final class Args {
        final Map<String, List<String>> values = new HashMap<>();
        final List<String> positional = new ArrayList<>();

        String value(String name, String fallback) {
            List<String> list = values.get(name);
            return list == null ? fallback : list.getLast();
        }

        List<String> all(String name) {
            return values.getOrDefault(name, List.of());
        }

        boolean flag(String name) {
            return values.containsKey(name);
        }

        String id(String command) {
            if (positional.isEmpty()) {
                throw new RuntimeError(command + ": give the container id");
            }
            return positional.getFirst();
        }
    }

    /**
     * Parses {@code args[from..]}: options (long names with {@code --}, or a single dash
     * and one letter, mapped through {@code aliases}) until the first positional, the rest
     * positionals. Options in {@code booleans} take no value.
     */
    static Args parse(String[] args, int from, Set<String> valued, Set<String> booleans, Map<String, String> aliases,
                      boolean stopAtPositional, String command) {
        Args out = new Args();
        int i = from;
        for (; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                i++;
                break;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                if (stopAtPositional) {
                    break;
                }
                out.positional.add(arg);
                continue;
            }
            String name = arg.replaceFirst("^--?", "");
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            name = aliases.getOrDefault(name, name);
            if (booleans.contains(name)) {
                if (value != null && !value.equals("true") && !value.equals("false")) {
                    throw new RuntimeError(command + ": --" + name + " takes true or false, not \"" + value + "\"");
                }
                if (!"false".equals(value)) {
                    out.values.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
                }
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new RuntimeError(command + ": --" + name + " needs a value");
                    }
                    value = args[++i];
                }
                out.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                throw new RuntimeError(command + ": unknown option " + arg);
            }
        }
        for (; i < args.length; i++) {
            out.positional.add(args[i]);
        }
        return out;
    }

    /**
     * Runs one command line and exits with its status.
     *
     * @param args the command line after the program name
     */
    public static void main(String[] args) {
        // One short-lived JVM per call with a small heap: forking it costs less than
        // starting Hako's launch server for the one start it makes (oci/README.md).
        if (System.getProperty(Launchers.PROPERTY) == null) {
            System.setProperty(Launchers.PROPERTY, "in-process");
        }
        PrintStream stdout = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        int status = run(args, stdout);
        stdout.flush();
        System.exit(status);
    }

    /** Runs one command line, printing on {@code stdout}, and returns its exit status. */
    static int run(String[] args, PrintStream stdout) {
        RuntimeLog log = new RuntimeLog(null, "text");
        try {
            Args global = parse(args, 0, Set.of("root", "log", "log-format", "criu", "rootless"),
                    Set.of("systemd-cgroup", "debug", "version", "help"), Map.of("v", "version", "h", "help"), true,
                    "hako-oci");
            log = new RuntimeLog(global.value("log", null), global.value("log-format", "text"));
            if (global.flag("version")) {
                stdout.println("hako-oci version " + VERSION + "\nspec: " + ContainerState.OCI_VERSION);
                return 0;
            }
            if (global.flag("systemd-cgroup")) {
                throw new RuntimeError("--systemd-cgroup is not supported: hako-oci manages cgroups through cgroupfs"
                        + " paths (in containerd's runc options, set SystemdCgroup = false)");
            }
            String rootless = global.value("rootless", "false");
            if (!rootless.equals("false") && !rootless.equals("auto")) {
                throw new RuntimeError("--rootless " + rootless + " is not supported: hako-oci runs as root");
            }
            if (global.positional.isEmpty() || global.flag("help")) {
                stdout.println(usage());
                return global.flag("help") ? 0 : 1;
            }
            String command = global.positional.getFirst();
            int at = args.length - global.positional.size() + 1;
            Runtime runtime = new Runtime(Path.of(global.value("root", "/run/hako-oci")), log, stdout);
            return runtime.run(command, args, at);
        } catch (RuntimeError | InvalidConfigException e) {
            log.error(e.getMessage());
            return 1;
        } catch (IOException | RuntimeException e) {
            log.error(e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        }
    }

    static String usage() {
        return """
                usage: hako-oci [--root DIR] [--log FILE] [--log-format text|json] COMMAND [OPTIONS] ID
                commands:
                  create --bundle DIR [--pid-file F] [--console-socket S] ID   make the container, its process waiting
                  start ID                       run the process create prepared
                  state ID                       print the runtime spec's state JSON
                  kill [--all] ID [SIGNAL]       signal the init (or every process); default SIGTERM
                  delete [--force] ID            remove a stopped container (--force: kill it first)
                  exec --process FILE [--detach] [--pid-file F] ID   run another process in the container
                  ps [--format json|table] ID    list the container's processes
                  pause ID | resume ID           freeze and thaw the container's cgroup
                  features                       print what this runtime supports (JSON)
                  --version                      print the version""";
    }
}
