package dev.hako.oci;

import dev.hako.cgroupfs.Bytes;
import dev.hako.cgroupfs.ControllerSpec;
import dev.hako.cgroupfs.CpuSpec;
import dev.hako.cgroupfs.CpusetSpec;
import dev.hako.cgroupfs.DeviceRule;
import dev.hako.cgroupfs.DevicesSpec;
import dev.hako.cgroupfs.MemorySpec;
import dev.hako.cgroupfs.PidsSpec;
import dev.hako.namespaces.Capabilities;
import dev.hako.namespaces.ContainerBuilder;
import dev.hako.namespaces.IdMapping;
import dev.hako.namespaces.MountSpec;
import dev.hako.namespaces.NamespaceJoin;
import dev.hako.namespaces.SeccompProfile;
import dev.hako.syscalls.ResourceLimit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps a checked {@link Config} onto Hako's public API: a {@link ContainerBuilder} with its
 * {@link MountSpec}, and the cgroup specs of {@code linux.resources}. Pure: it creates
 * nothing, so a refusal here leaves nothing behind either.
 */
final class ConfigMapping {

    /** tmpfs size when a mount gives none: the kernel's own default is half of RAM. */
    private static final long DEFAULT_TMPFS_BYTES = halfOfRam();

    /** Mounts the private /dev of Hako already provides (the runtime spec's defaults). */
    private static final Map<String, List<String>> PROVIDED_BY_PRIVATE_DEV = Map.of(
            "/dev", List.of("tmpfs"),
            "/dev/pts", List.of("devpts"),
            "/dev/shm", List.of("tmpfs", "shm", "bind"),
            "/dev/mqueue", List.of("mqueue"));

    /** The nodes of Hako's private /dev (see {@link MountSpec#privateDev()}), major:minor by name. */
    private static final Map<String, String> PRIVATE_DEV_NODES = Map.of("null", "1:3", "zero", "1:5", "full", "1:7",
            "random", "1:8", "urandom", "1:9", "tty", "5:0");

    private ConfigMapping() {
    }

    /** What a config becomes: the builder, and mounts left out with the reason (for the log). */
    record Mapped(ContainerBuilder builder, List<String> notes) {
    }

    static Mapped builder(Config config, Path bundle) {
        List<String> notes = new ArrayList<>();
        ContainerBuilder builder = processBuilder(config.process(), config.linux(), notes);
        Config.Linux linux = config.linux();
        for (int i = 0; i < linux.namespaces().size(); i++) {
            Config.Namespace ns = linux.namespaces().get(i);
            if (ns.path() == null) {
                builder.namespaces(ns.type());
            } else {
                if (!Files.exists(Path.of(ns.path()))) {
                    throw new InvalidConfigException("linux.namespaces[" + i + "].path", "\"" + ns.path()
                            + "\" does not exist");
                }
                builder.join(ns.type(), NamespaceJoin.ofPath(Path.of(ns.path())));
            }
        }
        for (Config.IdMap map : linux.uidMappings()) {
            builder.uidMap(new IdMapping(map.containerId(), map.hostId(), map.size()));
        }
        for (Config.IdMap map : linux.gidMappings()) {
            builder.gidMap(new IdMapping(map.containerId(), map.hostId(), map.size()));
        }
        if (!linux.uidMappings().isEmpty()) {
            builder.setgroupsAllowed(true);
        }
        if (config.hostname() != null && !config.hostname().isEmpty()) {
            builder.hostname(config.hostname());
        }
        if (config.domainname() != null && !config.domainname().isEmpty()) {
            builder.domainname(config.domainname());
        }
        builder.mounts(view(config, bundle, notes));
        return new Mapped(builder, notes);
    }

    /**
     * A builder for the process part of a config (or of {@code exec --process}): command,
     * environment, directory, user, umask, capabilities, rlimits, no_new_privs, seccomp.
     */
    static ContainerBuilder processBuilder(Config.Process process, Config.Linux linux, List<String> notes) {
        ContainerBuilder builder = new ContainerBuilder(process.args());
        builder.environment().clear();
        for (String entry : process.env()) {
            int eq = entry.indexOf('=');
            builder.environment().put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        if (!builder.environment().containsKey("PATH")) {
            // execvp's fallback search path, so that a bare args[0] still resolves.
            builder.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        }
        builder.directory(Path.of(process.cwd()));
        long[] groups = process.additionalGids().stream().mapToLong(Long::longValue).toArray();
        builder.user(process.uid(), process.gid(), groups);
        if (process.umask() != null) {
            builder.umask(process.umask());
        }
        builder.capabilities(capabilities(process.capabilities(), notes));
        process.rlimits().forEach((resource, limit) -> builder.resourceLimit(resource,
                new ResourceLimit(limit[0], limit[1])));
        builder.noNewPrivileges(process.noNewPrivileges());
        builder.seccomp(seccomp(linux));
        return builder;
    }

    private static Capabilities capabilities(Config.Capabilities caps, List<String> notes) {
        if (caps == null) {
            return Capabilities.none();
        }
        // The kernel raises an ambient capability only if it is permitted and inheritable;
        // runc skips the others (its own `runc spec` lists ambient ones without inheritable).
        java.util.EnumSet<dev.hako.syscalls.Capability> ambient = java.util.EnumSet.noneOf(
                dev.hako.syscalls.Capability.class);
        ambient.addAll(caps.ambient());
        ambient.retainAll(caps.permitted());
        ambient.retainAll(caps.inheritable());
        if (ambient.size() < caps.ambient().size()) {
            notes.add("process.capabilities.ambient: only those also permitted and inheritable are raised: " + ambient);
        }
        try {
            return new Capabilities(caps.bounding(), caps.effective(), caps.permitted(), caps.inheritable(), ambient);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("process.capabilities", e.getMessage().replaceFirst("^capabilities: ", ""));
        }
    }

    private static SeccompProfile seccomp(Config.Linux linux) {
        if (linux.seccomp() == null) {
            return SeccompProfile.unconfined(); // the spec: no linux.seccomp, no filter
        }
        for (String unsupported : List.of("listenerPath", "listenerMetadata")) {
            if (linux.seccomp().hasNonNull(unsupported) && !linux.seccomp().get(unsupported).asText().isEmpty()) {
                throw new InvalidConfigException("linux.seccomp." + unsupported, "is not supported by hako-oci");
            }
        }
        if (linux.seccomp().hasNonNull("flags") && !linux.seccomp().get("flags").isEmpty()) {
            throw new InvalidConfigException("linux.seccomp.flags", "is not supported by hako-oci");
        }
        try {
            return SeccompJson.parse(linux.seccomp(), "linux.seccomp");
        } catch (InvalidConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            int colon = message.indexOf(": ", "linux.seccomp".length() + 2);
            // SeccompJson says "linux.seccomp: syscalls[0].action: rule"; make it one path.
            String path = colon < 0 ? "linux.seccomp" : message.substring(0, colon).replace(": ", ".");
            throw new InvalidConfigException(path, colon < 0 ? message : message.substring(colon + 2));
        }
    }

    private static MountSpec view(Config config, Path bundle, List<String> notes) {
        MountSpec.Builder view = MountSpec.builder().rootfs(existingDirectory(config.root(), "root.path"));
        if (config.rootReadonly()) {
            view.rootReadOnly();
        }
        List<Config.Mount> mounts = config.mounts();
        for (int i = 0; i < mounts.size(); i++) {
            Config.Mount mount = mounts.get(i);
            String at = "mounts[" + i + "]";
            String destination = mount.destination().replaceAll("/+$", "");
            String type = mount.type();
            boolean bind = type.equals("bind") || mount.options().contains("bind") || mount.options().contains("rbind");
            try {
                if (PROVIDED_BY_PRIVATE_DEV.getOrDefault(destination, List.of()).contains(type)) {
                    continue; // Hako's private /dev holds a tmpfs /dev, devpts, /dev/shm and /dev/mqueue
                }
                if (destination.equals("/proc") && type.equals("proc")) {
                    view.proc();
                } else if (destination.equals("/sys") && type.equals("sysfs")) {
                    view.sysReadOnly();
                    if (!mount.options().contains("ro")) {
                        notes.add(at + ": /sys is mounted read-only (Hako mounts sysfs only read-only)");
                    }
                } else if (type.equals("cgroup") || type.equals("cgroup2")) {
                    notes.add(at + ": " + type + " on " + destination + " is not mounted (Hako has no cgroup"
                            + " file system mount yet)");
                } else if (bind) {
                    if (mount.source() == null) {
                        throw new InvalidConfigException(at + ".source", "missing; a bind mount needs a source");
                    }
                    Path source = bundle.resolve(mount.source()).toAbsolutePath().normalize();
                    view.bind(source, destination, mount.options().contains("ro"),
                            mount.options().contains("rbind"));
                } else if (type.equals("tmpfs")) {
                    view.tmpfs(destination, tmpfsSize(mount.options(), at), tmpfsMode(mount.options(), at));
                } else {
                    throw new InvalidConfigException(at + ".type", "\"" + type + "\" on " + destination + " is not"
                            + " supported by hako-oci (proc on /proc, sysfs on /sys, tmpfs, bind, and devpts,"
                            + " mqueue and shm under the private /dev)");
                }
            } catch (InvalidConfigException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException(at, e.getMessage());
            }
        }
        for (int i = 0; i < config.linux().devices().size(); i++) {
            Config.Device device = config.linux().devices().get(i);
            if (inPrivateDev(device)) {
                continue; // the private /dev has it already, as the host's node
            }
            try {
                view.node(new MountSpec.DeviceNode(device.path(), nodeType(device), (int) device.major(),
                        (int) device.minor(), device.fileMode(), device.uid(), device.gid()));
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException("linux.devices[" + i + "]", e.getMessage());
            }
        }
        try {
            view.maskedPaths(config.linux().maskedPaths());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("linux.maskedPaths", e.getMessage());
        }
        try {
            view.readOnlyPaths(config.linux().readonlyPaths());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("linux.readonlyPaths", e.getMessage());
        }
        if (config.linux().rootfsPropagation() != null && !config.linux().rootfsPropagation().isEmpty()) {
            try {
                view.propagation(MountSpec.parsePropagation(config.linux().rootfsPropagation()));
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException("linux.rootfsPropagation", e.getMessage());
            }
        }
        try {
            return view.build();
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("mounts", e.getMessage());
        }
    }

    /** Whether a device is one of the nodes Hako's private /dev holds (null, zero, ...), as the host has it. */
    private static boolean inPrivateDev(Config.Device device) {
        String path = device.path();
        if (!path.startsWith("/dev/") || path.indexOf('/', 5) >= 0 || !(device.type().equals("c")
                || device.type().equals("u"))) {
            return false;
        }
        return (device.major() + ":" + device.minor()).equals(PRIVATE_DEV_NODES.get(path.substring(5)));
    }

    private static MountSpec.DeviceNode.Type nodeType(Config.Device device) {
        return switch (device.type()) {
            case "b" -> MountSpec.DeviceNode.Type.BLOCK;
            case "p" -> MountSpec.DeviceNode.Type.FIFO;
            default -> MountSpec.DeviceNode.Type.CHARACTER; // "c", and "u" (unbuffered), which is one too
        };
    }

    private static Path existingDirectory(Path path, String at) {
        if (!Files.isDirectory(path)) {
            throw new InvalidConfigException(at, "\"" + path + "\" is not a directory");
        }
        return path;
    }

    private static long tmpfsSize(List<String> options, String at) {
        for (String option : options) {
            if (option.startsWith("size=")) {
                String value = option.substring(5).toLowerCase(Locale.ROOT);
                long unit = switch (value.isEmpty() ? ' ' : value.charAt(value.length() - 1)) {
                    case 'k' -> 1L << 10;
                    case 'm' -> 1L << 20;
                    case 'g' -> 1L << 30;
                    default -> 1;
                };
                String digits = unit == 1 ? value : value.substring(0, value.length() - 1);
                try {
                    return Math.multiplyExact(Long.parseLong(digits), unit);
                } catch (NumberFormatException | ArithmeticException e) {
                    throw new InvalidConfigException(at + ".options", "\"" + option + "\" is not size=N[k|m|g]");
                }
            }
        }
        return DEFAULT_TMPFS_BYTES;
    }

    private static int tmpfsMode(List<String> options, String at) {
        for (String option : options) {
            if (option.startsWith("mode=")) {
                try {
                    return Integer.parseInt(option.substring(5), 8);
                } catch (NumberFormatException e) {
                    throw new InvalidConfigException(at + ".options", "\"" + option + "\" is not mode=OCTAL");
                }
            }
        }
        return 01777;
    }

    private static long halfOfRam() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024 / 2;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // fall through to a fixed size
        }
        return 64L << 20;
    }

    /** The limits of {@code linux.resources} as Hako's controller specs (device rules apart). */
    static List<ControllerSpec> limits(Config.Resources resources) {
        List<ControllerSpec> specs = new ArrayList<>();
        if (resources.memoryLimit() != null || resources.memoryReservation() != null) {
            MemorySpec memory = MemorySpec.unset();
            if (resources.memoryLimit() != null && resources.memoryLimit() >= 0) {
                memory = memory.withMax(Bytes.of(resources.memoryLimit()));
                if (resources.memorySwap() != null && resources.memorySwap() >= 0) {
                    memory = memory.withSwapMax(Bytes.of(resources.memorySwap() - resources.memoryLimit()));
                }
            }
            if (resources.memoryReservation() != null && resources.memoryReservation() >= 0) {
                memory = memory.withLow(Bytes.of(resources.memoryReservation()));
            }
            specs.add(memory);
        }
        if (resources.cpuShares() != null || resources.cpuQuota() != null) {
            CpuSpec cpu = CpuSpec.unset();
            if (resources.cpuShares() != null) {
                cpu = cpu.shares(resources.cpuShares()); // v1 as given, v2 converted as runc does
            }
            if (resources.cpuQuota() != null && resources.cpuQuota() > 0) {
                long period = resources.cpuPeriod() == null ? 100_000 : resources.cpuPeriod();
                cpu = cpu.max(Duration.ofNanos(resources.cpuQuota() * 1000), Duration.ofNanos(period * 1000));
            }
            specs.add(cpu);
        }
        if (resources.cpus() != null && !resources.cpus().isEmpty()) {
            CpusetSpec cpuset = CpusetSpec.cpus(resources.cpus());
            if (resources.mems() != null && !resources.mems().isEmpty()) {
                cpuset = cpuset.withMems(resources.mems());
            }
            specs.add(cpuset);
        }
        if (resources.pidsLimit() != null) {
            specs.add(resources.pidsLimit() <= 0 ? PidsSpec.unlimited() : PidsSpec.max(resources.pidsLimit()));
        }
        return specs;
    }

    /**
     * The device rules: the config's list read as a default (its first rule, which must
     * cover every device) and exceptions, plus what Hako's private /dev holds, which a
     * deny-all default must still allow, and the devices of {@code linux.devices}. No
     * rules: Hako's container defaults.
     */
    static DevicesSpec deviceRules(Config.Linux linux) {
        DevicesSpec spec = configuredRules(linux.resources());
        if (spec.defaultAllow()) {
            return spec;
        }
        // As runc: each linux.devices entry is allowed too (its node is made in the
        // container's group, and mknod needs "m").
        for (int i = 0; i < linux.devices().size(); i++) {
            Config.Device device = linux.devices().get(i);
            if (device.type().equals("p")) {
                continue;
            }
            DeviceRule rule = device.type().equals("b")
                    ? DeviceRule.block((int) device.major(), (int) device.minor(), "rwm")
                    : DeviceRule.character((int) device.major(), (int) device.minor(), "rwm");
            spec = spec.allow(rule);
        }
        return spec;
    }

    private static DevicesSpec configuredRules(Config.Resources resources) {
        List<Config.DeviceRule> rules = resources.devices();
        if (rules.isEmpty()) {
            return DevicesSpec.containerDefaults();
        }
        Config.DeviceRule first = rules.getFirst();
        if (!first.type().equals("a") || !first.access().equals("rwm")
                || (first.major() != null && first.major() >= 0) || (first.minor() != null && first.minor() >= 0)) {
            throw new InvalidConfigException("linux.resources.devices[0]", "hako-oci needs the first device rule to"
                    + " cover every device (type a, access rwm) and set the default; the rest are exceptions");
        }
        DevicesSpec spec = first.allow() ? DevicesSpec.allowAll() : DevicesSpec.containerDefaults();
        for (int i = 1; i < rules.size(); i++) {
            Config.DeviceRule rule = rules.get(i);
            String at = "linux.resources.devices[" + i + "]";
            if (rule.allow() == first.allow()) {
                throw new InvalidConfigException(at, "repeats the default (" + (first.allow() ? "allow" : "deny")
                        + ") of rule 0; hako-oci takes later rules as exceptions to it");
            }
            if (rule.type().equals("a")) {
                throw new InvalidConfigException(at + ".type", "\"a\" is only accepted in the first rule");
            }
            String text = rule.type() + " " + number(rule.major()) + ":" + number(rule.minor()) + " " + rule.access();
            try {
                DeviceRule parsed = DeviceRule.parse(text);
                spec = rule.allow() ? spec.allow(parsed) : spec.deny(parsed);
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException(at, e.getMessage());
            }
        }
        return spec;
    }

    private static String number(Long n) {
        return n == null || n < 0 ? "*" : Long.toString(n);
    }
}
