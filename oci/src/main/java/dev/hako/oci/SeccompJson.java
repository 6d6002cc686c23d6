package dev.hako.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hako.namespaces.SeccompAction;
import dev.hako.namespaces.SeccompProfile;
import dev.hako.namespaces.SeccompProfile.ArgCheck;
import dev.hako.namespaces.SeccompProfile.Architecture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * Reads a seccomp profile in the JSON format of Docker's {@code --security-opt seccomp=FILE}
 * and the OCI runtime spec's {@code linux.seccomp}: {@code defaultAction},
 * {@code defaultErrnoRet}, {@code architectures} and {@code syscalls} (each with
 * {@code names}, {@code action}, {@code errnoRet} and {@code args} of {@code index},
 * {@code value}, {@code valueTwo} and {@code op}).
 *
 * <p>A name that this machine's syscall tables do not know on an architecture is skipped
 * there, as libseccomp does: such numbers get the profile's action for unknown calls
 * anyway, so skipping widens nothing. Architectures other than x86_64 and aarch64 are
 * dropped: their calls are killed by the filter's architecture check.
 *
 * <p>Used by hako-oci for {@code linux.seccomp} and by the {@code hako} command for
 * {@code --security-opt seccomp=FILE}.
 *
 * @see <a href="https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md#seccomp">runtime-spec: seccomp</a>
 */
public final class SeccompJson {

    private SeccompJson() {
    }

    /**
     * Parses the profile.
     *
     * @throws IllegalArgumentException naming the JSON path and the rule a value breaks
     */
    public static SeccompProfile read(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage());
        }
        return parse(root, file.toString());
    }

    /**
     * Parses a profile already read as JSON; {@code source} starts every error message (a
     * file name, or a JSON path such as {@code linux.seccomp}).
     *
     * @throws IllegalArgumentException naming the JSON path and the rule a value breaks
     */
    public static SeccompProfile parse(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": a seccomp profile is a JSON object");
        }
        SeccompProfile.Builder builder = SeccompProfile.builder();
        int defaultErrno = root.path("defaultErrnoRet").asInt(1); // EPERM, as runc
        builder.defaultAction(action(root.get("defaultAction"), defaultErrno, source + ": defaultAction"));
        EnumSet<Architecture> arches = EnumSet.noneOf(Architecture.class);
        JsonNode archList = root.path("architectures");
        for (int i = 0; i < archList.size(); i++) {
            switch (archList.get(i).asText()) {
                case "SCMP_ARCH_X86_64" -> arches.add(Architecture.X86_64);
                case "SCMP_ARCH_AARCH64" -> arches.add(Architecture.AARCH64);
                default -> { } // killed by the architecture check
            }
        }
        if (!archList.isMissingNode() && arches.isEmpty()) {
            throw new IllegalArgumentException(source + ": architectures lists neither SCMP_ARCH_X86_64 nor"
                    + " SCMP_ARCH_AARCH64, the architectures Hako makes filters for");
        }
        if (arches.isEmpty()) {
            arches = EnumSet.of(Architecture.X86_64, Architecture.AARCH64);
        }
        builder.architectures(arches.toArray(Architecture[]::new));
        JsonNode syscalls = root.path("syscalls");
        for (int i = 0; i < syscalls.size(); i++) {
            JsonNode entry = syscalls.get(i);
            String path = source + ": syscalls[" + i + "]";
            SeccompAction action = action(entry.get("action"), entry.path("errnoRet").asInt(defaultErrno),
                    path + ".action");
            List<ArgCheck> checks = new ArrayList<>();
            JsonNode args = entry.path("args");
            for (int a = 0; a < args.size(); a++) {
                checks.add(argCheck(args.get(a), path + ".args[" + a + "]"));
            }
            JsonNode names = entry.path("names");
            if (names.isEmpty()) {
                throw new IllegalArgumentException(path + ".names: give at least one syscall name");
            }
            for (JsonNode name : names) {
                for (Architecture arch : arches) {
                    if (arch.hasSyscall(name.asText())) {
                        builder.ruleOn(arch, name.asText(), action, checks.toArray(ArgCheck[]::new));
                    }
                }
            }
        }
        return builder.build();
    }

    private static SeccompAction action(JsonNode node, int errno, String path) {
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException(path + ": missing; give SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, ...");
        }
        return switch (node.asText()) {
            case "SCMP_ACT_ALLOW" -> SeccompAction.ALLOW;
            case "SCMP_ACT_ERRNO" -> SeccompAction.errno(errno);
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> SeccompAction.KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> SeccompAction.KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> SeccompAction.TRAP;
            case "SCMP_ACT_LOG" -> SeccompAction.LOG;
            case "SCMP_ACT_TRACE" -> SeccompAction.trace(errno);
            default -> throw new IllegalArgumentException(path + ": \"" + node.asText() + "\" is not a seccomp action"
                    + " (SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP,"
                    + " SCMP_ACT_LOG, SCMP_ACT_TRACE)");
        };
    }

    private static ArgCheck argCheck(JsonNode arg, String path) {
        int index = arg.path("index").asInt(-1);
        long value = arg.path("value").asLong();
        long valueTwo = arg.path("valueTwo").asLong();
        String op = arg.path("op").asText("").toUpperCase(Locale.ROOT);
        try {
            return switch (op) {
                case "SCMP_CMP_EQ" -> ArgCheck.eq(index, value);
                case "SCMP_CMP_NE" -> ArgCheck.ne(index, value);
                case "SCMP_CMP_LT" -> ArgCheck.lt(index, value);
                case "SCMP_CMP_LE" -> ArgCheck.le(index, value);
                case "SCMP_CMP_GT" -> ArgCheck.gt(index, value);
                case "SCMP_CMP_GE" -> ArgCheck.ge(index, value);
                case "SCMP_CMP_MASKED_EQ" -> ArgCheck.maskedEq(index, value, valueTwo);
                default -> throw new IllegalArgumentException("op \"" + arg.path("op").asText() + "\" is not one of"
                        + " SCMP_CMP_EQ, NE, LT, LE, GT, GE, MASKED_EQ");
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }
}
