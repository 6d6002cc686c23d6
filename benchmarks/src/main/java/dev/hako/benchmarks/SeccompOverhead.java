package dev.hako.benchmarks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.ContainerProcess;
import dev.hako.namespaces.Redirect;
import dev.hako.namespaces.SeccompAction;
import dev.hako.namespaces.SeccompProfile;
import dev.hako.syscalls.NamespaceType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * B7, what a seccomp filter costs per syscall: {@code benchmarks/c/syscall_loop.c} makes
 * {@code getpid} and 4 KiB {@code read} calls in a loop inside containers (B3's namespaces)
 * and measures the loop's CPU time per call (not elapsed time, which on a shared machine
 * holds the waits for a core); the containers are started three ways, in one run, the order
 * rotating from round to round:
 * <ul>
 *   <li>{@code none}: {@link SeccompProfile#unconfined()}, no filter (the baseline);</li>
 *   <li>{@code default}: {@link SeccompProfile#defaultProfile()}, whose allowed calls are
 *       decided without reading arguments, so the kernel's action cache (Linux 5.11) can
 *       skip the filter for them;</li>
 *   <li>{@code uncached}: a small filter that compares an argument of getpid and read (a
 *       comparison that always holds), so the kernel must run it on every call: what a
 *       filter costs when the cache cannot help.</li>
 * </ul>
 */
public final class SeccompOverhead {

    /** The variants, in the order of round 0. */
    public static final List<String> VARIANTS = List.of("none", "default", "uncached");
    /** The loops. */
    public static final List<String> MODES = List.of("getpid", "read4k");

    /**
     * Settings of one B7 run.
     *
     * @param rounds      rounds; each runs every mode under every variant once
     * @param getpidCalls getpid calls per run
     * @param readCalls   4 KiB reads per run
     */
    public record Config(int rounds, long getpidCalls, long readCalls) {
    }

    private SeccompOverhead() {
    }

    /** The filters of the three variants. */
    static Map<String, SeccompProfile> profiles() {
        Map<String, SeccompProfile> profiles = new LinkedHashMap<>();
        profiles.put("none", SeccompProfile.unconfined());
        profiles.put("default", SeccompProfile.defaultProfile());
        profiles.put("uncached", SeccompProfile.builder()
                .defaultAction(SeccompAction.ALLOW)
                .rule("getpid", SeccompAction.ALLOW, SeccompProfile.ArgCheck.le(0, -1L))
                .rule("read", SeccompAction.ALLOW, SeccompProfile.ArgCheck.le(2, -1L))
                .build());
        return profiles;
    }

    /** Runs B7 and returns its results. */
    public static ObjectNode run(Config config) throws IOException, InterruptedException {
        Path program = NativeBuild.program(NativeBuild.SYSCALL_LOOP);
        Map<String, SeccompProfile> profiles = profiles();
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.putObject("config").put("rounds", config.rounds()).put("getpidCalls", config.getpidCalls())
                .put("readCalls", config.readCalls());
        ObjectNode filters = out.putObject("filters");
        for (Map.Entry<String, SeccompProfile> p : profiles.entrySet()) {
            filters.put(p.getKey(), p.getValue().isUnconfined() ? 0 : p.getValue().instructionCount(SeccompProfile.Architecture.current()));
        }
        ArrayNode runs = out.putArray("runs");
        for (int round = 0; round < config.rounds(); round++) {
            for (String mode : MODES) {
                long calls = mode.equals("getpid") ? config.getpidCalls() : config.readCalls();
                for (int i = 0; i < VARIANTS.size(); i++) {
                    String variant = VARIANTS.get((i + round) % VARIANTS.size());
                    double ns = runOnce(program, mode, calls, profiles.get(variant));
                    runs.addObject().put("mode", mode).put("variant", variant).put("round", round)
                            .put("nsPerCall", ns);
                }
            }
        }
        return out;
    }

    private static double runOnce(Path program, String mode, long calls, SeccompProfile profile)
            throws IOException, InterruptedException {
        ContainerBuilder builder = new ContainerBuilder(program.toString(), mode, Long.toString(calls))
                .namespaces(Overhead.NAMESPACES.toArray(NamespaceType[]::new))
                .seccomp(profile)
                .redirectOutput(Redirect.PIPE)
                .redirectError(Redirect.INHERIT);
        try (ContainerProcess p = builder.start()) {
            String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("syscall_loop " + mode + " did not finish within 5 minutes");
            }
            if (p.exitValue() != 0 || line.isEmpty()) {
                throw new IOException("syscall_loop " + mode + " exited with " + p.exitValue() + " and printed \""
                        + line + "\"");
            }
            String[] fields = line.split(" "); // CPU ns, calls, elapsed ns
            return Double.parseDouble(fields[0]) / Double.parseDouble(fields[1]);
        }
    }
}
