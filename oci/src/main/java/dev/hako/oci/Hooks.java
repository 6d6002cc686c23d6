package dev.hako.oci;

import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.NamespaceJoin;
import dev.hako.namespaces.Redirect;
import dev.hako.syscalls.NamespaceType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the config's hooks with the state JSON on their standard input, as the runtime
 * spec's lifecycle says: prestart (deprecated) and createRuntime in the runtime's
 * namespaces after create, createContainer and startContainer inside the container's
 * namespaces, poststart and poststop in the runtime's namespaces. A failing hook of the
 * first four fails the call; of the last two it is logged as a warning.
 *
 * @see <a href="https://github.com/opencontainers/runtime-spec/blob/main/config.md#posix-platform-hooks">runtime-spec: hooks</a>
 */
final class Hooks {

    private Hooks() {
    }

    /** Runs the hooks of {@code kind} as children of this process, in its namespaces. */
    static void run(Config config, String kind, ContainerState state, RuntimeLog log, boolean fatal)
            throws IOException {
        List<Config.Hook> hooks = config.hooks().getOrDefault(kind, List.of());
        for (int i = 0; i < hooks.size(); i++) {
            Config.Hook hook = hooks.get(i);
            ProcessBuilder builder = new ProcessBuilder(command(hook)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().clear();
            for (String entry : hook.env()) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    builder.environment().put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
            String failure;
            try {
                Process process = builder.start();
                try (OutputStream in = process.getOutputStream()) {
                    in.write(state.stateJson(statusAt(kind)).getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // the hook need not read its input
                }
                failure = await(process, hook);
            } catch (IOException e) {
                failure = e.getMessage();
            }
            report(kind, i, hook, failure, log, fatal);
        }
    }

    /** Runs the hooks of {@code kind} inside the container's namespaces, through Hako. */
    static void runInContainer(Config config, String kind, ContainerState state, RuntimeLog log) throws IOException {
        List<Config.Hook> hooks = config.hooks().getOrDefault(kind, List.of());
        if (hooks.isEmpty()) {
            return;
        }
        Path input = state.directory().resolve(kind + ".json");
        Files.writeString(input, state.stateJson(statusAt(kind)));
        try {
            for (int i = 0; i < hooks.size(); i++) {
                Config.Hook hook = hooks.get(i);
                ContainerBuilder builder = new ContainerBuilder(command(hook)).privileged()
                        .redirectInput(Redirect.from(input)).redirectOutput(Redirect.to(Path.of("/dev/null")))
                        .redirectError(Redirect.to(Path.of("/dev/null")));
                builder.environment().clear();
                for (String entry : hook.env()) {
                    int eq = entry.indexOf('=');
                    if (eq > 0) {
                        builder.environment().put(entry.substring(0, eq), entry.substring(eq + 1));
                    }
                }
                for (String type : state.namespaces()) {
                    builder.join(NamespaceType.valueOf(type), NamespaceJoin.ofPid(state.pid()));
                }
                String failure;
                try (ContainerProcess process = builder.start()) {
                    failure = await(process, hook);
                } catch (IOException | IllegalArgumentException e) {
                    failure = e.getMessage();
                }
                report(kind, i, hook, failure, log, true);
            }
        } finally {
            Files.deleteIfExists(input);
        }
    }

    /**
     * The status a hook's state shows: the moment of the lifecycle it belongs to, not a
     * fresh look (a short process may already have ended when poststart runs).
     */
    static ContainerState.Status statusAt(String kind) {
        return switch (kind) {
            case "poststart" -> ContainerState.Status.RUNNING;
            case "poststop" -> ContainerState.Status.STOPPED;
            default -> ContainerState.Status.CREATED;
        };
    }

    private static List<String> command(Config.Hook hook) {
        List<String> command = new ArrayList<>();
        command.add(hook.path());
        // args[0] is the hook's argv[0]; a Java child's argv[0] is its path.
        if (hook.args().size() > 1) {
            command.addAll(hook.args().subList(1, hook.args().size()));
        }
        return command;
    }

    private static String await(Process process, Config.Hook hook) {
        try {
            long seconds = hook.timeout() == null ? 60 : hook.timeout();
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                return "did not finish within " + seconds + " s and was killed";
            }
            return process.exitValue() == 0 ? null : "exited with status " + process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return "interrupted";
        }
    }

    private static void report(String kind, int index, Config.Hook hook, String failure, RuntimeLog log, boolean fatal) {
        if (failure == null) {
            return;
        }
        String message = "hooks." + kind + "[" + index + "] " + hook.path() + ": " + failure;
        if (fatal) {
            throw new RuntimeError(message);
        }
        log.warning(message);
    }
}
