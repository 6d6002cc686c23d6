package dev.hako.samples.cli;

import dev.hako.namespaces.Capabilities;
import dev.hako.syscalls.Capability;
import dev.hako.syscalls.CapabilitySyscalls;
import dev.hako.syscalls.SyscallException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** The security flags of {@code hako run}: capability changes and the caller's own privilege. */
final class SecurityOptions {

    private SecurityOptions() {
    }

    /**
     * The default capability sets with {@code --cap-add} and {@code --cap-drop} applied, as
     * Docker applies them: drops first, then adds, so {@code --cap-drop ALL --cap-add CHOWN}
     * keeps only CHOWN.
     */
    static Capabilities capabilities(CommandSpec spec, List<String> add, List<String> drop) {
        Capabilities caps = Capabilities.containerDefaults();
        caps = caps.minus(parse(spec, "--cap-drop", drop));
        return caps.plus(parse(spec, "--cap-add", add));
    }

    private static Set<Capability> parse(CommandSpec spec, String option, List<String> names) {
        EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
        for (String name : names) {
            if (name.equalsIgnoreCase("ALL")) {
                set.addAll(EnumSet.allOf(Capability.class));
                continue;
            }
            try {
                set.add(Capability.of(name));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
            }
        }
        return set;
    }

    /** Applies {@code --security-opt} values (Docker's spelling) to the builder. */
    static void apply(CommandSpec spec, dev.hako.namespaces.ContainerBuilder builder, List<String> options) {
        for (String option : options) {
            int eq = option.indexOf('=');
            String key = eq < 0 ? option : option.substring(0, eq);
            String value = eq < 0 ? null : option.substring(eq + 1);
            switch (key) {
                case "seccomp" -> {
                    if (value == null || value.isEmpty()) {
                        throw new ParameterException(spec.commandLine(),
                                "--security-opt seccomp needs =unconfined or =FILE");
                    }
                    if (value.equals("unconfined")) {
                        builder.seccomp(dev.hako.namespaces.SeccompProfile.unconfined());
                    } else {
                        try {
                            builder.seccomp(dev.hako.oci.SeccompJson.read(Path.of(value)));
                        } catch (IOException | IllegalArgumentException e) {
                            throw new ParameterException(spec.commandLine(), "--security-opt seccomp=" + value + ": "
                                    + e.getMessage());
                        }
                    }
                }
                case "no-new-privileges" -> {
                    if (value != null && !value.equals("true") && !value.equals("false")) {
                        throw new ParameterException(spec.commandLine(),
                                "--security-opt no-new-privileges takes true or false, not '" + value + "'");
                    }
                    builder.noNewPrivileges(value == null || value.equals("true"));
                }
                default -> throw new ParameterException(spec.commandLine(), "--security-opt: unknown option '"
                        + option + "'; Hako knows seccomp=unconfined|FILE and no-new-privileges[=true|false]");
            }
        }
    }

    /** Whether hako itself holds CAP_SYS_ADMIN (else its namespaces need a user namespace). */
    static boolean hasSysAdmin() {
        try {
            return CapabilitySyscalls.capget(0).effective().contains(Capability.SYS_ADMIN);
        } catch (SyscallException e) {
            return false;
        }
    }
}
